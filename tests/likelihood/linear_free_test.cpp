// Linear-free alignment: exact recovery of a pure time shift, agreement with an independent
// weighted least-squares solve (Eigen QR) on a known, many-times-wrapped phase, and the
// ringdown stalling's defining properties.
#include "dotpe/likelihood/linear_free.hpp"

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "synthetic_waveforms.hpp"

namespace dotpe::likelihood {
namespace {

using namespace dotpe::likelihood::testing;

struct Fixture {
  ChirpParameters reference;
  SyntheticEvent event;
  SplineBasis basis;
  std::vector<Complex> h2p0_f, h2p0_b;
  std::vector<double> weights;
  Fixture()
      : event(make_event(1.0 / 4.7, 520.0, 20.0, 500.0, reference, {{1.0, 0.0, 0.0, 0.0}}, 0.0, 1)),
        basis(pn_nodes(16.0, 512.0, 0.05)) {
    for (const double f : event.frequencies) h2p0_f.push_back(chirp(reference, 2, 0, f));
    for (const double f : basis.nodes()) h2p0_b.push_back(chirp(reference, 2, 0, f));
    weights = linear_free_polyfit_weights(
        basis, {event.frequencies, event.df, 1, event.strain, event.whitening}, h2p0_f);
  }
};

TEST(LinearFree, PolyfitWeightsSumToBruteForceNorm) {
  const Fixture fx;
  double summed = 0.0, brute = 0.0;
  for (const double w : fx.weights) summed += w * w;
  for (std::size_t k = 0; k < fx.event.frequencies.size(); ++k)
    brute += 4.0 * fx.event.df * std::norm(fx.h2p0_f[k]) * std::pow(fx.event.whitening[k], 2);
  // Σ_b L_b = 1, so Σ_b pw_b² = ‖h2p0‖² up to the clipping of small negative summaries.
  EXPECT_NEAR(summed, brute, 1e-3 * brute);
}

TEST(LinearFree, RecoversPureTimeShiftAndAlignsToReference) {
  const Fixture fx;
  const LinearFreeAligner aligner(fx.basis.nodes(), fx.h2p0_b, fx.weights, 0);
  const double tau = 0.0123;  // many phase wraps across the band
  const std::size_t n_b = fx.basis.size();
  std::vector<Complex> h(2 * n_b);  // one template, one harmonic group (m=2), two polarisations
  for (std::size_t b = 0; b < n_b; ++b) {
    const double f = fx.basis.nodes()[b];
    const Complex factor =
        (1.0 + 0.3 * f / 500.0) * std::polar(1.0, 0.7 - 2.0 * std::numbers::pi * f * tau);
    h[b] = fx.h2p0_b[b] * factor;
    h[n_b + b] = chirp(fx.reference, 2, 1, f) * factor;
  }
  std::vector<double> dt(1);
  aligner.align(1, 1, h, dt);
  EXPECT_NEAR(dt[0], tau, 1e-12);
  for (std::size_t b = 0; b < n_b; ++b) {
    const double f = fx.basis.nodes()[b];
    const Complex expected = fx.h2p0_b[b] * (1.0 + 0.3 * f / 500.0) * std::polar(1.0, 0.7);
    EXPECT_NEAR(std::abs(h[b] - expected), 0.0, 1e-9 * std::abs(expected));
  }
}

TEST(LinearFree, MatchesIndependentWeightedLeastSquares) {
  const Fixture fx;
  const LinearFreeAligner aligner(fx.basis.nodes(), fx.h2p0_b, fx.weights, 0);
  const std::size_t n_b = fx.basis.size();
  std::vector<Complex> h2(n_b);
  Eigen::MatrixXd design(n_b, 2);
  Eigen::VectorXd target(n_b);
  for (std::size_t b = 0; b < n_b; ++b) {
    const double f = fx.basis.nodes()[b];
    // Known phase: a time shift (many wraps), a quadratic term and a wiggle; amplitude ratio A.
    const double psi =
        -2.0 * std::numbers::pi * f * 0.004 + 2e-5 * f * f + 0.3 * std::sin(f / 37.0);
    const double amplitude = 0.8 + 0.4 * std::exp(-f / 200.0);
    h2[b] = fx.h2p0_b[b] * std::polar(amplitude, psi);
    const double w = fx.weights[b] * std::sqrt(amplitude);
    design(b, 0) = w;
    design(b, 1) = w * f;
    target(b) = w * psi;
  }
  // The phase at the first node is already in (−π, π], so the known psi is the unwrapped phase.
  const double f0 = fx.basis.nodes()[0];
  ASSERT_LT(
      std::abs(-2.0 * std::numbers::pi * f0 * 0.004 + 2e-5 * f0 * f0 + 0.3 * std::sin(f0 / 37.0)),
      std::numbers::pi);
  const Eigen::Vector2d solution = design.colPivHouseholderQr().solve(target);
  const double expected_dt = -solution(1) / (2.0 * std::numbers::pi);
  EXPECT_NEAR(aligner.time_shift(h2), expected_dt, 1e-11);
}

TEST(LinearFree, StallRingdownFadesToPlateau) {
  const Fixture fx;
  std::vector<Complex> h_f = fx.h2p0_f, h_b = fx.h2p0_b;
  std::vector<double> filter(fx.event.whitening.begin(), fx.event.whitening.end());
  stall_ringdown(fx.event.frequencies, fx.basis.nodes(), filter, h_f, h_b);
  // Independent 99 % frequency.
  double total = 0.0;
  for (std::size_t k = 0; k < h_f.size(); ++k)
    total += std::norm(fx.h2p0_f[k]) * filter[k] * filter[k];
  double running = 0.0, f99 = 0.0;
  for (std::size_t k = 0; k < h_f.size(); ++k) {
    running += std::norm(fx.h2p0_f[k]) * filter[k] * filter[k];
    if (running >= 0.99 * total) {
      f99 = fx.event.frequencies[k];
      break;
    }
  }
  const auto& nodes = fx.basis.nodes();
  std::size_t b99 = 0;
  while (nodes[b99] < f99) ++b99;
  const Complex plateau = fx.h2p0_b[b99];
  for (std::size_t k = 0; k < h_f.size(); ++k) {
    const double f = fx.event.frequencies[k];
    if (f >= nodes[b99]) {
      EXPECT_EQ(h_f[k], plateau);
    }
    if (f <= nodes[b99 - 3]) {
      EXPECT_EQ(h_f[k], fx.h2p0_f[k]);
    }
  }
  for (std::size_t b = 0; b < nodes.size(); ++b) {
    if (b >= b99) {
      EXPECT_EQ(h_b[b], plateau);
    }
    if (b <= b99 - 3) {
      EXPECT_EQ(h_b[b], fx.h2p0_b[b]);
    }
  }
}

TEST(LinearFree, RejectsMismatchedInputs) {
  EXPECT_THROW(LinearFreeAligner({1.0, 2.0}, {1.0}, {1.0, 1.0}, 0), Error);
  const LinearFreeAligner aligner({1.0, 2.0, 3.0}, {1.0, 1.0, 1.0}, {1.0, 1.0, 1.0}, 0);
  std::vector<Complex> zero(3, 0.0);
  EXPECT_THROW((void)aligner.time_shift(zero), Error);
}

}  // namespace
}  // namespace dotpe::likelihood
