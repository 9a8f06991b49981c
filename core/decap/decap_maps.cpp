// xlb-decap: loading the embedded object and reading and writing its maps.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "base/sys_error.hpp"
#include "decap/decap.hpp"
#include "state/bpffs.hpp"
#include "state/loader.hpp"

// The skeleton names the ABI types: after decap.hpp, which brings them.
#include "decap.skel.h"

namespace xlb {

namespace {

struct SkelDeleter {
  void operator()(decap_bpf* s) const { decap_bpf__destroy(s); }
};

// An fd that closes itself.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<int> open_map(const std::string& dir, const char* name) {
  std::string path = dir + "/" + name;
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0)
    return runtime_error("cannot open " + path + ": " + std::strerror(errno) +
                         (errno == ENOENT ? " (is xlb-decap attached?)" : ""));
  return fd;
}

xlb_decap_addr_key to_key(const IpAddr& a) {
  xlb_decap_addr_key k{};
  k.family = a.family;
  std::memcpy(k.addr, a.bytes.data(), a.is_v6() ? 16 : 4);
  return k;
}

IpAddr from_key(const xlb_decap_addr_key& k) {
  IpAddr a;
  a.family = static_cast<int>(k.family);
  std::memcpy(a.bytes.data(), k.addr, a.is_v6() ? 16 : 4);
  return a;
}

// Every key of the address map with its value.
std::vector<std::pair<xlb_decap_addr_key, uint32_t>> read_addresses(int fd) {
  std::vector<std::pair<xlb_decap_addr_key, uint32_t>> out;
  xlb_decap_addr_key key{}, next{};
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, &next) == 0) {
    xlb_decap_addr_val v{};
    if (bpf_map_lookup_elem(fd, &next, &v) == 0) out.emplace_back(next, v.source);
    key = next;
    prev = &key;
  }
  return out;
}

Status write_address(int fd, const xlb_decap_addr_key& k, uint32_t source) {
  if (source == 0) {
    if (bpf_map_delete_elem(fd, &k) != 0 && errno != ENOENT)
      return sys_error("cannot remove a local address");
    return {};
  }
  xlb_decap_addr_val v{source};
  if (bpf_map_update_elem(fd, &k, &v, BPF_ANY) != 0)
    return runtime_error(
        "cannot add the local address " + from_key(k).str() + ": " + std::strerror(errno) +
        (errno == E2BIG ? " (at most " + std::to_string(XLB_DECAP_MAX_ADDRS) + " addresses)" : ""));
  return {};
}

}  // namespace

Result<LoadedProgram> load_decap(const std::string& dir, const DecapPorts& ports) {
  XLB_TRY(ensure_pin_dir(dir));
  LIBBPF_OPTS(bpf_object_open_opts, open_opts, .pin_root_path = dir.c_str());
  std::unique_ptr<decap_bpf, SkelDeleter> skel(decap_bpf__open_opts(&open_opts));
  if (!skel) return libbpf_error("cannot open the xlb-decap object", errno);
  auto* cfg = const_cast<xlb_decap_config*>(&skel->rodata->xlb_decap_cfg);
  cfg->gue_port = ports.gue;
  cfg->fou_port = ports.fou;
  int err = decap_bpf__load(skel.get());
  if (err) return libbpf_error("cannot load xlb-decap", err);
  int fd = dup(bpf_program__fd(skel->progs.xlb_decap));
  if (fd < 0) return sys_error("dup");
  return LoadedProgram(fd);
}

