#include "config/lexer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace xlb {
namespace {

namespace fs = std::filesystem;
using Words = std::vector<std::vector<std::string>>;

Words words_of(const std::vector<Statement>& statements) {
  Words out;
  for (const Statement& st : statements) {
    out.emplace_back();
    for (const Token& t : st.tokens) out.back().push_back(t.text);
  }
  return out;
}

Words lex_words(std::string_view text) {
  SourceError err;
  auto r = lex_text(text, "t.conf", &err);
  EXPECT_TRUE(r.ok()) << render_error(err);
  return r.ok() ? words_of(*r) : Words{};
}

std::vector<Statement> lex_ok(std::string_view text) {
  SourceError err;
  auto r = lex_text(text, "t.conf", &err);
  EXPECT_TRUE(r.ok()) << render_error(err);
  return r.ok() ? *r : std::vector<Statement>{};
}

// The error lexing text gives, as "LINE:COL+LENGTH message".
std::string lex_error(std::string_view text) {
  SourceError err;
  auto r = lex_text(text, "t.conf", &err);
  if (r.ok()) return "no error";
  EXPECT_EQ(r.error().kind, ErrorKind::usage);
  EXPECT_EQ(r.error().message, to_error(err).message);
  return std::to_string(err.pos.line) + ":" + std::to_string(err.pos.col) + "+" +
         std::to_string(err.length) + " " + err.message;
}

// ---------------------------------------------------------------------------
// Words, strings, comments, statements.

TEST(Lexer, SplitsWordsOnBlanksWithPositions) {
  auto st = lex_ok("service  add\tweb tcp 192.0.2.10:80");
  ASSERT_EQ(st.size(), 1u);
  ASSERT_EQ(st[0].tokens.size(), 5u);
  const Token& t = st[0].tokens[2];
  EXPECT_EQ(t.text, "web");
  EXPECT_EQ(t.pos.file, "t.conf");
  EXPECT_EQ(t.pos.line, 1);
  EXPECT_EQ(t.pos.col, 14);
  EXPECT_EQ(t.length, 3);
  EXPECT_FALSE(t.quoted);
  EXPECT_EQ(st[0].tokens[4].pos.col, 22);
}

TEST(Lexer, NewlinesAndSemicolonsEndStatements) {
  EXPECT_EQ(lex_words("a b; c\nd\n"), (Words{{"a", "b"}, {"c"}, {"d"}}));
  EXPECT_EQ(lex_words("a;b"), (Words{{"a"}, {"b"}}));
}

TEST(Lexer, EmptyStatementsVanish) {
  EXPECT_EQ(lex_words(""), Words{});
  EXPECT_EQ(lex_words(" ;; \n\n\t;\n# only a comment\n"), Words{});
}

TEST(Lexer, CrLfLineEndsAreBlanks) {
  EXPECT_EQ(lex_words("a b\r\nc\r\n"), (Words{{"a", "b"}, {"c"}}));
}

TEST(Lexer, CommentsRunToEndOfLine) {
  EXPECT_EQ(lex_words("a b # c d; e\n#f\ng"), (Words{{"a", "b"}, {"g"}}));
}

TEST(Lexer, HashInsideAWordOrStringIsText) {
  EXPECT_EQ(lex_words("a#b \"c # d\""), (Words{{"a#b", "c # d"}}));
}

TEST(Lexer, QuotedStringIsOneToken) {
  auto st = lex_ok("comment \"two words; here\" x");
  ASSERT_EQ(st.size(), 1u);
  const Token& t = st[0].tokens[1];
  EXPECT_EQ(t.text, "two words; here");
  EXPECT_TRUE(t.quoted);
  EXPECT_EQ(t.pos.col, 9);
  EXPECT_EQ(t.length, 17);  // quotes included
}

TEST(Lexer, StringEscapes) {
  auto st = lex_ok(R"(x "a\"b\\c\d")");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(st[0].tokens[1].text, R"(a"b\c\d)");
  EXPECT_EQ(st[0].tokens[1].length, 11);
}

TEST(Lexer, EmptyString) {
  auto st = lex_ok("x \"\"");
  ASSERT_EQ(st[0].tokens.size(), 2u);
  EXPECT_EQ(st[0].tokens[1].text, "");
  EXPECT_TRUE(st[0].tokens[1].quoted);
}

TEST(Lexer, BackslashNewlineContinuesTheStatement) {
  auto st = lex_ok("service add web \\\n    tcp 192.0.2.10:80\nbackend list");
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(words_of(st)[0],
            (std::vector<std::string>{"service", "add", "web", "tcp", "192.0.2.10:80"}));
  EXPECT_EQ(st[0].tokens[3].pos.line, 2);
  EXPECT_EQ(st[0].tokens[3].pos.col, 5);
  EXPECT_EQ(st[0].first_line, 1);
  EXPECT_EQ(st[0].last_line, 2);
  EXPECT_EQ(st[0].line(1), "service add web \\");
  EXPECT_EQ(st[0].line(2), "    tcp 192.0.2.10:80");
  EXPECT_EQ(st[0].line(3), "");  // not the statement's
  EXPECT_EQ(st[1].tokens[0].pos.line, 3);
}

TEST(Lexer, ContinuationMayHaveTrailingBlanks) {
  EXPECT_EQ(lex_words("a \\  \r\nb"), (Words{{"a", "b"}}));
  EXPECT_EQ(lex_words("a\\\nb"), (Words{{"a", "b"}}));
}

TEST(Lexer, BackslashInsideALineIsText) {
  EXPECT_EQ(lex_words("a\\b \\ c"), (Words{{"a\\b", "\\", "c"}}));
}

TEST(Lexer, Utf8TextIsFine) {
  EXPECT_EQ(lex_words("# caf\xc3\xa9\nx \"\xe2\x82\xac\""), (Words{{"x", "\xe2\x82\xac"}}));
}

// ---------------------------------------------------------------------------
// Variables.

TEST(Lexer, DefineAndUse) {
  auto st = lex_ok("define VIP = 192.0.2.10\nservice add web tcp $VIP");
  ASSERT_EQ(st.size(), 1u);  // the define is consumed
  const Token& t = st[0].tokens[4];
  EXPECT_EQ(t.text, "192.0.2.10");
  // The word stands where $VIP stood.
  EXPECT_EQ(t.pos.line, 2);
  EXPECT_EQ(t.pos.col, 21);
  EXPECT_EQ(t.length, 4);
}

TEST(Lexer, ValueOfSeveralWords) {
  auto st = lex_ok("define B = 198.51.100.1 weight 2\nbackend add web $B");
  ASSERT_EQ(st.size(), 1u);
  EXPECT_EQ(words_of(st)[0],
            (std::vector<std::string>{"backend", "add", "web", "198.51.100.1", "weight", "2"}));
  for (size_t i = 3; i < 6; i++) EXPECT_EQ(st[0].tokens[i].pos.col, 17);
}

TEST(Lexer, DefineWithoutBlanksAroundEquals) {
  EXPECT_EQ(lex_words("define A=1\ndefine B= 2\ndefine C =3\nx $A $B $C"),
            (Words{{"x", "1", "2", "3"}}));
  EXPECT_EQ(lex_words("define A = x=y\nz $A"), (Words{{"z", "x=y"}}));
}

TEST(Lexer, QuotedValueStaysQuoted) {
  auto st = lex_ok("define C = \"a b\"\nx $C");
  ASSERT_EQ(st[0].tokens.size(), 2u);
  EXPECT_EQ(st[0].tokens[1].text, "a b");
  EXPECT_TRUE(st[0].tokens[1].quoted);
}

TEST(Lexer, VariableInsideAWord) {
  EXPECT_EQ(lex_words("define VIP = 192.0.2.10\ndefine V6 = 2001:db8::10\nx $VIP:80 [$V6]:53"),
            (Words{{"x", "192.0.2.10:80", "[2001:db8::10]:53"}}));
}

TEST(Lexer, NoVariablesInsideStrings) {
  auto st = lex_ok("x \"$NOPE\"");
  EXPECT_EQ(st[0].tokens[1].text, "$NOPE");
}

TEST(Lexer, ValueIsFixedWhenDefined) {
  EXPECT_EQ(lex_words("define A = 1\ndefine B = $A 2\nredefine A = 9\nx $B $A"),
            (Words{{"x", "1", "2", "9"}}));
  EXPECT_EQ(lex_words("define A = 1\nredefine A = $A 2\nx $A"), (Words{{"x", "1", "2"}}));
}

TEST(Lexer, RedefineOfANewName) {
  EXPECT_EQ(lex_words("redefine A = 1\nx $A"), (Words{{"x", "1"}}));
}

TEST(Lexer, DefineOnlyAsFirstWord) {
  EXPECT_EQ(lex_words("x define A = 1\n\"define\" y"),
            (Words{{"x", "define", "A", "=", "1"}, {"define", "y"}}));
}

TEST(Lexer, Undefine) {
  EXPECT_EQ(lex_error("define A = 1\nundefine A\nx $A"), "3:3+2 undefined variable '$A'");
}

TEST(Lexer, UseBeforeDefineIsAnError) {
  EXPECT_EQ(lex_error("x $A\ndefine A = 1"), "1:3+2 undefined variable '$A'");
}

TEST(Lexer, DefineErrors) {
  EXPECT_EQ(lex_error("define A = 1\n  define A = 2"),
            "2:10+1 variable 'A' is already defined at t.conf:1:8; use redefine to change it");
  EXPECT_EQ(lex_error("define"), "1:7+1 expected a variable name after 'define'");
  EXPECT_EQ(lex_error("redefine = 3"), "1:10+1 expected a variable name after 'redefine'");
  EXPECT_EQ(lex_error("define 1x = 2"),
            "1:8+2 invalid variable name '1x': letters, digits and '_', not starting with a digit");
  EXPECT_EQ(
      lex_error("define a-b = 2"),
      "1:8+3 invalid variable name 'a-b': letters, digits and '_', not starting with a digit");
  EXPECT_EQ(lex_error("define \"A\" = 2"),
            "1:8+3 invalid variable name 'A': letters, digits and '_', not starting with a digit");
  EXPECT_EQ(lex_error("define A"), "1:9+1 expected '=' after 'define A'");
  EXPECT_EQ(lex_error("define A 3"), "1:10+1 expected '=' after 'define A'");
  EXPECT_EQ(lex_error("define A ="), "1:11+1 expected a value after 'define A ='");
  EXPECT_EQ(lex_error("define A="), "1:10+1 expected a value after 'define A ='");
}

TEST(Lexer, VariableErrors) {
  EXPECT_EQ(lex_error("a $NOPE b"), "1:3+5 undefined variable '$NOPE'");
  EXPECT_EQ(lex_error("a x$NOPE:1"), "1:4+5 undefined variable '$NOPE'");
  EXPECT_EQ(lex_error("a $"), "1:3+1 '$' must be followed by a variable name");
  EXPECT_EQ(lex_error("a $1x"), "1:3+1 '$' must be followed by a variable name");
  EXPECT_EQ(lex_error("a b$"), "1:4+1 '$' must be followed by a variable name");
  EXPECT_EQ(lex_error("define A = x y\nb $A:1"),
            "2:3+2 variable '$A' has several words and cannot be part of a word");
}

TEST(Lexer, UndefineErrors) {
  EXPECT_EQ(lex_error("undefine"), "1:9+1 expected a variable name after 'undefine'");
  EXPECT_EQ(lex_error("undefine A"), "1:10+1 variable 'A' is not defined");
  EXPECT_EQ(lex_error("define A = 1\nundefine A B"), "2:12+1 unexpected 'B' after 'undefine A'");
}

TEST(Lexer, ExpansionIsBounded) {
  // 10 words, then 100, 1000, 10000: the limit; twice that is too much.
  std::string text = "define A = x x x x x x x x x x\n";
  text += "define B = $A $A $A $A $A $A $A $A $A $A\n";
  text += "define C = $B $B $B $B $B $B $B $B $B $B\n";
  text += "define D = $C $C $C $C $C $C $C $C $C $C\n";
  EXPECT_EQ(lex_words(text + "$D").at(0).size(), 10000u);
  EXPECT_EQ(lex_error(text + "define E = $D $D"),
            "5:15+2 variable expansion too large: more than 10000 words");
  std::string word(40000, 'w');
  EXPECT_EQ(lex_error("define W = " + word + "\nz $W$W"),
            "2:3+4 variable expansion too large: a word of more than 65536 bytes");
}

// ---------------------------------------------------------------------------
// Lexical errors.

TEST(Lexer, UnterminatedString) {
  EXPECT_EQ(lex_error("a \"abc"), "1:3+4 unterminated string");
  EXPECT_EQ(lex_error("ok\na \"abc\nb\""), "2:3+4 unterminated string");
  EXPECT_EQ(lex_error("a \"abc\\\""), "1:3+6 unterminated string");
}

TEST(Lexer, BackslashAtEndOfFile) {
  EXPECT_EQ(lex_error("a \\"), "1:3+1 line continuation '\\' at end of file");
  EXPECT_EQ(lex_error("a\nb \\\n"), "2:3+1 line continuation '\\' at end of file");
  EXPECT_EQ(lex_error("a \\  "), "1:3+1 line continuation '\\' at end of file");
}

TEST(Lexer, StringsNeedBlanksAround) {
  EXPECT_EQ(lex_error("a\"b\""), "1:2+1 missing blank before string");
  EXPECT_EQ(lex_error("\"a\"b"), "1:4+1 missing blank after string");
  EXPECT_EQ(lex_error("\"a\"\"b\""), "1:4+1 missing blank after string");
  EXPECT_EQ(lex_words("\"a\";\"b\"\\\nc"), (Words{{"a"}, {"b", "c"}}));
}

TEST(Lexer, BinaryData) {
  EXPECT_EQ(lex_error(std::string("ab\0c", 4)), "1:3+1 binary data: NUL byte");
  EXPECT_EQ(lex_error("ok\nx \xff y"), "2:3+1 binary data: invalid UTF-8");
  EXPECT_EQ(lex_error("\x1b[31m"), "1:1+1 binary data: control character 0x1b");
  EXPECT_EQ(lex_error("\xc0\xaf"), "1:1+1 binary data: invalid UTF-8");      // overlong '/'
  EXPECT_EQ(lex_error("\xed\xa0\x80"), "1:1+1 binary data: invalid UTF-8");  // surrogate
  EXPECT_EQ(lex_error("caf\xc3"), "1:4+1 binary data: invalid UTF-8");       // cut short
  SourceError err;
  ASSERT_FALSE(lex_text("a \xff\xfe b\n", "t", &err).ok());
  EXPECT_EQ(err.line_text, "a ?? b");  // shown safely
}

TEST(Lexer, RenderedError) {
  SourceError err;
  ASSERT_FALSE(
      lex_text("define P = 80\n\tservice add web tcp 192.0.2.10:$PORT\n", "web.conf", &err).ok());
  EXPECT_EQ(render_error(err),
            "web.conf:2:33: error: undefined variable '$PORT'\n"
            "\tservice add web tcp 192.0.2.10:$PORT\n"
            "\t                               ^~~~~\n");
}

// ---------------------------------------------------------------------------
// Statement helpers for the parser.

TEST(Lexer, StatementErrorsCarryTheirLine) {
  auto st = lex_ok("x\nservice add \\\n  web tcp");
  ASSERT_EQ(st.size(), 2u);
  SourceError e = st[1].error_at(st[1].tokens[2], "no such service");
  EXPECT_EQ(e.pos.line, 3);
  EXPECT_EQ(e.pos.col, 3);
  EXPECT_EQ(e.length, 3);
  EXPECT_EQ(e.line_text, "  web tcp");
  SourceError end = st[1].error_at_end("missing address");
  EXPECT_EQ(render_error(end), "t.conf:3:10: error: missing address\n  web tcp\n         ^\n");
  Statement empty;
  EXPECT_EQ(empty.error_at_end("m").message, "m");
}

TEST(Lexer, CommandLineName) {
  auto r = lex_text("service list", "<cmdline>", nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at(0).tokens[1].pos.file, "<cmdline>");
  auto bad = lex_text("x $Y", "<cmdline>", nullptr);  // a null err is fine
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "<cmdline>:1:3: undefined variable '$Y'");
}

