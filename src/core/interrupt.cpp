#include "shipml/core/interrupt.hpp"

#include <signal.h>

#include <atomic>

namespace shipml {
namespace {

std::atomic<bool> requested{false};

void on_interrupt(int) {
  if (requested.exchange(true)) {
    ::signal(SIGINT, SIG_DFL);  // asked twice: stop now
    ::raise(SIGINT);
  }
}

}  // namespace

void stop_on_interrupt() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
}

bool stop_requested() { return requested.load(std::memory_order_relaxed); }
void request_stop() { requested = true; }

}  // namespace shipml
