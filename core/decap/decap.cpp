// xlb-decap: attach, detach, refresh and status (the maps: decap_maps.cpp).
#include "decap/decap.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/sys_error.hpp"
#include "net/local_addrs.hpp"
#include "net/netlink.hpp"
#include "state/attach.hpp"
#include "state/bpffs.hpp"

namespace xlb {

namespace {

constexpr const char* kCounterNames[XLB_DC_COUNT] = {
    "pass",
    "ipip",
    "gre",
    "gue",
    "fou",
    "gue_control",
    "unsupported",
    "fragment",
    "drop_truncated",
    "drop_bad_outer",
    "drop_inner_version",
    "drop_inner_length",
    "drop_error",
};

std::string link_path(const std::string& dir, int ifindex) {
  return dir + "/link_" + std::to_string(ifindex);
}

// The ports of the program attached to ifindex, if any.
std::optional<DecapPorts> attached_ports(const std::string& dir, int ifindex) {
  int fd = bpf_obj_get(link_path(dir, ifindex).c_str());
  if (fd < 0) return std::nullopt;
  bpf_link_info info{};
  uint32_t len = sizeof(info);
  int err = bpf_obj_get_info_by_fd(fd, &info, &len);
  close(fd);
  if (err) return std::nullopt;
  return decap_program_ports(info.prog_id);
}

Result<DecapPorts> choose_ports(const DecapAttachRequest& req, const std::string& dir,
                                int ifindex) {
  DecapPorts p = attached_ports(dir, ifindex).value_or(DecapPorts{});
  if (req.gue_port) p.gue = *req.gue_port;
  if (req.fou_port) p.fou = *req.fou_port;
  if (p.gue == p.fou)
    return usage_error("the GUE and FOU ports must differ (both " + std::to_string(p.gue) + ")");
  return p;
}

bool any_link(const std::string& dir) {
  auto links = list_attachments(dir);
  return links && !links->empty();
}

// With no device left, the maps go too: nothing of xlb-decap stays pinned.
// A pin that is already gone (ENOENT) is what was wanted.
Status remove_if_unused(const std::string& dir) {
  if (any_link(dir)) return {};
  for (const char* map : {"/xlb_decap_addrs", "/xlb_decap_stats"})
    if (unlink((dir + map).c_str()) != 0 && errno != ENOENT)
      return sys_error("cannot remove " + dir + map);
  if (rmdir(dir.c_str()) != 0 && errno != ENOENT) return sys_error("cannot remove " + dir);
  return {};
}

Result<DecapAttachResult> attach_locked(const DecapAttachRequest& req, const std::string& dir,
                                        int ifindex) {
  auto ports = choose_ports(req, dir, ifindex);
  if (!ports) return ports.error();
  auto prog = load_decap(dir, *ports);
  if (!prog) return prog.error();
  auto addrs = local_addresses();
  if (!addrs) return addrs.error();
  auto count = decap_update_addresses(dir, *addrs, req.addresses);
  if (!count) return count.error();
  auto replaced = attach_program(*prog, {dir, req.dev, req.mode}, ifindex);
  if (!replaced) return replaced.error();
  return DecapAttachResult{*replaced, *count};
}

}  // namespace

std::string decap_pin_dir(const std::string& pin_path) { return pin_path + "/decap"; }

const char* decap_counter_name(int counter) {
  return counter >= 0 && counter < XLB_DC_COUNT ? kCounterNames[counter] : "unknown";
}

Result<DecapAttachResult> decap_attach(const DecapAttachRequest& req) {
  auto link = link_by_name(req.dev);
  if (!link) return link.error();
  std::string dir = decap_pin_dir(req.pin_path);
  XLB_TRY(ensure_pin_dir(req.pin_path));
  XLB_TRY(ensure_pin_dir(dir));
  auto lock = PinLock::acquire(dir);
  if (!lock) return lock.error();
  auto r = attach_locked(req, dir, link->ifindex);
  // The attach error is the one to report; what cleanup leaves behind is
  // removed by the next detach or reused by the next attach.
  if (!r) (void)remove_if_unused(dir);
  return r;
}

Status decap_detach(const std::string& pin_path, const std::string& dev) {
  auto link = link_by_name(dev);
  if (!link) return link.error();
  std::string dir = decap_pin_dir(pin_path);
  if (!is_attached(dir, link->ifindex)) return runtime_error("xlb-decap is not attached to " + dev);
  auto lock = PinLock::acquire(dir);
  if (!lock) return lock.error();
  XLB_TRY(detach_link(dir, dev));
  return remove_if_unused(dir);
}

Result<size_t> decap_refresh(const std::string& pin_path) {
  std::string dir = decap_pin_dir(pin_path);
  if (!any_link(dir)) return runtime_error("xlb-decap is not attached to any device");
  auto lock = PinLock::acquire(dir);
  if (!lock) return lock.error();
  auto addrs = local_addresses();
  if (!addrs) return addrs.error();
  return decap_update_addresses(dir, *addrs, {});
}

Result<DecapStatus> decap_status(const std::string& pin_path) {
  std::string dir = decap_pin_dir(pin_path);
  DecapStatus st;
  if (access(dir.c_str(), F_OK) != 0) return st;
  auto links = list_attachments(dir);
  if (!links) return links.error();
  for (const Attachment& a : *links) {
    DecapDevice d{a.dev, a.ifindex, a.mode, a.prog_id, a.link_id, {}};
    d.ports = decap_program_ports(a.prog_id).value_or(DecapPorts{});
    st.devices.push_back(d);
  }
  auto addrs = decap_addresses(dir);
  if (!addrs) return addrs.error();
  st.addresses = *addrs;
  auto counters = decap_counters(dir);
  if (!counters) return counters.error();
  st.counters = *counters;
  return st;
}

}  // namespace xlb
