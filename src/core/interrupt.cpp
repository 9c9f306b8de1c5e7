#include "shipml/core/interrupt.hpp"

#include <signal.h>

#include <string>

namespace shipml {
namespace {

StopSource process_source;
thread_local const StopSource* scoped_source = nullptr;
std::atomic<bool> interrupted_once{false};

void on_interrupt(int) {
  if (interrupted_once.exchange(true)) {
    ::signal(SIGINT, SIG_DFL);  // asked twice: stop now
    ::raise(SIGINT);
  }
  process_source.request();
}

}  // namespace

StopScope::StopScope(const StopSource& source) : previous_(scoped_source) { scoped_source = &source; }
StopScope::~StopScope() { scoped_source = previous_; }

const StopSource& current_stop_source() { return scoped_source ? *scoped_source : process_source; }

void stop_on_interrupt() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
}

void request_stop() { process_source.request(); }
void clear_stop() {
  process_source.clear();
  interrupted_once = false;
}
bool stop_requested() { return current_stop_source().requested(); }

void throw_if_stopped(const char* what) {
  if (stop_requested()) throw Interrupted(std::string(what) + " stopped by Ctrl-C");
}

}  // namespace shipml
