// The command table, the parser, the man pages and the bash completion agree
// (as bpftool's tests check its own): every command form of command_specs()
// parses its example, every command has a row, every form is documented in
// xlb(8) as `xlb OBJECT VERB` and known to completions/xlb, and xlb.conf(5)
// lists exactly the commands that edit the configuration.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "config/command.hpp"
#include "config/command_table.hpp"

namespace {

namespace fs = std::filesystem;

fs::path source_root() { return fs::path(__FILE__).parent_path() / ".." / ".."; }

std::string read(const fs::path& p) {
  std::ifstream in(p);
  EXPECT_TRUE(in) << "cannot open " << p;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The text a reader sees: groff font escapes (\fB, \fI, \fR, \fP, \f(BI,
// \f[B]) removed, escaped minus signs and non-breaking spaces made plain.
std::string plain_groff(const std::string& text) {
  static const std::regex font(R"(\\f(\([A-Z]{2}|\[[A-Z]*\]|[A-Z1-4]))");
  static const std::regex minus(R"(\\-)");
  static const std::regex space(R"(\\[ ~])");
  std::string out = std::regex_replace(text, font, "");
  out = std::regex_replace(out, minus, "-");
  return std::regex_replace(out, space, " ");
}

// The words of a shell file, to check a completion mentions a name as a
// word of its own (not only inside a longer word).
std::set<std::string> shell_words(const std::string& text) {
  std::set<std::string> words;
  static const std::regex word(R"([A-Za-z_][A-Za-z0-9_-]*)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), word); it != std::sregex_iterator();
       ++it)
    words.insert(it->str());
  return words;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// The lines of xlb.conf(5)'s list of the commands a ruleset holds.
std::vector<std::string> ruleset_command_lines(const std::string& man5) {
  auto at = man5.find(".SS Commands");
  EXPECT_NE(at, std::string::npos) << "man/xlb.conf.5 has no .SS Commands";
  auto from = man5.find(".nf\n", at), to = man5.find(".fi\n", at);
  std::vector<std::string> lines;
  std::istringstream in(man5.substr(from + 4, to - from - 4));
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// Whether a line of that list is the form: `OBJECT VERB ...` or, for the
// verbs written as a choice, `OBJECT {VERB|...} ...`.
bool lists_form(const std::string& line, const xlb::CommandSpec& s) {
  std::regex re(std::string("^") + s.object + R"( \{?([a-z0-9]+\|)*)" + s.verb + R"(\b)");
  return std::regex_search(line, re);
}

std::string form(const xlb::CommandSpec& s) {
  std::string f = std::string("xlb ") + s.object;
  if (*s.verb) f += std::string(" ") + s.verb;
  return f;
}

class Docs : public ::testing::Test {
 protected:
  void SetUp() override {
    man8_ = plain_groff(read(source_root() / "man" / "xlb.8"));
    man5_ = plain_groff(read(source_root() / "man" / "xlb.conf.5"));
    completion_ = read(source_root() / "completions" / "xlb");
    completion_words_ = shell_words(completion_);
  }
  std::string man8_, man5_, completion_;
  std::set<std::string> completion_words_;
};

TEST_F(Docs, TableIsNotEmpty) { EXPECT_GT(xlb::command_specs().size(), 10u); }

TEST_F(Docs, EveryRowsExampleParsesAsItsForm) {
  for (const auto& s : xlb::command_specs()) {
    auto words = split(s.example);
    ASSERT_GE(words.size(), 1u) << form(s) << " has no example";
    EXPECT_EQ(words[0], s.object) << "the example of `" << form(s) << "`: " << s.example;
    if (*s.verb) {
      ASSERT_GE(words.size(), 2u) << form(s);
      EXPECT_EQ(words[1], s.verb) << "the example of `" << form(s) << "`: " << s.example;
    }
    auto cmd = xlb::parse_command(words);
    EXPECT_TRUE(cmd) << "the example of `" << form(s) << "` does not parse: " << s.example << ": "
                     << (cmd ? "" : cmd.error().message);
    if (cmd) {
      EXPECT_FALSE(std::holds_alternative<xlb::cmd::Help>(*cmd)) << s.example;
    }
  }
}

// A command the parser can produce but the table does not show would be
// missing from help, the man page and completion.
TEST_F(Docs, EveryCommandHasARow) {
  std::set<size_t> shown = {xlb::Command(xlb::cmd::Help{}).index()};
  for (const auto& s : xlb::command_specs())
    if (auto cmd = xlb::parse_command(split(s.example))) shown.insert(cmd->index());
  for (size_t i = 0; i < std::variant_size_v<xlb::Command>; i++)
    EXPECT_TRUE(shown.count(i)) << "alternative " << i
                                << " of xlb::Command has no row in command_specs()";
}

TEST_F(Docs, RulesetPageListsExactlyTheEditCommands) {
  auto lines = ruleset_command_lines(man5_);
  ASSERT_GT(lines.size(), 5u);
  for (const auto& s : xlb::command_specs()) {
    auto cmd = xlb::parse_command(split(s.example));
    if (!cmd) continue;  // reported by EveryRowsExampleParsesAsItsForm
    bool listed = std::any_of(lines.begin(), lines.end(),
                              [&](const std::string& l) { return lists_form(l, s); });
    EXPECT_EQ(listed, xlb::is_config_edit(*cmd))
        << "`" << form(s) << "`: " << (listed ? "listed" : "not listed")
        << " in xlb.conf(5) Commands, but is " << (listed ? "not " : "") << "a ruleset command";
  }
}

TEST_F(Docs, ManPageDocumentsEveryCommandForm) {
  for (const auto& s : xlb::command_specs())
    EXPECT_NE(man8_.find(form(s)), std::string::npos)
        << "man/xlb.8 does not document `" << form(s) << "`";
}

TEST_F(Docs, ManPageListsEveryObjectInSynopsis) {
  auto at = man8_.find("OBJECT := {");
  ASSERT_NE(at, std::string::npos) << "man/xlb.8 has no OBJECT := { ... } line";
  std::string line = man8_.substr(at, man8_.find('}', at) - at);
  for (const auto& s : xlb::command_specs())
    EXPECT_NE(line.find(s.object), std::string::npos)
        << "OBJECT := { ... } in man/xlb.8 lacks " << s.object;
}

TEST_F(Docs, ManPageHasItsSections) {
  for (const char* section :
       {".SH NAME", ".SH SYNOPSIS", ".SH DESCRIPTION", ".SH OPTIONS", ".SH EXIT STATUS",
        ".SH ENVIRONMENT", ".SH FILES", ".SH EXAMPLES", ".SH SEE ALSO", "DRAIN RUNBOOK"})
    EXPECT_NE(man8_.find(section), std::string::npos) << "man/xlb.8 lacks " << section;
  for (const char* ref : {"xlb.conf (5)", "xlb-healthd (8)", "xlb-syncd (8)", "ipvsadm (8)",
                          "nft (8)", "bpftool (8)"}) {
    std::string want = std::string(".BR ") + ref;
    EXPECT_NE(man8_.find(want), std::string::npos) << "SEE ALSO of man/xlb.8 lacks " << ref;
  }
}

TEST_F(Docs, CompletionKnowsEveryObjectAndVerb) {
  for (const auto& s : xlb::command_specs()) {
    EXPECT_TRUE(completion_words_.count(s.object))
        << "completions/xlb does not mention the object " << s.object;
    if (*s.verb) {
      EXPECT_TRUE(completion_words_.count(s.verb))
          << "completions/xlb does not mention the verb " << s.verb << " of " << s.object;
    }
  }
}

TEST_F(Docs, CompletionRegistersItself) {
  EXPECT_NE(completion_.find("complete -F _xlb xlb"), std::string::npos);
}

TEST_F(Docs, RulesetPageDocumentsTheLanguage) {
  for (const char* what : {"define", "redefine", "include", "flush ruleset", "$"})
    EXPECT_NE(man5_.find(what), std::string::npos) << "man/xlb.conf.5 does not document " << what;
  // The error format, and an example of it with a caret line.
  EXPECT_NE(man5_.find("FILE:LINE:COL: error: MESSAGE"), std::string::npos)
      << "man/xlb.conf.5 does not document the error format";
  EXPECT_TRUE(std::regex_search(man5_, std::regex(R"(\.conf:[0-9]+:[0-9]+: error: )")))
      << "man/xlb.conf.5 has no example of an error";
  EXPECT_TRUE(std::regex_search(man5_, std::regex(R"(\n *\^~+\n)")))
      << "man/xlb.conf.5 has no caret line";
  EXPECT_NE(man5_.find("xlb -f /etc/xlb/xlb.conf"), std::string::npos)
      << "man/xlb.conf.5 does not show the boot-time unit";
}

}  // namespace

namespace {

// The command lines of xlb(8)'s SYNOPSIS, as a reader sees them.
std::vector<std::string> synopsis_lines(const std::string& man8) {
  auto from = man8.find(".SH SYNOPSIS"), to = man8.find(".SH DESCRIPTION");
  EXPECT_TRUE(from != std::string::npos && to != std::string::npos) << "man/xlb.8: no SYNOPSIS";
  std::vector<std::string> lines;
  std::istringstream in(man8.substr(from, to - from));
  for (std::string l; std::getline(in, l);)
    if (l.starts_with("xlb ")) lines.push_back(l);
  return lines;
}

bool has_word(const std::string& text, const std::string& word) {
  std::regex re("(^|[^a-z0-9-])" + std::regex_replace(word, std::regex(R"(-)"), R"(\-)") +
                "($|[^a-z0-9-])");
  return std::regex_search(text, re);
}

// The synopsis lines of a form: `xlb OBJECT` lines naming the verb as a
// word (`xlb service {del SERVICE | {list|show} ...}` names del, list, show).
std::string synopsis_of(const std::vector<std::string>& lines, const xlb::CommandSpec& s) {
  std::string out, head = std::string("xlb ") + s.object + " ";
  for (const auto& l : lines)
    if (l.starts_with(head) && (!*s.verb || has_word(l.substr(head.size()), s.verb)))
      out += l + "\n";
  return out;
}

// The option keywords of a form's arguments: the lowercase word after each
// `[` ("[need N]" -> need, "[--rate [interval MS]]" -> --rate, interval).
std::vector<std::string> option_words(const std::string& args) {
  std::vector<std::string> out;
  static const std::regex opt(R"(\[(-*[a-z][a-z0-9-]*))");
  for (auto it = std::sregex_iterator(args.begin(), args.end(), opt); it != std::sregex_iterator();
       ++it)
    out.push_back((*it)[1].str());
  return out;
}

}  // namespace

// SYNOPSIS shows every form of the table with every option it takes: a
// form or option added to the table only would be missing there.
TEST_F(Docs, SynopsisShowsEveryFormWithItsOptions) {
  auto lines = synopsis_lines(man8_);
  ASSERT_GT(lines.size(), 10u);
  for (const auto& s : xlb::command_specs()) {
    std::string syn = synopsis_of(lines, s);
    EXPECT_FALSE(syn.empty()) << "the SYNOPSIS of man/xlb.8 lacks `" << form(s) << "`";
    if (syn.empty()) continue;
    for (const auto& w : option_words(s.args))
      EXPECT_TRUE(has_word(syn, w))
          << "the SYNOPSIS of `" << form(s) << "` lacks its option " << w << " (" << s.args << ")";
  }
}

// xlb.conf(5)'s list of ruleset commands shows their options too.
TEST_F(Docs, RulesetPageShowsEveryOption) {
  auto lines = ruleset_command_lines(man5_);
  for (const auto& s : xlb::command_specs()) {
    std::string listed;
    for (const auto& l : lines)
      if (lists_form(l, s)) listed += l + "\n";
    if (listed.empty()) continue;  // not a ruleset command: checked above
    for (const auto& w : option_words(s.args))
      EXPECT_TRUE(has_word(listed, w))
          << "xlb.conf(5) lists `" << form(s) << "` without its option " << w;
  }
}

namespace {

// The text of groff's alternating-font macro lines (.BR gue " [" port ...)
// as they render: the arguments joined without blanks.
std::string rendered_alternations(const std::string& raw) {
  static const std::regex macro(R"(^\.(BR|RB|BI|IB|IR|RI) (.*)$)");
  static const std::regex arg(R"re("([^"]*)"|(\S+))re");
  std::string out;
  std::istringstream in(raw);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (!std::regex_match(l, m, macro)) continue;
    std::string args = m[2].str(), joined;
    for (auto it = std::sregex_iterator(args.begin(), args.end(), arg);
         it != std::sregex_iterator(); ++it)
      joined += (*it)[1].matched ? (*it)[1].str() : (*it)[2].str();
    out += plain_groff(joined) + "\n";
  }
  return out;
}

}  // namespace

// A keyword and its argument never run together ("gue [portP]"): groff's
// alternating-font macros drop the blanks between their arguments.
TEST_F(Docs, ManPagesKeepTheBlankAfterOptionKeywords) {
  for (const char* page : {"xlb.8", "xlb.conf.5"}) {
    std::string text = rendered_alternations(read(source_root() / "man" / page));
    std::smatch m;
    EXPECT_FALSE(std::regex_search(text, m, std::regex(R"(\[[a-z-]+[A-Z])")))
        << "man/" << page << " renders " << m.str();
  }
}
