#include "state/attach.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <linux/if_link.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "base/sys_error.hpp"
#include "net/netlink.hpp"
#include "state/hc_port.hpp"
#include "state/hop_table.hpp"
#include "state/link_names.hpp"
#include "state/state.hpp"
#include "state/upgrade.hpp"

namespace xlb {

namespace {

std::string link_pin(const std::string& pin_path, int ifindex) {
  return pin_path + "/link_" + std::to_string(ifindex);
}

uint32_t mode_flags(const std::string& mode) {
  if (mode == "native") return XDP_FLAGS_DRV_MODE;
  if (mode == "generic") return XDP_FLAGS_SKB_MODE;
  return 0;
}

std::string attached_mode(int ifindex) {
  LIBBPF_OPTS(bpf_xdp_query_opts, q);
  if (bpf_xdp_query(ifindex, 0, &q) != 0) return "unknown";
  if (q.attach_mode == XDP_ATTACHED_DRV) return "native";
  if (q.attach_mode == XDP_ATTACHED_SKB) return "generic";
  if (q.attach_mode == XDP_ATTACHED_HW) return "offload";
  return "unknown";
}

Result<bool> upgrade(int link_fd, const LoadedProgram& prog, const LinkTarget& req, int ifindex) {
  if (!req.mode.empty() && attached_mode(ifindex) != req.mode) {
    close(link_fd);
    return runtime_error(req.dev + " is attached in " + attached_mode(ifindex) +
                         " mode; detach it first to change the mode");
  }
  int err = bpf_link_update(link_fd, prog.fd(), nullptr);
  int saved = errno;
  close(link_fd);
  errno = saved;
  if (err) return sys_error("cannot replace the program on " + req.dev);
  return true;
}

Result<bool> attach_new(const LoadedProgram& prog, const LinkTarget& req, int ifindex) {
  LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = mode_flags(req.mode));
  int fd = bpf_link_create(prog.fd(), ifindex, BPF_XDP, &opts);
  if (fd < 0) {
    std::string msg = "cannot attach to " + req.dev + ": " + std::strerror(errno);
    if (errno == EBUSY || errno == EEXIST) msg += " (another XDP program is attached)";
    return runtime_error(msg);
  }
  int err = bpf_obj_pin(fd, link_pin(req.pin_path, ifindex).c_str());
  int saved = errno;
  close(fd);
  errno = saved;
  if (err) return sys_error("cannot pin the link of " + req.dev);
  return false;
}

}  // namespace

namespace {

// The health-check port comes with the first attachment and is upgraded
// with every attach, as the interfaces' program is.
Status setup_hc_port(const std::string& pin_path) {
  auto st = State::open(pin_path);
  if (!st) return st.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  return hc_port_setup(pin_path, cfg->settings);
}

// Whether the committed configuration has filter rules (none when there is
// no configuration yet).
bool has_filter_rules(const std::string& pin_path) {
  auto st = State::open(pin_path);
  if (!st) return false;
  auto cfg = st->read();
  return cfg && !cfg->filters.empty();
}

// Packets reach an attached interface from the others by XDP_REDIRECT.
Status add_attached_tx_port(const std::string& pin_path, int ifindex) {
  auto maps = Maps::open(pin_path);
  if (!maps) return maps.error();
  return add_tx_port(*maps, ifindex);
}

}  // namespace

Result<bool> attach_program(const LoadedProgram& prog, const LinkTarget& target, int ifindex) {
  int link_fd = bpf_obj_get(link_pin(target.pin_path, ifindex).c_str());
  if (link_fd >= 0) return upgrade(link_fd, prog, target, ifindex);
  return attach_new(prog, target, ifindex);
}

bool is_attached(const std::string& pin_path, int ifindex) {
  return access(link_pin(pin_path, ifindex).c_str(), F_OK) == 0;
}

namespace {

// What the kernel says about a pinned link: its ids and the ifindex it is
// attached to (0 once its interface is gone).
struct LinkState {
  uint32_t link_id = 0, prog_id = 0;
  int ifindex = 0;
};

std::optional<LinkState> link_state(const std::string& path) {
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) return std::nullopt;
  bpf_link_info info{};
  uint32_t len = sizeof(info);
  int err = bpf_obj_get_info_by_fd(fd, &info, &len);
  close(fd);
  if (err) return std::nullopt;
  return LinkState{info.id, info.prog_id, static_cast<int>(info.xdp.ifindex)};
}

// Whether the interface with this ifindex in the caller's namespace runs
// the program: program ids are global, ifindexes are per namespace.
bool runs_here(int ifindex, uint32_t prog_id) {
  LIBBPF_OPTS(bpf_xdp_query_opts, q);
  if (bpf_xdp_query(ifindex, 0, &q) != 0) return false;
  return prog_id && (q.prog_id == prog_id || q.drv_prog_id == prog_id || q.skb_prog_id == prog_id ||
                     q.hw_prog_id == prog_id);
}

// A link pinned for this ifindex by an attach in another namespace: an
// attach here would replace the program on that other interface.
Status refuse_other_netns(const std::string& pin_path, const LinkInfo& link) {
  auto ls = link_state(link_pin(pin_path, link.ifindex));
  if (!ls || !ls->ifindex || runs_here(link.ifindex, ls->prog_id)) return {};
  auto place = recorded_link_place(pin_path, link.ifindex);
  return runtime_error("cannot attach to " + link.name + ": ifindex " +
                       std::to_string(link.ifindex) + " of " + pin_path +
                       " is attached in another network namespace" +
                       (place ? " (interface " + place->dev + ")" : std::string()) +
                       "; use another --pin-path for this namespace");
}

}  // namespace

