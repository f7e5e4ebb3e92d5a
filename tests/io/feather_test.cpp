#include "dotpe/io/feather.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "dotpe/core/error.hpp"
#include "test_paths.hpp"

namespace dotpe::io {
namespace {

class FeatherFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = testing::fresh_work_dir("feather_fixtures_" + std::to_string(getpid()));
    const char* source = std::getenv("DOTPE_TEST_SOURCE_DIR");
    const std::string command = testing::python() + " " +
                                std::string(source != nullptr ? source : "tests") +
                                "/io/make_feather_fixtures.py " + directory_.string();
    ASSERT_EQ(testing::run_command(command), 0) << "fixture generation failed (pyarrow missing "
                                                   "from build/venv? run scripts/python-env)";
  }
  static std::filesystem::path file(const std::string& name) { return directory_ / name; }
  static inline std::filesystem::path directory_;
};

void expect_fixture_values(const FeatherTable& table) {
  ASSERT_EQ(table.rows, 1000U);
  EXPECT_EQ(table.names, (std::vector<std::string>{"x", "n", "f", "i32"}));
  for (std::size_t k = 0; k < table.rows; ++k) {
    ASSERT_EQ(table.columns.at("x")[k], 0.5 * k - 3.0);
    ASSERT_EQ(table.columns.at("n")[k], 7.0 - k);
    ASSERT_EQ(table.columns.at("f")[k], k / 4.0);
    ASSERT_EQ(table.columns.at("i32")[k], static_cast<double>(k));
  }
}

TEST_F(FeatherFiles, ReadsLz4CompressedColumns) {
  expect_fixture_values(read_feather(file("lz4.feather")));
}

TEST_F(FeatherFiles, ReadsUncompressedColumns) {
  expect_fixture_values(read_feather(file("plain.feather")));
}

TEST_F(FeatherFiles, ConcatenatesRecordBatches) {
  expect_fixture_values(read_feather(file("batches.feather")));
}

TEST_F(FeatherFiles, ExplainsWhatItCannotRead) {
  EXPECT_THROW(read_feather(file("zstd.feather")), Error);
  EXPECT_THROW(read_feather(file("strings.feather")), Error);
  EXPECT_THROW(read_feather(file("not.feather")), Error);
  EXPECT_THROW(read_feather(file("absent.feather")), Error);
}

// The LZ4 fixture with the uncompressed-length prefix of its first compressed buffer set to
// `length` (the 8 bytes before the first LZ4 frame magic number 0x184D2204).
std::filesystem::path with_lz4_length(const std::filesystem::path& source, std::int64_t length,
                                      const std::string& name) {
  std::ifstream in(source, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string magic = "\x04\x22\x4d\x18";
  const auto found = std::search(bytes.begin(), bytes.end(), magic.begin(), magic.end());
  EXPECT_TRUE(found != bytes.end() && found - bytes.begin() >= 8);
  std::memcpy(&*(found - 8), &length, 8);
  const auto path = source.parent_path() / name;
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

// Found by fuzz/feather_fuzzer: a compressed buffer declaring a huge (or negative) uncompressed
// length made the reader allocate it (std::bad_alloc, or an out-of-memory abort).
TEST_F(FeatherFiles, RefusesImpossibleUncompressedLengths) {
  for (const std::int64_t length : {std::int64_t{1} << 40, std::int64_t{-5}}) {
    const auto path = with_lz4_length(file("lz4.feather"), length, "bad_length.feather");
    try {
      (void)read_feather(path);
      FAIL() << "accepted an uncompressed length of " << length;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("bad_length.feather"), std::string::npos);
      EXPECT_NE(std::string(error.what()).find("more than LZ4 can"), std::string::npos)
          << error.what();
    }
  }
}

}  // namespace
}  // namespace dotpe::io
