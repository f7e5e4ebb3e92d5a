#include "dotpe/bank/halton.hpp"

#include <gsl/gsl_qrng.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <set>

namespace dotpe::bank {
namespace {

TEST(Halton, UnscrambledSequenceMatchesGsl) {
  // GSL's Halton generator is an independent implementation of the plain sequence; it starts
  // at index 1 (it skips the all-zero point 0).
  constexpr int kDimension = 9;
  const std::unique_ptr<gsl_qrng, decltype(&gsl_qrng_free)> gsl(
      gsl_qrng_alloc(gsl_qrng_halton, kDimension), &gsl_qrng_free);
  const ScrambledHalton ours(kDimension, 0, /*scramble=*/false);
  double expected[kDimension];
  for (std::uint64_t index = 1; index <= 2000; ++index) {
    gsl_qrng_get(gsl.get(), expected);
    const auto point = ours.point(index);
    for (int j = 0; j < kDimension; ++j) {
      ASSERT_NEAR(point[j], expected[j], 1e-15) << "index " << index << " dimension " << j;
    }
  }
}

TEST(Halton, ScrambledPointsAreReproducibleAndSeedDependent) {
  const ScrambledHalton first(9, 777);
  const ScrambledHalton again(9, 777);
  const ScrambledHalton other(9, 778);
  for (std::uint64_t index : {0ULL, 1ULL, 1000ULL, 123456789ULL}) {
    EXPECT_EQ(first.point(index), again.point(index));
    EXPECT_NE(first.point(index), other.point(index));
  }
}

TEST(Halton, ScramblingKeepsTheStratificationOfEachCoordinate) {
  // Digit-permutation scrambling keeps the net property of the van der Corput sequence: the
  // first base^k points put exactly one point in each interval [j/base^k, (j+1)/base^k).
  const ScrambledHalton halton(9, 2026);
  const int bases[9] = {2, 3, 5, 7, 11, 13, 17, 19, 23};
  for (int j = 0; j < 9; ++j) {
    int cells = bases[j];
    while (cells * bases[j] <= 2000) cells *= bases[j];
    std::set<long> occupied;
    for (int index = 0; index < cells; ++index) {
      const double value = halton.point(static_cast<std::uint64_t>(index))[j];
      ASSERT_GE(value, 0.0);
      ASSERT_LT(value, 1.0);
      occupied.insert(static_cast<long>(std::floor(value * cells)));
    }
    EXPECT_EQ(static_cast<int>(occupied.size()), cells) << "dimension " << j;
  }
}

TEST(Halton, ScrambledCoordinatesHaveQuasiMonteCarloAccuracy) {
  // Integral of x^2 over [0,1] is 1/3; QMC error for 4096 points is far below Monte Carlo's
  // 1/sqrt(N) ≈ 0.005.
  const ScrambledHalton halton(9, 5);
  double sums[9] = {};
  constexpr int kPoints = 4096;
  for (int index = 0; index < kPoints; ++index) {
    const auto point = halton.point(static_cast<std::uint64_t>(index));
    for (int j = 0; j < 9; ++j) sums[j] += point[j] * point[j];
  }
  for (int j = 0; j < 9; ++j) EXPECT_NEAR(sums[j] / kPoints, 1.0 / 3.0, 2e-3) << "dimension " << j;
}

}  // namespace
}  // namespace dotpe::bank