// ---------------------------------------------------------------------------
// Files and includes, in a scratch directory.

class LexerFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/xlb-lexer-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string file_error(const std::string& path) {
    SourceError err;
    auto r = lex_file(path, &err);
    if (r.ok()) return "no error";
    EXPECT_EQ(r.error().message, to_error(err).message);
    return err.pos.file.str() + ":" + std::to_string(err.pos.line) + ":" +
           std::to_string(err.pos.col) + "+" + std::to_string(err.length) + " " + err.message;
  }

  Words file_words(const std::string& path) {
    SourceError err;
    auto r = lex_file(path, &err);
    EXPECT_TRUE(r.ok()) << render_error(err);
    return r.ok() ? words_of(*r) : Words{};
  }

  std::string dir_;
};

TEST_F(LexerFiles, ReadsAFile) {
  const std::string path = write("main.conf", "a b\nc\n");
  SourceError err;
  auto r = lex_file(path, &err);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(words_of(*r), (Words{{"a", "b"}, {"c"}}));
  EXPECT_EQ(r->at(1).tokens[0].pos.file, path);
}

TEST_F(LexerFiles, MissingFile) {
  SourceError err;
  auto r = lex_file(dir_ + "/nope.conf", &err);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot open '" + dir_ + "/nope.conf': No such file or directory");
  EXPECT_EQ(err.pos.line, 0);
  EXPECT_EQ(render_error(err), "error: " + r.error().message + "\n");
}

