// Maglev table quality and build time, the figures of the NSDI 2016 paper
// (Eisenbud et al., section 5.3): imbalance, disruption when one backend of N
// leaves or joins, and time to build a table.
//
//   xlb_bench_maglev [--json] [--runs N] [--flows N]
//
// Not a test: it asserts nothing and only prints numbers.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <vector>

#include "model/maglev.hpp"
#include "xlb_hash.h"

namespace {

using xlb::MaglevEntry;

constexpr uint32_t kTableSeed = 0x5eed;
constexpr uint32_t kFlowSeed = 0x7a11c0de;
constexpr uint32_t kBackendCounts[] = {10, 100, 1000};
constexpr uint32_t kTableSizes[] = {16381, 65537, 655373};

struct Options {
  bool json = false;
  int runs = 9;
  int flows = 1000000;
};

struct Figures {
  uint32_t backends = 0;
  uint32_t size = 0;
  double imbalance = 0;        // most slots of any backend over the mean
  double ideal_imbalance = 0;  // ceil(M/N) over M/N: the best a table can do
  double leave_moved = 0;      // share of flows that change backend
  double join_moved = 0;
  double build_ms_median = 0;
  double build_ms_min = 0;
  double build_ms_max = 0;
};

// n backends of weight 1: 10.0.0.1, 10.0.0.2, ...; ids 0..n-1.
std::vector<MaglevEntry> pool(uint32_t n) {
  std::vector<MaglevEntry> out;
  for (uint32_t i = 0; i < n; i++) {
    xlb::IpAddr a;
    const uint32_t host = i + 1;
    a.bytes = {10, static_cast<uint8_t>(host >> 16), static_cast<uint8_t>(host >> 8),
               static_cast<uint8_t>(host)};
    out.push_back({a, 1, i});
  }
  return out;
}

// Flow hashes of random IPv4 TCP 5-tuples, computed as the datapath does.
std::vector<uint32_t> random_flow_hashes(int count) {
  std::mt19937_64 rng(1);
  std::vector<uint32_t> hashes(count);
  for (uint32_t& h : hashes) {
    xlb_flow_key key;
    std::memset(&key, 0, sizeof(key));
    key.src.w[0] = static_cast<uint32_t>(rng());
    key.dst.w[0] = static_cast<uint32_t>(rng());
    key.sport = static_cast<__be16>(rng());
    key.dport = static_cast<__be16>(rng());
    key.proto = 6;
    key.family = XLB_AF_INET;
    h = xlb_flow_hash(&key, kFlowSeed, 0);
  }
  return hashes;
}

double moved_flows(const std::vector<uint32_t>& hashes, const std::vector<uint32_t>& before,
                   const std::vector<uint32_t>& after) {
  const auto size = static_cast<uint32_t>(before.size());
  size_t moved = 0;
  for (uint32_t h : hashes) {
    const uint32_t slot = xlb_ring_slot(h, size);
    moved += before[slot] != after[slot];
  }
  return static_cast<double>(moved) / hashes.size();
}

double imbalance(const std::vector<uint32_t>& table, uint32_t backends) {
  std::vector<uint32_t> slots(backends, 0);
  for (uint32_t id : table) slots[id]++;
  const double mean = static_cast<double>(table.size()) / backends;
  return *std::max_element(slots.begin(), slots.end()) / mean;
}

// Median, min and max milliseconds of `runs` builds of the same table.
void time_builds(const std::vector<MaglevEntry>& backends, int runs, Figures& f) {
  std::vector<double> ms;
  for (int r = 0; r < runs; r++) {
    const auto start = std::chrono::steady_clock::now();
    const auto table = xlb::maglev_build(backends, f.size, kTableSeed);
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    ms.push_back(took.count());
  }
  std::sort(ms.begin(), ms.end());
  f.build_ms_median = ms[ms.size() / 2];
  f.build_ms_min = ms.front();
  f.build_ms_max = ms.back();
}

Figures measure(uint32_t n, uint32_t size, const std::vector<uint32_t>& hashes, int runs) {
  Figures f;
  f.backends = n;
  f.size = size;
  f.ideal_imbalance = std::ceil(static_cast<double>(size) / n) * n / size;
  auto backends = pool(n);
  const auto table = xlb::maglev_build(backends, size, kTableSeed);
  f.imbalance = imbalance(table, n);

  auto fewer = backends;
  fewer.erase(fewer.begin() + n / 2);
  f.leave_moved = moved_flows(hashes, table, xlb::maglev_build(fewer, size, kTableSeed));

  auto more = backends;
  more.push_back({*xlb::IpAddr::parse("10.255.255.254"), 1, n});
  f.join_moved = moved_flows(hashes, table, xlb::maglev_build(more, size, kTableSeed));

  time_builds(backends, runs, f);
  return f;
}

void print_table(const std::vector<Figures>& all, const Options& opt) {
  std::printf("Maglev tables: %d random flows, build time over %d runs (ms)\n", opt.flows,
              opt.runs);
  std::printf("disruption = share of flows that change backend; ideal leave 1/N, join 1/(N+1)\n\n");
  std::printf("%6s %8s  %9s %9s  %8s %8s %6s  %8s %8s %6s  %8s %8s %8s\n", "N", "slots", "max/mean",
              "ideal", "leave", "ideal", "x", "join", "ideal", "x", "median", "min", "max");
  for (const Figures& f : all) {
    const double leave_ideal = 1.0 / f.backends;
    const double join_ideal = 1.0 / (f.backends + 1);
    std::printf(
        "%6u %8u  %9.4f %9.4f  %7.3f%% %7.3f%% %6.2f  %7.3f%% %7.3f%% %6.2f  %8.2f %8.2f %8.2f\n",
        f.backends, f.size, f.imbalance, f.ideal_imbalance, 100 * f.leave_moved, 100 * leave_ideal,
        f.leave_moved / leave_ideal, 100 * f.join_moved, 100 * join_ideal,
        f.join_moved / join_ideal, f.build_ms_median, f.build_ms_min, f.build_ms_max);
  }
  std::printf("\nx = measured over ideal. Paper: a 65537-slot table in 1.8 ms.\n");
}

void print_json(const std::vector<Figures>& all, const Options& opt) {
  nlohmann::json results = nlohmann::json::array();
  for (const Figures& f : all) {
    results.push_back(
        {{"backends", f.backends},
         {"slots", f.size},
         {"imbalance", f.imbalance},
         {"ideal_imbalance", f.ideal_imbalance},
         {"leave_moved", f.leave_moved},
         {"leave_ideal", 1.0 / f.backends},
         {"join_moved", f.join_moved},
         {"join_ideal", 1.0 / (f.backends + 1)},
         {"build_ms",
          {{"median", f.build_ms_median}, {"min", f.build_ms_min}, {"max", f.build_ms_max}}}});
  }
  nlohmann::json out = {{"flows", opt.flows}, {"runs", opt.runs}, {"results", results}};
  std::cout << out.dump(2) << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"Maglev table imbalance, disruption and build time"};
  app.add_flag("--json", opt.json, "print machine-readable figures");
  app.add_option("--runs", opt.runs, "builds timed per table")->check(CLI::Range(1, 1000));
  app.add_option("--flows", opt.flows, "random flows for disruption")
      ->check(CLI::Range(1000, 100000000));
  CLI11_PARSE(app, argc, argv);

  const auto hashes = random_flow_hashes(opt.flows);
  std::vector<Figures> all;
  for (uint32_t n : kBackendCounts) {
    for (uint32_t size : kTableSizes) all.push_back(measure(n, size, hashes, opt.runs));
  }
  if (opt.json) {
    print_json(all, opt);
  } else {
    print_table(all, opt);
  }
  return 0;
}
