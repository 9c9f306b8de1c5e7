#pragma once
// A polite stop: front doors turn Ctrl-C (SIGINT) into a request that long work
// (a search) checks between units, so it can stop cleanly and keep what is done.
namespace shipml {

/// Installs a SIGINT handler that requests a stop; a second Ctrl-C ends the process.
void stop_on_interrupt();
bool stop_requested();
void request_stop();

}  // namespace shipml
