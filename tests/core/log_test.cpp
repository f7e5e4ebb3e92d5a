#include "dotpe/core/log.hpp"

#include <gtest/gtest.h>

#include "dotpe/core/error.hpp"

namespace dotpe {
namespace {

TEST(Log, ParsesLevelsAndRejectsUnknownOnes) {
  EXPECT_EQ(log::parse_level("debug"), log::Level::debug);
  EXPECT_EQ(log::parse_level("warning"), log::Level::warning);
  EXPECT_THROW(log::parse_level("loud"), Error);
}

TEST(Log, LevelFiltersMessages) {
  log::set_level(log::Level::error);
  ::testing::internal::CaptureStderr();
  log::info("hidden {}", 1);
  log::error("shown {}", 2);
  const std::string output = ::testing::internal::GetCapturedStderr();
  log::set_level(log::Level::info);
  EXPECT_EQ(output.find("hidden"), std::string::npos);
  EXPECT_NE(output.find("shown 2"), std::string::npos);
}

TEST(Log, RankPrefixUnderMpi) {
  log::set_rank(3, 8);
  ::testing::internal::CaptureStderr();
  log::warning("hello");
  const std::string output = ::testing::internal::GetCapturedStderr();
  log::set_rank(0, 1);
  EXPECT_NE(output.find("[rank 3]"), std::string::npos);
}

TEST(Error, FormatsItsMessage) {
  try {
    require(false, "file '{}' has {} rows", "bank.h5", 3);
    FAIL() << "require(false) did not throw";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "file 'bank.h5' has 3 rows");
  }
}

}  // namespace
}  // namespace dotpe
