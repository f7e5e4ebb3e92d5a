#include "dotpe/core/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace dotpe {
namespace {

std::vector<double> draw_uniforms(std::uint64_t seed, std::uint64_t stream, std::uint64_t index,
                                  int count) {
  RngStream rng(seed, stream, index);
  std::vector<double> values;
  for (int k = 0; k < count; ++k) values.push_back(rng.uniform());
  return values;
}

TEST(RngStream, MatchesThePhiloxKnownAnswer) {
  // Random123's published known-answer vector for Philox4x64-10 with counter 0 and key 0
  // (kat_vectors: "philox4x64 10 0 0 0 0 0 0 -> 16554d9eca36314c db20fe9d672d0fdc
  // d7e772cee186176b 7e68b68aec7ba23b").
  RngStream rng(0, 0, 0);
  EXPECT_EQ(rng.next_u64(), 0x16554d9eca36314cULL);
  EXPECT_EQ(rng.next_u64(), 0xdb20fe9d672d0fdcULL);
  EXPECT_EQ(rng.next_u64(), 0xd7e772cee186176bULL);
  EXPECT_EQ(rng.next_u64(), 0x7e68b68aec7ba23bULL);
}

TEST(RngStream, SameKeyGivesSameNumbers) {
  EXPECT_EQ(draw_uniforms(42, rng_stream::extrinsic, 7, 100),
            draw_uniforms(42, rng_stream::extrinsic, 7, 100));
}

TEST(RngStream, IndependentOfTheOrderStreamsAreUsed) {
  // Draw items 0..9 in forward order, interleaved, and in reverse: every item's numbers agree.
  std::vector<std::vector<double>> forward;
  for (std::uint64_t index = 0; index < 10; ++index) {
    forward.push_back(draw_uniforms(5, rng_stream::noise, index, 9));
  }
  std::vector<RngStream> streams;
  for (std::uint64_t index = 0; index < 10; ++index)
    streams.emplace_back(5, rng_stream::noise, index);
  std::vector<std::vector<double>> interleaved(10);
  for (int draw = 0; draw < 9; ++draw) {
    for (std::size_t index = 10; index-- > 0;)
      interleaved[index].push_back(streams[index].uniform());
  }
  EXPECT_EQ(forward, interleaved);
}

TEST(RngStream, DifferentKeysGiveDifferentNumbers) {
  const auto base = draw_uniforms(1, 2, 3, 8);
  EXPECT_NE(base, draw_uniforms(2, 2, 3, 8));
  EXPECT_NE(base, draw_uniforms(1, 3, 3, 8));
  EXPECT_NE(base, draw_uniforms(1, 2, 4, 8));
}

TEST(RngStream, UniformHasTheRightMomentsAndRange) {
  RngStream rng(123, rng_stream::tests, 0);
  const int count = 200000;
  double sum = 0.0;
  double sum_of_squares = 0.0;
  for (int k = 0; k < count; ++k) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum_of_squares += u * u;
  }
  const double mean = sum / count;
  const double variance = sum_of_squares / count - mean * mean;
  // Standard error of the mean: sqrt(1/12 / N) ≈ 6.5e-4; allow 5 sigma.
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12.0 / count));
  EXPECT_NEAR(variance, 1.0 / 12.0, 2e-3);
}

TEST(RngStream, NormalHasUnitVarianceAndGaussianTails) {
  RngStream rng(321, rng_stream::tests, 1);
  const int count = 200000;
  double sum = 0.0;
  double sum_of_squares = 0.0;
  int beyond_two_sigma = 0;
  for (int k = 0; k < count; ++k) {
    const double x = rng.normal();
    sum += x;
    sum_of_squares += x * x;
    if (std::abs(x) > 2.0) ++beyond_two_sigma;
  }
  EXPECT_NEAR(sum / count, 0.0, 5 / std::sqrt(count));
  EXPECT_NEAR(sum_of_squares / count, 1.0, 5 * std::sqrt(2.0 / count));
  // P(|x| > 2) = erfc(2/sqrt 2) = 0.0455003; binomial standard error ~ 4.7e-4.
  EXPECT_NEAR(static_cast<double>(beyond_two_sigma) / count, std::erfc(std::sqrt(2.0)), 2.5e-3);
}

TEST(RngStream, OpenUniformIsNeverZero) {
  RngStream rng(9, rng_stream::tests, 2);
  for (int k = 0; k < 10000; ++k) {
    const double u = rng.uniform_open();
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

}  // namespace
}  // namespace dotpe
