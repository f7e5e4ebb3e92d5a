// The coherent kernel against a naive loop over (i, e, o, m, p, b, d), the phase-grid identity
// for rotated templates, and an end-to-end check against brute-force full-frequency inner
// products of detector-projected synthetic chirps.
#include "dotpe/likelihood/coherent_kernel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <sstream>

#include "dotpe/core/error.hpp"
#include "dotpe/core/rng.hpp"
#include "synthetic_waveforms.hpp"

namespace dotpe::likelihood {
namespace {

using testing::Complex;

struct RandomInputs {
  std::size_t n_i = 3, n_e = 5, n_phi = 7, n_d = 2, n_b = 11;
  SummaryWeights weights;
  std::vector<double> drift = {1.1, 0.9};
  std::vector<Complex> h, timeshift;
  std::vector<double> response;

  RandomInputs() {
    RngStream rng(11, rng_stream::tests, 0);
    const auto normal = [&rng] { return Complex(rng.normal(), rng.normal()); };
    weights.n_detectors = n_d;
    weights.n_modes = 4;
    weights.n_nodes = n_b;
    weights.m_values = {2, 1, 3, 4};
    for (std::size_t k = 0; k < n_d * 4 * 2 * n_b; ++k) weights.dh.push_back(normal());
    for (std::size_t k = 0; k < n_d * 10 * 4 * n_b; ++k) weights.hh.push_back(normal());
    for (std::size_t k = 0; k < n_i * 4 * 2 * n_b; ++k) h.push_back(normal());
    for (std::size_t k = 0; k < n_d * 2 * n_e; ++k) response.push_back(rng.normal());
    for (std::size_t k = 0; k < n_d * n_b * n_e; ++k)
      timeshift.push_back(std::exp(Complex(0.0, 2.0 * std::numbers::pi * rng.uniform())));
  }
};

// Straight from the definition (pipeline.md §3.4).
void naive(const RandomInputs& in, const std::vector<Complex>& h, std::size_t i, std::size_t e,
           std::size_t o, double& dh, double& hh) {
  const auto& w = in.weights;
  const double phi = 2.0 * std::numbers::pi * o / in.n_phi;
  const auto pairs = mode_pairs(4);
  const auto H = [&](std::size_t m, std::size_t p, std::size_t b) {
    return h[((i * 4 + m) * 2 + p) * in.n_b + b];
  };
  const auto F = [&](std::size_t d, std::size_t p) {
    return in.response[(d * 2 + p) * in.n_e + e];
  };
  Complex dh_sum = 0.0, hh_sum = 0.0;
  for (std::size_t d = 0; d < in.n_d; ++d) {
    const double inv = 1.0 / (in.drift[d] * in.drift[d]);
    for (std::size_t b = 0; b < in.n_b; ++b) {
      const Complex T = in.timeshift[(d * in.n_b + b) * in.n_e + e];
      for (std::size_t m = 0; m < 4; ++m)
        for (std::size_t p = 0; p < 2; ++p)
          dh_sum += w.dh[w.dh_index(d, m, p, b)] * std::conj(H(m, p, b)) * F(d, p) * inv *
                    std::conj(T) * std::exp(Complex(0.0, -w.m_values[m] * phi));
      for (std::size_t M = 0; M < pairs.size(); ++M) {
        const auto [m, mm] = pairs[M];
        for (std::size_t p = 0; p < 2; ++p)
          for (std::size_t pp = 0; pp < 2; ++pp)
            hh_sum += w.hh[w.hh_index(d, M, p, pp, b)] * H(m, p, b) * std::conj(H(mm, pp, b)) *
                      F(d, p) * F(d, pp) * inv *
                      std::exp(Complex(0.0, (w.m_values[m] - w.m_values[mm]) * phi));
      }
    }
  }
  dh = dh_sum.real();
  hh = hh_sum.real();
}

TEST(CoherentKernel, EqualsNaiveLoop) {
  const RandomInputs in;
  const CoherentKernel kernel(in.weights, in.drift, in.n_phi);
  CoherentResult result;
  kernel.evaluate(kernel.prepare_intrinsic(in.n_i, in.h),
                  kernel.prepare_extrinsic(in.n_e, in.response, in.timeshift), result);
  double worst = 0.0;
  for (std::size_t i = 0; i < in.n_i; ++i)
    for (std::size_t e = 0; e < in.n_e; ++e)
      for (std::size_t o = 0; o < in.n_phi; ++o) {
        double dh = 0.0, hh = 0.0;
        naive(in, in.h, i, e, o, dh, hh);
        const std::size_t k = result.index(i, e, o);
        const double scale = std::abs(dh) + std::abs(hh) + 1.0;
        worst = std::max(
            {worst, std::abs(result.dh[k] - dh) / scale, std::abs(result.hh[k] - hh) / scale});
        EXPECT_NEAR(result.dh[k], dh, 1e-10 * scale);
        EXPECT_NEAR(result.hh[k], hh, 1e-10 * scale);
        const double bestfit = dh > 0.0 && hh > 0.0 ? 0.5 * dh * dh / hh : 0.0;
        EXPECT_NEAR(result.bestfit_lnlike[k], bestfit, 1e-9 * (std::abs(bestfit) + 1.0));
      }
  RecordProperty("worst_relative_error", (std::ostringstream() << std::scientific << worst).str());
}

TEST(CoherentKernel, ModeInnerProductsEqualNaiveSums) {
  const RandomInputs in;
  const CoherentKernel kernel(in.weights, in.drift, in.n_phi);
  std::vector<Complex> dh, hh;
  kernel.mode_inner_products(kernel.prepare_intrinsic(in.n_i, in.h),
                             kernel.prepare_extrinsic(in.n_e, in.response, in.timeshift), dh, hh);
  const auto& w = in.weights;
  const auto pairs = mode_pairs(4);
  for (std::size_t i = 0; i < in.n_i; ++i)
    for (std::size_t e = 0; e < in.n_e; ++e) {
      std::vector<Complex> dh_naive(4, 0.0), hh_naive(pairs.size(), 0.0);
      for (std::size_t d = 0; d < in.n_d; ++d) {
        const double inv = 1.0 / (in.drift[d] * in.drift[d]);
        const auto F = [&](std::size_t p) { return in.response[(d * 2 + p) * in.n_e + e]; };
        for (std::size_t b = 0; b < in.n_b; ++b) {
          const Complex T = in.timeshift[(d * in.n_b + b) * in.n_e + e];
          const auto H = [&](std::size_t m, std::size_t p) {
            return in.h[((i * 4 + m) * 2 + p) * in.n_b + b];
          };
          for (std::size_t m = 0; m < 4; ++m)
            for (std::size_t p = 0; p < 2; ++p)
              dh_naive[m] +=
                  w.dh[w.dh_index(d, m, p, b)] * std::conj(H(m, p)) * F(p) * inv * std::conj(T);
          for (std::size_t M = 0; M < pairs.size(); ++M)
            for (std::size_t p = 0; p < 2; ++p)
              for (std::size_t pp = 0; pp < 2; ++pp)
                hh_naive[M] += w.hh[w.hh_index(d, M, p, pp, b)] * H(pairs[M].first, p) *
                               std::conj(H(pairs[M].second, pp)) * F(p) * F(pp) * inv;
        }
      }
      for (std::size_t m = 0; m < 4; ++m)
        EXPECT_LT(std::abs(dh[(i * in.n_e + e) * 4 + m] - dh_naive[m]),
                  1e-10 * (1.0 + std::abs(dh_naive[m])));
      for (std::size_t M = 0; M < pairs.size(); ++M)
        EXPECT_LT(std::abs(hh[(i * in.n_e + e) * pairs.size() + M] - hh_naive[M]),
                  1e-10 * (1.0 + std::abs(hh_naive[M])));
    }
}

TEST(CoherentKernel, RotatedTemplateShiftsPhaseGrid) {
  const RandomInputs in;
  const CoherentKernel kernel(in.weights, in.drift, in.n_phi);
  const auto extrinsic = kernel.prepare_extrinsic(in.n_e, in.response, in.timeshift);
  CoherentResult plain, rotated;
  kernel.evaluate(kernel.prepare_intrinsic(in.n_i, in.h), extrinsic, plain);
  const std::size_t shift = 3;
  const double phi = 2.0 * std::numbers::pi * shift / in.n_phi;
  std::vector<Complex> h = in.h;
  for (std::size_t i = 0; i < in.n_i; ++i)
    for (std::size_t m = 0; m < 4; ++m)
      for (std::size_t pb = 0; pb < 2 * in.n_b; ++pb)
        h[(i * 4 + m) * 2 * in.n_b + pb] *= std::exp(Complex(0.0, in.weights.m_values[m] * phi));
  kernel.evaluate(kernel.prepare_intrinsic(in.n_i, h), extrinsic, rotated);
  for (std::size_t i = 0; i < in.n_i; ++i)
    for (std::size_t e = 0; e < in.n_e; ++e)
      for (std::size_t o = 0; o < in.n_phi; ++o) {
        const std::size_t k = rotated.index(i, e, o);
        const std::size_t ks = plain.index(i, e, (o + shift) % in.n_phi);
        EXPECT_NEAR(rotated.dh[k], plain.dh[ks], 1e-10 * (1.0 + std::abs(plain.dh[ks])));
        EXPECT_NEAR(rotated.hh[k], plain.hh[ks], 1e-10 * (1.0 + std::abs(plain.hh[ks])));
      }
}

TEST(CoherentKernel, MatchesBruteForceInnerProductsOfChirps) {
  using namespace testing;
  const ChirpParameters reference;
  ChirpParameters signal = reference;
  signal.amplitude = 0.06;
  signal.time = 3e-4;
  const std::vector<Projection> truth = {{0.6, -0.3, 0.0, 0.002}, {-0.45, 0.5, 0.0, -0.004}};
  const SyntheticEvent event = make_event(1.0 / 6.1, 520.0, 20.0, 500.0, signal, truth, 1.0, 8);
  const SplineBasis basis(pn_nodes(16.0, 512.0, 0.05));
  const auto h0_f = chirp_modes(reference, event.frequencies);
  const auto h0_b = chirp_modes(reference, basis.nodes());
  const SummaryWeights weights = compute_summary_weights(
      basis, {event.frequencies, event.df, 2, event.strain, event.whitening},
      {m_values(), h0_f, h0_b});
  const std::vector<double> drift = {1.0, 1.0};
  const std::size_t n_phi = 8, n_b = basis.size();
  const CoherentKernel kernel(weights, drift, n_phi);
  // Two templates near the reference, three extrinsic samples (F, delay per detector).
  std::vector<ChirpParameters> templates = {signal, signal};
  templates[1].chirp_mass_seconds *= 1.0004;
  templates[1].inclination += 0.1;
  std::vector<Complex> h;
  for (const auto& par : templates) {
    const auto modes = chirp_modes(par, basis.nodes());
    h.insert(h.end(), modes.begin(), modes.end());
  }
  const std::vector<std::vector<Projection>> samples = {
      truth,
      {{0.3, 0.4, 0.0, 0.001}, {0.5, -0.2, 0.0, -0.003}},
      {{-0.7, 0.1, 0.0, 0.0}, {0.2, 0.6, 0.0, 0.005}}};
  const std::size_t n_e = samples.size();
  std::vector<double> response(2 * 2 * n_e);
  std::vector<Complex> timeshift(2 * n_b * n_e);
  for (std::size_t e = 0; e < n_e; ++e)
    for (std::size_t d = 0; d < 2; ++d) {
      response[(d * 2) * n_e + e] = samples[e][d].f_plus;
      response[(d * 2 + 1) * n_e + e] = samples[e][d].f_cross;
      for (std::size_t b = 0; b < n_b; ++b)
        timeshift[(d * n_b + b) * n_e + e] = std::exp(
            Complex(0.0, -2.0 * std::numbers::pi * basis.nodes()[b] * samples[e][d].delay));
    }
  CoherentResult result;
  kernel.evaluate(kernel.prepare_intrinsic(2, h),
                  kernel.prepare_extrinsic(n_e, response, timeshift), result);
  const std::size_t n_f = event.frequencies.size();
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t e = 0; e < n_e; ++e)
      for (std::size_t o = 0; o < n_phi; ++o) {
        double dh = 0.0, hh = 0.0;
        for (std::size_t d = 0; d < 2; ++d) {
          Projection proj = samples[e][d];
          proj.phase = 2.0 * std::numbers::pi * o / n_phi;
          for (std::size_t k = 0; k < n_f; ++k) {
            const double w2 = 4.0 * event.df * std::pow(event.whitening[d * n_f + k], 2);
            const Complex hd = detector_strain(templates[i], proj, event.frequencies[k]);
            dh += w2 * std::real(event.strain[d * n_f + k] * std::conj(hd));
            hh += w2 * std::norm(hd);
          }
        }
        const std::size_t k = result.index(i, e, o);
        EXPECT_NEAR(result.dh[k] - 0.5 * result.hh[k], dh - 0.5 * hh, 1e-3) << i << e << o;
        EXPECT_NEAR(result.hh[k], hh, 1e-5 * hh);
      }
}

TEST(CoherentKernel, RejectsMismatchedInputs) {
  const RandomInputs in;
  EXPECT_THROW(CoherentKernel(in.weights, std::vector<double>{1.0}, 4), Error);
  EXPECT_THROW(CoherentKernel(in.weights, std::vector<double>{1.0, -1.0}, 4), Error);
  const CoherentKernel kernel(in.weights, in.drift, in.n_phi);
  EXPECT_THROW((void)kernel.prepare_intrinsic(in.n_i + 1, in.h), Error);
  EXPECT_THROW((void)kernel.prepare_extrinsic(in.n_e + 1, in.response, in.timeshift), Error);
}

}  // namespace
}  // namespace dotpe::likelihood

