// `xlb capture`'s file format and frame summary: pcapng blocks laid out as
// the format says (lengths, 32-bit alignment, options), and tcpdump, the
// reader operators use, reading a file written by them.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include <stdlib.h>
#include <unistd.h>

#include "capture/frame.hpp"
#include "capture/pcapng.hpp"

namespace xlb {
namespace {

using pcapng::Bytes;

uint32_t u32(const Bytes& b, size_t off) {
  uint32_t v;
  std::memcpy(&v, &b[off], 4);
  return v;
}

// A TCP SYN 203.0.113.7:40000 -> 192.0.2.10:80 in an Ethernet frame.
Bytes tcp_frame(bool vlan = false) {
  Bytes f = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
  if (vlan) f.insert(f.end(), {0x81, 0x00, 0x00, 0x07});
  f.insert(f.end(), {0x08, 0x00});
  Bytes ip = {0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0, 203, 0, 113, 7, 192, 0, 2, 10};
  Bytes tcp = {0x9c, 0x40, 0, 80, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0};
  f.insert(f.end(), ip.begin(), ip.end());
  f.insert(f.end(), tcp.begin(), tcp.end());
  return f;
}

TEST(Pcapng, BlocksAreWholeAlignedAndSelfDescribed) {
  const Bytes frame = tcp_frame();
  for (const Bytes& b :
       {pcapng::section_header("xlb test"), pcapng::interface_description("eth0", 256),
        pcapng::enhanced_packet({0, 1, 61, frame, "xlb: verdict tx"})}) {
    ASSERT_GE(b.size(), 12u);
    EXPECT_EQ(b.size() % 4, 0u);
    EXPECT_EQ(u32(b, 4), b.size()) << "leading total length";
    EXPECT_EQ(u32(b, b.size() - 4), b.size()) << "trailing total length";
  }
  const Bytes shb = pcapng::section_header("xlb test");
  EXPECT_EQ(u32(shb, 0), 0x0A0D0D0Au);
  EXPECT_EQ(u32(shb, 8), 0x1A2B3C4Du);
  const Bytes epb = pcapng::enhanced_packet({3, (5ull << 32) | 7, 61, frame, ""});
  EXPECT_EQ(u32(epb, 0), 6u);
  EXPECT_EQ(u32(epb, 8), 3u) << "interface id";
  EXPECT_EQ(u32(epb, 12), 5u) << "timestamp, high word";
  EXPECT_EQ(u32(epb, 16), 7u) << "timestamp, low word";
  EXPECT_EQ(u32(epb, 20), frame.size()) << "captured length";
  EXPECT_EQ(u32(epb, 24), 61u) << "original length";
  EXPECT_EQ(epb.size(), 12 + 20 + (frame.size() + 3) / 4 * 4) << "no options without a comment";
}

TEST(Pcapng, CommentIsAnOption) {
  const Bytes frame = tcp_frame();
  const std::string comment = "xlb: verdict tx, service web, backend 10.0.0.1";
  const Bytes epb = pcapng::enhanced_packet({0, 0, 54, frame, comment});
  const size_t opt = 28 + (frame.size() + 3) / 4 * 4;
  EXPECT_EQ(epb[opt] | epb[opt + 1] << 8, 1) << "opt_comment";
  EXPECT_EQ(size_t(epb[opt + 2] | epb[opt + 3] << 8), comment.size());
  EXPECT_EQ(std::string(epb.begin() + opt + 4, epb.begin() + opt + 4 + comment.size()), comment);
}

// tcpdump reads what xlb capture writes: two packets, in order, with their
// addresses and nanosecond timestamps.
TEST(Pcapng, TcpdumpReadsTheFile) {
  char path[] = "/tmp/xlb-pcapng-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(path, std::ios::binary);
    auto put = [&](const Bytes& b) {
      out.write(reinterpret_cast<const char*>(b.data()), b.size());
    };
    put(pcapng::section_header("xlb test"));
    put(pcapng::interface_description("eth0", 256));
    const Bytes f = tcp_frame();
    put(pcapng::enhanced_packet({0, 1700000000123456789ull, 54, f, "xlb: verdict tx"}));
    put(pcapng::enhanced_packet({0, 1700000001000000000ull, 54, f, "xlb: verdict drop"}));
  }
  std::string cmd = std::string("tcpdump -nn -tt -r ") + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string text;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) text += buf;
  const int rc = pclose(p);
  unlink(path);
  ASSERT_EQ(rc, 0) << text;
  EXPECT_NE(text.find("1700000000.123456 IP 203.0.113.7.40000 > 192.0.2.10.80"), std::string::npos)
      << text;
  EXPECT_NE(text.find("1700000001.000000 IP 203.0.113.7.40000 > 192.0.2.10.80"), std::string::npos)
      << text;
}

TEST(FrameSummary, TcpOverIpv4) {
  auto s = capture::summarize(tcp_frame());
  ASSERT_TRUE(s);
  EXPECT_EQ(s->str(), "tcp 203.0.113.7:40000 > 192.0.2.10:80");
}

TEST(FrameSummary, ThroughOneVlanTag) {
  auto s = capture::summarize(tcp_frame(true));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->str(), "tcp 203.0.113.7:40000 > 192.0.2.10:80 vlan 7");
}

TEST(FrameSummary, UdpOverIpv6) {
  Bytes f = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x86, 0xdd, 0x60, 0, 0, 0, 0, 8, 17, 64};
  Bytes src(16, 0), dst(16, 0);
  src[0] = 0x20, src[1] = 0x01, src[2] = 0x0d, src[3] = 0xb8, src[15] = 7;
  dst[0] = 0x20, dst[1] = 0x01, dst[2] = 0x0d, dst[3] = 0xb8, dst[15] = 0x10;
  f.insert(f.end(), src.begin(), src.end());
  f.insert(f.end(), dst.begin(), dst.end());
  f.insert(f.end(), {0x13, 0x88, 0, 53, 0, 8, 0, 0});
  auto s = capture::summarize(f);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->str(), "udp [2001:db8::7]:5000 > [2001:db8::10]:53");
}

TEST(FrameSummary, TooShortOrNotIpIsNone) {
  Bytes f = tcp_frame();
  EXPECT_FALSE(capture::summarize(Bytes(f.begin(), f.begin() + 20)));
  f[12] = 0x08, f[13] = 0x06;  // ARP
  EXPECT_FALSE(capture::summarize(f));
}

}  // namespace
}  // namespace xlb
