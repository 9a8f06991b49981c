#include "config/ipvsadm_import.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>
#include <utility>

#include "base/addr.hpp"
#include "model/model.hpp"
#include "model/timeouts.hpp"

namespace xlb {

namespace {

// ---------------------------------------------------------------------------
// The options ipvsadm accepts, as far as a saved rule file can hold them.

enum class Opt {
  add_service,
  add_server,
  clear,
  other_command,  // commands
  tcp,
  udp,
  sctp,
  fwmark,
  ipv6,  // the service
  scheduler,
  sched_flags,
  persistent,
  netmask,
  pe,
  ops,  // -A only
  real_server,
  gatewaying,
  ipip,
  masquerading,  // -a only
  weight,
  u_threshold,
  l_threshold,
  tun_option,
  tun_flag,
};
enum class Arg { none, value, optional_number };
// ipvsadm refuses a server option on -A and a service option on -a; so do we.
enum class Scope { command, both, service, server };

struct OptSpec {
  std::string_view short_name;
  std::string_view long_name;
  Opt opt;
  Arg arg;
  Scope scope;
};

constexpr OptSpec kOptions[] = {
    {"-A", "--add-service", Opt::add_service, Arg::none, Scope::command},
    {"-a", "--add-server", Opt::add_server, Arg::none, Scope::command},
    {"-C", "--clear", Opt::clear, Arg::none, Scope::command},
    {"-E", "--edit-service", Opt::other_command, Arg::none, Scope::command},
    {"-D", "--delete-service", Opt::other_command, Arg::none, Scope::command},
    {"-e", "--edit-server", Opt::other_command, Arg::none, Scope::command},
    {"-d", "--delete-server", Opt::other_command, Arg::none, Scope::command},
    {"-L", "--list", Opt::other_command, Arg::none, Scope::command},
    {"-l", "", Opt::other_command, Arg::none, Scope::command},
    {"-Z", "--zero", Opt::other_command, Arg::none, Scope::command},
    {"-S", "--save", Opt::other_command, Arg::none, Scope::command},
    {"-R", "--restore", Opt::other_command, Arg::none, Scope::command},
    {"", "--set", Opt::other_command, Arg::none, Scope::command},
    {"", "--start-daemon", Opt::other_command, Arg::none, Scope::command},
    {"", "--stop-daemon", Opt::other_command, Arg::none, Scope::command},
    {"-t", "--tcp-service", Opt::tcp, Arg::value, Scope::both},
    {"-u", "--udp-service", Opt::udp, Arg::value, Scope::both},
    {"", "--sctp-service", Opt::sctp, Arg::value, Scope::both},
    {"-f", "--fwmark-service", Opt::fwmark, Arg::value, Scope::both},
    {"-6", "--ipv6", Opt::ipv6, Arg::none, Scope::both},
    {"-s", "--scheduler", Opt::scheduler, Arg::value, Scope::service},
    {"-b", "--sched-flags", Opt::sched_flags, Arg::value, Scope::service},
    {"-p", "--persistent", Opt::persistent, Arg::optional_number, Scope::service},
    {"-M", "--netmask", Opt::netmask, Arg::value, Scope::service},
    {"", "--pe", Opt::pe, Arg::value, Scope::service},
    {"-o", "--ops", Opt::ops, Arg::none, Scope::service},
    {"-r", "--real-server", Opt::real_server, Arg::value, Scope::server},
    {"-g", "--gatewaying", Opt::gatewaying, Arg::none, Scope::server},
    {"-i", "--ipip", Opt::ipip, Arg::none, Scope::server},
    {"-m", "--masquerading", Opt::masquerading, Arg::none, Scope::server},
    {"-w", "--weight", Opt::weight, Arg::value, Scope::server},
    {"-x", "--u-threshold", Opt::u_threshold, Arg::value, Scope::server},
    {"-y", "--l-threshold", Opt::l_threshold, Arg::value, Scope::server},
    {"", "--tun-type", Opt::tun_option, Arg::value, Scope::server},
    {"", "--tun-port", Opt::tun_option, Arg::value, Scope::server},
    {"", "--tun-nocsum", Opt::tun_flag, Arg::none, Scope::server},
    {"", "--tun-csum", Opt::tun_flag, Arg::none, Scope::server},
    {"", "--tun-remcsum", Opt::tun_flag, Arg::none, Scope::server},
};

const OptSpec* find_option(std::string_view word) {
  for (const OptSpec& o : kOptions)
    if (word == o.short_name || word == o.long_name) return &o;
  return nullptr;
}

constexpr std::array<std::string_view, 14> kSchedulers = {
    "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"};

// -b flags: ipvsadm names them after the scheduler, the kernel by number.
constexpr unsigned kFlagFallback = 1, kFlagPort = 2, kFlagThree = 4;

std::optional<unsigned> parse_sched_flag(std::string_view f) {
  if (f == "mh-fallback" || f == "sh-fallback" || f == "flag-1") return kFlagFallback;
  if (f == "mh-port" || f == "sh-port" || f == "flag-2") return kFlagPort;
  if (f == "flag-3") return kFlagThree;
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// One line: words, then options, then a rule.

struct Word {
  std::string_view text;
  int col = 0;
};

// Blank-separated words; `#` at the start of a word comments out the rest.
std::vector<Word> split_words(std::string_view line) {
  std::vector<Word> words;
  size_t i = 0;
  while (true) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) i++;
    if (i >= line.size() || line[i] == '#') return words;
    const size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) i++;
    words.push_back(Word{line.substr(start, i - start), static_cast<int>(start) + 1});
  }
}

