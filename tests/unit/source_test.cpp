#include "base/source.hpp"

#include <gtest/gtest.h>

namespace xlb {
namespace {

SourceError at(std::string file, int line, int col, int length, std::string text) {
  return SourceError{SourcePos{std::move(file), line, col}, length, "bad thing", std::move(text)};
}

TEST(Source, RendersHeaderLineAndCarets) {
  EXPECT_EQ(render_error(at("web.conf", 3, 13, 3, "service add web tcp")),
            "web.conf:3:13: error: bad thing\n"
            "service add web tcp\n"
            "            ^~~\n");
}

TEST(Source, SingleCharacterGetsOnlyACaret) {
  EXPECT_EQ(render_error(at("a", 1, 1, 1, "x")), "a:1:1: error: bad thing\nx\n^\n");
}

TEST(Source, ZeroLengthStillGetsACaret) {
  EXPECT_EQ(render_error(at("a", 1, 2, 0, "xy")), "a:1:2: error: bad thing\nxy\n ^\n");
}

TEST(Source, TabsAreKeptSoCaretsAlign) {
  // "\tservice\t" is 9 bytes: "add" starts at column 10.
  EXPECT_EQ(render_error(at("t.conf", 2, 10, 3, "\tservice\tadd web")),
            "t.conf:2:10: error: bad thing\n"
            "\tservice\tadd web\n"
            "\t       \t^~~\n");
}

TEST(Source, Utf8SequencesTakeOneColumn) {
  // "café x": é is two bytes, so x is byte column 7 but screen column 6.
  EXPECT_EQ(render_error(at("u", 1, 7, 1, "caf\xc3\xa9 x")),
            "u:1:7: error: bad thing\ncaf\xc3\xa9 x\n     ^\n");
  // A token holding a multi-byte character gets one '~' per character.
  EXPECT_EQ(render_error(at("u", 1, 1, 5, "caf\xc3\xa9 x")),
            "u:1:1: error: bad thing\ncaf\xc3\xa9 x\n^~~~\n");
}

TEST(Source, UnderlineStopsAtEndOfLine) {
  EXPECT_EQ(render_error(at("a", 1, 3, 40, "abcd")), "a:1:3: error: bad thing\nabcd\n  ^~\n");
}

TEST(Source, CaretAfterEndOfLineForMissingWords) {
  EXPECT_EQ(render_error(at("a", 1, 4, 1, "abc")), "a:1:4: error: bad thing\nabc\n   ^\n");
  // A column beyond that is a caller's mistake: the caret stays at the end.
  EXPECT_EQ(render_error(at("a", 1, 1000000, 1, "abc")),
            "a:1:1000000: error: bad thing\nabc\n   ^\n");
}

TEST(Source, ControlCharactersInTheLineAreBlanked) {
  EXPECT_EQ(render_error(at("a", 1, 3, 1, "a\rbc")), "a:1:3: error: bad thing\na bc\n  ^\n");
}

TEST(Source, StdinIsShownByName) {
  EXPECT_EQ(display_name("-"), "<stdin>");
  EXPECT_EQ(display_name("x.conf"), "x.conf");
  EXPECT_EQ(render_error(at("-", 4, 1, 1, "y")), "<stdin>:4:1: error: bad thing\ny\n^\n");
}

TEST(Source, NoLineMeansHeaderOnly) {
  EXPECT_EQ(render_error(at("x.conf", 0, 0, 1, "")), "x.conf: error: bad thing\n");
  EXPECT_EQ(render_error(at("", 0, 0, 1, "")), "error: bad thing\n");
}

TEST(Source, FormatPos) {
  EXPECT_EQ(format_pos(SourcePos{"<cmdline>", 1, 9}), "<cmdline>:1:9");
  EXPECT_EQ(format_pos(SourcePos{"f", 0, 0}), "f");
  EXPECT_EQ(format_pos(SourcePos{}), "");
}

TEST(Source, ToErrorIsOneUsageLine) {
  Error e = to_error(at("-", 2, 7, 1, "ignored"));
  EXPECT_EQ(e.kind, ErrorKind::usage);
  EXPECT_EQ(e.message, "<stdin>:2:7: bad thing");
  EXPECT_EQ(to_error(at("", 0, 0, 1, "")).message, "bad thing");
}

}  // namespace
}  // namespace xlb