Result<bool> attach_interface(const AttachRequest& req) {
  auto link = link_by_name(req.dev);
  if (!link) return link.error();
  if (link->name == XLB_HC_HOST_DEV || link->name == XLB_HC_DP_DEV)
    return usage_error(link->name + " is xlb's health-check port; attach another interface");
  XLB_TRY(refuse_other_netns(req.pin_path, *link));
  auto up = upgrade_layout(req.pin_path);  // the maps the new program reuses must be ours
  if (!up) return up.error();
  if (auto maps = Maps::open(req.pin_path))
    XLB_TRY(check_capacity_choice(req.caps, maps->caps(), req.pin_path));
  auto prog = load_datapath({req.pin_path, req.caps.or_defaults(), link->mac});
  if (!prog) return prog.error();
  const bool was_attached = is_attached(req.pin_path, link->ifindex);
  // The new balancer goes into the interface's stages; the interface runs
  // the entry program in front of them while there is a chain or a rule.
  auto front = arrange_stages(
      {req.pin_path, link->ifindex, prog->fd(), has_filter_rules(req.pin_path), req.chain});
  if (!front) return front.error();
  auto upgraded = attach_program(*front, {req.pin_path, req.dev, req.mode}, link->ifindex);
  if (!upgraded && !was_attached) release_stages(req.pin_path, link->ifindex);
  if (!upgraded) return upgraded;
  XLB_TRY(record_link_place(req.pin_path, link->ifindex, {link->name, current_netns()}));
  XLB_TRY(add_attached_tx_port(req.pin_path, link->ifindex));
  XLB_TRY(setup_hc_port(req.pin_path));
  return upgraded;
}

Status detach_link(const std::string& pin_path, const std::string& dev) {
  auto link = link_by_name(dev);
  if (!link) return link.error();
  std::string pin = link_pin(pin_path, link->ifindex);
  int fd = bpf_obj_get(pin.c_str());
  if (fd < 0 && errno == ENOENT) return runtime_error("xlb is not attached to " + dev);
  if (fd < 0 && (errno == EACCES || errno == EPERM))
    return runtime_error("cannot detach from " + dev + ": permission denied (xlb needs root)");
  if (fd < 0) return sys_error("cannot open " + pin);
  // Detach now, even while another process holds the link. Should the kernel
  // refuse, removing the pin below drops the last reference, which detaches.
  (void)bpf_link_detach(fd);
  close(fd);
  if (unlink(pin.c_str()) != 0) return sys_error("cannot remove " + pin);
  release_stages(pin_path, link->ifindex);
  forget_link_place(pin_path, link->ifindex);
  return {};
}

namespace {

// After a detach: next hops that left by the interface are rewritten (dsr
// ones then leave by the ingress), and the devmap lets go of it.
Status forget_egress(const std::string& pin_path) {
  auto st = State::open(pin_path);
  if (!st) return st.error();
  return st->with_live([&](const Config& live) -> Status {
    HopContext ctx = hop_context(pin_path);
    auto written = write_hops(st->maps(), live, ctx);
    if (!written) return written.error();
    return prune_tx_ports(st->maps(), live, ctx.attached);
  });
}

}  // namespace

Status detach_interface(const std::string& pin_path, const std::string& dev) {
  XLB_TRY(detach_link(pin_path, dev));
  Status egress = forget_egress(pin_path);
  auto left = list_attachments(pin_path);
  if (left && left->empty()) XLB_TRY(hc_port_remove(pin_path));
  return egress;
}

namespace {

// The interface is named from the caller's namespace only when its
// interface of that ifindex runs the link's program; otherwise the link's
// interface lives in another namespace (or is gone), and the name recorded
// at attach time is shown instead: never the name of an unrelated
// interface that has the same ifindex here.
Attachment describe(const std::string& pin_path, const std::string& path, int ifindex) {
  Attachment a;
  a.ifindex = ifindex;
  a.mode = "unknown";
  auto place = recorded_link_place(pin_path, ifindex);
  if (place) a.netns = place->netns;
  auto ls = link_state(path);
  if (ls) a.link_id = ls->link_id, a.prog_id = ls->prog_id;
  if (!ls || runs_here(ifindex, ls->prog_id)) {
    // Without the link's state (no permission) the old way is all there is.
    if (auto link = link_by_index(ifindex)) a.dev = link->name;
    a.mode = attached_mode(ifindex);
  } else if (ls->ifindex) {
    a.other_netns = true;
    if (place) a.dev = place->dev;
  }
  return a;
}

}  // namespace

Result<std::vector<Attachment>> list_attachments(const std::string& pin_path) {
  std::vector<Attachment> out;
  DIR* d = opendir(pin_path.c_str());
  if (!d) return sys_error("cannot read " + pin_path);
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind("link_", 0) != 0) continue;
    auto idx = parse_uint(name.substr(5), 1, INT32_MAX);
    if (idx)
      out.push_back(describe(pin_path, std::string(pin_path).append("/").append(name),
                             static_cast<int>(*idx)));
  }
  closedir(d);
  return out;
}

}  // namespace xlb