struct Option {
  const OptSpec* spec = nullptr;
  Word word;
  std::optional<Word> value;
};

struct Rule {
  const Option* command = nullptr;
  const Option* service = nullptr;
  Proto proto = Proto::tcp;
  Endpoint vip;
  std::string_view sched = "wlc";  // ipvsadm's default
  unsigned flags = 0;
  std::optional<uint64_t> persistent;
  const Option* real = nullptr;
  Endpoint real_ep;
  uint64_t weight = kDefaultWeight;
  Opt forward = Opt::gatewaying;
  std::string tun_type = "ipip";  // --tun-type with -i (ipvsadm's default)
  std::string tun_port;
  std::vector<std::string> ignored;  // options with no xlb equivalent, for the warnings
};

struct ImportedBackend {
  Endpoint ep;
  uint32_t weight = 0;
  int line = 0;
};

struct ImportedService {
  Proto proto = Proto::tcp;
  Endpoint vip;
  Sched sched = Sched::mh;
  int line = 0;
  std::vector<ImportedBackend> backends;
  std::optional<std::string> forward;  // "" for direct routing; set by the first server
  uint32_t persist = 0;                // -p: seconds, 0: none

  std::string spec() const { return to_string(proto) + " " + vip.str(); }
};

// tcp-192.0.2.10-80, udp-2001-db8--10-53: a valid service name, one per key.
std::string service_name(const ImportedService& s) {
  std::string addr = s.vip.addr.str();
  std::replace(addr.begin(), addr.end(), ':', '-');
  return to_string(s.proto) + "-" + addr + "-" + std::to_string(s.vip.port);
}

// The outer source address of each family's tunnels (index: is_v6), when
// known.
using TunnelSources = std::array<std::optional<IpAddr>, 2>;

bool is_tunnel(const ImportedService& s) { return s.forward && !s.forward->empty(); }

// A tunnel service whose family has no source: `xlb -c` would refuse it.
bool lacks_source(const ImportedService& s, const TunnelSources& sources) {
  return is_tunnel(s) && !s.backends.empty() && !sources[s.backends.front().ep.addr.is_v6()];
}

