// xlb-syncd's engine: reads the flows the datapath exports, sends them to the
// peers (unicast and/or a multicast group), installs the peers' flows, and
// answers and asks for bulk syncs. cmd/syncd.cpp adds options and signals.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "sync/wire.hpp"

namespace xlb::sync {

struct SyncdOptions {
  std::string pin_path = "/sys/fs/bpf/xlb";
  std::string key_file;
  std::vector<std::string> peers;  // addresses; all use `port`
  std::string listen;              // local address to bind; empty: any
  uint16_t port = kDefaultPort;
  std::string group;  // multicast group (with dev)
  std::string dev;
  uint32_t interval = 5;         // seconds between exports of one long-lived flow
  size_t batch = kDefaultBatch;  // flows per datagram
  uint32_t sender = 0;           // 0: random
  bool bulk_on_start = true;
};

using Log = std::function<void(const std::string&)>;

// Runs until `stop`; turns the datapath's export on at the start and off at
// the end (whatever the way out).
Status run_syncd(const SyncdOptions& o, const std::atomic<bool>& stop, const Log& log,
                 const std::function<void()>& alive);

}  // namespace xlb::sync
