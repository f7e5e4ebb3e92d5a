#include "dotpe/core/math.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

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