std::string render_service(const ImportedService& s, const std::string& prefix) {
  const std::string svc = service_name(s);
  std::string out = prefix + "service add " + svc + " " + s.spec() + " sched " + to_string(s.sched);
  if (is_tunnel(s)) out += " forward " + *s.forward;
  if (s.persist) out += " persist " + format_timeout(s.persist);
  out += "\n";
  for (const ImportedBackend& b : s.backends) {
    out += prefix;
    out += "backend add " + svc + " " + b.ep.addr.str() + " weight " + std::to_string(b.weight);
    out += "\n";
  }
  return out;
}

// The whole configuration, so applying it twice gives the same; the
// warnings travel with it as comments.
std::string render(const std::vector<ImportedService>& services, const std::string& name,
                   const std::vector<std::string>& warnings, const TunnelSources& sources) {
  std::string out = "# imported from " + display_name(name) + " by xlb import ipvsadm\n";
  for (const std::string& w : warnings) out += "# warning: " + w + "\n";
  out += "flush ruleset\n";
  if (sources[0]) out += "set source4 " + sources[0]->str() + "\n";
  if (sources[1]) out += "set source6 " + sources[1]->str() + "\n";
  for (const ImportedService& s : services)
    out += "\n" + render_service(s, lacks_source(s, sources) ? "# " : "");
  return out;
}

class Importer {
 public:
  Importer(std::string name, SourceError* err, const ImportOptions& opt)
      : name_(std::move(name)), err_(err), opt_(opt) {}

  Result<ImportResult> run(std::string_view text);

 private:
  Status line(std::string_view text);
  Result<std::vector<Option>> parse_options(const std::vector<Word>& words);
  Result<Rule> make_rule(const std::vector<Option>& options);
  Status apply_option(Rule& r, const Option& o);
  Status set_value(Rule& r, const Option& o);
  Status note_ignored(Rule& r, const Option& o);
  Status set_command(Rule& r, const Option& o);
  Status set_service(Rule& r, const Option& o);
  Status set_sched_flags(Rule& r, const Option& o);
  Status check_rule(const Rule& r);
  Status add_service(const Rule& r);
  Status skip_fwmark(const Rule& r);
  Status add_server(const Rule& r);
  Sched choose_sched(const Rule& r);
  uint32_t choose_persist(const Rule& r);
  bool warn_server(const Rule& r, ImportedService& s);
  void find_tunnel_source(const IpAddr& real_server);
  void warn_commented();
  Result<std::string> forward_of(const Rule& r);
  ImportedService* find_service(Proto proto, const Endpoint& vip);
  void warn(const std::string& message);
  Error fail(const Word& w, std::string message) const;

  std::string name_;
  SourceError* err_;
  const ImportOptions& opt_;
  int line_number_ = 0;
  std::string_view line_text_;
  std::vector<ImportedService> services_;
  TunnelSources sources_;
  bool source_asked_[2] = {false, false};  // source4 / source6, once each
  std::vector<std::string> warnings_;
};

Result<ImportResult> Importer::run(std::string_view text) {
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    line_number_++;
    line_text_ = text.substr(start, end - start);
    if (!line_text_.empty() && line_text_.back() == '\r') line_text_.remove_suffix(1);
    XLB_TRY(line(line_text_));
    start = end + 1;
  }
  warn_commented();
  return ImportResult{render(services_, name_, warnings_, sources_), std::move(warnings_)};
}

Status Importer::line(std::string_view text) {
  std::vector<Word> words = split_words(text);
  if (!words.empty() && words.front().text == "ipvsadm") words.erase(words.begin());
  if (words.empty()) return {};
  auto options = parse_options(words);
  if (!options) return options.error();
  auto rule = make_rule(*options);
  if (!rule) return rule.error();
  XLB_TRY(check_rule(*rule));
  if (rule->service && rule->service->spec->opt == Opt::fwmark) return skip_fwmark(*rule);
  switch (rule->command->spec->opt) {
    case Opt::add_service:
      return add_service(*rule);
    case Opt::add_server:
      return add_server(*rule);
    default:
      break;
  }
  // -C: what came before is cleared, as `ipvsadm -R` would do.
  if (!services_.empty())
    warn("-C clears the " + std::to_string(services_.size()) + " service(s) defined before it");
  services_.clear();
  return {};
}

