#include "state/store.hpp"
#include "base/sys_error.hpp"

#include <bpf/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "model/model_cbor.hpp"

namespace xlb {

namespace {

Result<std::vector<uint8_t>> read_blob(int store_fd, uint32_t bank) {
  xlb_store_key key{bank, 0};
  xlb_store_chunk chunk{};
  if (bpf_map_lookup_elem(store_fd, &key, &chunk) != 0) {
    if (errno == ENOENT) return std::vector<uint8_t>{};
    return sys_error("read store");
  }
  std::vector<uint8_t> blob;
  const uint32_t total = chunk.total;
  if (total > uint64_t{XLB_STORE_CHUNK} * XLB_STORE_MAX_CHUNKS)
    return runtime_error("store: corrupt chunk");
  blob.reserve(total);  // one allocation, not a copy per doubling
  for (uint32_t i = 1;; i++) {
    if (chunk.len > XLB_STORE_CHUNK || blob.size() + chunk.len > total)
      return runtime_error("store: corrupt chunk");
    blob.insert(blob.end(), chunk.data, chunk.data + chunk.len);
    if (blob.size() == total) break;
    key.chunk = i;
    if (bpf_map_lookup_elem(store_fd, &key, &chunk) != 0) return sys_error("read store chunk");
  }
  return blob;
}

}  // namespace

Result<Config> store_read(const Maps& m, uint32_t bank) { return store_read_fd(m.store(), bank); }

Result<Config> store_read_fd(int store_fd, uint32_t bank) {
  auto blob = read_blob(store_fd, bank);
  if (!blob) return blob.error();
  if (blob->empty()) return Config{};
  auto c = config_from_cbor(*blob);
  if (!c) return runtime_error("the stored configuration cannot be read: " + c.error().message);
  return c;
}

Status store_write(const Maps& m, uint32_t bank, const Config& c) {
  std::vector<uint8_t> blob = config_to_cbor(c);
  uint32_t chunks = (blob.size() + XLB_STORE_CHUNK - 1) / XLB_STORE_CHUNK;
  if (chunks > XLB_STORE_MAX_CHUNKS) return runtime_error("store: configuration too large");
  auto chunk = std::make_unique<xlb_store_chunk>();
  for (uint32_t i = 0; i < std::max(chunks, 1u); i++) {
    size_t off = size_t(i) * XLB_STORE_CHUNK;
    size_t len = std::min<size_t>(XLB_STORE_CHUNK, blob.size() - std::min(off, blob.size()));
    std::memset(chunk.get(), 0, sizeof(*chunk));
    chunk->len = len;
    chunk->total = blob.size();
    std::memcpy(chunk->data, blob.data() + off, len);
    xlb_store_key key{bank, i};
    if (bpf_map_update_elem(m.store(), &key, chunk.get(), BPF_ANY) != 0)
      return sys_error("write store");
  }
  // Chunks beyond the new end belong to an older, longer model.
  for (uint32_t i = std::max(chunks, 1u);; i++) {
    xlb_store_key key{bank, i};
    if (bpf_map_delete_elem(m.store(), &key) != 0) break;
  }
  return {};
}

Result<xlb_ctl> ctl_read(const Maps& m) {
  uint32_t k = 0;
  xlb_ctl ctl{};
  if (bpf_map_lookup_elem(m.ctl(), &k, &ctl) != 0) return sys_error("read control word");
  return ctl;
}

// The kernel runs synchronize_rcu() after a successful update of a
// map-in-map, and XDP programs run inside an RCU read section.
Status wait_for_datapath(const Maps& m) {
  int inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xlb_grace_in", 4, 4, 1, nullptr);
  if (inner < 0) return sys_error("wait for the datapath");
  uint32_t k = 0;
  int rc = bpf_map_update_elem(m.grace(), &k, &inner, BPF_ANY);
  int err = errno;
  close(inner);
  errno = err;
  if (rc != 0) return sys_error("wait for the datapath");
  return {};
}

Status ctl_write(const Maps& m, const xlb_ctl& ctl) {
  uint32_t k = 0;
  if (bpf_map_update_elem(m.ctl(), &k, &ctl, BPF_ANY) != 0) return sys_error("flip bank");
  return {};
}

}  // namespace xlb
