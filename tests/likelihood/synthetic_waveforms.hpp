// Synthetic inputs for the likelihood tests: a PN-like chirp per harmonic group (analytic, so
// it can be evaluated anywhere), a toy PSD, an event with noise, and PN-spaced nodes. Nothing
// here comes from the code under test.
#pragma once

#include <cmath>
#include <complex>
#include <numbers>
#include <vector>

#include "dotpe/core/rng.hpp"

namespace dotpe::likelihood::testing {

using Complex = std::complex<double>;

struct ChirpParameters {
  double chirp_mass_seconds = 8.0 * 4.925491e-6;
  double beta = 2.0;         // 1PN-like coefficient
  double time = 0.0;         // coalescence time (s)
  double inclination = 0.7;  // changes the ± amplitude ratio
  double amplitude = 1.0;
  double cutoff = 320.0;  // smooth ringdown roll-off (Hz)
};

inline const std::vector<int>& m_values() {
  static const std::vector<int> values = {2, 1, 3, 4};
  return values;
}

// h_mp(f) at phi_ref = 0: the (2,2)-like phase scaled to harmonic m, amplitudes per group.
inline Complex chirp(const ChirpParameters& par, int m, int p, double f) {
  if (f <= 0.0) return 0.0;
  const double f22 = 2.0 * f / m;  // the (2,2) frequency with the same orbital frequency
  const double x = std::numbers::pi * par.chirp_mass_seconds * f22;
  const double psi22 =
      2.0 * std::numbers::pi * f22 * par.time +
      3.0 / 128.0 * std::pow(x, -5.0 / 3.0) * (1.0 + par.beta * std::pow(x, 2.0 / 3.0)) -
      std::numbers::pi / 4.0;
  const double group_amplitude = m == 2 ? 1.0 : (m == 1 ? 0.2 : (m == 3 ? 0.3 : 0.1));
  const double amplitude = par.amplitude * group_amplitude * std::pow(f / 100.0, -7.0 / 6.0) /
                           (1.0 + std::pow(f / (par.cutoff * m / 2.0), 6));
  const double ci = std::cos(par.inclination);
  const Complex polarisation = p == 0 ? Complex(0.5 * (1.0 + ci * ci), 0.0) : Complex(0.0, -ci);
  return amplitude * polarisation * std::exp(Complex(0.0, -0.5 * m * psi22));
}

// Samples [(m·2 + p)·n + k].
inline std::vector<Complex> chirp_modes(const ChirpParameters& par, const std::vector<double>& f) {
  std::vector<Complex> out;
  for (const int m : m_values())
    for (int p = 0; p < 2; ++p)
      for (const double freq : f) out.push_back(chirp(par, m, p, freq));
  return out;
}

// Relative-binning nodes uniform in a PN phase (numerics.md §3.1 shape), not snapped to any grid.
inline std::vector<double> pn_nodes(double fmin, double fmax, double tolerance) {
  const double exps[3] = {-5.0 / 3.0, -2.0 / 3.0, 1.0};
  const auto phase = [&](double f) {
    double total = 0.0;
    for (const double e : exps) {
      const double range = 2.0 * std::numbers::pi / std::abs(std::pow(fmin, e) - std::pow(fmax, e));
      total += (e > 0 ? 1.0 : -1.0) * range * (std::pow(f, e) - std::pow(fmin, e));
    }
    return total;
  };
  const double end = phase(fmax);
  const int intervals = static_cast<int>(std::ceil(end / tolerance));
  std::vector<double> nodes = {fmin};
  for (int k = 1; k < intervals; ++k) {
    const double target = end * k / intervals;
    double lo = nodes.back(), hi = fmax;
    for (int it = 0; it < 100; ++it) {
      const double mid = 0.5 * (lo + hi);
      (phase(mid) < target ? lo : hi) = mid;
    }
    nodes.push_back(0.5 * (lo + hi));
  }
  nodes.push_back(fmax);
  return nodes;
}

struct SyntheticEvent {
  std::vector<double> frequencies;
  double df = 0.0;
  std::size_t n_detectors = 0;
  std::vector<Complex> strain;    // [d][k]
  std::vector<double> whitening;  // [d][k]
};

inline double toy_asd(double f, std::size_t d) {
  const double x = f / (60.0 + 15.0 * d);
  return 0.05 * std::sqrt(std::pow(x, -4.0) + 1.0 + 0.5 * x * x);
}

// Detector projection used by the tests: Σ_m Σ_p F_p h_mp e^{i m φ} e^{-2πi f τ}.
struct Projection {
  double f_plus, f_cross, phase, delay;
};

inline Complex detector_strain(const ChirpParameters& par, const Projection& proj, double f) {
  Complex total = 0.0;
  for (const int m : m_values()) {
    const Complex rotation = std::exp(Complex(0.0, m * proj.phase));
    total += rotation * (proj.f_plus * chirp(par, m, 0, f) + proj.f_cross * chirp(par, m, 1, f));
  }
  return total * std::exp(Complex(0.0, -2.0 * std::numbers::pi * f * proj.delay));
}

// Event with band [band_lo, band_hi] (whitening 0 outside) on the grid k·df, k < n_f.
inline SyntheticEvent make_event(double df, double fmax, double band_lo, double band_hi,
                                 const ChirpParameters& signal,
                                 const std::vector<Projection>& projections, double noise_scale,
                                 std::uint64_t seed) {
  SyntheticEvent event;
  event.df = df;
  event.n_detectors = projections.size();
  const auto count = static_cast<std::size_t>(std::floor(fmax / df)) + 1;
  for (std::size_t k = 0; k < count; ++k) event.frequencies.push_back(df * k);
  const std::size_t n_f = event.frequencies.size();
  for (std::size_t d = 0; d < projections.size(); ++d) {
    for (std::size_t k = 0; k < n_f; ++k) {
      const double f = event.frequencies[k];
      const bool in_band = f >= band_lo && f <= band_hi;
      const double asd = toy_asd(std::max(f, 1.0), d);
      RngStream rng(seed, rng_stream::tests, d * n_f + k);
      // E|n|² = S/(2 df): 4 df |n w|² ≈ 2 per bin.
      const double sigma = asd / std::sqrt(4.0 * df);
      const Complex noise(sigma * rng.normal(), sigma * rng.normal());
      event.strain.push_back(detector_strain(signal, projections[d], f) + noise_scale * noise);
      event.whitening.push_back(in_band ? 1.0 / asd : 0.0);
    }
  }
  return event;
}

}  // namespace dotpe::likelihood::testing
