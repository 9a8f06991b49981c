#include "state/recovery.hpp"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "base/sys_error.hpp"
#include "state/backend_entries.hpp"
#include "state/store.hpp"

namespace xlb {

namespace {

const xlb_store_key kIntentKey{kIntentBank, 0};

// The generation the dead writer started from; nullopt without a record.
Result<std::optional<uint32_t>> read_intent(const Maps& m) {
  auto chunk = std::make_unique<xlb_store_chunk>();
  if (bpf_map_lookup_elem(m.store(), &kIntentKey, chunk.get()) != 0) {
    if (errno == ENOENT) return std::optional<uint32_t>{};
    return sys_error("read the transaction record");
  }
  uint32_t generation = 0;
  std::memcpy(&generation, chunk->data, sizeof(generation));
  return std::optional<uint32_t>{generation};
}

// Unlinks the Maglev tables the committed configuration does not use: those
// a dead writer built for a flip that never came, or those the flip retired.
uint32_t release_unused_tables(const Maps& m, const Config& committed) {
  std::set<uint32_t> kept;
  for (const auto& s : committed.services) kept.insert(s.ring_slot);
  uint32_t released = 0;
  for (uint32_t slot = 0; slot < XLB_RING_SLOTS_PER_SERVICE * m.caps().services; slot++)
    if (!kept.count(slot) && bpf_map_delete_elem(m.rings(), &slot) == 0) released++;
  return released;
}

}  // namespace

Status intent_begin(const Maps& m, uint32_t generation) {
  auto chunk = std::make_unique<xlb_store_chunk>();
  std::memset(chunk.get(), 0, sizeof(*chunk));
  chunk->len = chunk->total = sizeof(generation);
  std::memcpy(chunk->data, &generation, sizeof(generation));
  if (bpf_map_update_elem(m.store(), &kIntentKey, chunk.get(), BPF_ANY) != 0)
    return sys_error("write the transaction record");
  return {};
}

Status intent_end(const Maps& m) {
  if (bpf_map_delete_elem(m.store(), &kIntentKey) != 0 && errno != ENOENT)
    return sys_error("clear the transaction record");
  return {};
}

Result<std::optional<std::string>> recover_interrupted(const Maps& m, const xlb_ctl& ctl,
                                                       const Config& committed) {
  auto started = read_intent(m);
  if (!started) return started.error();
  if (!*started) return std::optional<std::string>{};
  // The dead writer may have flipped just before it died: let packets that
  // still read the old bank finish before taking its backends away.
  XLB_TRY(wait_for_datapath(m));
  auto rewritten = reconcile_backends(m, committed);
  if (!rewritten) return rewritten.error();
  uint32_t released = release_unused_tables(m, committed);
  XLB_TRY(intent_end(m));
  bool flipped = ctl.generation != **started;
  std::string note = "an interrupted transaction (a writer died) was " +
                     std::string(flipped ? "finished" : "undone") + ": " +
                     std::to_string(*rewritten) + " backend entries rewritten, " +
                     std::to_string(released) + " unused tables released";
  return std::optional<std::string>{note};
}

}  // namespace xlb
