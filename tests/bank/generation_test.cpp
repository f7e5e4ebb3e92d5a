#include "dotpe/bank/generation.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "test_paths.hpp"

namespace dotpe::bank {
namespace {

BankConfig config_of_size(std::size_t size) {
  BankConfig config;
  config.mass_range = {20.0, 30.0, 0.2, 1.0};
  config.fbin = {20.0, 40.0, 80.0, 160.0, 320.0};
  config.bank_size = size;
  config.blocksize = 3;
  config.approximant = "test-chirp";
  config.harmonic_modes = {{2, 2}, {3, 3}};
  config.m_arr = m_arr_of(config.harmonic_modes);
  config.precision = WaveformPrecision::double_precision;
  return config;
}

// A deterministic stand-in for a waveform model: depends on the sample and the node.
void test_waveform(const IntrinsicSample& sample, const BankConfig& config,
                   std::span<std::complex<double>> out) {
  std::size_t k = 0;
  for (std::size_t m = 0; m < config.m_arr.size(); ++m) {
    for (int p = 0; p < 2; ++p) {
      for (const double f : config.fbin) {
        out[k++] = std::polar(sample.m1 / f, config.m_arr[m] * sample.m2 * f * 1e-3 + p);
      }
    }
  }
}

std::vector<std::complex<double>> all_waveforms(const BankFile& bank) {
  std::vector<std::size_t> indices(bank.config().bank_size);
  for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = i;
  return bank.read_templates(indices);
}

TEST(BankGeneration, BlocksEqualDirectEvaluationOfEachTemplate) {
  const auto path = testing::fresh_work_dir("generation_direct") / "bank.h5";
  const BankConfig config = config_of_size(8);
  const auto samples = draw_intrinsic_samples(config.mass_range, config.bank_size, 3);
  BankFile bank = BankFile::create(path, config, samples);
  generate_missing_blocks_serially(bank, test_waveform);
  EXPECT_TRUE(bank.complete());
  const auto stored = all_waveforms(bank);
  std::vector<std::complex<double>> expected(config.values_per_template());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    test_waveform(samples[i], config, expected);
    for (std::size_t k = 0; k < expected.size(); ++k) {
      ASSERT_EQ(stored[i * expected.size() + k], expected[k]) << "template " << i;
    }
  }
}

TEST(BankGeneration, ResumingAnInterruptedBankGivesTheSameWaveforms) {
  const auto directory = testing::fresh_work_dir("generation_resume");
  const BankConfig config = config_of_size(10);
  const auto samples = draw_intrinsic_samples(config.mass_range, config.bank_size, 4);
  {
    BankFile whole = BankFile::create(directory / "whole.h5", config, samples);
    generate_missing_blocks_serially(whole, test_waveform);
  }
  {
    // An interrupted run: only block 1 was finished.
    BankFile partial = BankFile::create(directory / "partial.h5", config, samples);
    partial.write_block(1, compute_block(config, samples, 1, test_waveform));
  }
  BankFile resumed = BankFile::open(directory / "partial.h5", io::h5::Mode::read_write);
  EXPECT_EQ(missing_blocks(resumed), (std::vector<std::size_t>{0, 2, 3}));
  generate_missing_blocks_serially(resumed, test_waveform);
  EXPECT_TRUE(resumed.complete());
  EXPECT_EQ(all_waveforms(resumed), all_waveforms(BankFile::open(directory / "whole.h5")));
}

}  // namespace
}  // namespace dotpe::bank