bool is_number(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::vector<Option>> Importer::parse_options(const std::vector<Word>& words) {
  std::vector<Option> options;
  for (size_t i = 0; i < words.size(); i++) {
    Word w = words[i];
    std::optional<Word> inline_value;  // --weight=100
    if (const size_t eq = w.text.find('='); w.text.starts_with("--") && eq != w.text.npos) {
      inline_value = Word{w.text.substr(eq + 1), w.col + static_cast<int>(eq) + 1};
      w.text = w.text.substr(0, eq);
    }
    const OptSpec* spec = find_option(w.text);
    if (!spec)
      return fail(w, w.text.starts_with("-") ? "unknown option '" + std::string(w.text) + "'"
                                             : "unexpected '" + std::string(w.text) + "'");
    if (inline_value && spec->arg == Arg::none)
      return fail(w, "option " + std::string(w.text) + " takes no value");
    Option o{spec, w, inline_value};
    const bool next_is_value =
        i + 1 < words.size() && (spec->arg == Arg::value || (spec->arg == Arg::optional_number &&
                                                             is_number(words[i + 1].text)));
    if (!o.value && next_is_value) o.value = words[++i];
    if (!o.value && spec->arg == Arg::value)
      return fail(w, "option " + std::string(w.text) + " needs a value");
    options.push_back(o);
  }
  return options;
}

Result<Rule> Importer::make_rule(const std::vector<Option>& options) {
  Rule r;
  for (const Option& o : options) XLB_TRY(apply_option(r, o));
  if (!r.command) return fail(options.front().word, "missing command: -A, -a or -C");
  for (const Option& o : options) {
    const bool is_service = r.command->spec->opt == Opt::add_service;
    if ((o.spec->scope == Scope::server && is_service) ||
        (o.spec->scope == Scope::service && !is_service))
      return fail(o.word, "option " + std::string(o.word.text) + " does not go with " +
                              std::string(r.command->word.text));
  }
  return r;
}

Status Importer::apply_option(Rule& r, const Option& o) {
  switch (o.spec->opt) {
    case Opt::add_service:
    case Opt::add_server:
    case Opt::clear:
    case Opt::other_command:
      return set_command(r, o);
    case Opt::tcp:
    case Opt::udp:
    case Opt::sctp:
    case Opt::fwmark:
      return set_service(r, o);
    case Opt::sched_flags:
      return set_sched_flags(r, o);
    case Opt::gatewaying:
    case Opt::ipip:
    case Opt::masquerading:
      r.forward = o.spec->opt;
      return {};
    case Opt::tun_option:
      (o.word.text == "--tun-type" ? r.tun_type : r.tun_port) = std::string(o.value->text);
      return {};
    case Opt::ipv6:
    case Opt::tun_flag:
      return {};  // -6 only means something with -f; xlb chooses tunnel checksums
    case Opt::netmask:
    case Opt::pe:
    case Opt::ops:
    case Opt::u_threshold:
    case Opt::l_threshold:
      return note_ignored(r, o);
    default:
      return set_value(r, o);
  }
}

// The options whose value is checked and kept.
Status Importer::set_value(Rule& r, const Option& o) {
  const std::string value(o.value ? o.value->text : "");
  if (o.spec->opt == Opt::scheduler) {
    if (std::find(kSchedulers.begin(), kSchedulers.end(), value) == kSchedulers.end())
      return fail(*o.value, "unknown scheduler '" + value + "'");
    r.sched = o.value->text;
  } else if (o.spec->opt == Opt::persistent) {
    r.persistent = o.value ? parse_uint(value, 1, UINT32_MAX) : 300;  // ipvsadm's default
    if (!r.persistent) return fail(*o.value, "bad persistence timeout '" + value + "'");
  } else if (o.spec->opt == Opt::real_server) {
    // A real server without a port may be a bare IPv6 address.
    auto bare = IpAddr::parse(value);
    auto ep = bare ? std::optional<Endpoint>(Endpoint{*bare, 0}) : Endpoint::parse(value);
    if (!ep) return fail(*o.value, "bad real server address '" + value + "'");
    r.real = &o;
    r.real_ep = *ep;
  } else if (o.spec->opt == Opt::weight) {
    auto w = parse_uint(value, 0, INT32_MAX);
    if (!w) return fail(*o.value, "bad weight '" + value + "': 0 to 2147483647");
    r.weight = *w;
  }
  return {};
}

// Options xlb has no equivalent for: warned about unless they ask for the default.
Status Importer::note_ignored(Rule& r, const Option& o) {
  const std::string value(o.value ? o.value->text : "");
  const std::string shown = std::string(o.word.text) + (o.value ? " " + value : "");
  const Opt opt = o.spec->opt;
  if (opt == Opt::u_threshold || opt == Opt::l_threshold) {
    if (!parse_uint(value, 0, 65535)) return fail(*o.value, "bad threshold '" + value + "'");
    if (value != "0") r.ignored.push_back(shown);
  } else if (opt != Opt::netmask || (value != "255.255.255.255" && value != "128")) {
    r.ignored.push_back(shown);
  }
  return {};
}

Status Importer::set_command(Rule& r, const Option& o) {
  if (o.spec->opt == Opt::other_command)
    return fail(o.word, "cannot import " + std::string(o.word.text) +
                            ": ipvsadm-save writes only -A and -a lines");
  if (r.command)
    return fail(o.word, "more than one command: " + std::string(r.command->word.text) + " and " +
                            std::string(o.word.text));
  r.command = &o;
  return {};
}

Status Importer::set_service(Rule& r, const Option& o) {
  if (o.spec->opt == Opt::fwmark) {
    if (r.service) return fail(o.word, "more than one service");
    r.service = &o;  // skipped in line(): xlb services are protocol, address and port
    return {};
  }
  if (o.spec->opt == Opt::sctp) return fail(o.word, "cannot import SCTP services");
  if (r.service) return fail(o.word, "more than one service");
  auto ep = Endpoint::parse(o.value->text);
  if (!ep)
    return fail(*o.value, "bad service address '" + std::string(o.value->text) +
                              "': numeric HOST:PORT expected (save with ipvsadm-save -n)");
  r.service = &o;
  r.proto = o.spec->opt == Opt::tcp ? Proto::tcp : Proto::udp;
  r.vip = *ep;
  return {};
}

Status Importer::set_sched_flags(Rule& r, const Option& o) {
  const std::string_view list = o.value->text;
  size_t start = 0;
  while (true) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const Word flag_word{list.substr(start, comma - start), o.value->col + static_cast<int>(start)};
    auto flag = parse_sched_flag(flag_word.text);
    if (!flag)
      return fail(flag_word, "unknown scheduler flag '" + std::string(flag_word.text) + "'");
    r.flags |= *flag;
    if (comma == list.size()) return {};
    start = comma + 1;
  }
}

