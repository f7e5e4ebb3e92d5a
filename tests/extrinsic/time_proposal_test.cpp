// The time-of-arrival proposal: grid, inverse-CDF draws against the probabilities, the
// tempered-softmax mixture with its defensive floor, and the delay prior against histograms
// recomputed here from the dictionary's points.
#include "dotpe/extrinsic/time_proposal.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <map>
#include <numeric>
#include <vector>

#include "dotpe/core/error.hpp"
#include "dotpe/core/rng.hpp"
#include "dotpe/likelihood/summary_weights.hpp"

namespace dotpe::extrinsic {
namespace {

constexpr double kRate = 8192.0;

TEST(TimeGrid, CentredMatchesArange) {
  // numpy: len(arange(-0.07, 0.07, 1/8192)) = 1147, first value -0.07.
  const TimeGrid grid = TimeGrid::centred(0.01, 0.07, kRate);
  EXPECT_EQ(grid.size, 1147u);
  EXPECT_DOUBLE_EQ(grid.time(0), 0.01 - 0.07);
  EXPECT_NEAR(grid.time(1146), 0.01 - 0.07 + 1146.0 / kRate, 1e-15);
  EXPECT_EQ(TimeGrid::centred(0.0, 0.5, 4.0).size, 4u);  // exact multiple: no extra bin
  EXPECT_THROW((void)TimeGrid::centred(0.0, -1.0, kRate), Error);
}

TEST(TimeProposal, InverseCdfDrawsReproduceProbabilities) {
  // On a regular grid of u the fraction landing in bin k is P(k) to within 1/n_u.
  RngStream rng(1, rng_stream::tests, 0);
  const std::size_t n_t = 40, n_u = 400000;
  std::vector<double> p(2 * n_t);
  for (double& value : p) value = 0.01 + rng.uniform();
  const TimeProposal proposal({0.0, 10.0, n_t}, 2, p);
  for (std::size_t d = 0; d < 2; ++d) {
    const double total = std::accumulate(p.begin() + d * n_t, p.begin() + (d + 1) * n_t, 0.0);
    std::vector<double> counts(n_t, 0.0);
    for (std::size_t j = 0; j < n_u; ++j) ++counts[proposal.draw(d, (j + 0.5) / n_u)];
    for (std::size_t k = 0; k < n_t; ++k) {
      EXPECT_NEAR(proposal.probability(d, k), p[d * n_t + k] / total, 1e-15);
      EXPECT_NEAR(counts[k] / n_u, p[d * n_t + k] / total, 1.0 / n_u);
    }
    EXPECT_EQ(proposal.draw(d, 0.0), 0u);
    EXPECT_EQ(proposal.draw(d, std::nextafter(1.0, 0.0)), n_t - 1);
  }
}

TEST(TimeProposal, RejectsEmptyOrZeroBins) {
  EXPECT_THROW(TimeProposal({0.0, kRate, 3}, 1, {1.0, 0.0, 1.0}), Error);
  EXPECT_THROW(TimeProposal({0.0, kRate, 3}, 1, {1.0, 1.0}), Error);
  EXPECT_THROW(TimeProposal({0.0, kRate, 3}, 1, {1.0, NAN, 1.0}), Error);
}

TEST(TimeProposal, TemperedMixtureWithDefensiveFloor) {
  const SkyDictionary sky(physics::detectors_from_names("H1,L1"), kRate, 1000, 0);
  const TimeGrid grid{0.0, kRate, 6};
  // Two templates, two detectors: chi2[(k·2 + d)·6 + t].
  const std::vector<double> chi2 = {0, 2, 8, 2, 0,  0, /**/ 1, 1, 1, 1, 1, 1,
                                    0, 0, 0, 4, 12, 4, /**/ 0, 6, 0, 0, 0, 0};
  TimeProposalSettings settings;
  settings.beta = 0.5;
  settings.defensive_fraction = 0.1;
  settings.apply_delay_prior = false;
  const TimeProposal proposal = make_time_proposal(grid, 2, 2, chi2, settings, sky);
  for (std::size_t d = 0; d < 2; ++d) {
    // Expected: 0.9 · ½ Σ_k exp(χ²/4)/Σ exp(χ²/4) + 0.1/6, written out.
    std::vector<double> expected(6, 0.1 / 6.0);
    for (std::size_t k = 0; k < 2; ++k) {
      double total = 0.0;
      for (std::size_t t = 0; t < 6; ++t) total += std::exp(chi2[(k * 2 + d) * 6 + t] / 4.0);
      for (std::size_t t = 0; t < 6; ++t)
        expected[t] += 0.45 * std::exp(chi2[(k * 2 + d) * 6 + t] / 4.0) / total;
    }
    for (std::size_t t = 0; t < 6; ++t) {
      EXPECT_NEAR(proposal.probability(d, t), expected[t], 1e-15);
      EXPECT_GE(proposal.probability(d, t), 0.1 / 6.0);
    }
  }
  // No templates: uniform.
  const TimeProposal uniform = make_time_proposal(grid, 2, 0, {}, settings, sky);
  for (std::size_t t = 0; t < 6; ++t) EXPECT_DOUBLE_EQ(uniform.probability(1, t), 1.0 / 6.0);
  // The floor must be positive: without it the proposal would not cover the window.
  settings.defensive_fraction = 0.0;
  EXPECT_THROW((void)make_time_proposal(grid, 2, 2, chi2, settings, sky), Error);
  settings.defensive_fraction = 0.1;
  EXPECT_THROW((void)make_time_proposal(grid, 3, 2, chi2, settings, sky), Error);
}

// Histogram over (k_b − k_a[, k_c − k_a]) of the dictionary's points, weighted by ‖F0‖³,
// recomputed from the geometry.
std::map<std::vector<long>, double> histogram(const SkyDictionary& sky,
                                              const std::vector<std::size_t>& order) {
  std::map<std::vector<long>, double> out;
  double total = 0.0;
  const auto& detectors = sky.detectors();
  for (std::size_t s = 0; s < sky.n_sky(); ++s) {
    std::vector<long> key(detectors.size(), 0);
    double norm_sq = 0.0;
    const double first = physics::geocenter_delay(detectors[0], sky.lat(s), sky.lon(s));
    for (std::size_t d = 0; d < detectors.size(); ++d) {
      key[d] = std::lround(
          (physics::geocenter_delay(detectors[d], sky.lat(s), sky.lon(s)) - first) * kRate);
      const auto f = physics::antenna_pattern(detectors[d], sky.lat(s), sky.lon(s), 0.0);
      norm_sq += f.plus * f.plus + f.cross * f.cross;
    }
    std::vector<long> cell;
    for (std::size_t j = 1; j < order.size(); ++j) cell.push_back(key[order[j]] - key[order[0]]);
    out[cell] += std::pow(norm_sq, 1.5);
    total += std::pow(norm_sq, 1.5);
  }
  for (auto& [cell, value] : out) value /= total;
  return out;
}

double at(const std::map<std::vector<long>, double>& h, std::vector<long> cell) {
  const auto it = h.find(cell);
  return it == h.end() ? 0.0 : it->second;
}

TEST(DelayPrior, PairShiftsTheQuietDetectorByTheDelayHistogram) {
  const SkyDictionary sky(physics::detectors_from_names("H1,L1"), kRate, 1 << 14, 4);
  const std::size_t n_t = 400, loud_bin = 180;
  // L1 (detector 1) is loud and sharp at loud_bin, H1 flat and quieter.
  std::vector<double> ln_p(2 * n_t, -5.0);
  for (std::size_t t = 0; t < n_t; ++t) ln_p[n_t + t] = t == loud_bin ? 0.0 : -800.0;
  const auto before = ln_p;
  apply_delay_prior(ln_p, n_t, sky);
  const auto h = histogram(sky, {1, 0});
  for (std::size_t t = 0; t < n_t; ++t) {
    EXPECT_EQ(ln_p[n_t + t], before[n_t + t]);  // the loudest detector is unchanged
    const long delay = static_cast<long>(t) - static_cast<long>(loud_bin);
    EXPECT_NEAR(ln_p[t], -5.0 + std::log(at(h, {delay}) + 1e-10), 1e-9) << t;
  }
}

TEST(DelayPrior, TripleMarginalisesTheFirstLag) {
  const SkyDictionary sky(physics::detectors_from_names("H1,L1,V1"), kRate, 1 << 14, 4);
  const std::size_t n_t = 600, h_bin = 300, l_bin = 290;  // L1 arrives 10 bins before H1
  std::vector<double> ln_p(3 * n_t, -5.0);                // V1 flat and quietest
  for (std::size_t t = 0; t < n_t; ++t) {
    ln_p[t] = t == h_bin ? 0.0 : -900.0;         // H1 loudest (peak 0 > L1's −1)
    ln_p[n_t + t] = t == l_bin ? -1.0 : -900.0;  // L1 second
  }
  apply_delay_prior(ln_p, n_t, sky);
  // L1 gets the H1→L1 histogram around h_bin (its own sharp peak dominates anyway), V1 the joint
  // H1→(L1, V1) histogram at the observed lag −10, as a function of its own delay.
  const auto pair = histogram(sky, {0, 1});
  const auto triple = histogram(sky, {0, 1, 2});
  for (std::size_t t = 0; t < n_t; ++t) {
    const long from_h = static_cast<long>(t) - static_cast<long>(h_bin);
    const double l_original = t == l_bin ? -1.0 : -900.0;
    EXPECT_NEAR(ln_p[n_t + t], l_original + std::log(at(pair, {from_h}) + 1e-10), 1e-9);
    EXPECT_NEAR(ln_p[2 * n_t + t], -5.0 + std::log(at(triple, {-10, from_h}) + 1e-10), 1e-9) << t;
  }
  // The observed H1-L1 lag confines V1 to part of the delays it could have alone.
  const auto h_to_v = histogram(sky, {0, 2});
  std::size_t allowed_with_lag = 0, allowed_alone = 0;
  for (long delay = -300; delay < 300; ++delay) {
    allowed_with_lag += at(triple, {-10, delay}) > 0.0;
    allowed_alone += at(h_to_v, {delay}) > 0.0;
  }
  EXPECT_GT(allowed_with_lag, 0u);
  EXPECT_LT(allowed_with_lag, allowed_alone / 2);
}

TEST(IncoherentChi2, EqualsTheDirectSumsOverNodes) {
  // Random time-grid weights and templates: 3 templates, 2 m groups, 5 times, 2 detectors,
  // 7 nodes. chi²[k,d,t] = (Σ_{m,p} |Σ_b dh[m,t,d,b] conj(h[k,m,p,b])| / ξ_d²)² / (Σ_{m,p,b}
  // hh[mm,d,b] |h[k,m,p,b]|² / ξ_d²), written out here with plain loops.
  likelihood::TimeGridWeights weights;
  weights.n_modes = 2;
  weights.n_times = 5;
  weights.n_detectors = 2;
  weights.n_nodes = 7;
  weights.m_values = {2, 3};
  const std::size_t n_k = 3, n_m = 2, n_t = 5, n_d = 2, n_b = 7;
  std::uint64_t counter = 0;
  const auto normal = [&counter] { return RngStream(5, rng_stream::tests, counter++).normal(); };
  weights.dh.resize(n_m * n_t * n_d * n_b);
  for (auto& value : weights.dh) value = {normal(), normal()};
  weights.hh.resize(3 * n_d * n_b);  // pairs (0,0), (0,1), (1,1)
  for (auto& value : weights.hh) value = {1.0 + std::abs(normal()), 0.1 * normal()};
  std::vector<std::complex<double>> templates(n_k * n_m * 2 * n_b);
  for (auto& value : templates) value = {normal(), normal()};
  const std::vector<double> drift = {1.1, 0.9};
  const std::vector<double> chi2 = incoherent_chi2(weights, drift, n_k, templates);
  ASSERT_EQ(chi2.size(), n_k * n_d * n_t);
  const std::size_t diagonal_pair[2] = {0, 2};
  for (std::size_t k = 0; k < n_k; ++k) {
    for (std::size_t d = 0; d < n_d; ++d) {
      const double scale = 1.0 / (drift[d] * drift[d]);
      double hh = 0.0;
      for (std::size_t m = 0; m < n_m; ++m) {
        for (std::size_t p = 0; p < 2; ++p) {
          for (std::size_t b = 0; b < n_b; ++b) {
            const auto h = templates[((k * n_m + m) * 2 + p) * n_b + b];
            hh += weights.hh[(diagonal_pair[m] * n_d + d) * n_b + b].real() * std::norm(h);
          }
        }
      }
      for (std::size_t t = 0; t < n_t; ++t) {
        double sum_abs = 0.0;
        for (std::size_t m = 0; m < n_m; ++m) {
          for (std::size_t p = 0; p < 2; ++p) {
            std::complex<double> dh = 0.0;
            for (std::size_t b = 0; b < n_b; ++b) {
              dh += weights.dh[((m * n_t + t) * n_d + d) * n_b + b] *
                    std::conj(templates[((k * n_m + m) * 2 + p) * n_b + b]);
            }
            sum_abs += std::abs(dh) * scale;
          }
        }
        const double expected = sum_abs * sum_abs / (hh * scale);
        EXPECT_NEAR(chi2[(k * n_d + d) * n_t + t], expected, 1e-12 * expected) << k << d << t;
      }
    }
  }
}

}  // namespace
}  // namespace dotpe::extrinsic
