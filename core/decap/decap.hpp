// xlb-decap, the backends' side of the tunnel methods: an XDP program that
// strips IPIP/GRE/GUE/FOU addressed to this host (bpf/decap.bpf.c). Its
// state is pinned under PIN_PATH/decap: one pinned bpf_link per device
// (link_IFINDEX), the local-address map and the counters, shared by every
// device. Writers take the lock on that directory.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/addr.hpp"
#include "base/result.hpp"
#include "decap_abi.h"
#include "state/loader.hpp"

namespace xlb {

std::string decap_pin_dir(const std::string& pin_path);

struct DecapPorts {
  uint16_t gue = XLB_DECAP_GUE_PORT;
  uint16_t fou = XLB_DECAP_FOU_PORT;
};

struct DecapAttachRequest {
  std::string pin_path;
  std::string dev;
  std::string mode;                  // "", "native", "generic"
  std::optional<uint16_t> gue_port;  // unset: the device's current port, else the default
  std::optional<uint16_t> fou_port;
  std::vector<IpAddr> addresses;  // explicit, besides the namespace's own
};

struct DecapAttachResult {
  bool replaced = false;  // the device was attached already: program swapped in place
  size_t addresses = 0;   // local addresses now in the map
};

struct DecapDevice {
  std::string dev;  // "" when the interface is gone from this namespace
  int ifindex = 0;
  std::string mode;
  uint32_t prog_id = 0;
  uint32_t link_id = 0;
  DecapPorts ports;
};

struct DecapAddress {
  IpAddr addr;
  bool from_netlink = false;
  bool is_explicit = false;
};

struct DecapStatus {
  std::vector<DecapDevice> devices;
  std::vector<DecapAddress> addresses;
  std::array<uint64_t, XLB_DC_COUNT> counters{};
};

// The counter's name in `decap list` (JSON key), e.g. "ipip", "drop_truncated".
const char* decap_counter_name(int counter);

// `decap list -j` (xlb(8), JSON OUTPUT): devices, addresses, counters.
void to_json(nlohmann::json& j, const DecapStatus& st);

// Loads the program, attaches it to the device (or swaps it in), and fills
// the local addresses from the namespace plus the explicit ones.
Result<DecapAttachResult> decap_attach(const DecapAttachRequest& req);
// Detaches from the device; the last detach removes the maps too.
Status decap_detach(const std::string& pin_path, const std::string& dev);
// Re-reads the namespace's addresses (explicit ones stay). Returns how
// many addresses the map holds.
Result<size_t> decap_refresh(const std::string& pin_path);
// Devices, addresses and counters; empty when nothing is attached.
Result<DecapStatus> decap_status(const std::string& pin_path);

// ---- the pieces, for tests

// Loads an instance of the program with its maps pinned in `dir` (created
// on first load, reused after).
Result<LoadedProgram> load_decap(const std::string& dir, const DecapPorts& ports);
// Replaces the netlink-sourced addresses by `netlink` and adds `explicit_`;
// returns the number of addresses in the map.
Result<size_t> decap_update_addresses(const std::string& dir, const std::vector<IpAddr>& netlink,
                                      const std::vector<IpAddr>& explicit_);
Result<std::vector<DecapAddress>> decap_addresses(const std::string& dir);
Result<std::array<uint64_t, XLB_DC_COUNT>> decap_counters(const std::string& dir);
// The ports a loaded program instance was given.
std::optional<DecapPorts> decap_program_ports(uint32_t prog_id);

}  // namespace xlb