Status Importer::check_rule(const Rule& r) {
  const Opt command = r.command->spec->opt;
  if (command == Opt::clear) return {};
  if (!r.service) return fail(r.command->word, "missing service: -t or -u HOST:PORT");
  if (command == Opt::add_server && !r.real)
    return fail(r.command->word, "missing real server: -r HOST[:PORT]");
  return {};
}

Status Importer::skip_fwmark(const Rule& r) {
  const std::string mark(r.service->value->text);
  if (r.command->spec->opt != Opt::add_service) return {};  // its -a lines: skipped with it
  warn("fwmark service " + mark +
       " skipped with its real servers: xlb services are protocol, address and port");
  return {};
}

ImportedService* Importer::find_service(Proto proto, const Endpoint& vip) {
  for (ImportedService& s : services_)
    if (s.proto == proto && s.vip.addr == vip.addr && s.vip.port == vip.port) return &s;
  return nullptr;
}

Status Importer::add_service(const Rule& r) {
  if (const ImportedService* old = find_service(r.proto, r.vip))
    return fail(r.service->value.value(),
                "service " + old->spec() + " already added on line " + std::to_string(old->line));
  ImportedService s{r.proto, r.vip, choose_sched(r), line_number_, {}, {}};
  s.persist = choose_persist(r);
  for (const std::string& opt : r.ignored) warn(opt + " has no equivalent in xlb: ignored");
  services_.push_back(std::move(s));
  return {};
}

