#include "state/layout.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <cerrno>

#include "base/sys_error.hpp"
#include "xlb_abi.h"

namespace xlb {

namespace {

// A pinned object's fd, closed on scope exit; -1 when it is not there.
struct PinnedFd {
  explicit PinnedFd(const std::string& path) : fd(bpf_obj_get(path.c_str())) {}
  ~PinnedFd() {
    if (fd >= 0) close(fd);
  }
  PinnedFd(const PinnedFd&) = delete;
  PinnedFd& operator=(const PinnedFd&) = delete;
  int fd;
};

// A CBOR unsigned integer (major type 0) at blob[*pos], advancing *pos.
bool read_uint(std::span<const uint8_t> blob, size_t* pos, uint64_t* out) {
  if (*pos >= blob.size() || (blob[*pos] >> 5) != 0) return false;
  const uint8_t info = blob[(*pos)++] & 0x1f;
  if (info < 24) return *out = info, true;
  if (info > 27) return false;
  const size_t len = size_t{1} << (info - 24);
  if (*pos + len > blob.size()) return false;
  *out = 0;
  for (size_t i = 0; i < len; i++) *out = (*out << 8) | blob[(*pos)++];
  return true;
}

}  // namespace

uint32_t blob_layout(std::span<const uint8_t> blob) {
  // A map (major type 5) whose first key is the text "abi": the JSON
  // library writes object keys sorted, and "abi" sorts first.
  static constexpr uint8_t kHead[] = {0x63, 'a', 'b', 'i'};
  if (blob.size() < 1 + sizeof(kHead) + 1 || (blob[0] >> 5) != 5) return 0;
  size_t pos = (blob[0] & 0x1f) < 24 ? 1 : 0;
  if (pos == 0) return 0;  // more than 23 top-level keys: not our model
  for (uint8_t b : kHead)
    if (blob[pos++] != b) return 0;
  uint64_t v = 0;
  if (!read_uint(blob, &pos, &v) || v > UINT32_MAX) return 0;
  return static_cast<uint32_t>(v);
}

namespace {

// The kernel's description of a pinned map; zeroed when unreadable.
bpf_map_info pinned_map_info(const std::string& path) {
  PinnedFd m(path);
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  if (m.fd < 0 || bpf_obj_get_info_by_fd(m.fd, &info, &len) != 0) return bpf_map_info{};
  return info;
}

// Entries of the pinned xlb_global, 0 when unreadable.
uint32_t global_counters(const std::string& pin_path) {
  return pinned_map_info(pin_path + "/xlb_global").max_entries;
}

}  // namespace

Result<uint32_t> pinned_layout(const std::string& pin_path) {
  PinnedFd ctl(pin_path + "/xlb_ctl");
  if (ctl.fd < 0 && errno == ENOENT) return 0u;
  if (ctl.fd < 0) return sys_error("cannot open " + pin_path + "/xlb_ctl");
  uint32_t zero = 0;
  xlb_ctl word{};
  if (bpf_map_lookup_elem(ctl.fd, &zero, &word) != 0) return sys_error("read control word");
  PinnedFd store(pin_path + "/xlb_store");
  xlb_store_key key{word.active_bank, 0};
  xlb_store_chunk chunk{};
  if (store.fd >= 0 && bpf_map_lookup_elem(store.fd, &key, &chunk) == 0 &&
      chunk.len <= XLB_STORE_CHUNK) {
    uint32_t v = blob_layout({chunk.data, chunk.len});
    if (v) return v;
  }
  // Never committed: the maps say which layout made them (3 has the
  // next-hop table, 4 two more global counters, 5 four more, 6 a flow
  // table with one LRU list for all CPUs, and VIP entries that carry a
  // service, 7 the persistence table, 8 the prefix VIPs' trie and mmapable
  // Maglev tables, 9 the exact VIPs' bitmap in xlb_vip_cover).
  if (access((pin_path + "/xlb_nexthops").c_str(), F_OK) != 0) return 2u;
  const uint32_t counters = global_counters(pin_path);
  if (counters < XLB_G_MAX_V4) return 3u;
  if (counters < XLB_G_MAX) return 4u;
  if (pinned_map_info(pin_path + "/xlb_flows").map_flags & BPF_F_NO_COMMON_LRU) return 5u;
  if (access((pin_path + "/xlb_persist").c_str(), F_OK) != 0) return 6u;
  if (access((pin_path + "/xlb_vip_prefixes").c_str(), F_OK) != 0) return 7u;
  if (pinned_map_info(pin_path + "/xlb_vip_cover").value_size != sizeof(xlb_vip_cover)) return 8u;
  return uint32_t{XLB_ABI_VERSION};
}

Error newer_layout_error(const std::string& pin_path, uint32_t layout) {
  return runtime_error("the pins at " + pin_path + " are layout " + std::to_string(layout) +
                       ", this xlb knows up to " + std::to_string(XLB_ABI_VERSION) +
                       "; upgrade xlb");
}

}  // namespace xlb
