// xlb_v2_pins: makes pins of map layout 2 for the layout upgrade test
// (tests/e2e/23_layout_upgrade.sh), from the real layout-2 datapath
// (tests/fixtures/xlb_v2.bpf.o, built from commit 26e1acc; see
// tests/fixtures/README).
//
//   xlb_v2_pins create OBJ PIN DEV   load OBJ with its maps pinned under PIN
//                                    (as xlb 2 sized them), attach it to DEV
//                                    through a link pinned as PIN/link_IFINDEX,
//                                    and add the two maps layout 3 needs to
//                                    open the pins (xlb_nexthops, xlb_tx_ports)
//   xlb_v2_pins seal PIN             mark the stored model as layout 2 and
//                                    remove those two maps
//
// Between the two, the current xlb writes the configuration (`service add`,
// `backend add`): the entries of the maps both layouts share are the same
// bytes (xlb_abi.h's static_asserts; only xlb_bank's reserved words became
// the flow timeouts, which layout 2 ignores), so the result is what xlb 2
// would have written, while the flow entries are made by the layout-2
// program itself under traffic.
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "net/netlink.hpp"
#include "xlb_abi.h"

namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "xlb_v2_pins: %s: %s\n", what.c_str(), std::strerror(errno));
  return 1;
}

// Small capacities: the test needs few entries (layout 2 sized its maps
// the same way from these).
constexpr uint32_t kServices = 64, kBackends = 256, kFlows = 16384;

void size_maps(bpf_object* obj) {
  const struct {
    const char* name;
    uint32_t n;
  } sizes[] = {{"xlb_svcs", 4 * kServices},  {"xlb_rings", 2 * kServices},
               {"xlb_backends", kBackends},  {"xlb_flows", kFlows},
               {"xlb_svc_stats", kServices}, {"xlb_be_stats", kBackends},
               {"xlb_nat", 2 * kBackends}};
  for (const auto& s : sizes)
    bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, s.name), s.n);
}

// Sets the rodata variable xlb_iface_mac (the interface's MAC) before load.
bool set_iface_mac(bpf_object* obj, const uint8_t mac[6]) {
  bpf_map* rodata = bpf_object__find_map_by_name(obj, ".rodata");
  const btf* b = bpf_object__btf(obj);
  if (!rodata || !b) return false;
  int sec = btf__find_by_name_kind(b, ".rodata", BTF_KIND_DATASEC);
  if (sec < 0) return false;
  const btf_type* t = btf__type_by_id(b, sec);
  const btf_var_secinfo* v = btf_var_secinfos(t);
  for (int i = 0; i < btf_vlen(t); i++, v++) {
    const char* name = btf__name_by_offset(b, btf__type_by_id(b, v->type)->name_off);
    if (std::strcmp(name, "xlb_iface_mac") != 0) continue;
    size_t size = 0;
    const auto* data = static_cast<const uint8_t*>(bpf_map__initial_value(rodata, &size));
    if (!data || v->offset + 6 > size) return false;
    std::vector<uint8_t> copy(data, data + size);
    std::memcpy(copy.data() + v->offset, mac, 6);
    return bpf_map__set_initial_value(rodata, copy.data(), size) == 0;
  }
  return false;
}

int add_layout3_maps(const std::string& pin) {
  int nh =
      bpf_map_create(BPF_MAP_TYPE_ARRAY, "xlb_nexthops", 4, sizeof(xlb_nh), kBackends, nullptr);
  int tx =
      bpf_map_create(BPF_MAP_TYPE_DEVMAP_HASH, "xlb_tx_ports", 4, 4, XLB_MAX_TX_PORTS, nullptr);
  if (nh < 0 || tx < 0) return fail("create the layout-3 maps");
  if (bpf_obj_pin(nh, (pin + "/xlb_nexthops").c_str()) ||
      bpf_obj_pin(tx, (pin + "/xlb_tx_ports").c_str()))
    return fail("pin the layout-3 maps");
  close(nh);
  close(tx);
  return 0;
}

int create(const std::string& obj_path, const std::string& pin, const std::string& dev) {
  auto link = xlb::link_by_name(dev);
  if (!link) return std::fprintf(stderr, "xlb_v2_pins: no %s\n", dev.c_str()), 1;
  LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin.c_str());
  bpf_object* obj = bpf_object__open_file(obj_path.c_str(), &opts);
  if (!obj) return fail("open " + obj_path);
  size_maps(obj);
  if (!set_iface_mac(obj, link->mac.bytes.data())) return fail("set xlb_iface_mac");
  if (bpf_object__load(obj)) return fail("load " + obj_path);
  bpf_program* prog = bpf_object__find_program_by_name(obj, "xlb_xdp");
  if (!prog) return fail("no program xlb_xdp");
  LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = XDP_FLAGS_DRV_MODE);
  int lfd = bpf_link_create(bpf_program__fd(prog), link->ifindex, BPF_XDP, &lopts);
  if (lfd < 0) return fail("attach to " + dev);
  if (bpf_obj_pin(lfd, (pin + "/link_" + std::to_string(link->ifindex)).c_str()))
    return fail("pin the link");
  close(lfd);
  bpf_object__close(obj);
  return add_layout3_maps(pin);
}

// Rewrites one bank's model with "abi": 2.
int seal_bank(int store, uint32_t bank) {
  xlb_store_key key{bank, 0};
  xlb_store_chunk chunk{};
  if (bpf_map_lookup_elem(store, &key, &chunk) != 0) return 0;  // never written
  std::vector<uint8_t> blob;
  for (uint32_t i = 0; blob.size() < chunk.total || i == 0; i++) {
    key.chunk = i;
    if (bpf_map_lookup_elem(store, &key, &chunk) != 0) return fail("read store");
    blob.insert(blob.end(), chunk.data, chunk.data + chunk.len);
  }
  auto j = nlohmann::json::from_cbor(blob);
  j["abi"] = 2;
  blob = nlohmann::json::to_cbor(j);
  for (uint32_t i = 0; i * XLB_STORE_CHUNK < blob.size(); i++) {
    xlb_store_chunk c{};
    c.len = std::min<size_t>(XLB_STORE_CHUNK, blob.size() - i * XLB_STORE_CHUNK);
    c.total = blob.size();
    std::memcpy(c.data, blob.data() + i * XLB_STORE_CHUNK, c.len);
    key.chunk = i;
    if (bpf_map_update_elem(store, &key, &c, BPF_ANY) != 0) return fail("write store");
  }
  return 0;
}

int seal(const std::string& pin) {
  int store = bpf_obj_get((pin + "/xlb_store").c_str());
  if (store < 0) return fail("open the store");
  if (seal_bank(store, 0) || seal_bank(store, 1)) return 1;
  close(store);
  if (unlink((pin + "/xlb_nexthops").c_str()) || unlink((pin + "/xlb_tx_ports").c_str()))
    return fail("remove the layout-3 maps");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 4 && a[0] == "create") return create(a[1], a[2], a[3]);
  if (a.size() == 2 && a[0] == "seal") return seal(a[1]);
  std::fprintf(stderr, "usage: xlb_v2_pins create OBJ PIN DEV | seal PIN\n");
  return 2;
}
