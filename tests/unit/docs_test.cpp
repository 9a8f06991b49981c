// The command table, the man pages and the bash completion agree (as
// bpftool's tests check its own): every command form of command_specs() is
// documented in xlb(8) as `xlb OBJECT VERB` and known to completions/xlb,
// and xlb.conf(5) documents the ruleset language.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

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
  for (const char* ref :
       {"xlb.conf (5)", "xlb-healthd (8)", "ipvsadm (8)", "nft (8)", "bpftool (8)"}) {
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
