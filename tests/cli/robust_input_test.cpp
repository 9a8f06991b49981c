// Issue 20, defects 5, 6, 8 and 9 through the real binary: bytes that are
// not text are refused (and -j still prints JSON), hostile check strings
// survive `list ruleset | xlb -f -`, a damaged store gives a clear error and
// `flush ruleset` is the way out, and endless or directory inputs fail fast.
#include <bpf/bpf.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "cli_fixture.hpp"
#include "state/maps.hpp"
#include "state/store.hpp"

namespace xlb::test {
namespace {

using nlohmann::json;

class RobustInputTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    attach("xa0");
    xlb_ok({"service", "add", "web", "tcp", "192.0.2.10:80"});
    xlb_ok({"backend", "add", "web", "10.0.0.1", "mac", "02:be:00:00:00:01"});
  }

  // Replaces the live bank's stored model with `blob`, as damage would.
  void damage_store(const std::vector<uint8_t>& blob) {
    auto m = Maps::open(pin_path());
    ASSERT_TRUE(m.ok()) << m.error().message;
    auto ctl = ctl_read(*m);
    ASSERT_TRUE(ctl.ok());
    for (uint32_t i = 0; i * XLB_STORE_CHUNK < std::max<size_t>(blob.size(), 1); i++) {
      xlb_store_chunk chunk{};
      const size_t off = size_t(i) * XLB_STORE_CHUNK;
      chunk.len = std::min<size_t>(XLB_STORE_CHUNK, blob.size() - off);
      chunk.total = blob.size();
      std::memcpy(chunk.data, blob.data() + off, chunk.len);
      xlb_store_key key{ctl->active_bank, i};
      ASSERT_EQ(bpf_map_update_elem(m->store(), &key, &chunk, BPF_ANY), 0);
    }
  }

  std::string write_file(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + "h20p-" + std::to_string(getpid()) + name;
    std::ofstream(path) << text;
    files_.push_back(path);
    return path;
  }

  void TearDown() override {
    for (const auto& f : files_) std::remove(f.c_str());
    CliTest::TearDown();
  }

  std::vector<std::string> files_;
};

TEST_F(RobustInputTest, WordsThatAreNotTextAreRefusedAndJsonStillPrints) {
  const std::string before = state_dump();
  for (const Args& args : {Args{"-j", "service", "del", "\xff"},
                           Args{"-j", "check", "add", "web", "http", "host", "a\xff"},
                           Args{"-j", "check", "add", "web", "http", "path", "/\x1b[2J"}}) {
    RunResult r = xlb(args);
    EXPECT_EQ(r.status, 2) << r.describe();
    auto j = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.describe();
    EXPECT_NE(j.value("error", "").find("is not text"), std::string::npos) << r.describe();
  }
  EXPECT_EQ(state_dump(), before);
}

TEST_F(RobustInputTest, HostileCheckStringsSurviveListRulesetThroughF) {
  xlb_ok({"service", "add", "d", "udp", "192.0.2.53:53"});
  xlb_ok({"check", "add", "d", "dns", "host", "#example.org"});
  xlb_ok({"check", "add", "web", "http", "path", "/a;b#c$d\"e\\f", "host", "x=y"});
  const std::string printed = xlb_ok({"list", "ruleset"});
  EXPECT_NE(printed.find("host \"#example.org\""), std::string::npos) << printed;
  xlb_ok({"-f", write_file("printed.conf", printed)});
  EXPECT_EQ(xlb_ok({"list", "ruleset"}), printed);
  // -j check list and -j list ruleset print them as JSON.
  EXPECT_EQ(xlb_json({"list", "ruleset"})["ruleset"], printed);
}

TEST_F(RobustInputTest, DamagedStoreGivesAClearErrorAndFlushIsTheWayOut) {
  const std::vector<std::vector<uint8_t>> blobs = {
      {0x9b, 0x73, 0x65, 0x21, 0x55, 0x21, 0xf8, 0x62, 0x21},  // 8.3e18 elements
      [] {
        std::vector<uint8_t> nested(200000, 0x81);  // 200,000 nested arrays
        nested.push_back(0x80);
        return nested;
      }()};
  for (const auto& blob : blobs) {
    damage_store(blob);
    for (const Args& args : {Args{"list", "ruleset"}, Args{"service", "list"},
                             Args{"backend", "add", "web", "10.0.0.2"}}) {
      RunResult r = xlb(args);
      EXPECT_EQ(r.status, 1) << r.describe();
      EXPECT_NE(r.err.find("stored configuration cannot be read"), std::string::npos)
          << r.describe();
      EXPECT_NE(r.err.find("flush ruleset"), std::string::npos) << r.describe();
    }
    RunResult j = xlb({"-j", "list", "ruleset"});
    EXPECT_EQ(j.status, 1);
    EXPECT_FALSE(json::parse(j.out, nullptr, false).is_discarded()) << j.describe();
    RunResult flush = xlb({"flush", "ruleset"});
    EXPECT_EQ(flush.status, 0) << flush.describe();
    EXPECT_NE(flush.err.find("warning: the stored configuration cannot be read"), std::string::npos)
        << flush.describe();
    EXPECT_EQ(xlb_ok({"list", "ruleset"}), "flush ruleset\n");
    xlb_ok({"service", "add", "web", "tcp", "192.0.2.10:80"});
  }
  // A file that starts with flush ruleset is a way out too.
  damage_store({0x9b, 0x73, 0x65, 0x21, 0x55, 0x21, 0xf8, 0x62, 0x21});
  xlb_ok({"-f", write_file("restore.conf", "flush ruleset\nservice add w tcp 192.0.2.11:80\n")});
  EXPECT_EQ(xlb_ok({"list", "ruleset"}),
            "flush ruleset\nservice add w tcp 192.0.2.11:80 sched mh\n");
}

TEST_F(RobustInputTest, EndlessFilesAndDirectoriesFailFast) {
  const std::string dir = ::testing::TempDir();
  for (const Args& args : {Args{"import", "ipvsadm", "/dev/zero"}, Args{"import", "ipvsadm", dir},
                           Args{"-f", "/dev/zero"}, Args{"-f", dir}}) {
    const auto start = std::chrono::steady_clock::now();
    RunResult r = xlb(args, 20);
    EXPECT_EQ(r.status, 2) << r.describe();
    EXPECT_NE(r.err.find("cannot read"), std::string::npos) << r.describe();
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  }
}

}  // namespace
}  // namespace xlb::test
