#include "dotpe/bank/fbin.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "dotpe/core/error.hpp"

namespace dotpe::bank {
namespace {

TEST(Fbin, DefaultNodesMatchTheReferencePackage) {
  // dot_pe/fbin.npy as described in the reference notes (numerics.md §3.1): 378 nodes, first
  // 15, 15.05, 15.1, 15.15, 15.2083…, last …, 1575.55, 1587.775, 1600.
  const auto fbin = default_fbin();
  ASSERT_EQ(fbin.size(), 378U);
  const double first[] = {15.0, 15.05, 15.1, 15.15, 15.208333333333334};
  for (int b = 0; b < 5; ++b) EXPECT_NEAR(fbin[b], first[b], 1e-9) << "node " << b;
  EXPECT_NEAR(fbin[375], 1575.55, 1e-9);
  EXPECT_NEAR(fbin[376], 1587.775, 1e-9);
  EXPECT_NEAR(fbin[377], 1600.0, 1e-9);
  // 222 nodes below 100 Hz and 255 below 250 Hz (banks-and-paper.md §1.5).
  EXPECT_EQ(std::count_if(fbin.begin(), fbin.end(), [](double f) { return f < 100.0; }), 222);
  EXPECT_EQ(std::count_if(fbin.begin(), fbin.end(), [](double f) { return f < 250.0; }), 255);
}

TEST(Fbin, NodesAreOnTheGridAndIncreasing) {
  const double df = 1.0 / 64.0;
  const auto fbin = fbin_from_pn_phase(20.0, 512.0, df, 0.1);
  ASSERT_GT(fbin.size(), 10U);
  for (std::size_t b = 0; b < fbin.size(); ++b) {
    EXPECT_NEAR(fbin[b] / df, std::round(fbin[b] / df), 1e-6);
    if (b > 0) {
      EXPECT_GT(fbin[b], fbin[b - 1]);
    }
  }
  EXPECT_NO_THROW(validate_fbin(fbin, "test"));
}

TEST(Fbin, TighterToleranceGivesProportionallyMoreNodes) {
  // Without tides the total phase is 6π, so the number of intervals is ceil(6π / tolerance)
  // as long as the grid is fine enough that no nodes merge.
  const auto coarse = fbin_from_pn_phase(20.0, 1000.0, 1.0 / 4096.0, 0.2);
  const auto fine = fbin_from_pn_phase(20.0, 1000.0, 1.0 / 4096.0, 0.1);
  EXPECT_EQ(coarse.size(), static_cast<std::size_t>(std::ceil(6 * M_PI / 0.2)) + 1);
  EXPECT_EQ(fine.size(), static_cast<std::size_t>(std::ceil(6 * M_PI / 0.1)) + 1);
}

TEST(Fbin, RejectsBadInput) {
  EXPECT_THROW(fbin_from_pn_phase(100.0, 20.0, 0.1, 0.05), Error);
  EXPECT_THROW(fbin_from_pn_phase(20.0, 100.0, 0.0, 0.05), Error);
  EXPECT_THROW(fbin_from_pn_phase(20.0, 100.0, 0.1, 0.0), Error);
  EXPECT_THROW(validate_fbin({20.0, 30.0, 25.0, 40.0}, "user list"), Error);
  EXPECT_THROW(validate_fbin({20.0, 30.0, 40.0}, "user list"), Error);
  EXPECT_THROW(validate_fbin({20.0, NAN, 30.0, 40.0}, "user list"), Error);
}

}  // namespace
}  // namespace dotpe::bank