// -p N: persist N seconds (xlb's longest when above it).
uint32_t Importer::choose_persist(const Rule& r) {
  if (!r.persistent) return 0;
  if (*r.persistent <= kMaxFlowTimeout) return static_cast<uint32_t>(*r.persistent);
  warn("persistence (-p " + std::to_string(*r.persistent) + ") is longer than xlb's longest (" +
       format_timeout(kMaxFlowTimeout) + "): imported as persist " +
       format_timeout(kMaxFlowTimeout));
  return kMaxFlowTimeout;
}

Sched Importer::choose_sched(const Rule& r) {
  const std::string sched(r.sched);
  if (sched != "mh" && sched != "sh") {
    warn("scheduler " + sched +
         " is not available: imported as sched mh (Maglev hashing "
         "of the connection, by weight)");
    return Sched::mh;
  }
  // IPVS mh and sh hash the client address, plus its port with the -port flag;
  // xlb's sh hashes the client address and its mh the whole connection.
  const Sched same_key = (r.flags & kFlagPort) ? Sched::mh : Sched::sh;
  if (to_string(same_key) != sched)
    warn(sched +
         (same_key == Sched::sh ? " without " + sched + "-port hashes the client address only"
                                : " with " + sched + "-port hashes the client port too") +
         ": imported as sched " + to_string(same_key) + ", which does the same");
  return same_key;
}

Status Importer::add_server(const Rule& r) {
  ImportedService* s = find_service(r.proto, r.vip);
  if (!s)
    return fail(r.service->value.value(),
                "-a for service " + to_string(r.proto) + " " + r.vip.str() + " before its -A");
  ImportedBackend b{r.real_ep, static_cast<uint32_t>(std::min<uint64_t>(r.weight, kMaxWeight)),
                    line_number_};
  if (b.ep.port == 0) b.ep.port = s->vip.port;
  for (const ImportedBackend& old : s->backends) {
    if (old.ep.addr != b.ep.addr) continue;
    if (old.ep.port == b.ep.port)
      return fail(r.real->value.value(), "real server " + b.ep.str() + " already added on line " +
                                             std::to_string(old.line));
    warn("real server " + b.ep.str() + " skipped: xlb backends are addresses, and " +
         b.ep.addr.str() + " was added on line " + std::to_string(old.line));
    return {};
  }
  auto fwd = forward_of(r);
  if (!fwd) return fwd.error();
  if (!s->forward) s->forward = *fwd;
  if (*s->forward != *fwd) {
    warn("real server " + r.real_ep.str() + " skipped: xlb forwards per service, and " + s->spec() +
         " uses " + (s->forward->empty() ? "direct routing" : *s->forward));
    return {};
  }
  if (!warn_server(r, *s)) return {};
  s->backends.push_back(b);
  if (!s->forward->empty()) find_tunnel_source(b.ep.addr);
  return {};
}

