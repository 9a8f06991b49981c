// The command grammar: one sentence per command, `OBJECT VERB ARGS...`, the
// same on the command line, in ruleset files and in the shell. Parsing turns
// words into one typed struct per command; nothing here touches the system.
//
// A command that edits the configuration says so itself: its struct has
// `Status apply(Config&) const` (the ConfigEdit concept below). That member
// is the one list of edit commands: ruleset files take exactly these, and
// the CLI runs each in one transaction.
#pragma once

#include <concepts>
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
  CapacityChoice caps;
  // chain FILE.o[:PROG] | none: an operator's XDP program run first
  // (state/stages.hpp); unset keeps the chain the interface has.
  std::optional<std::string> chain;
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
  Status apply(Config& c) const;
};
struct ServiceSet {
  ServiceRef ref;
  ServiceChange change;
  Status apply(Config& c) const;
};
struct ServiceDel {
  ServiceRef ref;
  Status apply(Config& c) const;
};
struct ServiceList {
  std::optional<ServiceRef> ref;
};

struct BackendAdd {
  ServiceRef ref;
  Backend backend;
  bool mac_given = false;
  Status apply(Config& c) const;
};
struct BackendSet {
  ServiceRef ref;
  IpAddr addr;
  std::optional<uint32_t> weight;
  std::optional<MacAddr> mac;
  std::optional<std::string> dev;  // "": back to the route's interface
  std::optional<uint16_t> vlan;    // 0: untagged
  std::optional<uint32_t> priority;
  Status apply(Config& c) const;
};
struct BackendAdmin {
  ServiceRef ref;
  IpAddr addr;
  Admin admin;
  Status apply(Config& c) const;
};
struct BackendDel {
  ServiceRef ref;
  IpAddr addr;
  Status apply(Config& c) const;
};
struct BackendList {
  std::optional<ServiceRef> ref;
};
// One refresh round of the backends' next hops (MACs).
struct BackendRefresh {
  std::optional<ServiceRef> ref;
};

struct CheckAdd {
  ServiceRef ref;
  Check check;
  Status apply(Config& c) const;
};
// check del SERVICE [INDEX|TYPE ...]: no selector deletes every check.
struct CheckDel {
  ServiceRef ref;
  std::vector<CheckSelector> which;
  Status apply(Config& c) const;
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
// flows expire: one sweep of expired and stale entries.
struct FlowsExpire {};
// flows get PROTO CLIENT:PORT VIP:PORT
struct FlowsGet {
  Proto proto = Proto::tcp;
  Endpoint client, vip;
};

struct Stats {
  std::optional<ServiceRef> ref;
  bool rate = false;
  uint32_t interval_ms = 1000;
  std::optional<uint32_t> count;  // --rate: reports to print (none: until interrupted)
  bool prometheus = false;
  bool ipvs_names = false;  // --prometheus: node_exporter's node_ipvs_* families too
};
// stats reset [SERVICE]: that service's and its backends' counters, or all.
struct StatsReset {
  std::optional<ServiceRef> ref;
};

// capture [dev DEV] [count N] [snaplen N] [-w FILE|-] [service S]
//         [backend ADDR] [verdict V] [reason R]
struct Capture {
  std::optional<std::string> dev;
  std::optional<uint64_t> count;
  uint32_t snaplen = XLB_CAPTURE_SNAP_MAX;
  std::optional<std::string> file;  // -w: pcapng to FILE, or "-" for stdout
  std::optional<ServiceRef> service;
  std::optional<IpAddr> backend;
  std::optional<std::string> verdict;  // pass, drop, tx, redirect, aborted
  std::optional<std::string> reason;   // a drop reason: no_service, ...
};

struct SetSeed {
  uint32_t seed;
  Status apply(Config& c) const;
};
// xlb set source4|source6|gateway4|gateway6 ADDR|none
struct SetTunnel {
  TunnelSetting what;
  std::optional<IpAddr> addr;  // none: unset
  Status apply(Config& c) const;
};
// set timeout [tcp D] [tcp-syn D] [udp D]
struct SetTimeout {
  TimeoutChange change;
  Status apply(Config& c) const;
};
// set flow-guard N|off
struct SetFlowGuard {
  uint32_t per_second = 0;  // 0: off
  Status apply(Config& c) const;
};
// set icmp-echo on|off
struct SetIcmpEcho {
  bool on = true;
  Status apply(Config& c) const;
};
// set nat4|nat6 PREFIX: the health-check NAT range of a family.
struct SetNat {
  IpPrefix range;
  Status apply(Config& c) const;
};
struct NatList {};

// filter add|del|list: the filter stage before the balancer (model/filter.hpp).
struct FilterAdd {
  FilterRule rule;
  Status apply(Config& c) const;
};
// filter del INDEX | filter del RULE (its key words; a limit's rate is ignored)
struct FilterDel {
  FilterRule rule;
  uint32_t index = 0;  // 1-based, as filter list shows; 0: by rule
  Status apply(Config& c) const;
};
struct FilterList {};
struct ListRuleset {};
struct FlushRuleset {
  Status apply(Config& c) const;
};
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
                 cmd::BackendRefresh, cmd::CheckAdd, cmd::CheckDel, cmd::CheckList, cmd::FlowsList,
                 cmd::FlowsCount, cmd::FlowsFlush, cmd::FlowsExpire, cmd::FlowsGet, cmd::Stats,
                 cmd::StatsReset, cmd::Capture, cmd::SetSeed, cmd::SetTunnel, cmd::SetTimeout,
                 cmd::SetFlowGuard, cmd::SetIcmpEcho, cmd::SetNat, cmd::NatList, cmd::ListRuleset,
                 cmd::FlushRuleset, cmd::ImportIpvsadm, cmd::Help, cmd::DecapAttach,
                 cmd::DecapDetach, cmd::DecapRefresh, cmd::DecapList, cmd::FilterAdd,
                 cmd::FilterDel, cmd::FilterList>;

// Parses one command. Errors are usage errors whose `token` is the index of
// the offending word (words.size() when a word is missing).
Result<Command> parse_command(std::span<const std::string> words);

template <class T>
concept ConfigEdit = requires(const T& edit, Config& c) {
  { edit.apply(c) } -> std::same_as<Status>;
};

// Commands that edit the configuration: the only ones a ruleset file holds.
bool is_config_edit(const Command& c);

// Applies a configuration edit to a model. A backend added without a MAC
// must have had it filled in by the caller (resolution needs the kernel).
Status apply_edit(Config& c, const Command& cmd);

}  // namespace xlb