namespace dotpe::likelihood {
namespace {

// complex<float> GEMM against double on a realistic block: a synthetic three-detector event of
// network SNR ≈ 25 and templates / extrinsic samples spread around the signal.
TEST(CoherentKernel, SinglePrecisionGemmWithinMilliNatOnRealisticBlock) {
  using namespace testing;
  const ChirpParameters reference;
  ChirpParameters signal = reference;
  signal.amplitude = 0.06;
  const std::vector<Projection> truth = {
      {0.6, -0.3, 0.0, 0.002}, {-0.45, 0.5, 0.0, -0.004}, {0.2, 0.7, 0.0, 0.007}};
  const SyntheticEvent event = make_event(1.0 / 8.0, 520.0, 20.0, 500.0, signal, truth, 1.0, 33);
  const SplineBasis basis(pn_nodes(16.0, 512.0, 0.05));
  const auto h0_f = chirp_modes(reference, event.frequencies);
  const auto h0_b = chirp_modes(reference, basis.nodes());
  const SummaryWeights weights = compute_summary_weights(
      basis, {event.frequencies, event.df, 3, event.strain, event.whitening},
      {m_values(), h0_f, h0_b});
  const std::size_t n_i = 24, n_e = 24, n_phi = 32, n_b = basis.size();
  std::vector<Complex> h;
  for (std::size_t i = 0; i < n_i; ++i) {
    ChirpParameters par = signal;
    par.chirp_mass_seconds *= 1.0 + 4e-4 * std::sin(1.7 * i);
    par.inclination += 0.3 * std::cos(0.9 * i);
    par.time = 3e-4 * std::sin(2.3 * i);
    const auto modes = chirp_modes(par, basis.nodes());
    h.insert(h.end(), modes.begin(), modes.end());
  }
  std::vector<double> response(3 * 2 * n_e);
  std::vector<Complex> timeshift(3 * n_b * n_e);
  for (std::size_t e = 0; e < n_e; ++e)
    for (std::size_t d = 0; d < 3; ++d) {
      const double scale = 0.4 + 0.6 * std::abs(std::cos(0.37 * e + d));
      response[(d * 2) * n_e + e] = truth[d].f_plus * scale + 0.1 * std::sin(1.1 * e);
      response[(d * 2 + 1) * n_e + e] = truth[d].f_cross * scale + 0.1 * std::cos(1.3 * e);
      const double delay = truth[d].delay + 4e-4 * std::sin(0.77 * e + d);
      for (std::size_t b = 0; b < n_b; ++b)
        timeshift[(d * n_b + b) * n_e + e] =
            std::exp(Complex(0.0, -2.0 * std::numbers::pi * basis.nodes()[b] * delay));
    }
  const std::vector<double> drift(3, 1.0);
  CoherentResult exact, fast;
  const CoherentKernel kernel_double(weights, drift, n_phi);
  const CoherentKernel kernel_single(weights, drift, n_phi, GemmPrecision::single_precision);
  kernel_double.evaluate(kernel_double.prepare_intrinsic(n_i, h),
                         kernel_double.prepare_extrinsic(n_e, response, timeshift), exact);
  kernel_single.evaluate(kernel_single.prepare_intrinsic(n_i, h),
                         kernel_single.prepare_extrinsic(n_e, response, timeshift), fast);
  double worst = 0.0, best_lnl = 0.0;
  for (std::size_t k = 0; k < exact.dh.size(); ++k) {
    worst =
        std::max({worst, std::abs(fast.bestfit_lnlike[k] - exact.bestfit_lnlike[k]),
                  std::abs((fast.dh[k] - 0.5 * fast.hh[k]) - (exact.dh[k] - 0.5 * exact.hh[k]))});
    best_lnl = std::max(best_lnl, exact.bestfit_lnlike[k]);
  }
  EXPECT_GT(best_lnl, 100.0);  // realistic loudness: network SNR above ~15
  EXPECT_LE(worst, 1e-3);
  RecordProperty("worst_abs_delta_lnl", (std::ostringstream() << std::scientific << worst).str());
  RecordProperty("max_bestfit_lnl", (std::ostringstream() << std::scientific << best_lnl).str());
  std::printf("single-precision GEMM: worst |dlnL| = %.3g at max bestfit lnL %.1f\n", worst,
              best_lnl);
}

}  // namespace
}  // namespace dotpe::likelihood
