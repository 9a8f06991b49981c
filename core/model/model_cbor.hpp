// The model as the store keeps it: CBOR of the JSON form (model_json.cpp).
//
// Decoding trusts nothing: the pins may hold a blob written by another
// version, cut short, or damaged. A blob is first walked with limits (depth,
// lengths that fit in the bytes left, text that is UTF-8) so the JSON library
// never sees one that makes it allocate without bound or recurse deeply, and
// the model it gives is checked as the grammar checks what it accepts.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "model/model.hpp"

namespace xlb {

// Nesting deeper than this is no model of ours (ours is 5 deep).
inline constexpr int kMaxCborDepth = 16;

// Whether the bytes are one well-formed CBOR item of the kinds our encoder
// writes (no tags, no indefinite lengths), within the limits above.
Status check_cbor(std::span<const uint8_t> blob);

std::vector<uint8_t> config_to_cbor(const Config& c);

// Never throws; an error says what is wrong with the blob.
Result<Config> config_from_cbor(std::span<const uint8_t> blob);

// What validate() checks plus what only the grammar used to: a stored model
// must be one the commands could have made, so `list ruleset` re-applies.
Status validate_stored(const Config& c);

}  // namespace xlb
