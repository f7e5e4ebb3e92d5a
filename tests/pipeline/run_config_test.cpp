#include "dotpe/pipeline/run_config.hpp"

#include <gtest/gtest.h>

#include "dotpe/core/error.hpp"
#include "test_paths.hpp"

namespace dotpe::pipeline {
namespace {

RunConfig minimal_config() {
  RunConfig config;
  config.event = "event.h5";
  config.banks = {"bank.h5"};
  config.n_ext = 1024;
  config.n_phi = 50;
  config.n_t = 128;
  config.rundir = "run";
  return config;
}

void expect_error_mentioning(const RunConfig& config, const std::string& text) {
  try {
    config.validate();
    FAIL() << "accepted a configuration that should mention " << text;
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
  }
}

TEST(RunConfig, DefaultsAreThoseOfInferenceRun) {
  const RunConfig config;
  EXPECT_EQ(config.blocksize, 512);
  EXPECT_EQ(config.single_detector_blocksize, 512);
  EXPECT_EQ(config.size_limit, 10'000'000);
  EXPECT_TRUE(config.draw_subset);
  EXPECT_EQ(config.max_incoherent_lnlike_drop, 20.0);
  EXPECT_EQ(config.max_bestfit_lnlike_diff, 20.0);
  EXPECT_NO_THROW(minimal_config().validate());
}

TEST(RunConfig, EachMissingOrBadOptionIsNamed) {
  RunConfig config = minimal_config();
  config.rundir.reset();
  expect_error_mentioning(config, "--rundir");
  config = minimal_config();
  config.n_ext = 0;
  expect_error_mentioning(config, "--n-ext");
  config = minimal_config();
  config.banks.clear();
  expect_error_mentioning(config, "--bank");
  config = minimal_config();
  config.n_int = {10, 20};
  expect_error_mentioning(config, "--n-int");
  config = minimal_config();
  config.load_inds = true;
  expect_error_mentioning(config, "--inds-path");
}

TEST(RunConfig, NIntAppliesToEveryBankOrPerBank) {
  RunConfig config = minimal_config();
  config.banks = {"a.h5", "b.h5"};
  EXPECT_FALSE(config.n_int_of_bank(1).has_value());
  config.n_int = {100};
  EXPECT_EQ(config.n_int_of_bank(1), 100);
  config.n_int = {100, 200};
  EXPECT_EQ(config.n_int_of_bank(1), 200);
}

TEST(RunConfig, EventDirGetsTheNextRunNumber) {
  const auto directory = testing::fresh_work_dir("run_numbers");
  RunConfig config = minimal_config();
  config.rundir.reset();
  config.event_dir = directory;
  EXPECT_EQ(resolve_run_directory(config), directory / "run_1");
  std::filesystem::create_directories(directory / "run_1");
  std::filesystem::create_directories(directory / "run_7");
  std::filesystem::create_directories(directory / "run_x");
  EXPECT_EQ(resolve_run_directory(config), directory / "run_8");
  config.rundir = directory / "explicit";
  EXPECT_EQ(resolve_run_directory(config), directory / "explicit");
}

TEST(RunConfig, ListsSplitOnCommas) {
  EXPECT_EQ(split_list({"a.h5,b.h5", "c.h5", ",d.h5,"}),
            (std::vector<std::string>{"a.h5", "b.h5", "c.h5", "d.h5"}));
}

TEST(RunConfig, JsonRecordsEveryOption) {
  RunConfig config = minimal_config();
  config.seed = 42;
  const auto json = config.to_json();
  EXPECT_EQ(json["n_ext"], 1024);
  EXPECT_EQ(json["seed"], 42);
  EXPECT_TRUE(json["mchirp_guess"].is_null());
  EXPECT_EQ(json["bank_folder"][0], "bank.h5");
  EXPECT_EQ(json.size(), 29U);
}

TEST(RunConfig, ResultOptionsLeaveOutWhereAndHowTheRunIsWritten) {
  RunConfig config = minimal_config();
  const auto options = config.result_options();
  for (const char* key : {"rundir", "event_dir", "profile", "resume", "overwrite"}) {
    EXPECT_FALSE(options.contains(key)) << key;
  }
  EXPECT_TRUE(options.contains("n_phi"));
  RunConfig moved = config;
  moved.rundir = "elsewhere";
  moved.profile = true;
  EXPECT_EQ(moved.result_options(), options);
}

TEST(RunConfig, RefusesAbsurdSizes) {
  RunConfig config = minimal_config();
  config.n_phi = 10'000'000;
  EXPECT_THROW(config.validate(), Error);
  config = minimal_config();
  config.blocksize = 0;
  EXPECT_THROW(config.validate(), Error);
}

}  // namespace
}  // namespace dotpe::pipeline
