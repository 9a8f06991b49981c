// The command grammar: one sentence per command, `OBJECT VERB ARGS...`, the
// same on the command line, in ruleset files and in the shell. Parsing turns
// words into one typed struct per command; nothing here touches the system.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "model/capacities.hpp"
#include "model/model.hpp"
#include "model/ops.hpp"

namespace xlb {

namespace cmd {

struct InterfaceAttach {
  std::string dev;
  std::string mode;  // "", "native" or "generic"
  Capacities caps;
};
struct InterfaceDetach {
  std::string dev;
};
struct InterfaceList {};

// xlb-decap, on the backends.
struct DecapAttach {
  std::string dev;
  std::string mode;  // "", "native" or "generic"
  std::optional<uint16_t> gue_port;
  std::optional<uint16_t> fou_port;
  std::vector<IpAddr> addresses;  // explicit local addresses
};
struct DecapDetach {
  std::string dev;
};
struct DecapRefresh {};
struct DecapList {};

struct ServiceAdd {
  Service service;
};
struct ServiceSet {
  ServiceRef ref;
  ServiceChange change;
};
struct ServiceDel {
  ServiceRef ref;
};
struct ServiceList {
  std::optional<ServiceRef> ref;
};

struct BackendAdd {
  ServiceRef ref;
  Backend backend;
  bool mac_given = false;
};
struct BackendSet {
  ServiceRef ref;
  IpAddr addr;
  std::optional<uint32_t> weight;
  std::optional<MacAddr> mac;
  std::optional<std::string> dev;  // "": back to the route's interface
  std::optional<uint16_t> vlan;    // 0: untagged
};
struct BackendAdmin {
  ServiceRef ref;
  IpAddr addr;
  Admin admin;
};
struct BackendDel {
  ServiceRef ref;
  IpAddr addr;
};
struct BackendList {
  std::optional<ServiceRef> ref;
};

struct CheckAdd {
  ServiceRef ref;
  Check check;
};
// check del SERVICE [INDEX|TYPE ...]: no selector deletes every check.
struct CheckDel {
  ServiceRef ref;
  std::vector<CheckSelector> which;
};
struct CheckList {
  std::optional<ServiceRef> ref;
};

struct FlowFilter {
  std::optional<ServiceRef> service;
  std::optional<IpAddr> backend;
};
struct FlowsList {
  FlowFilter filter;
};
struct FlowsCount {
  FlowFilter filter;
};
struct FlowsFlush {
  FlowFilter filter;
};

struct Stats {
  std::optional<ServiceRef> ref;
  bool rate = false;
  uint32_t interval_ms = 1000;
  bool prometheus = false;
};
struct StatsReset {};

struct SetSeed {
  uint32_t seed;
};
// xlb set source4|source6|gateway4|gateway6 ADDR|none
struct SetTunnel {
  TunnelSetting what;
  std::optional<IpAddr> addr;  // none: unset
};
// set nat4|nat6 PREFIX: the health-check NAT range of a family.
struct SetNat {
  IpPrefix range;
};
struct NatList {};
struct ListRuleset {};
struct FlushRuleset {};
struct ImportIpvsadm {
  std::string file;
};
struct Help {
  std::string object;
};

}  // namespace cmd

using Command =
    std::variant<cmd::InterfaceAttach, cmd::InterfaceDetach, cmd::InterfaceList, cmd::ServiceAdd,
                 cmd::ServiceSet, cmd::ServiceDel, cmd::ServiceList, cmd::BackendAdd,
                 cmd::BackendSet, cmd::BackendAdmin, cmd::BackendDel, cmd::BackendList,
                 cmd::CheckAdd, cmd::CheckDel, cmd::CheckList, cmd::FlowsList, cmd::FlowsCount,
                 cmd::FlowsFlush, cmd::Stats, cmd::StatsReset, cmd::SetSeed, cmd::SetTunnel,
                 cmd::SetNat, cmd::NatList, cmd::ListRuleset, cmd::FlushRuleset, cmd::ImportIpvsadm,
                 cmd::Help, cmd::DecapAttach, cmd::DecapDetach, cmd::DecapRefresh, cmd::DecapList>;

// Parses one command. Errors are usage errors whose `token` is the index of
// the offending word (words.size() when a word is missing).
Result<Command> parse_command(std::span<const std::string> words);

// Commands that edit the configuration: the only ones a ruleset file holds.
bool is_config_edit(const Command& c);

// Applies a configuration edit to a model. A backend added without a MAC
// must have had it filled in by the caller (resolution needs the kernel).
Status apply_edit(Config& c, const Command& cmd);

}  // namespace xlb
