// What the next-hop maps hold after a backend or an interface goes away:
// the backend's entry in xlb_nexthops is cleared, and xlb_tx_ports lets go
// of a detached interface (a devmap entry holds a reference on the device).
#include <bpf/bpf.h>
#include <unistd.h>

#include <cstring>
#include <set>

#include "cli_fixture.hpp"
#include "xlb_abi.h"

namespace xlb::test {

namespace {

class CliNextHopMapsTest : public CliTest {
 protected:
  int map_fd(const std::string& name) {
    int fd = bpf_obj_get((pin_path() + "/" + name).c_str());
    EXPECT_GE(fd, 0) << name;
    return fd;
  }

  std::set<uint32_t> tx_ports() {
    int fd = map_fd("xlb_tx_ports");
    std::set<uint32_t> out;
    uint32_t key = 0, next = 0;
    for (uint32_t* prev = nullptr; bpf_map_get_next_key(fd, prev, &next) == 0; prev = &key) {
      out.insert(next);
      key = next;
    }
    close(fd);
    return out;
  }

  // The ids whose next-hop entry is not all zero.
  std::set<uint32_t> hop_ids() {
    int fd = map_fd("xlb_nexthops");
    std::set<uint32_t> out;
    for (uint32_t id = 0; id < 512; id++) {
      xlb_nh e{}, zero{};
      if (bpf_map_lookup_elem(fd, &id, &e) == 0 && std::memcmp(&e, &zero, sizeof(e)) != 0)
        out.insert(id);
    }
    close(fd);
    return out;
  }
};

TEST_F(CliNextHopMapsTest, DetachRemovesTheInterfaceFromTheDevmap) {
  netns().add_veth("xb0", "xb1");
  attach("xa0");
  attach("xb0");
  uint32_t a = ifindex("xa0"), b = ifindex("xb0");
  EXPECT_EQ(tx_ports(), (std::set<uint32_t>{a, b}));
  xlb_ok({"interface", "detach", "xb0"});
  EXPECT_EQ(tx_ports(), std::set<uint32_t>{a});
}

TEST_F(CliNextHopMapsTest, ADeletedBackendsNextHopIsCleared) {
  attach("xa0");
  xlb_ok({"service", "add", "web", "tcp", "192.0.2.10:80", "ring", "97"});
  xlb_ok({"backend", "add", "web", "10.99.0.5", "mac", "02:00:00:00:00:05"});
  xlb_ok({"backend", "add", "web", "10.99.0.6", "mac", "02:00:00:00:00:06"});
  auto both = hop_ids();
  ASSERT_EQ(both.size(), 2u);
  xlb_ok({"backend", "del", "web", "10.99.0.6"});
  auto one = hop_ids();
  ASSERT_EQ(one.size(), 1u);
  xlb_ok({"service", "del", "web"});
  EXPECT_TRUE(hop_ids().empty());
}

}  // namespace

}  // namespace xlb::test
