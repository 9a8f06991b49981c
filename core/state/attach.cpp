#include "state/attach.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <linux/if_link.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/sys_error.hpp"
#include "net/netlink.hpp"
#include "state/hc_port.hpp"
#include "state/hop_table.hpp"
#include "state/state.hpp"

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

Result<bool> attach_interface(const AttachRequest& req) {
  auto link = link_by_name(req.dev);
  if (!link) return link.error();
  if (link->name == XLB_HC_HOST_DEV || link->name == XLB_HC_DP_DEV)
    return usage_error(link->name + " is xlb's health-check port; attach another interface");
  auto prog = load_datapath({req.pin_path, req.caps, link->mac});
  if (!prog) return prog.error();
  auto upgraded = attach_program(*prog, {req.pin_path, req.dev, req.mode}, link->ifindex);
  if (!upgraded) return upgraded;
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

Attachment describe(const std::string& path, int ifindex) {
  Attachment a;
  a.ifindex = ifindex;
  auto link = link_by_index(ifindex);
  if (link) a.dev = link->name;
  a.mode = attached_mode(ifindex);
  int fd = bpf_obj_get(path.c_str());
  if (fd >= 0) {
    bpf_link_info info{};
    uint32_t len = sizeof(info);
    if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
      a.link_id = info.id;
      a.prog_id = info.prog_id;
    }
    close(fd);
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
      out.push_back(
          describe(std::string(pin_path).append("/").append(name), static_cast<int>(*idx)));
  }
  closedir(d);
  return out;
}

}  // namespace xlb