TEST_F(LexerFiles, DirectoryIsUnreadable) {
  fs::create_directories(dir_ + "/d");
  SourceError err;
  auto r = lex_file(dir_ + "/d", &err);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(err.message, "cannot read '" + dir_ + "/d': Is a directory");
}

TEST_F(LexerFiles, ReadsStdin) {
  const std::string path = write("in.conf", "x $NOPE\n");
  const int saved = dup(STDIN_FILENO);
  const int fd = open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  dup2(fd, STDIN_FILENO);
  close(fd);
  SourceError err;
  auto r = lex_file("-", &err);
  dup2(saved, STDIN_FILENO);
  close(saved);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(err.pos.file, "-");
  EXPECT_EQ(render_error(err),
            "<stdin>:1:3: error: undefined variable '$NOPE'\nx $NOPE\n  ^~~~~\n");
}

TEST_F(LexerFiles, IncludeIsRelativeToTheIncludingFile) {
  write("sub/a.conf", "a1\ninclude \"b.conf\"\na2\n");
  const std::string b = write("sub/b.conf", "b1\n");
  const std::string main = write("main.conf", "m1\ninclude \"sub/a.conf\"\nm2\n");
  SourceError err;
  auto r = lex_file(main, &err);
  ASSERT_TRUE(r.ok()) << render_error(err);
  EXPECT_EQ(words_of(*r), (Words{{"m1"}, {"a1"}, {"b1"}, {"a2"}, {"m2"}}));
  EXPECT_EQ(r->at(2).tokens[0].pos.file, dir_ + "/sub/b.conf");
  EXPECT_EQ(r->at(2).tokens[0].pos.line, 1);
}

