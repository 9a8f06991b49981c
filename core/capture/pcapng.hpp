// The pcapng file format (draft-ietf-opsawg-pcapng), as much of it as
// `xlb capture` writes: a section header, one interface description per
// interface (Ethernet, nanosecond timestamps) and enhanced packet blocks
// with a comment each. Readable by tcpdump -r, Wireshark and scapy.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace xlb::pcapng {

using Bytes = std::vector<uint8_t>;

// Section Header Block, with the writing application's name.
Bytes section_header(const std::string& application);

// Interface Description Block: link type Ethernet, timestamps in
// nanoseconds (if_tsresol 9), the interface's name.
Bytes interface_description(const std::string& name, uint32_t snaplen);

struct Packet {
  uint32_t interface = 0;  // index of its interface block in the section
  uint64_t ts_ns = 0;      // since the Unix epoch
  uint32_t wire_len = 0;   // the frame's length on the wire
  std::span<const uint8_t> data;
  std::string comment;  // none when empty
};

// Enhanced Packet Block.
Bytes enhanced_packet(const Packet& p);

}  // namespace xlb::pcapng