// Once per family: the source the host routes the first such real server
// from, as ipvsadm would send from it.
void Importer::find_tunnel_source(const IpAddr& real_server) {
  const bool v6 = real_server.is_v6();
  if (std::exchange(source_asked_[v6], true)) return;
  const char* setting = v6 ? "source6" : "source4";
  if (opt_.tunnel_source) sources_[v6] = opt_.tunnel_source(real_server);
  if (sources_[v6])
    warn(std::string("tunnels need the outer source address ipvsadm took from the host: `set ") +
         setting + " " + sources_[v6]->str() + "`, this host's source for " + real_server.str());
}

// At the end, when every service is known: the ones written as comments.
void Importer::warn_commented() {
  line_number_ = 0;
  for (const ImportedService& s : services_) {
    if (!lacks_source(s, sources_)) continue;
    line_number_ = s.line;
    warn("tunnel service " + s.spec() + " written as comments: no outer source address (no route " +
         "to its real servers here); add `set " +
         (s.backends.front().ep.addr.is_v6() ? "source6" : "source4") +
         " ADDR` after `flush ruleset` and uncomment it");
  }
}

// -g: direct routing (""); -i: the tunnel of --tun-type; -m: not
// supported, imported as direct routing.
Result<std::string> Importer::forward_of(const Rule& r) {
  if (r.forward != Opt::ipip) return std::string();
  if (r.tun_type == "ipip" || r.tun_type == "gre") return r.tun_type;
  if (r.tun_type != "gue") return fail(r.real->word, "unknown --tun-type '" + r.tun_type + "'");
  if (r.tun_port.empty()) return std::string("gue");
  auto port = parse_uint(r.tun_port, 1, 65535);
  if (!port) return fail(r.real->word, "bad --tun-port '" + r.tun_port + "'");
  return "gue port " + std::to_string(*port);
}

// False when the server is skipped: never write what `xlb -c` refuses.
bool Importer::warn_server(const Rule& r, ImportedService& s) {
  const std::string real = r.real_ep.str();
  if (r.forward == Opt::masquerading)
    warn("NAT (-m) is not supported yet, only direct routing: " + real +
         " imported as a direct-routing backend, which must hold the VIP");
  const bool direct = r.forward != Opt::ipip;
  if (r.real_ep.port != 0 && r.real_ep.port != s.vip.port)
    warn("real server " + real + ": port differs from the service's " + std::to_string(s.vip.port) +
         ", and xlb keeps the service port");
  if (direct && r.real_ep.addr.family != s.vip.addr.family) {
    warn("real server " + real +
         " skipped: it and the VIP differ in address family, which direct routing cannot "
         "forward");
    return false;
  }
  if (r.weight > kMaxWeight)
    warn("weight " + std::to_string(r.weight) + " of " + real + " lowered to " +
         std::to_string(kMaxWeight) + ", the largest xlb weight");
  for (const std::string& opt : r.ignored) warn(opt + " has no equivalent in xlb: ignored");
  return true;
}

// Warnings quote the input, and the ruleset carries them as comments, which
// must be text: bytes outside printable ASCII are written as \xNN.
std::string printable(const std::string& s) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
      continue;
    }
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

void Importer::warn(const std::string& message) {
  warnings_.push_back(display_name(name_) + ":" + std::to_string(line_number_) + ": " +
                      printable(message));
}

Error Importer::fail(const Word& w, std::string message) const {
  SourceError e{SourcePos{name_, line_number_, w.col}, std::max(1, static_cast<int>(w.text.size())),
                std::move(message), std::string(line_text_)};
  Error out = to_error(e);
  if (err_) *err_ = std::move(e);
  return out;
}

}  // namespace

Result<ImportResult> import_ipvsadm(std::string_view text, const std::string& name,
                                    SourceError* err, const ImportOptions& opt) {
  return Importer(name, err, opt).run(text);
}

}  // namespace xlb