TEST_F(LexerFiles, AbsoluteInclude) {
  const std::string inc = write("x/inc.conf", "i\n");
  const std::string main = write("y/main.conf", "include \"" + inc + "\"\n");
  EXPECT_EQ(file_words(main), (Words{{"i"}}));
}

TEST_F(LexerFiles, IncludeRelativeToTheNameOfText) {
  write("inc.conf", "i\n");
  auto r = lex_text("include \"inc.conf\"", dir_ + "/virtual.conf", nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(words_of(*r), (Words{{"i"}}));
}

TEST_F(LexerFiles, DefinitionsCrossIncludes) {
  write("vars.conf", "define PORT = 80\nuse $VIP\n");
  const std::string main =
      write("main.conf", "define VIP = 192.0.2.10\ninclude \"vars.conf\"\nx $VIP:$PORT\n");
  EXPECT_EQ(file_words(main), (Words{{"use", "192.0.2.10"}, {"x", "192.0.2.10:80"}}));
}

TEST_F(LexerFiles, IncludeNameFromAVariable) {
  write("inc.conf", "i\n");
  const std::string main = write("main.conf", "define F = \"inc.conf\"\ninclude $F\n");
  EXPECT_EQ(file_words(main), (Words{{"i"}}));
}

TEST_F(LexerFiles, GlobIncludesInOrderWithoutDotfilesOrDirectories) {
  write("conf.d/b.conf", "b\n");
  write("conf.d/a.conf", "a\n");
  write("conf.d/.hidden.conf", "hidden\n");
  write("conf.d/c.txt", "txt\n");
  fs::create_directories(dir_ + "/conf.d/d.conf");
  write("conf.d/10-x.conf", "ten\n");
  const std::string main = write("main.conf", "include \"conf.d/*.conf\"\nend\n");
  EXPECT_EQ(file_words(main), (Words{{"ten"}, {"a"}, {"b"}, {"end"}}));
}

TEST_F(LexerFiles, GlobMatchingNothingIsFine) {
  const std::string main = write("main.conf", "include \"none.d/*.conf\"\nend\n");
  EXPECT_EQ(file_words(main), (Words{{"end"}}));
}

TEST_F(LexerFiles, MissingInclude) {
  const std::string main = write("main.conf", "x\ninclude \"nope.conf\"\n");
  EXPECT_EQ(file_error(main),
            main + ":2:9+11 cannot open '" + dir_ + "/nope.conf': No such file or directory");
}

TEST_F(LexerFiles, IncludeOfADirectory) {
  fs::create_directories(dir_ + "/sub");
  const std::string main = write("main.conf", "include \"sub\"\n");
  EXPECT_EQ(file_error(main), main + ":1:9+5 cannot read '" + dir_ + "/sub': Is a directory");
}

TEST_F(LexerFiles, IncludeSyntaxErrors) {
  const std::string m1 = write("m1.conf", "include\n");
  EXPECT_EQ(file_error(m1), m1 + ":1:8+1 expected a file name after 'include'");
  const std::string m2 = write("m2.conf", "include \"a\" \"b\"\n");
  EXPECT_EQ(file_error(m2), m2 + ":1:13+3 unexpected 'b' after the file name");
  const std::string m3 = write("m3.conf", "include \"\"\n");
  EXPECT_EQ(file_error(m3), m3 + ":1:9+2 empty file name");
}

TEST_F(LexerFiles, IncludeCycle) {
  const std::string a = write("a.conf", "include \"b.conf\"\n");
  const std::string b = write("b.conf", "x\n  include \"a.conf\"\n");
  EXPECT_EQ(file_error(a), b + ":2:11+8 include cycle: " + a + " -> " + b + " -> " + a);
}

TEST_F(LexerFiles, SelfIncludeThroughAGlob) {
  const std::string main = write("main.conf", "include \"*.conf\"\n");
  EXPECT_EQ(file_error(main), main + ":1:9+8 include cycle: " + main + " -> " + main);
}

TEST_F(LexerFiles, SameFileTwiceIsNoCycle) {
  write("inc.conf", "i\n");
  const std::string main = write("main.conf", "include \"inc.conf\"\ninclude \"inc.conf\"\n");
  EXPECT_EQ(file_words(main), (Words{{"i"}, {"i"}}));
}

TEST_F(LexerFiles, IncludeDepthIsLimited) {
  // f0 includes f1 ... : sixteen nested includes are fine, a seventeenth is not.
  for (int i = 0; i < 17; i++)
    write("f" + std::to_string(i) + ".conf", "include \"f" + std::to_string(i + 1) + ".conf\"\n");
  write("f17.conf", "deep\n");
  write("f16ok.conf", "deep\n");
  const std::string f16 = dir_ + "/f16.conf";
  EXPECT_EQ(file_error(dir_ + "/f0.conf"),
            f16 + ":1:9+10 includes nested too deeply (more than 16 levels)");
  write("f15.conf", "include \"f16ok.conf\"\n");
  EXPECT_EQ(file_words(dir_ + "/f0.conf"), (Words{{"deep"}}));
}

TEST_F(LexerFiles, ErrorsInsideIncludedFilesPointThere) {
  const std::string inc = write("inc.conf", "ok\nbad \"x\n");
  const std::string main = write("main.conf", "include \"inc.conf\"\n");
  SourceError err;
  ASSERT_FALSE(lex_file(main, &err).ok());
  EXPECT_EQ(render_error(err), inc + ":2:5: error: unterminated string\nbad \"x\n    ^~\n");
  write("inc.conf", std::string("a\0b", 3));
  EXPECT_EQ(file_error(main), inc + ":1:2+1 binary data: NUL byte");
}

}  // namespace
}  // namespace xlb
