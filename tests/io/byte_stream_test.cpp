#include "shipml/io/byte_stream.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "io/io_helpers.hpp"
#include "shipml/io/file.hpp"
#include "support.hpp"

namespace shipml {
namespace {

namespace fs = std::filesystem;

// Text long enough to take several buffers of every reader and writer.
std::string sample_text(std::size_t rows = 60000) {
  std::string text = "id,name,value\n";
  for (std::size_t i = 0; i < rows; ++i)
    text += std::to_string(i) + ",name " + std::to_string(i % 97) + "," + std::to_string(i * 0.25) + "\n";
  return text;
}

void write_compressed(const std::string& path, const std::string& text, Compression how) {
  AtomicFileWriter out(path, how);
  out.write(text.substr(0, text.size() / 3));
  out.write(text.substr(text.size() / 3));
  out.commit();
}

// Every way of reading: whole, and through a reader in small odd pieces.
std::string read_in_pieces(const std::string& path) {
  auto reader = open_byte_reader(path);
  std::string out;
  char piece[777];
  while (const std::size_t n = reader->read(piece, sizeof piece)) out.append(piece, n);
  return out;
}

TEST(ByteStream, GzipAndZstdReadBackAsWritten) {
  test::TempDir tmp;
  const std::string text = sample_text();
  for (const auto& [name, how] : {std::pair{"x.csv.gz", Compression::gzip}, std::pair{"x.csv.zst", Compression::zstd},
                                  std::pair{"x.csv", Compression::none}}) {
    const std::string path = tmp.file(name);
    write_compressed(path, text, how);
    EXPECT_EQ(detect_compression(path), how) << name;
    EXPECT_EQ(compression_for(path), how) << name;
    EXPECT_EQ(read_text(path), text) << name;
    EXPECT_EQ(read_in_pieces(path), text) << name;
    EXPECT_EQ(open_byte_reader(path)->compression(), how) << name;
    if (how != Compression::none) EXPECT_LT(fs::file_size(path), text.size() / 2) << name;
  }
}

TEST(ByteStream, TheFirstBytesDecideNotTheName) {
  test::TempDir tmp;
  const std::string text = sample_text(100);
  write_compressed(tmp.file("really_gzip.csv"), text, Compression::gzip);
  EXPECT_EQ(read_text(tmp.file("really_gzip.csv")), text);
  write_file_atomic(tmp.file("plain.csv.gz"), text);
  EXPECT_EQ(read_text(tmp.file("plain.csv.gz")), text);
}

TEST(ByteStream, ConcatenatedGzipMembersAndZstdFramesReadAsOne) {
  // `cat a.gz b.gz > c.gz` and `cat a.zst b.zst > c.zst` are valid archives of both texts.
  test::TempDir tmp;
  const std::string a = sample_text(3000), b = "more,text\nwithout,final newline";
  for (const auto& [ext, how] : {std::pair{".gz", Compression::gzip}, std::pair{".zst", Compression::zstd}}) {
    write_compressed(tmp.file(std::string("a") + ext), a, how);
    write_compressed(tmp.file(std::string("b") + ext), b, how);
    write_compressed(tmp.file(std::string("empty") + ext), "", how);
    const std::string joined = read_file(tmp.file(std::string("a") + ext)) +
                               read_file(tmp.file(std::string("empty") + ext)) +
                               read_file(tmp.file(std::string("b") + ext));
    const std::string path = tmp.file(std::string("ab.csv") + ext);
    write_file_atomic(path, joined);
    EXPECT_EQ(read_text(path), a + b) << ext;
    EXPECT_EQ(read_in_pieces(path), a + b) << ext;
  }
}

TEST(ByteStream, TruncatedOrCorruptArchivesNameTheFile) {
  test::TempDir tmp;
  const std::string text = sample_text(5000);
  for (const auto& [ext, how, kind] :
       {std::tuple{".gz", Compression::gzip, "gzip"}, std::tuple{".zst", Compression::zstd, "zstd"}}) {
    const std::string whole = tmp.file(std::string("whole.csv") + ext);
    write_compressed(whole, text, how);
    const std::string bytes = read_file(whole);

    const std::string cut = tmp.file(std::string("x.csv") + ext);
    write_file_atomic(cut, bytes.substr(0, bytes.size() - 9));
    EXPECT_EQ(test::error_of([&] { read_text(cut); }), cut + ": truncated " + kind + " data");
    EXPECT_EQ(test::error_of([&] { read_in_pieces(cut); }), cut + ": truncated " + kind + " data");
    write_file_atomic(cut, bytes.substr(0, 6));
    EXPECT_EQ(test::error_of([&] { read_text(cut); }), cut + ": truncated " + kind + " data");

    std::string damaged = bytes;
    for (std::size_t i = damaged.size() / 2; i < damaged.size() / 2 + 64; ++i)
      damaged[i] = static_cast<char>(~damaged[i]);
    write_file_atomic(cut, damaged);
    const std::string error = test::error_of([&] { read_text(cut); });
    EXPECT_TRUE(error.starts_with(cut + ": corrupt " + kind + " data")) << error;
  }
}

TEST(ByteStream, ReadTextOfMissingAndEmptyFiles) {
  test::TempDir tmp;
  EXPECT_EQ(test::error_of([&] { read_text(tmp.file("none.csv")); }),
            tmp.file("none.csv") + ": cannot open: No such file or directory");
  write_file_atomic(tmp.file("empty"), "");
  EXPECT_EQ(read_text(tmp.file("empty")), "");
  EXPECT_EQ(read_file(tmp.file("empty")), "");
}

TEST(AtomicFileWriter, NothingAppearsUntilCommit) {
  test::TempDir tmp;
  const std::string path = tmp.file("out.csv.zst");
  {
    AtomicFileWriter out(path, Compression::zstd);
    out.write("a,b\n1,2\n");
    EXPECT_TRUE(fs::exists(out.temporary()));
    EXPECT_FALSE(fs::exists(path));
  }
  EXPECT_TRUE(fs::is_empty(tmp.path())) << "an abandoned writer leaves nothing";
  AtomicFileWriter out(path, Compression::zstd);
  out.write("a,b\n1,2\n");
  out.commit();
  EXPECT_EQ(read_text(path), "a,b\n1,2\n");
  EXPECT_FALSE(fs::exists(out.temporary()));
}

TEST(AtomicFileWriter, ReplacesTheOldFileWhole) {
  test::TempDir tmp;
  const std::string path = tmp.file("f.txt");
  write_file_atomic(path, "old");
  {
    AtomicFileWriter out(path);
    out.write("new, but abandoned");
  }
  EXPECT_EQ(read_file(path), "old");
  write_file_atomic(path, "new");
  EXPECT_EQ(read_file(path), "new");
}

TEST(AtomicFileWriter, AFullDiskIsAnErrorThatLeavesNothing) {
  test::TempDir tmp;
  for (const auto how : {Compression::none, Compression::gzip, Compression::zstd}) {
    const std::string path = tmp.file("full.csv");
    AtomicFileWriter out(path, how);
    ASSERT_TRUE(test::make_writes_fail(out.temporary()));
    const std::string error = test::error_of([&] {
      out.write(sample_text(20000));
      out.commit();
    });
    EXPECT_EQ(error, path + ": write failed: No space left on device") << to_string(how);
    EXPECT_TRUE(fs::is_empty(tmp.path())) << to_string(how);
    EXPECT_THROW(out.write("more"), FileError);
  }
}

TEST(AtomicFileWriter, AnUnwritableFolderNamesTheTarget) {
  EXPECT_EQ(test::error_of([] { AtomicFileWriter("/nonexistent/dir/x.csv"); }),
            "/nonexistent/dir/x.csv: cannot write: No such file or directory");
}

}  // namespace
}  // namespace shipml
