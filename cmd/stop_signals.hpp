// SIGINT and SIGTERM as a flag that a command's loop polls, so that it ends
// its work cleanly (a capture puts the plain balancer back, xlb-syncd turns
// the export off) instead of dying in the middle of it.
#pragma once

#include <atomic>
#include <csignal>

namespace xlb::cli {

inline std::atomic<bool>& stop_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

inline void stop_on_signals() {
  (void)stop_requested();  // the flag exists before a handler can touch it
  struct sigaction sa {};
  sa.sa_handler = [](int) { stop_requested() = true; };
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGINT, SIGTERM}) sigaction(s, &sa, nullptr);
}

}  // namespace xlb::cli
