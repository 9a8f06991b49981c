#include "state/stages.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "base/addr.hpp"
#include "base/sys_error.hpp"
#include "filter.skel.h"
#include "state/loader.hpp"

namespace xlb {

StageLinks::StageLinks(StageLinks&& o) noexcept
    : filter(o.filter), chain(o.chain), drop_chain(o.drop_chain) {
  o.filter = o.chain = -1;
}

StageLinks::~StageLinks() {
  if (filter >= 0) close(filter);
  if (chain >= 0) close(chain);
}

namespace {

constexpr const char* kFilterFunc = "xlb_filter_stage";
constexpr const char* kChainFunc = "xlb_chain_stage";

std::string stage_pin(const std::string& pin_path, const char* stage, int ifindex) {
  return pin_path + "/" + stage + "_" + std::to_string(ifindex);
}

struct Fd {
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int release() { return std::exchange(fd, -1); }
  int fd;
};

// The BTF id of function `func` in the program's BTF.
Result<uint32_t> func_btf_id(int prog_fd, const char* func) {
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(prog_fd, &info, &len) != 0) return sys_error("program info");
  btf* b = btf__load_from_kernel_by_id(info.btf_id);
  if (!b) return runtime_error("the balancer program has no BTF");
  int id = btf__find_by_name_kind(b, func, BTF_KIND_FUNC);
  btf__free(b);
  if (id < 0) return runtime_error(std::string("the balancer program has no ") + func);
  return static_cast<uint32_t>(id);
}

// Links the extension program ext_fd in place of `func` of target_fd.
Result<int> freplace(int ext_fd, int target_fd, const char* func) {
  auto btf_id = func_btf_id(target_fd, func);
  if (!btf_id) return btf_id.error();
  LIBBPF_OPTS(bpf_link_create_opts, opts, .target_btf_id = *btf_id);
  // An extension's attach type is 0, as it was loaded (libbpf does the same).
  int fd = bpf_link_create(ext_fd, target_fd, static_cast<bpf_attach_type>(0), &opts);
  if (fd < 0) return sys_error(std::string("cannot link a program in place of ") + func);
  return fd;
}

struct FilterSkelDeleter {
  void operator()(filter_bpf* s) const { filter_bpf__destroy(s); }
};

// A fresh filter program, loaded for target_fd (its maps: the pinned ones).
Result<int> load_filter(const std::string& pin_path, int target_fd) {
  LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_path.c_str());
  std::unique_ptr<filter_bpf, FilterSkelDeleter> skel(filter_bpf__open_opts(&opts));
  if (!skel) return libbpf_error("cannot open the filter object", errno);
  bpf_program__set_attach_target(skel->progs.xlb_filter, target_fd, kFilterFunc);
  int err = filter_bpf__load(skel.get());
  if (err) return libbpf_error("cannot load the filter program", err);
  int fd = dup(bpf_program__fd(skel->progs.xlb_filter));
  if (fd < 0) return sys_error("dup");
  return fd;
}

struct ObjDeleter {
  void operator()(bpf_object* o) const { bpf_object__close(o); }
};

// FILE.o[:PROG]: the named program, or the object's first.
bpf_program* pick_program(bpf_object* obj, const std::string& name) {
  bpf_program* p = nullptr;
  bpf_object__for_each_program(p, obj) {
    if (name.empty() || name == bpf_program__name(p)) return p;
  }
  return nullptr;
}

// The operator's XDP program, loaded as an extension of target_fd's chain
// stage: the same code, the type of a replacement.
Result<int> load_chain(const std::string& spec, int target_fd) {
  const auto colon = spec.rfind(':');
  const bool named = colon != std::string::npos && colon > spec.rfind('/') + 1;
  const std::string file = named ? spec.substr(0, colon) : spec;
  const std::string prog_name = named ? spec.substr(colon + 1) : "";
  std::unique_ptr<bpf_object, ObjDeleter> obj(bpf_object__open_file(file.c_str(), nullptr));
  if (!obj) return libbpf_error(("cannot open " + file).c_str(), errno);
  bpf_program* prog = pick_program(obj.get(), prog_name);
  if (!prog) return runtime_error(file + " has no program" + (named ? " named " + prog_name : ""));
  bpf_program* p = nullptr;
  bpf_object__for_each_program(p, obj.get()) bpf_program__set_autoload(p, p == prog);
  bpf_program__set_type(prog, BPF_PROG_TYPE_EXT);
  bpf_program__set_expected_attach_type(prog, static_cast<bpf_attach_type>(0));
  bpf_program__set_attach_target(prog, target_fd, kChainFunc);
  int err = bpf_object__load(obj.get());
  if (err)
    return libbpf_error(
        ("cannot load " + spec + " as a chained program (an XDP program " + "built with BTF, -g)")
            .c_str(),
        err);
  int fd = dup(bpf_program__fd(prog));
  if (fd < 0) return sys_error("dup");
  return fd;
}

