// One model, rendered once: a command builds its result (a typed view of
// state/view.hpp, or JSON) and hands a text renderer along; -j picks the
// view's JSON encoding (its to_json), otherwise the text. Errors go the same
// way: `xlb: error: ...` on stderr, or {"error": ...} under -j.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.hpp"
#include "state/json_text.hpp"

namespace xlb::cli {

using nlohmann::json;

class Output {
 public:
  Output(bool json, bool pretty) : json_(json), pretty_(pretty) {}
  void print(const json& model, const std::function<std::string(const json&)>& text) const;
  template <class View, class Text>
  void show(const View& view, const Text& text) const {
    if (!json_) return this->text(text(view));
    if constexpr (requires(JsonText & w) { write_json(w, view); }) {
      JsonText w(pretty_ ? 2 : -1, [this](std::string_view s) { this->text(s); });
      write_json(w, view);
      w.flush();
      this->text("\n");
    } else {
      print(json(view), {});
    }
  }
  void text(std::string_view s) const;  // plain text, both modes (e.g. list ruleset)
  void error(const Error& e) const;
  void error_text(const std::string& rendered) const;  // already formatted, multi-line
  bool json_mode() const { return json_; }

 private:
  bool json_;
  bool pretty_;
};

// ipvsadm's number format: %9llu below 10^8, else %8llu and K/M/G/T.
std::string human_count(uint64_t v);
// Pads s to width w (left aligned).
std::string pad(const std::string& s, size_t w);
void pad_onto(std::string& out, std::string_view s, size_t w);  // appends pad(s, w)
std::string rpad(const std::string& s, size_t w);               // right aligned
// A backend's Weight column: "2", or under dynamic weights "2/150"
// (configured/effective).
std::string weight_text(uint32_t weight, bool dynamic, uint32_t effective);

}  // namespace xlb::cli