Result<size_t> decap_update_addresses(const std::string& dir, const std::vector<IpAddr>& netlink,
                                      const std::vector<IpAddr>& explicit_) {
  auto fd = open_map(dir, "xlb_decap_addrs");
  if (!fd) return fd.error();
  Fd map(*fd);
  // What each address is now and what it becomes: explicit ones stay,
  // netlink ones follow the namespace.
  std::map<IpAddr, std::pair<uint32_t, uint32_t>> change;
  for (const auto& [key, source] : read_addresses(map.get()))
    change[from_key(key)] = {source, source & XLB_DECAP_ADDR_EXPLICIT};
  for (const IpAddr& a : netlink) change[a].second |= XLB_DECAP_ADDR_NETLINK;
  for (const IpAddr& a : explicit_) change[a].second |= XLB_DECAP_ADDR_EXPLICIT;
  size_t count = 0;
  for (const auto& [addr, ch] : change) {
    if (ch.first != ch.second) XLB_TRY(write_address(map.get(), to_key(addr), ch.second));
    count += ch.second != 0;
  }
  return count;
}

Result<std::vector<DecapAddress>> decap_addresses(const std::string& dir) {
  auto fd = open_map(dir, "xlb_decap_addrs");
  if (!fd) return fd.error();
  Fd map(*fd);
  std::vector<DecapAddress> out;
  for (const auto& [key, source] : read_addresses(map.get()))
    out.push_back({from_key(key), (source & XLB_DECAP_ADDR_NETLINK) != 0,
                   (source & XLB_DECAP_ADDR_EXPLICIT) != 0});
  std::sort(out.begin(), out.end(),
            [](const DecapAddress& a, const DecapAddress& b) { return a.addr < b.addr; });
  return out;
}

Result<std::array<uint64_t, XLB_DC_COUNT>> decap_counters(const std::string& dir) {
  auto fd = open_map(dir, "xlb_decap_stats");
  if (!fd) return fd.error();
  Fd map(*fd);
  int ncpu = libbpf_num_possible_cpus();
  if (ncpu <= 0) return runtime_error("cannot count the CPUs");
  std::array<uint64_t, XLB_DC_COUNT> out{};
  std::vector<uint64_t> per_cpu(ncpu);
  for (uint32_t i = 0; i < XLB_DC_COUNT; i++) {
    if (bpf_map_lookup_elem(map.get(), &i, per_cpu.data()) != 0)
      return runtime_error(std::string("cannot read the xlb-decap counters: ") +
                           std::strerror(errno));
    for (uint64_t v : per_cpu) out[i] += v;
  }
  return out;
}

namespace {

// The ids of the maps a program uses.
std::vector<uint32_t> program_map_ids(int prog_fd) {
  std::vector<uint32_t> ids(16);
  bpf_prog_info info{};
  info.nr_map_ids = ids.size();
  info.map_ids = reinterpret_cast<uint64_t>(ids.data());
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0) return {};
  ids.resize(std::min<size_t>(info.nr_map_ids, ids.size()));
  return ids;
}

std::optional<DecapPorts> ports_in_map(uint32_t map_id) {
  Fd fd(bpf_map_get_fd_by_id(map_id));
  if (fd.get() < 0) return std::nullopt;
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd.get(), &info, &len) != 0) return std::nullopt;
  std::string name = info.name;
  if (name.size() < 7 || name.substr(name.size() - 7) != ".rodata") return std::nullopt;
  if (info.value_size < sizeof(xlb_decap_config)) return std::nullopt;
  std::vector<uint8_t> value(info.value_size);
  uint32_t zero = 0;
  if (bpf_map_lookup_elem(fd.get(), &zero, value.data()) != 0) return std::nullopt;
  xlb_decap_config cfg;
  std::memcpy(&cfg, value.data(), sizeof(cfg));
  if (cfg.magic != XLB_DECAP_CONFIG_MAGIC) return std::nullopt;
  return DecapPorts{cfg.gue_port, cfg.fou_port};
}

}  // namespace

std::optional<DecapPorts> decap_program_ports(uint32_t prog_id) {
  Fd prog(bpf_prog_get_fd_by_id(prog_id));
  if (prog.get() < 0) return std::nullopt;
  for (uint32_t id : program_map_ids(prog.get()))
    if (auto p = ports_in_map(id)) return p;
  return std::nullopt;
}

}  // namespace xlb