// The program of a pinned link (an fd), or -1.
int linked_prog(const std::string& pin) {
  Fd link(bpf_obj_get(pin.c_str()));
  if (link.fd < 0) return -1;
  bpf_link_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(link.fd, &info, &len) != 0) return -1;
  return bpf_prog_get_fd_by_id(info.prog_id);
}

Result<int> chain_link(const std::string& pin_path, int ifindex, int prog_fd,
                       const std::string& spec) {
  Fd ext(spec.empty() ? linked_prog(stage_pin(pin_path, "chain", ifindex)) : -1);
  if (!spec.empty()) {
    auto loaded = load_chain(spec, prog_fd);
    if (!loaded) return loaded.error();
    ext.fd = *loaded;
  }
  if (ext.fd < 0) return -1;  // no chain
  return freplace(ext.fd, prog_fd, kChainFunc);
}

Status pin_link(int& fd, const std::string& pin) {
  if (fd < 0) return {};
  unlink(pin.c_str());
  if (bpf_obj_pin(fd, pin.c_str()) != 0) return sys_error("cannot pin " + pin);
  close(fd);
  fd = -1;
  return {};
}

}  // namespace

Result<StageLinks> link_stages(const std::string& pin_path, int ifindex, int prog_fd,
                               bool filtering, const ChainRequest& chain) {
  StageLinks links;
  links.drop_chain = chain && *chain == "none";
  if (!links.drop_chain) {
    auto c = chain_link(pin_path, ifindex, prog_fd, chain.value_or(""));
    if (!c) return c.error();
    links.chain = *c;
  }
  if (filtering) {
    auto f = load_filter(pin_path, prog_fd);
    if (!f) return f.error();
    Fd ext(*f);
    auto l = freplace(ext.fd, prog_fd, kFilterFunc);
    if (!l) return l.error();
    links.filter = *l;
  }
  return links;
}

Status pin_stages(const std::string& pin_path, int ifindex, StageLinks& links) {
  const std::string filter = stage_pin(pin_path, "filter", ifindex);
  if (links.filter < 0) unlink(filter.c_str());
  XLB_TRY(pin_link(links.filter, filter));
  const std::string chain = stage_pin(pin_path, "chain", ifindex);
  if (links.drop_chain) unlink(chain.c_str());
  return pin_link(links.chain, chain);
}

namespace {

// ifindex -> the balancer program fd of every pinned link_IFINDEX.
std::vector<std::pair<int, int>> attached_programs(const std::string& pin_path) {
  std::vector<std::pair<int, int>> out;
  DIR* d = opendir(pin_path.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind("link_", 0) != 0) continue;
    auto idx = parse_uint(name.substr(5), 1, INT32_MAX);
    int prog = idx ? linked_prog(pin_path + "/" + name) : -1;
    if (prog >= 0) out.emplace_back(static_cast<int>(*idx), prog);
  }
  closedir(d);
  return out;
}

// Whether the pinned filter link of ifindex replaces in prog_fd.
bool filter_linked_to(const std::string& pin, int prog_fd) {
  Fd link(bpf_obj_get(pin.c_str()));
  bpf_link_info info{};
  bpf_prog_info prog{};
  uint32_t len = sizeof(info), plen = sizeof(prog);
  if (link.fd < 0 || bpf_obj_get_info_by_fd(link.fd, &info, &len) != 0 ||
      bpf_obj_get_info_by_fd(prog_fd, &prog, &plen) != 0)
    return false;
  return info.tracing.target_obj_id == prog.id;
}

}  // namespace

Status sync_filter_stage(const std::string& pin_path, bool filtering) {
  Status result;
  for (auto [ifindex, prog] : attached_programs(pin_path)) {
    Fd target(prog);
    const std::string pin = stage_pin(pin_path, "filter", ifindex);
    if (!filtering) {
      unlink(pin.c_str());
      continue;
    }
    if (filter_linked_to(pin, target.fd)) continue;
    auto ext = load_filter(pin_path, target.fd);
    if (!ext) return ext.error();
    Fd ext_fd(*ext);
    auto l = freplace(ext_fd.fd, target.fd, kFilterFunc);
    if (!l) return l.error();
    int fd = *l;
    Status s = pin_link(fd, pin);
    if (fd >= 0) close(fd);
    if (!s && result) result = s;
  }
  return result;
}

void unpin_stages(const std::string& pin_path, int ifindex) {
  unlink(stage_pin(pin_path, "filter", ifindex).c_str());
  unlink(stage_pin(pin_path, "chain", ifindex).c_str());
}

std::string chain_name(const std::string& pin_path, int ifindex) {
  Fd prog(linked_prog(stage_pin(pin_path, "chain", ifindex)));
  if (prog.fd < 0) return "";
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(prog.fd, &info, &len) != 0) return "";
  return info.name;
}

}  // namespace xlb
