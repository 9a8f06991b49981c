#include "state/stage_programs.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>

#include "base/sys_error.hpp"
#include "entry.skel.h"
#include "filter.skel.h"

namespace xlb {

namespace {

struct FilterSkelDeleter {
  void operator()(filter_bpf* s) const { filter_bpf__destroy(s); }
};
struct EntrySkelDeleter {
  void operator()(entry_bpf* s) const { entry_bpf__destroy(s); }
};
struct ObjDeleter {
  void operator()(bpf_object* o) const { bpf_object__close(o); }
};

// The maps of bpf/xlb_chain.h in obj: the pins under pin_path reused
// (they carry no pinning attribute, so that an operator's loader does not
// pin them anywhere else).
Status reuse_stage_maps(bpf_object* obj, const std::string& pin_path) {
  bpf_map* m = nullptr;
  bpf_object__for_each_map(m, obj) {
    const std::string name = bpf_map__name(m);
    if (name != "xlb_stages" && name != "xlb_stage_next") continue;
    const std::string pin = std::string(pin_path).append("/").append(name);
    int fd = bpf_obj_get(pin.c_str());
    if (fd < 0) return sys_error("cannot open " + pin);
    int err = bpf_map__reuse_fd(m, fd);  // takes a duplicate
    close(fd);
    if (err) return libbpf_error(("cannot reuse " + pin).c_str(), err);
  }
  return {};
}

Result<LoadedProgram> dup_prog(const bpf_program* p) {
  int fd = dup(bpf_program__fd(p));
  if (fd < 0) return sys_error("dup");
  return LoadedProgram(fd);
}

// FILE.o[:PROG]: the named program, or the object's first.
bpf_program* pick_program(bpf_object* obj, const std::string& name) {
  bpf_program* p = nullptr;
  bpf_object__for_each_program(p, obj) {
    if (name.empty() || name == bpf_program__name(p)) return p;
  }
  return nullptr;
}

// A pinned program (fd), or -1 when spec names none: a file that is not
// in a bpffs, or a pinned map or link (their fds are not "bpf-prog").
int pinned_program(const std::string& spec) {
  int fd = bpf_obj_get(spec.c_str());
  if (fd < 0) return -1;
  char target[64] = {};
  const std::string self = "/proc/self/fd/" + std::to_string(fd);
  if (readlink(self.c_str(), target, sizeof(target) - 1) < 0 ||
      std::string(target) != "anon_inode:bpf-prog") {
    close(fd);
    return -1;
  }
  return fd;
}

Result<LoadedProgram> checked_xdp(int fd, const std::string& spec) {
  LoadedProgram prog(fd);
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) return sys_error("program info of " + spec);
  if (info.type != BPF_PROG_TYPE_XDP) return runtime_error(spec + " is not an XDP program");
  return prog;
}

}  // namespace

Result<LoadedProgram> load_filter_stage(const std::string& pin_path, uint32_t slot) {
  LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_path.c_str());
  std::unique_ptr<filter_bpf, FilterSkelDeleter> skel(filter_bpf__open_opts(&opts));
  if (!skel) return libbpf_error("cannot open the filter object", errno);
  skel->rodata->xlb_slot = slot;
  XLB_TRY(reuse_stage_maps(skel->obj, pin_path));
  int err = filter_bpf__load(skel.get());
  if (err) return libbpf_error("cannot load the filter program", err);
  return dup_prog(skel->progs.xlb_filter);
}

Result<LoadedProgram> load_entry_stage(const std::string& pin_path, uint32_t slot, bool has_chain) {
  std::unique_ptr<entry_bpf, EntrySkelDeleter> skel(entry_bpf__open());
  if (!skel) return libbpf_error("cannot open the entry object", errno);
  skel->rodata->xlb_slot = slot;
  skel->rodata->xlb_has_chain = has_chain ? 1 : 0;
  XLB_TRY(reuse_stage_maps(skel->obj, pin_path));
  int err = entry_bpf__load(skel.get());
  if (err) return libbpf_error("cannot load the entry program", err);
  return dup_prog(skel->progs.xlb_entry);
}

Result<LoadedProgram> load_chain_stage(const std::string& pin_path, const std::string& spec) {
  if (int fd = pinned_program(spec); fd >= 0) return checked_xdp(fd, spec);
  const auto colon = spec.rfind(':');
  const bool named = colon != std::string::npos && colon > spec.rfind('/') + 1;
  const std::string file = named ? spec.substr(0, colon) : spec;
  const std::string prog_name = named ? spec.substr(colon + 1) : "";
  std::unique_ptr<bpf_object, ObjDeleter> obj(bpf_object__open_file(file.c_str(), nullptr));
  if (!obj) return libbpf_error(("cannot open " + file).c_str(), errno);
  bpf_program* prog = pick_program(obj.get(), prog_name);
  if (!prog) return runtime_error(file + " has no program" + (named ? " named " + prog_name : ""));
  if (bpf_program__type(prog) != BPF_PROG_TYPE_XDP)
    return runtime_error(spec + " is not an XDP program (SEC(\"xdp\"))");
  bpf_program* p = nullptr;
  bpf_object__for_each_program(p, obj.get()) bpf_program__set_autoload(p, p == prog);
  XLB_TRY(reuse_stage_maps(obj.get(), pin_path));
  int err = bpf_object__load(obj.get());
  if (err) return libbpf_error(("cannot load " + spec + " as a chained program").c_str(), err);
  return dup_prog(prog);
}

}  // namespace xlb
