// Concurrent xlb processes: writers are serialised by the lock on the pin
// directory, so every change lands; readers never wait and never fail.
#include <atomic>
#include <thread>

#include "cli_fixture.hpp"

namespace xlb::test {

namespace {

using nlohmann::json;

constexpr int kPerWriter = 50;

std::string backend_addr(int writer, int i) {
  return "10." + std::to_string(writer + 1) + ".0." + std::to_string(i + 1);
}
std::string backend_mac(int writer, int i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "02:be:00:00:%02x:%02x", writer + 1, i + 1);
  return buf;
}

class CliConcurrencyTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    attach("xa0");
    xlb_ok({"service", "add", "web", "tcp", "192.0.2.10:80", "ring", "1021"});
  }

  // One writer: its backends added one xlb process at a time.
  std::vector<RunResult> write(int writer) const {
    std::vector<RunResult> results;
    for (int i = 0; i < kPerWriter; i++)
      results.push_back(
          xlb({"backend", "add", "web", backend_addr(writer, i), "mac", backend_mac(writer, i)}));
    return results;
  }

  // Reads until `stop`; returns the backend counts seen, or a failure.
  std::vector<size_t> read_until(const std::atomic<bool>& stop, std::string& failure) const {
    std::vector<size_t> seen;
    while (!stop && failure.empty()) {
      RunResult r = xlb({"-j", "backend", "list", "web"});
      json j = json::parse(r.out, nullptr, false);
      if (r.status != 0 || !j.contains("backends")) failure = r.describe();
      if (failure.empty()) seen.push_back(j["backends"].size());
      RunResult rs = xlb({"list", "ruleset"});
      if (rs.status != 0) failure = rs.describe();
    }
    return seen;
  }
};

TEST_F(CliConcurrencyTest, TwoWritersAllLandAndReadersNeverFail) {
  std::vector<RunResult> w0, w1;
  std::vector<size_t> seen;
  std::string failure;
  std::atomic<bool> stop{false};
  {
    std::thread reader([&] { seen = read_until(stop, failure); });
    std::thread a([&] { w0 = write(0); });
    std::thread b([&] { w1 = write(1); });
    a.join();
    b.join();
    stop = true;
    reader.join();
  }
  for (const auto* w : {&w0, &w1})
    for (const auto& r : *w) EXPECT_EQ(r.status, 0) << r.describe();
  EXPECT_EQ(failure, "") << "a reader failed during the writes";
  EXPECT_FALSE(seen.empty());
  for (size_t i = 1; i < seen.size(); i++)
    EXPECT_LE(seen[i - 1], seen[i]) << "a reader saw backends disappear";

  json list = xlb_json({"backend", "list", "web"});
  ASSERT_EQ(list["backends"].size(), 2u * kPerWriter);
  std::map<std::string, std::string> macs;
  for (const auto& b : list["backends"]) macs[b["address"]] = b["mac"];
  for (int w = 0; w < 2; w++)
    for (int i = 0; i < kPerWriter; i++)
      EXPECT_EQ(macs[backend_addr(w, i)], backend_mac(w, i)) << backend_addr(w, i);
}

}  // namespace

}  // namespace xlb::test
