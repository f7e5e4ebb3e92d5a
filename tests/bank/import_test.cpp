#include "dotpe/bank/import.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "dotpe/core/error.hpp"
#include "test_paths.hpp"

namespace dotpe::bank {
namespace {

std::filesystem::path make_folder(const std::string& name, const std::string& variant = "") {
  const auto folder = testing::fresh_work_dir(name) / "dotpe_bank";
  const char* source = std::getenv("DOTPE_TEST_SOURCE_DIR");
  const std::string command = testing::python() + " " +
                              std::string(source != nullptr ? source : "tests") +
                              "/bank/make_dotpe_bank.py " + folder.string() + " " + variant;
  EXPECT_EQ(testing::run_command(command), 0) << command;
  return folder;
}

std::complex<double> expected_value(std::size_t i, std::size_t m, std::size_t p, std::size_t b) {
  const double amplitude = (1.0 + i) * 1e-21 / (1.0 + b + 10.0 * m + 100.0 * p);
  const double phase = 0.01 * i * b - 0.5 * m + p;
  return std::polar(amplitude, phase);
}

TEST(BankImport, ConvertsADotPeFolderFaithfully) {
  const auto folder = make_folder("import_bank");
  const auto output = folder.parent_path() / "bank.h5";
  import_dotpe_bank(folder, output, WaveformPrecision::double_precision);
  const BankFile bank = BankFile::open(output);
  const BankConfig& config = bank.config();
  EXPECT_EQ(config.bank_size, 10U);
  EXPECT_EQ(config.blocksize, 4U);
  EXPECT_EQ(config.m_arr, (std::vector<int>{2, 1, 3, 4}));
  EXPECT_EQ(config.harmonic_modes.size(), 5U);
  EXPECT_EQ(config.approximant, "IMRPhenomXODE");
  EXPECT_EQ(config.mass_range.mchirp_max, 30.0);
  EXPECT_EQ(config.fbin.size(), 6U);
  const auto samples = bank.samples();
  ASSERT_EQ(samples.size(), 10U);
  EXPECT_EQ(samples[7].m1, 37.0);
  EXPECT_EQ(samples[7].m2, 23.5);
  EXPECT_DOUBLE_EQ(samples[7].log_prior_weight, -2.1);
  EXPECT_DOUBLE_EQ(samples[3].iota, 0.3);
  std::vector<std::size_t> all(10);
  for (std::size_t i = 0; i < 10; ++i) all[i] = i;
  const auto waveforms = bank.read_templates(all);
  std::size_t k = 0;
  for (std::size_t i = 0; i < 10; ++i) {
    for (std::size_t m = 0; m < 4; ++m) {
      for (std::size_t p = 0; p < 2; ++p) {
        for (std::size_t b = 0; b < 6; ++b) {
          const auto expected = expected_value(i, m, p, b);
          ASSERT_LT(std::abs(waveforms[k++] - expected), 1e-15 * std::abs(expected));
        }
      }
    }
  }
}

TEST(BankImport, LegacyConfigGetsTheReferenceDefaultModes) {
  const auto folder = make_folder("import_legacy", "legacy");
  const BankConfig config = read_dotpe_bank_config(folder);
  EXPECT_EQ(config.m_arr, (std::vector<int>{2, 1, 3, 4}));
  EXPECT_EQ(config.harmonic_modes,
            (std::vector<std::array<int, 2>>{{2, 2}, {2, 1}, {3, 3}, {3, 2}, {4, 4}}));
}

TEST(BankImport, MissingBlocksAreReportedAndLeaveNoOutput) {
  const auto folder = make_folder("import_missing");
  std::filesystem::remove(folder / "waveforms" / "phase_block_2.npy");
  const auto output = folder.parent_path() / "bank.h5";
  try {
    import_dotpe_bank(folder, output, WaveformPrecision::single_precision);
    FAIL() << "a bank with a missing block was imported";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("block 2"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(output));
  EXPECT_FALSE(std::filesystem::exists(output.string() + ".tmp"));
  EXPECT_THROW(read_dotpe_bank_config(folder / "waveforms"), Error);
}

}  // namespace
}  // namespace dotpe::bank
