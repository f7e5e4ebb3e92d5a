// Time-grid weights (compute_time_grid_weights): the expansion and the direct evaluation against
// a brute-force sum written here, S_b(τ) = Σ_k g_k e^{2πi f_k τ} L_b(f_k) with L_b from the
// basis' cardinal functions and e^{2πi f τ} from std::polar at every (k, τ), on an event whose
// df (1/3.7 Hz) has nothing to do with the PN-spaced nodes: intervals holding no frequency, one,
// an odd number, and far more than one expansion block; frequencies below the first node and
// nodes above the last frequency; times on no grid, unsorted, far from 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <sstream>

#include "dotpe/core/error.hpp"
#include "dotpe/likelihood/summary_weights.hpp"
#include "synthetic_waveforms.hpp"

namespace dotpe::likelihood {
namespace {

using namespace dotpe::likelihood::testing;

struct TimeGridSetup {
  SyntheticEvent event;
  SplineBasis basis;
  std::vector<Complex> h0_f, h0_b;  // [m][k], [m][b]: h+ + i h×
  std::vector<double> cardinal;     // L_b(f_k), [b][k]

  TimeGridSetup()
      : event(make_event(
            1.0 / 3.7, 460.0, 17.0, 430.0, signal(),
            {{0.6, -0.3, 0.4, 0.002}, {-0.45, 0.5, 0.4, -0.004}, {0.2, 0.7, 0.4, 0.007}}, 1.0, 11)),
        basis(pn_nodes(16.0, 500.0, 0.3)),
        h0_f(complex_reference(event.frequencies)),
        h0_b(complex_reference(basis.nodes())) {
    for (std::size_t b = 0; b < basis.size(); ++b)
      for (const double f : event.frequencies) cardinal.push_back(basis.cardinal(b, f));
  }

  EventArrays arrays() const {
    return {event.frequencies, event.df, event.n_detectors, event.strain, event.whitening};
  }

  static ChirpParameters signal() {
    ChirpParameters par;
    par.chirp_mass_seconds *= 1.0005;
    par.time = 4e-4;
    par.amplitude = 0.06;
    return par;
  }

