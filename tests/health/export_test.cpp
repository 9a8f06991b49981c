// Route export against the real kernel and a real BIRD, in a private
// network namespace: kernel table routes (both families, only our
// protocol's), the atomic include file, and `birdc configure` replies.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "health/health_export.hpp"
#include "servers.hpp"

using namespace xlb;
using namespace xlb::test;

namespace {

std::string sh(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[512];
  while (p && fgets(buf, sizeof buf, p)) out += buf;
  if (p) pclose(p);
  return out;
}

class Export : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0 || !enter_private_netns()) GTEST_SKIP() << "needs root (network namespace)";
    dir_ = std::filesystem::temp_directory_path() / ("xlb-export-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (bird_ > 0) kill(bird_, SIGTERM), waitpid(bird_, nullptr, 0);
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Starts BIRD with `conf`; true once it answers on its socket.
  bool start_bird(const std::string& conf) {
    std::string path = (dir_ / "bird.conf").string();
    std::ofstream(path) << conf;
    sock_ = (dir_ / "bird.ctl").string();
    bird_ = fork();
    if (bird_ == 0) {
      execlp("bird", "bird", "-f", "-c", path.c_str(), "-s", sock_.c_str(), "-P",
             (dir_ / "bird.pid").c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 100; i++) {
      if (sh("birdc -s " + sock_ + " show status 2>&1").find("Daemon is up") != std::string::npos)
        return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  std::filesystem::path dir_;
  std::string sock_;
  pid_t bird_ = -1;
};

const IpPrefix kVip4 = IpPrefix::host(*IpAddr::parse("192.0.2.10"));
const IpPrefix kVip6 = IpPrefix::host(*IpAddr::parse("2001:db8::10"));
const IpPrefix kNet4 = *IpPrefix::parse("198.51.100.20/30");

TEST_F(Export, KernelTableHoldsExactlyTheAnnouncedVips) {
  // A route of another protocol in the same table is left alone.
  ASSERT_EQ(sh("ip route add blackhole 192.0.2.99/32 table 100 proto 251 2>&1"), "");
  ASSERT_TRUE(kernel_routes_sync(100, 250, {kVip4, kVip6}));
  EXPECT_EQ(sh("ip -4 route show table 100 proto 250"), "blackhole 192.0.2.10 \n");
  EXPECT_NE(sh("ip -6 route show table 100 proto 250").find("blackhole 2001:db8::10 "),
            std::string::npos);
  ASSERT_TRUE(kernel_routes_sync(100, 250, {kVip4, kVip6}));  // idempotent
  // A prefix VIP is one route of its length, beside a host inside it.
  ASSERT_TRUE(
      kernel_routes_sync(100, 250, {kNet4, IpPrefix::host(*IpAddr::parse("198.51.100.22"))}));
  EXPECT_EQ(sh("ip -4 route show table 100 proto 250"),
            "blackhole 198.51.100.20/30 \nblackhole 198.51.100.22 \n");
  ASSERT_TRUE(
      kernel_routes_sync(100, 250, {kNet4, IpPrefix::host(*IpAddr::parse("198.51.100.22"))}));
  ASSERT_TRUE(kernel_routes_sync(100, 250, {kVip6}));
  EXPECT_EQ(sh("ip -4 route show table 100 proto 250"), "");
  EXPECT_NE(sh("ip -6 route show table 100 proto 250").find("2001:db8::10"), std::string::npos);
  ASSERT_TRUE(kernel_routes_sync(100, 250, {}));
  EXPECT_EQ(sh("ip -6 route show table 100 proto 250"), "");
  EXPECT_EQ(sh("ip -4 route show table 100 proto 251"), "blackhole 192.0.2.99 \n");
  EXPECT_EQ(sh("ip route show table main"), "");  // the main table is never touched
}

TEST_F(Export, IncludeFileIsReplacedAtomically) {
  std::string path = (dir_ / "vips.conf").string();
  ASSERT_TRUE(write_file_atomic(path, bird_include_text({kVip4})));
  EXPECT_EQ(read_file(path), bird_include_text({kVip4}));
  ASSERT_TRUE(write_file_atomic(path, bird_include_text({})));
  EXPECT_EQ(read_file(path), bird_include_text({}));
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1) << "no temporary file left behind";
  EXPECT_FALSE(write_file_atomic((dir_ / "missing" / "vips.conf").string(), "x"));
}

// Issue 20, defect 2: a symbolic link planted where xlb-healthd writes
// (the target, or the temporary names older versions used) never makes it
// write anywhere else.
TEST_F(Export, PlantedSymlinksAreReplacedNeverFollowed) {
  std::string victim = (dir_ / "victim").string(), path = (dir_ / "xlb.prom").string();
  std::ofstream(victim) << "secret\n";
  std::filesystem::permissions(
      victim, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::filesystem::create_symlink(victim, path);
  for (int pid = getpid() - 50; pid < getpid() + 50; pid++)
    std::filesystem::create_symlink(victim, dir_ / (".xlb.prom.tmp" + std::to_string(pid)));
  ASSERT_TRUE(write_file_atomic(path, "metrics\n"));
  EXPECT_EQ(read_file(victim), "secret\n");
  EXPECT_FALSE(std::filesystem::is_symlink(path));
  EXPECT_EQ(read_file(path), "metrics\n");
  auto mode = std::filesystem::status(path).permissions();
  EXPECT_EQ(static_cast<unsigned>(mode), kExportFileMode);
  EXPECT_EQ(std::filesystem::status(victim).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(Export, DirectoryWritableByOthersIsRefusedUnlessSticky) {
  std::string path = (dir_ / "vips.conf").string();
  std::filesystem::permissions(dir_, std::filesystem::perms::all);  // 0777
  auto refused = write_file_atomic(path, "x");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("writable by others"), std::string::npos)
      << refused.error().message;
  EXPECT_FALSE(std::filesystem::exists(path));
  std::filesystem::permissions(dir_,
                               std::filesystem::perms::all | std::filesystem::perms::sticky_bit);
  EXPECT_TRUE(write_file_atomic(path, "x"));
  EXPECT_EQ(read_file(path), "x");
}

TEST_F(Export, BirdcConfigureRepliesAreChecked) {
  if (sh("command -v bird birdc").empty()) GTEST_SKIP() << "bird2 is not installed";
  std::string inc = (dir_ / "vips.conf").string();
  ASSERT_TRUE(write_file_atomic(inc, bird_include_text({})));
  ASSERT_TRUE(start_bird("router id 10.0.0.1;\ninclude \"" + inc +
                         "\";\nprotocol device { }\n"
                         "protocol static s4 { ipv4; route 192.0.2.10/32 blackhole; }\n"
                         "protocol static s6 { ipv6; route 2001:db8::10/128 blackhole; }\n"
                         "filter f4 { if net ~ XLB_VIPS then accept; reject; }\n"
                         "filter f6 { if net ~ XLB_VIPS6 then accept; reject; }\n"));
  // Both sets, empty or not, are valid BIRD.
  auto ok = bird_configure("birdc", sock_);
  EXPECT_TRUE(ok) << ok.error().message;
  ASSERT_TRUE(write_file_atomic(inc, bird_include_text({kVip4, kVip6})));
  ok = bird_configure("birdc", sock_);
  EXPECT_TRUE(ok) << ok.error().message;
  // A broken file: BIRD refuses it, keeps running, and we say why.
  ASSERT_TRUE(write_file_atomic(inc, "define XLB_VIPS = [ 192.0.2.10/32, ];\n"));
  auto bad = bird_configure("birdc", sock_);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("syntax error"), std::string::npos) << bad.error().message;
  auto gone = bird_configure("birdc", (dir_ / "none.ctl").string());
  ASSERT_FALSE(gone);
  EXPECT_NE(gone.error().message.find("Unable to connect"), std::string::npos)
      << gone.error().message;
}

}  // namespace
