// The single-detector kernel against brute force: full-frequency inner products of the
// detector strain of each template at every (t, φ) grid point, maximised over a fine
// (F+, F×) grid (coarse grid, then a fine grid around the coarse optimum).
#include "dotpe/likelihood/single_detector_kernel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "synthetic_waveforms.hpp"

namespace dotpe::likelihood {
namespace {

using namespace dotpe::likelihood::testing;

double grid_maximum(double dh_p, double dh_c, double a, double b, double c) {
  const auto lnl = [&](double x, double y) {
    return x * dh_p + y * dh_c - 0.5 * (a * x * x + 2.0 * b * x * y + c * y * y);
  };
  double best = -INFINITY, bx = 0.0, by = 0.0;
  for (double x = -4.0; x <= 4.0; x += 0.01)
    for (double y = -4.0; y <= 4.0; y += 0.01)
      if (lnl(x, y) > best) best = lnl(x, y), bx = x, by = y;
  const double cx = bx, cy = by;
  for (double x = cx - 0.02; x <= cx + 0.02; x += 2e-5)
    for (double y = cy - 0.02; y <= cy + 0.02; y += 2e-5) best = std::max(best, lnl(x, y));
  return best;
}

TEST(SingleDetectorKernel, MatchesBruteForceOverTimePhaseAndPolarisations) {
  const ChirpParameters reference;
  ChirpParameters signal = reference;
  signal.amplitude = 0.06;
  signal.time = 2e-4;
  const std::vector<Projection> truth = {{0.7, -0.4, 0.9, 0.001}};
  const SyntheticEvent event = make_event(1.0 / 5.3, 520.0, 20.0, 500.0, signal, truth, 1.0, 21);
  const SplineBasis basis(pn_nodes(16.0, 512.0, 0.05));
  const auto h0_f = chirp_modes(reference, event.frequencies);
  const auto h0_b = chirp_modes(reference, basis.nodes());
  const SummaryWeights weights = compute_summary_weights(
      basis, {event.frequencies, event.df, 1, event.strain, event.whitening},
      {m_values(), h0_f, h0_b});
  const std::size_t n_phi = 12;
  const std::vector<double> times = {-1e-3, -5e-4, 0.0, 5e-4, 1e-3, 1.5e-3, 2e-3};
  const SingleDetectorKernel kernel(weights, 1.0, n_phi);
  std::vector<ChirpParameters> templates = {signal, signal};
  templates[1].chirp_mass_seconds *= 1.0003;
  templates[1].inclination = 1.2;
  std::vector<Complex> h;
  for (const auto& par : templates) {
    const auto modes = chirp_modes(par, basis.nodes());
    h.insert(h.end(), modes.begin(), modes.end());
  }
  const auto phasors = time_grid_phasors(basis.nodes(), times);
  SingleDetectorResult result;
  kernel.evaluate(2, h, times.size(), phasors, result);

  const std::size_t n_f = event.frequencies.size();
  for (std::size_t i = 0; i < 2; ++i) {
    double brute_best = -INFINITY;
    for (std::size_t o = 0; o < n_phi; ++o) {
      for (const double tau : times) {
        double dh[2] = {0, 0}, hh[2][2] = {{0, 0}, {0, 0}};
        for (std::size_t k = 0; k < n_f; ++k) {
          const double f = event.frequencies[k];
          const double w2 = 4.0 * event.df * std::pow(event.whitening[k], 2);
          if (w2 == 0.0) continue;
          Complex hp[2];
          for (int p = 0; p < 2; ++p) {
            const Projection unit = {p == 0 ? 1.0 : 0.0, p == 1 ? 1.0 : 0.0,
                                     2.0 * std::numbers::pi * o / n_phi, tau};
            hp[p] = detector_strain(templates[i], unit, f);
          }
          for (int p = 0; p < 2; ++p) {
            dh[p] += w2 * std::real(event.strain[k] * std::conj(hp[p]));
            for (int pp = 0; pp < 2; ++pp) hh[p][pp] += w2 * std::real(hp[p] * std::conj(hp[pp]));
          }
        }
        brute_best = std::max(brute_best, grid_maximum(dh[0], dh[1], hh[0][0], hh[0][1], hh[1][1]));
      }
    }
    EXPECT_GT(brute_best, 50.0);  // a loud template, so the comparison means something
    EXPECT_NEAR(result.lnlike_max[i], brute_best, 2e-3) << "template " << i;
  }
}

TEST(SingleDetectorKernel, PolarisationFitAnalyticCases) {
  // Diagonal hh: independent fits.
  EXPECT_NEAR(polarisation_fit_lnlike(3.0, 4.0, 2.0, 0.0, 8.0), 0.5 * (9.0 / 2.0 + 16.0 / 8.0),
              1e-14);
  // Correlated: dh = hh·r gives ½ rᵀ hh r.
  const double a = 5.0, b = 1.5, c = 2.0, r0 = 0.3, r1 = -1.1;
  const double x = a * r0 + b * r1, y = b * r0 + c * r1;
  EXPECT_NEAR(polarisation_fit_lnlike(x, y, a, b, c), 0.5 * (r0 * x + r1 * y), 1e-13);
  // Singular (h× ≡ 0): the plus fit alone, never NaN or infinity.
  EXPECT_NEAR(polarisation_fit_lnlike(3.0, 0.0, 2.0, 0.0, 0.0), 2.25, 1e-14);
  // Rank one with both polarisations proportional: finite.
  EXPECT_TRUE(std::isfinite(polarisation_fit_lnlike(1.0, 2.0, 1.0, 2.0, 4.0)));
  EXPECT_EQ(polarisation_fit_lnlike(1.0, 1.0, 0.0, 0.0, 0.0), 0.0);
}

TEST(SingleDetectorKernel, SingularAndNanTemplatesDoNotLeak) {
  SummaryWeights w;
  w.n_detectors = 1;
  w.n_modes = 1;
  w.n_nodes = 4;
  w.m_values = {2};
  w.dh.assign(8, Complex(1.0, 0.5));
  w.hh.assign(16, Complex(0.0, 0.0));
  for (std::size_t b = 0; b < 4; ++b) {
    w.hh[w.hh_index(0, 0, 0, 0, b)] = 1.0;
    w.hh[w.hh_index(0, 0, 1, 1, b)] = 1.0;
  }
  const SingleDetectorKernel kernel(w, 1.0, 8);
  // Template 0: h× ≡ 0 (singular hh). Template 1: NaN everywhere. Template 2: regular.
  std::vector<Complex> h(3 * 2 * 4, Complex(0.5, 0.2));
  for (std::size_t b = 0; b < 4; ++b) h[4 + b] = 0.0;
  for (std::size_t k = 8; k < 16; ++k) h[k] = Complex(NAN, NAN);
  for (std::size_t b = 0; b < 4; ++b) h[20 + b] = Complex(0.1, -0.3);
  const std::vector<double> fbin = {20, 30, 40, 50};
  const std::vector<double> times = {0.0, 0.01};
  SingleDetectorResult result;
  kernel.evaluate(3, h, 2, time_grid_phasors(fbin, times), result);
  EXPECT_TRUE(std::isfinite(result.lnlike_max[0]));
  EXPECT_GT(result.lnlike_max[0], 0.0);
  EXPECT_TRUE(std::isnan(result.lnlike_max[1]));
  EXPECT_TRUE(std::isfinite(result.lnlike_max[2]));
}

TEST(SingleDetectorKernel, RejectsMultiDetectorWeights) {
  SummaryWeights w;
  w.n_detectors = 2;
  w.n_modes = 1;
  w.n_nodes = 4;
  w.m_values = {2};
  w.dh.assign(16, 0.0);
  w.hh.assign(32, 0.0);
  EXPECT_THROW(SingleDetectorKernel(w, 1.0, 4), Error);
}

}  // namespace
}  // namespace dotpe::likelihood