  static std::vector<Complex> complex_reference(const std::vector<double>& f) {
    const ChirpParameters reference;
    std::vector<Complex> out;
    for (const int m : m_values())
      for (const double x : f)
        out.push_back(chirp(reference, m, 0, x) + Complex(0, 1) * chirp(reference, m, 1, x));
    return out;
  }
};

const TimeGridSetup& setup() {
  static const TimeGridSetup instance;
  return instance;
}

// e^{2πi f τ} with f·τ taken modulo 1 including the rounding error of the product, so that the
// reference is not limited by the 1e-12 rad rounding of 2π f τ at f τ ~ 10⁴ cycles.
Complex accurate_phasor(double f, double tau) {
  const double cycles = f * tau;
  const double rounding = std::fma(f, tau, -cycles);
  const double fraction = (cycles - std::floor(cycles)) + rounding;
  return std::polar(1.0, 2.0 * std::numbers::pi * fraction);
}

// dh[m,t,d,b] by brute force.
std::vector<Complex> brute_force_dh(const TimeGridSetup& s, const std::vector<double>& times) {
  const std::size_t n_f = s.event.frequencies.size(), n_b = s.basis.size(), n_d = 3, n_m = 4;
  const std::size_t n_t = times.size();
  std::vector<Complex> dh(n_m * n_t * n_d * n_b);
  std::vector<Complex> integrand(n_f);
  for (std::size_t t = 0; t < n_t; ++t) {
    for (std::size_t m = 0; m < n_m; ++m) {
      for (std::size_t d = 0; d < n_d; ++d) {
        for (std::size_t k = 0; k < n_f; ++k) {
          integrand[k] = 4.0 * s.event.df * std::pow(s.event.whitening[d * n_f + k], 2) *
                         s.event.strain[d * n_f + k] * std::conj(s.h0_f[m * n_f + k]) *
                         accurate_phasor(s.event.frequencies[k], times[t]);
        }
        for (std::size_t b = 0; b < n_b; ++b) {
          Complex sum = 0.0;
          for (std::size_t k = 0; k < n_f; ++k) sum += integrand[k] * s.cardinal[b * n_f + k];
          const Complex node = std::conj(s.h0_b[m * n_b + b]);
          dh[((m * n_t + t) * n_d + d) * n_b + b] = node == 0.0 ? Complex(0.0) : sum / node;
        }
      }
    }
  }
  return dh;
}

// max over (m, d) of max |a − b| / max |b|, both over (t, b).
double worst_relative_difference(const TimeGridWeights& w, const std::vector<Complex>& reference) {
  double worst = 0.0;
  for (std::size_t m = 0; m < w.n_modes; ++m) {
    for (std::size_t d = 0; d < w.n_detectors; ++d) {
      double difference = 0.0, scale = 0.0;
      for (std::size_t t = 0; t < w.n_times; ++t) {
        for (std::size_t b = 0; b < w.n_nodes; ++b) {
          const std::size_t i = w.dh_index(m, t, d, b);
          difference = std::max(difference, std::abs(w.dh[i] - reference[i]));
          scale = std::max(scale, std::abs(reference[i]));
        }
      }
      EXPECT_GT(scale, 0.0);
      worst = std::max(worst, difference / scale);
    }
  }
  return worst;
}

std::string scientific(double x) {
  return (std::ostringstream() << std::scientific << x).str();
}

// A few hundred times on no grid, in no order, 13.3 s from the data's origin.
std::vector<double> scattered_times(std::size_t n, double centre, double half_range) {
  std::vector<double> times;
  for (std::size_t t = 0; t < n; ++t) {
    const double u = std::fmod(0.5 + 0.7548776662466927 * static_cast<double>(t), 1.0);
    times.push_back(centre + half_range * (2.0 * u - 1.0) + 1.3e-5 * std::sin(3.1 * t));
  }
  return times;
}

TEST(TimeGridWeights, TestEventHasTheIntervalShapesItClaims) {
  const TimeGridSetup& s = setup();
  std::map<std::size_t, std::size_t> lengths;  // frequencies per node interval
  const auto& x = s.basis.nodes();
  for (std::size_t j = 0; j + 1 < x.size(); ++j) {
    const auto inside = std::count_if(s.event.frequencies.begin(), s.event.frequencies.end(),
                                      [&](double f) { return f >= x[j] && f < x[j + 1]; });
    ++lengths[static_cast<std::size_t>(inside)];
  }
  EXPECT_GT(lengths[0], 0u);
  EXPECT_GT(lengths[1], 0u);
  EXPECT_GT(lengths.rbegin()->first, 60u);  // cut into 3 blocks of ≤ 30 for |τ| ≤ 0.08 s
  std::size_t odd = 0;
  for (const auto& [length, count] : lengths) odd += length > 1 && length % 2 == 1 ? count : 0;
  EXPECT_GT(odd, 3u);
  EXPECT_LT(s.event.frequencies.front(), x.front());
  EXPECT_GT(x.back(), s.event.frequencies.back());
}

TEST(TimeGridWeights, ExpansionAndDirectMatchBruteForce) {
  const TimeGridSetup& s = setup();
  const std::vector<double> times = scattered_times(240, 13.3, 0.08);
  const auto brute = brute_force_dh(s, times);
  const auto expansion = compute_time_grid_weights(s.basis, s.arrays(), m_values(), s.h0_f, s.h0_b,
                                                   times, TimeGridMethod::expansion);
  const auto direct = compute_time_grid_weights(s.basis, s.arrays(), m_values(), s.h0_f, s.h0_b,
                                                times, TimeGridMethod::direct);
  const double expansion_error = worst_relative_difference(expansion, brute);
  const double direct_error = worst_relative_difference(direct, brute);
  const double between = worst_relative_difference(expansion, direct.dh);
  // The direct evaluation rounds 2π f τ (up to 4·10⁴ rad here) at the 1e-12 level; the
  // expansion takes its large phases modulo one cycle with the product's rounding error.
  EXPECT_LT(expansion_error, 1e-13);
  EXPECT_LT(direct_error, 1e-11);
  EXPECT_LT(between, 1e-11);
  EXPECT_EQ(expansion.hh, direct.hh);
  RecordProperty("expansion_vs_brute_force", scientific(expansion_error));
  RecordProperty("direct_vs_brute_force", scientific(direct_error));
  RecordProperty("expansion_vs_direct", scientific(between));
}

TEST(TimeGridWeights, ExpansionOnAUniformGridAndWideWindow) {
  // The extrinsic stage's shape (a regular grid at the sampling rate, t_coarse added), and a
  // window wide enough that blocks shrink to one or two frequencies.
  const TimeGridSetup& s = setup();
  for (const auto& [spacing, count] : {std::pair{1.0 / 4096.0, 300}, std::pair{0.037, 101}}) {
    std::vector<double> times;
    for (int t = 0; t < count; ++t) times.push_back(21.7 - 0.5 * spacing * count + spacing * t);
    const auto brute = brute_force_dh(s, times);
    const auto expansion = compute_time_grid_weights(s.basis, s.arrays(), m_values(), s.h0_f,
                                                     s.h0_b, times, TimeGridMethod::expansion);
    const double error = worst_relative_difference(expansion, brute);
    EXPECT_LT(error, 1e-13) << "spacing " << spacing;
    RecordProperty(count == 300 ? "uniform_grid" : "wide_window", scientific(error));
  }
}

TEST(TimeGridWeights, ExpansionWithOneOrRepeatedTimes) {
  const TimeGridSetup& s = setup();
  for (const std::vector<double>& times :
       {std::vector<double>{0.0123}, std::vector<double>{-3.25, -3.25, -3.25}}) {
    const auto brute = brute_force_dh(s, times);
    const auto expansion = compute_time_grid_weights(s.basis, s.arrays(), m_values(), s.h0_f,
                                                     s.h0_b, times, TimeGridMethod::expansion);
    EXPECT_LT(worst_relative_difference(expansion, brute), 1e-13);
  }
  const auto none = compute_time_grid_weights(s.basis, s.arrays(), m_values(), s.h0_f, s.h0_b, {},
                                              TimeGridMethod::expansion);
  EXPECT_EQ(none.n_times, 0u);
  EXPECT_TRUE(none.dh.empty());
  EXPECT_EQ(none.hh.size(), 10u * 3u * s.basis.size());
}

TEST(TimeGridWeights, AutomaticChoiceGivesTheSameWeights) {
  const TimeGridSetup& s = setup();
  for (const std::size_t n : {3u, 400u}) {
    const std::vector<double> times = scattered_times(n, -0.4, 0.07);
    const auto automatic =
        compute_time_grid_weights(s.basis, s.arrays(), m_values(), s.h0_f, s.h0_b, times);
    const auto direct = compute_time_grid_weights(s.basis, s.arrays(), m_values(), s.h0_f, s.h0_b,
                                                  times, TimeGridMethod::direct);
    EXPECT_LT(worst_relative_difference(automatic, direct.dh), 1e-11) << n << " times";
  }
}

TEST(TimeGridWeights, RejectsNonUniformFrequenciesAndNonFiniteTimes) {
  const TimeGridSetup& s = setup();
  std::vector<double> bent = s.event.frequencies;
  bent[7] += 0.01;
  EventArrays arrays = s.arrays();
  arrays.frequencies = bent;
  const std::vector<double> times = {0.0, 0.01};
  EXPECT_THROW(compute_time_grid_weights(s.basis, arrays, m_values(), s.h0_f, s.h0_b, times),
               Error);
  const std::vector<double> bad_times = {0.0, std::nan("")};
  EXPECT_THROW(compute_time_grid_weights(s.basis, s.arrays(), m_values(), s.h0_f, s.h0_b, bad_times,
                                         TimeGridMethod::expansion),
               Error);
}

}  // namespace
}  // namespace dotpe::likelihood
