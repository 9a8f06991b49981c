#include "state/loader.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "base/sys_error.hpp"
#include "state/bpffs.hpp"
#include "xlb.skel.h"

namespace xlb {

LoadedProgram& LoadedProgram::operator=(LoadedProgram&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

LoadedProgram::~LoadedProgram() {
  if (fd_ >= 0) close(fd_);
}

namespace {

struct SkelDeleter {
  void operator()(xlb_bpf* s) const { xlb_bpf__destroy(s); }
};
using Skel = std::unique_ptr<xlb_bpf, SkelDeleter>;

// Capacity of an existing pinned map, or 0 when there is none.
uint32_t pinned_max_entries(const std::string& pin_path, const char* name) {
  int fd = bpf_obj_get((pin_path + "/" + name).c_str());
  if (fd < 0) return 0;
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  uint32_t n = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.max_entries : 0;
  close(fd);
  return n;
}

// Sizes the map: like the pinned one when it exists (libbpf reuses only
// compatible maps), else from the requested capacity.
void size_map(bpf_map* m, const std::string& pin_path, uint32_t wanted) {
  uint32_t existing = pinned_max_entries(pin_path, bpf_map__name(m));
  bpf_map__set_max_entries(m, existing ? existing : wanted);
}

void size_maps(xlb_bpf* s, const LoadOptions& o) {
  const Capacities& c = o.caps;
  size_map(s->maps.xlb_svcs, o.pin_path, 4 * c.services);
  size_map(s->maps.xlb_vip_prefixes, o.pin_path, 2 * c.services);
  size_map(s->maps.xlb_rings, o.pin_path, XLB_RING_SLOTS_PER_SERVICE * c.services);
  size_map(s->maps.xlb_backends, o.pin_path, c.backends);
  size_map(s->maps.xlb_flows, o.pin_path, c.flows);
  size_map(s->maps.xlb_persist, o.pin_path, c.persist());
  size_map(s->maps.xlb_svc_stats, o.pin_path, c.services);
  size_map(s->maps.xlb_be_stats, o.pin_path, c.backends);
  size_map(s->maps.xlb_nat, o.pin_path, 2 * c.backends);
  size_map(s->maps.xlb_nexthops, o.pin_path, c.backends);
}

// The kernel marks every devmap BPF_F_RDONLY_PROG, a flag it refuses at
// creation, so libbpf never finds a pinned devmap compatible: reuse it by fd.
void reuse_devmap(bpf_map* m, const std::string& pin_path) {
  int fd = bpf_obj_get((pin_path + "/" + bpf_map__name(m)).c_str());
  if (fd < 0) return;
  bpf_map__reuse_fd(m, fd);
  close(fd);
}

}  // namespace

Error libbpf_error(const char* what, int err) {
  char buf[128];
  libbpf_strerror(err, buf, sizeof(buf));
  std::string msg = std::string(what) + ": " + buf;
  if (err == -EPERM || err == EPERM) msg += " (xlb needs root: CAP_BPF and CAP_NET_ADMIN)";
  return runtime_error(msg);
}

namespace {

// Which XDP balancer a load makes: the plain one, or the capture one (a
// second copy of the balancer, verified only when a capture asks for it).
enum class Balancer { plain, capture };

Result<Skel> load_skeleton(const LoadOptions& o, Balancer b = Balancer::plain) {
  XLB_TRY(ensure_pin_dir(o.pin_path));
  LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = o.pin_path.c_str());
  Skel skel(xlb_bpf__open_opts(&open_opts));
  if (!skel) return libbpf_error("cannot open the datapath object", errno);
  size_maps(skel.get(), o);
  reuse_devmap(skel->maps.xlb_tx_ports, o.pin_path);
  std::memcpy(const_cast<uint8_t*>(skel->rodata->xlb_iface_mac), o.iface_mac.bytes.data(), 6);
  bpf_program__set_autoload(skel->progs.xlb_xdp_capture, b == Balancer::capture);
  bpf_program__set_autoload(skel->progs.xlb_xdp, b == Balancer::plain);
  int err = xlb_bpf__load(skel.get());
  if (err) return libbpf_error("cannot load the datapath", err);
  return skel;
}

Result<LoadedProgram> dup_program(bpf_program* p) {
  int fd = dup(bpf_program__fd(p));
  if (fd < 0) return sys_error("dup");
  return LoadedProgram(fd);
}

}  // namespace

Result<LoadedProgram> load_datapath(const LoadOptions& o) {
  auto skel = load_skeleton(o);
  if (!skel) return skel.error();
  return dup_program((*skel)->progs.xlb_xdp);
}

Result<LoadedProgram> load_capture_datapath(const LoadOptions& o) {
  auto skel = load_skeleton(o, Balancer::capture);
  if (!skel) return skel.error();
  return dup_program((*skel)->progs.xlb_xdp_capture);
}

Result<HcPrograms> load_hc_programs(const LoadOptions& o) {
  auto skel = load_skeleton(o);
  if (!skel) return skel.error();
  auto probe = dup_program((*skel)->progs.xlb_hc);
  if (!probe) return probe.error();
  auto host = dup_program((*skel)->progs.xlb_hc_host);
  if (!host) return host.error();
  auto guard = dup_program((*skel)->progs.xlb_hc_guard);
  if (!guard) return guard.error();
  return HcPrograms{std::move(*probe), std::move(*host), std::move(*guard)};
}

}  // namespace xlb
