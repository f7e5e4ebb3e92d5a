#include "dotpe/core/math.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "dotpe/core/rng.hpp"

namespace dotpe {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(Logsumexp, EmptyInputIsMinusInfinity) {
  EXPECT_EQ(logsumexp({}), -kInf);
}

TEST(Logsumexp, AllMinusInfinityIsMinusInfinity) {
  const std::vector<double> values = {-kInf, -kInf, -kInf};
  EXPECT_EQ(logsumexp(values), -kInf);
}

TEST(Logsumexp, PlusInfinityDominates) {
  const std::vector<double> values = {1.0, kInf, -kInf};
  EXPECT_EQ(logsumexp(values), kInf);
}

TEST(Logsumexp, NanPropagates) {
  const std::vector<double> values = {1.0, std::nan(""), 2.0};
  EXPECT_TRUE(std::isnan(logsumexp(values)));
}

TEST(Logsumexp, MatchesDirectSumForModerateValues) {
  const std::vector<double> values = {-3.5, 0.25, 1.0, 2.75, -kInf};
  double direct = 0.0;
  for (const double value : values) direct += std::exp(value);
  EXPECT_NEAR(logsumexp(values), std::log(direct), 1e-14);
}

TEST(Logsumexp, StableWhereTheDirectSumOverflows) {
  const std::vector<double> values = {1000.0, 1000.0};
  EXPECT_NEAR(logsumexp(values), 1000.0 + std::log(2.0), 1e-12);
  const std::vector<double> tiny = {-1000.0, -1000.0 + std::log(3.0)};
  EXPECT_NEAR(logsumexp(tiny), -1000.0 + std::log(4.0), 1e-12);
}

TEST(EffectiveSampleSize, EqualWeightsGiveTheCount) {
  const std::vector<double> weights(17, 0.3);
  EXPECT_NEAR(effective_sample_size(weights), 17.0, 1e-12);
}

TEST(EffectiveSampleSize, OneDominantWeightGivesAboutOne) {
  const std::vector<double> weights = {1.0, 1e-9, 1e-9};
  EXPECT_NEAR(effective_sample_size(weights), 1.0, 1e-8);
}

TEST(EffectiveSampleSize, KishFormulaOnAnExample) {
  // (1 + 2 + 3)^2 / (1 + 4 + 9) = 36 / 14
  const std::vector<double> weights = {1.0, 2.0, 3.0};
  EXPECT_NEAR(effective_sample_size(weights), 36.0 / 14.0, 1e-14);
}

TEST(EffectiveSampleSize, NoWeightGivesZero) {
  EXPECT_EQ(effective_sample_size({}), 0.0);
  const std::vector<double> zeros(4, 0.0);
  EXPECT_EQ(effective_sample_size(zeros), 0.0);
}

TEST(EffectiveSampleSize, FromLogWeightsAgreesAndDoesNotOverflow) {
  const std::vector<double> weights = {1.0, 2.0, 3.0};
  const std::vector<double> log_weights = {std::log(1.0) + 800, std::log(2.0) + 800,
                                           std::log(3.0) + 800};
  EXPECT_NEAR(effective_sample_size_from_log(log_weights), effective_sample_size(weights), 1e-12);
  const std::vector<double> all_minus_infinity = {-kInf, -kInf};
  EXPECT_EQ(effective_sample_size_from_log(all_minus_infinity), 0.0);
}

}  // namespace
}  // namespace dotpe

namespace dotpe {
namespace {

TEST(LogSumAccumulator, AgreesWithLogsumexpAndIgnoresTheOrder) {
  RngStream rng(5, rng_stream::tests, 41);
  std::vector<double> values;
  for (int k = 0; k < 5000; ++k) values.push_back(40.0 * rng.normal() - 300.0 * (k % 3));
  LogSumAccumulator forward;
  for (const double value : values) forward.add(value);
  EXPECT_NEAR(forward.log_sum(), logsumexp(values), 1e-12 * std::abs(logsumexp(values)));
  // Any order, and any split into partial accumulators, gives the same bits.
  for (int shuffle = 0; shuffle < 5; ++shuffle) {
    for (std::size_t k = values.size() - 1; k > 0; --k) {
      std::swap(values[k], values[static_cast<std::size_t>(rng.uniform() * (k + 1))]);
    }
    LogSumAccumulator first, second;
    for (std::size_t k = 0; k < values.size(); ++k) (k % 2 == 0 ? first : second).add(values[k]);
    first.add(second);
    EXPECT_EQ(first.log_sum(), forward.log_sum());
  }
  EXPECT_EQ(forward.count(), values.size());
}

TEST(LogSumAccumulator, EdgeCases) {
  LogSumAccumulator empty;
  EXPECT_EQ(empty.log_sum(), -std::numeric_limits<double>::infinity());
  empty.add(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(empty.log_sum(), -std::numeric_limits<double>::infinity());
  LogSumAccumulator one;
  one.add(-1234.5);
  EXPECT_NEAR(one.log_sum(), -1234.5, 1e-12);
  one.add(std::nan(""));
  EXPECT_TRUE(std::isnan(one.log_sum()));
  LogSumAccumulator two;
  two.add(std::log(2.0));
  two.add(std::log(3.0));
  EXPECT_NEAR(two.log_sum(), std::log(5.0), 1e-15);
}

}  // namespace
}  // namespace dotpe
