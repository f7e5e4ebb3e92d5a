#include "dotpe/io/feather.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

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

}  // namespace
}  // namespace dotpe::io
