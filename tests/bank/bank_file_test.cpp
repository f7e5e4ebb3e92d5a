#include "dotpe/bank/bank_file.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "dotpe/bank/fbin.hpp"
#include "dotpe/core/error.hpp"
#include "test_paths.hpp"

namespace dotpe::bank {
namespace {

BankConfig small_config(std::size_t size, std::size_t blocksize, WaveformPrecision precision) {
  BankConfig config;
  config.mass_range = {20.0, 30.0, 0.2, 1.0};
  config.f_ref = 50.0;
  config.fbin = {20.0, 30.0, 50.0, 80.0, 130.0, 210.0};
  config.seed = 5;
  config.bank_size = size;
  config.blocksize = blocksize;
  config.approximant = "IMRPhenomHM";
  config.harmonic_modes = {{2, 2}, {2, 1}, {3, 3}, {3, 2}, {4, 4}};
  config.m_arr = m_arr_of(config.harmonic_modes);
  config.precision = precision;
  return config;
}

// A recognisable value per (i, m, p, b), with a large dynamic range like real waveforms.
std::complex<double> synthetic_value(std::size_t i, std::size_t value_index) {
  const double magnitude = 1e-21 * (1.0 + static_cast<double>(i)) / (1.0 + value_index);
  return std::polar(magnitude, 0.1 * static_cast<double>(i) + 0.37 * value_index);
}

void fill_bank(BankFile& bank) {
  const BankConfig& config = bank.config();
  for (std::size_t block = 0; block < config.n_blocks(); ++block) {
    std::vector<std::complex<double>> waveforms;
    for (std::size_t row = 0; row < config.block_rows(block); ++row) {
      for (std::size_t k = 0; k < config.values_per_template(); ++k) {
        waveforms.push_back(synthetic_value(config.block_start(block) + row, k));
      }
    }
    bank.write_block(block, waveforms);
  }
}

TEST(BankFile, ModeGroupsFollowFirstAppearance) {
  EXPECT_EQ(m_arr_of({{2, 2}, {2, 1}, {3, 3}, {3, 2}, {4, 4}}), (std::vector<int>{2, 1, 3, 4}));
  EXPECT_EQ(m_arr_of({{2, 2}}), (std::vector<int>{2}));
}

TEST(BankFile, RoundTripInDoublePrecisionWithAShortLastBlock) {
  const auto path = testing::fresh_work_dir("bank_double") / "bank.h5";
  const BankConfig config = small_config(10, 4, WaveformPrecision::double_precision);
  const auto samples = draw_intrinsic_samples(config.mass_range, config.bank_size, config.seed);
  {
    BankFile bank = BankFile::create(path, config, samples);
    EXPECT_FALSE(bank.complete());
    fill_bank(bank);
    EXPECT_TRUE(bank.complete());
  }
  const BankFile bank = BankFile::open(path);
  EXPECT_EQ(bank.config().fbin, config.fbin);
  EXPECT_EQ(bank.config().m_arr, config.m_arr);
  EXPECT_EQ(bank.config().harmonic_modes, config.harmonic_modes);
  EXPECT_EQ(bank.config().n_blocks(), 3U);
  EXPECT_EQ(bank.config().block_rows(2), 2U);
  const auto read_samples = bank.samples();
  ASSERT_EQ(read_samples.size(), samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(read_samples[i].m1, samples[i].m1);
    EXPECT_EQ(read_samples[i].log_prior_weight, samples[i].log_prior_weight);
  }
  const auto last_block = bank.read_block(2);
  ASSERT_EQ(last_block.size(), 2 * config.values_per_template());
  for (std::size_t k = 0; k < last_block.size(); ++k) {
    const std::size_t i = 8 + k / config.values_per_template();
    ASSERT_EQ(last_block[k], synthetic_value(i, k % config.values_per_template()));
  }
}

TEST(BankFile, SinglePrecisionKeepsSevenDigits) {
  const auto path = testing::fresh_work_dir("bank_single") / "bank.h5";
  const BankConfig config = small_config(6, 3, WaveformPrecision::single_precision);
  {
    BankFile bank = BankFile::create(
        path, config, draw_intrinsic_samples(config.mass_range, config.bank_size, 1));
    fill_bank(bank);
  }
  const BankFile bank = BankFile::open(path);
  const auto block = bank.read_block(1);
  for (std::size_t k = 0; k < block.size(); ++k) {
    const auto expected =
        synthetic_value(3 + k / config.values_per_template(), k % config.values_per_template());
    ASSERT_LT(std::abs(block[k] - expected), 1e-7 * std::abs(expected));
  }
}

TEST(BankFile, ReadsArbitraryTemplatesInTheRequestedOrder) {
  const auto path = testing::fresh_work_dir("bank_indices") / "bank.h5";
  const BankConfig config = small_config(10, 4, WaveformPrecision::double_precision);
  {
    BankFile bank = BankFile::create(
        path, config, draw_intrinsic_samples(config.mass_range, config.bank_size, 1));
    fill_bank(bank);
  }
  const BankFile bank = BankFile::open(path);
  const std::vector<std::size_t> indices = {9, 0, 5, 6, 5};
  const auto templates = bank.read_templates(indices);
  const std::size_t per_template = config.values_per_template();
  ASSERT_EQ(templates.size(), indices.size() * per_template);
  for (std::size_t position = 0; position < indices.size(); ++position) {
    for (std::size_t k = 0; k < per_template; ++k) {
      ASSERT_EQ(templates[position * per_template + k], synthetic_value(indices[position], k));
    }
  }
  const std::vector<std::size_t> outside = {10};
  EXPECT_THROW(bank.read_templates(outside), Error);
}

TEST(BankFile, ReadsSparseTemplatesAcrossGapsAndBlocks) {
  // Rows far apart inside one block are read separately (runs split at gaps > 8 rows).
  const auto path = testing::fresh_work_dir("bank_sparse") / "bank.h5";
  const BankConfig config = small_config(40, 32, WaveformPrecision::double_precision);
  {
    BankFile bank = BankFile::create(
        path, config, draw_intrinsic_samples(config.mass_range, config.bank_size, 2));
    fill_bank(bank);
  }
  const BankFile bank = BankFile::open(path);
  const std::vector<std::size_t> indices = {39, 0, 30, 12, 31, 1, 32, 12};
  const auto templates = bank.read_templates(indices);
  const std::size_t per_template = config.values_per_template();
  for (std::size_t position = 0; position < indices.size(); ++position) {
    for (std::size_t k = 0; k < per_template; ++k) {
      ASSERT_EQ(templates[position * per_template + k], synthetic_value(indices[position], k))
          << "position " << position;
    }
  }
}

TEST(BankFile, RecordsWhichBlocksAreComplete) {
  const auto path = testing::fresh_work_dir("bank_blocks") / "bank.h5";
  const BankConfig config = small_config(10, 4, WaveformPrecision::double_precision);
  {
    BankFile bank = BankFile::create(
        path, config, draw_intrinsic_samples(config.mass_range, config.bank_size, 1));
    bank.write_block(1, std::vector<std::complex<double>>(4 * config.values_per_template()));
  }
  const BankFile bank = BankFile::open(path);
  EXPECT_EQ(bank.completed_blocks(), (std::vector<bool>{false, true, false}));
  EXPECT_FALSE(bank.complete());
}

TEST(BankFile, RejectsInvalidConfigurationsAndForeignFiles) {
  const auto directory = testing::fresh_work_dir("bank_errors");
  BankConfig config = small_config(10, 4, WaveformPrecision::double_precision);
  config.m_arr = {1, 2, 3, 4};
  EXPECT_THROW(config.validate(), Error);
  config = small_config(10, 4, WaveformPrecision::double_precision);
  config.fbin = {20.0, 10.0, 30.0, 40.0};
  EXPECT_THROW(config.validate(), Error);
  {
    io::h5::File other(directory / "other.h5", io::h5::Mode::create);
    other.root().write_scalar("x", 1.0);
  }
  try {
    BankFile::open(directory / "other.h5");
    FAIL() << "a non-bank file was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("not a dotpe bank"), std::string::npos);
  }
}

// Found while fuzzing BankFile::open (fuzz/hdf5_event_fuzzer): a bank whose attributes and
// 'waveforms' declare 2^40 templates that were never written made read_block allocate them
// (std::length_error); negative sizes were cast to huge ones.
TEST(BankFile, DamagedSizesAreErrorsNamingTheFile) {
  const auto directory = testing::fresh_work_dir("bank_damaged");
  const auto path = directory / "bank.h5";
  const BankConfig config = small_config(10, 4, WaveformPrecision::single_precision);
  {
    BankFile bank = BankFile::create(
        path, config, draw_intrinsic_samples(config.mass_range, config.bank_size, config.seed));
    fill_bank(bank);
  }
  const std::size_t huge = std::size_t{1} << 40;
  {
    io::h5::File file(path, io::h5::Mode::read_write);
    const io::h5::Group& root = file.root();
    root.set_attribute("bank_size", static_cast<std::int64_t>(huge));
    root.set_attribute("blocksize", static_cast<std::int64_t>(huge));
    ASSERT_GE(H5Ldelete(root.id(), "waveforms", H5P_DEFAULT), 0);
    ASSERT_GE(H5Ldelete(root.id(), "block_complete", H5P_DEFAULT), 0);
    root.create_dataset<io::h5::complex_float>("waveforms",
                                               {huge, config.m_arr.size(), 2, config.fbin.size()},
                                               {1, config.m_arr.size(), 2, config.fbin.size()});
    root.write("block_complete", std::vector<std::uint8_t>{1});
  }
  {
    const BankFile bank = BankFile::open(path);
    try {
      (void)bank.read_block(0);
      FAIL() << "read 2^40 templates that the file does not hold";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("bank.h5"), std::string::npos) << error.what();
    }
    EXPECT_THROW((void)bank.samples(), Error);
  }

  {
    io::h5::File file(path, io::h5::Mode::read_write);
    file.root().set_attribute("bank_size", std::int64_t{-3});
  }
  try {
    (void)BankFile::open(path);
    FAIL() << "accepted a negative bank_size";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("bank_size (-3)"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace dotpe::bank
