// libFuzzer harness: flow sync datagrams from anyone on the network. The
// first byte chooses whether the rest is taken as is (almost always a bad
// tag) or is given a valid tag first, so the decoder behind the
// authentication (header, counts, records) is explored too. Decoding must
// never crash or read out of bounds, and what it accepts must encode back
// to a datagram of the same size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "sync/wire.hpp"

namespace {

const xlb::sync::Key& key() {
  static const xlb::sync::Key k = *xlb::sync::Key::from_bytes("fuzz-key-0123456789abcdef");
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<uint8_t> in(data + 1, data + size);
  if (data[0] & 1) in = xlb::sync::append_tag(key(), in);
  xlb::sync::Decoded d = xlb::sync::decode(key(), in);
  if (d.reject == xlb::sync::Reject::none) {
    auto again = xlb::sync::encode(key(), d.datagram.header, d.datagram.flows);
    if (again.size() != in.size()) std::abort();
  }
  return 0;
}
