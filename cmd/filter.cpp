// filter list: the filter rules in order, with what each dropped.
#include <nlohmann/json.hpp>

#include "handlers.hpp"
#include "state/filter_maps.hpp"

namespace xlb::cli {

namespace {

json filter_list_json(const std::vector<FilterRule>& rules,
                      const std::map<uint32_t, FilterCounts>& counts) {
  json rows = json::array();
  for (size_t i = 0; i < rules.size(); i++) {
    json row = filter_json(rules[i]);
    auto it = counts.find(rules[i].id);
    row["index"] = i + 1;
    row["rule"] = rules[i].words();
    row["packets"] = it == counts.end() ? 0 : it->second.packets;
    row["bytes"] = it == counts.end() ? 0 : it->second.bytes;
    rows.push_back(row);
  }
  return json{{"filters", rows}};
}

std::string filter_list_text(const json& j) {
  std::string out = pad("#", 4) + " " + pad("Rule", 64) + " " + pad("Packets", 10) + " Bytes\n";
  for (const auto& r : j.at("filters"))
    out += pad(std::to_string(r.at("index").get<size_t>()), 4) + " " +
           pad(r.at("rule").get<std::string>(), 64) + " " +
           pad(human_count(r.at("packets").get<uint64_t>()), 10) + " " +
           human_count(r.at("bytes").get<uint64_t>()) + "\n";
  return out;
}

}  // namespace

Status handle(const cmd::FilterList&, Context& ctx) {
  auto st = open_state(ctx);
  if (!st) return st.error();
  auto cfg = st->read();
  if (!cfg) return cfg.error();
  auto counts = read_filter_counters(ctx.opts.pin_path, cfg->filters);
  ctx.out.print(filter_list_json(cfg->filters, counts), filter_list_text);
  return {};
}

}  // namespace xlb::cli
