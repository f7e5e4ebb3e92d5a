// The sky dictionary against geometry recomputed here point by point: delay keys and bins,
// prior masses, isotropy (KS), delay bounds from the light travel times, and the
// detectability-weighted delay histograms against a brute-force histogram.
#include "dotpe/extrinsic/sky_dictionary.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <numbers>
#include <vector>

#include "dotpe/core/error.hpp"
#include "test_statistics.hpp"

namespace dotpe::extrinsic {
namespace {

constexpr double kRate = 8192.0;

std::vector<physics::Detector> hlv() {
  return physics::detectors_from_names("H1,L1,V1");
}

// rint((Δt_d − Δt_0)·f_s) of one direction, straight from the detector geometry.
std::vector<long> key_of(const std::vector<physics::Detector>& detectors, double lat, double lon) {
  std::vector<long> key;
  const double first = physics::geocenter_delay(detectors[0], lat, lon);
  for (std::size_t d = 1; d < detectors.size(); ++d) {
    key.push_back(std::lround((physics::geocenter_delay(detectors[d], lat, lon) - first) * kRate));
  }
  return key;
}

TEST(SkyDictionary, EveryPointSitsInTheBinOfItsOwnDelays) {
  const auto detectors = hlv();
  const SkyDictionary sky(detectors, kRate, 1 << 14, 7);
  ASSERT_EQ(sky.n_sky(), 1u << 14);
  std::map<std::vector<long>, std::size_t> counts;
  for (std::size_t s = 0; s < sky.n_sky(); ++s) {
    const auto key = key_of(detectors, sky.lat(s), sky.lon(s));
    const auto bin = sky.bin(key);
    ASSERT_GE(s, bin.first);
    ASSERT_LT(s, bin.first + bin.count);
    EXPECT_DOUBLE_EQ(sky.first_detector_delay(s),
                     physics::geocenter_delay(detectors[0], sky.lat(s), sky.lon(s)));
    ++counts[key];
  }
  // Bin sizes equal the brute-force counts; their prior masses sum to 1/f_s.
  double prior = 0.0;
  for (const auto& [key, count] : counts) {
    EXPECT_EQ(sky.bin(key).count, count);
    prior += sky.bin_prior(sky.bin(key));
  }
  EXPECT_NEAR(prior, 1.0 / kRate, 1e-12 / kRate);
  // Keys no point produces are empty, inside and outside the bounds.
  const std::vector<long> impossible = {sky.delay_high(1) + 1, 0};
  EXPECT_EQ(sky.bin(impossible).count, 0u);
  const std::vector<long> opposite_corner = {sky.delay_high(1), sky.delay_low(2)};
  EXPECT_EQ(sky.bin(opposite_corner).count,
            counts.count(opposite_corner) ? counts[opposite_corner] : 0u);
}

TEST(SkyDictionary, PointsAreIsotropic) {
  const SkyDictionary sky(hlv(), kRate, 1 << 16, 3);
  std::vector<double> sin_lat(sky.n_sky()), lon(sky.n_sky()), ones(sky.n_sky(), 1.0);
  for (std::size_t s = 0; s < sky.n_sky(); ++s) {
    sin_lat[s] = std::sin(sky.lat(s));
    lon[s] = sky.lon(s);
    ASSERT_GE(lon[s], 0.0);
    ASSERT_LT(lon[s], 2.0 * std::numbers::pi);
  }
  const double n = static_cast<double>(sky.n_sky());
  const double p_lat = testing::kolmogorov_p_value(
      testing::weighted_ks_distance(sin_lat, ones, [](double x) { return 0.5 * (x + 1.0); }), n);
  const double p_lon = testing::kolmogorov_p_value(
      testing::weighted_ks_distance(lon, ones,
                                    [](double x) { return x / (2.0 * std::numbers::pi); }),
      n);
  RecordProperty("ks_p_sin_lat", std::to_string(p_lat));
  RecordProperty("ks_p_lon", std::to_string(p_lon));
  EXPECT_GT(p_lat, 1e-3);
  EXPECT_GT(p_lon, 1e-3);
}

TEST(SkyDictionary, DelayBoundsFollowLightTravelTimes) {
  const auto detectors = hlv();
  const SkyDictionary sky(detectors, kRate, 1 << 16, 1);
  for (std::size_t d = 1; d < 3; ++d) {
    const double limit = physics::light_travel_time(detectors[0], detectors[d]) * kRate;
    EXPECT_LE(sky.delay_high(d), std::lround(limit));
    EXPECT_GE(sky.delay_low(d), -std::lround(limit));
    // 2^16 points reach within two bins of the extremes (caps of ~1e-4 sr around the baseline).
    EXPECT_GE(sky.delay_high(d), std::lround(limit) - 2);
    EXPECT_LE(sky.delay_low(d), -std::lround(limit) + 2);
  }
}

TEST(SkyDictionary, DeterministicForSeed) {
  const SkyDictionary a(hlv(), kRate, 1000, 5), b(hlv(), kRate, 1000, 5), c(hlv(), kRate, 1000, 6);
  bool differs = false;
  for (std::size_t s = 0; s < 1000; ++s) {
    EXPECT_EQ(a.lat(s), b.lat(s));
    EXPECT_EQ(a.lon(s), b.lon(s));
    differs = differs || a.lat(s) != c.lat(s);
  }
  EXPECT_TRUE(differs);
}

TEST(SkyDictionary, SingleDetectorHasOneBin) {
  const SkyDictionary sky(physics::detectors_from_names("L1"), kRate, 500, 0);
  const auto bin = sky.bin(std::vector<long>{});
  EXPECT_EQ(bin.first, 0u);
  EXPECT_EQ(bin.count, 500u);
  EXPECT_DOUBLE_EQ(sky.bin_prior(bin), 1.0 / kRate);
}

// ‖F0‖³ over all detectors, weighted histogram of (k_b − k_a, k_c − k_a) from keys recomputed
// point by point.
std::map<std::vector<long>, double> brute_force_histogram(
    const SkyDictionary& sky, const std::vector<physics::Detector>& detectors,
    const std::vector<std::size_t>& order) {
  std::map<std::vector<long>, double> histogram;
  double total = 0.0;
  for (std::size_t s = 0; s < sky.n_sky(); ++s) {
    auto key = key_of(detectors, sky.lat(s), sky.lon(s));
    key.insert(key.begin(), 0);
    std::vector<long> cell;
    for (std::size_t j = 1; j < order.size(); ++j) cell.push_back(key[order[j]] - key[order[0]]);
    double norm_sq = 0.0;
    for (const auto& site : detectors) {
      const auto f = physics::antenna_pattern(site, sky.lat(s), sky.lon(s), 0.3);  // ψ-invariant
      norm_sq += f.plus * f.plus + f.cross * f.cross;
    }
    histogram[cell] += std::pow(norm_sq, 1.5);
    total += std::pow(norm_sq, 1.5);
  }
  for (auto& [cell, value] : histogram) value /= total;
  return histogram;
}

TEST(SkyDictionary, DetectabilityWeightedDelaysMatchBruteForce) {
  const auto detectors = hlv();
  const SkyDictionary sky(detectors, kRate, 1 << 13, 2);
  for (const std::vector<std::size_t>& order :
       {std::vector<std::size_t>{1, 0}, std::vector<std::size_t>{2, 1},
        std::vector<std::size_t>{2, 0, 1}, std::vector<std::size_t>{0, 1, 2}}) {
    const auto expected = brute_force_histogram(sky, detectors, order);
    const DelayHistogram histogram = sky.detectability_weighted_delays(order);
    double total = 0.0;
    std::size_t n_cells = 1;
    for (std::size_t j = 0; j + 1 < order.size(); ++j) n_cells *= histogram.axis_size(j);
    ASSERT_EQ(histogram.probability.size(), n_cells);
    for (std::size_t cell = 0; cell < n_cells; ++cell) {
      std::vector<long> delays(order.size() - 1);
      std::size_t rest = cell;
      for (std::size_t j = order.size() - 1; j-- > 0;) {
        delays[j] = histogram.low[j] + static_cast<long>(rest % histogram.axis_size(j));
        rest /= histogram.axis_size(j);
      }
      const auto it = expected.find(delays);
      const double want = it == expected.end() ? 0.0 : it->second;
      EXPECT_NEAR(histogram.probability[cell], want, 1e-12) << "order " << order[0] << order[1];
      total += histogram.probability[cell];
    }
    EXPECT_NEAR(total, 1.0, 1e-12);
  }
}

TEST(SkyDictionary, RejectsBadInput) {
  EXPECT_THROW(SkyDictionary({}, kRate, 10, 0), Error);
  EXPECT_THROW(SkyDictionary(hlv(), 0.0, 10, 0), Error);
  EXPECT_THROW(SkyDictionary(hlv(), kRate, 0, 0), Error);
  const SkyDictionary sky(hlv(), kRate, 10, 0);
  EXPECT_THROW((void)sky.bin(std::vector<long>{0}), Error);
  const std::vector<std::size_t> repeated = {0, 0};
  EXPECT_THROW((void)sky.detectability_weighted_delays(repeated), Error);
}

}  // namespace
}  // namespace dotpe::extrinsic
