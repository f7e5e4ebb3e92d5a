// Relative-binning summary weights against brute-force full-frequency inner products, on an
// event whose df (1/7.3 Hz) has nothing to do with the nodes (PN-spaced, not on any grid) and
// whose band [18, 380] Hz is narrower than the nodes' [16, 512] Hz.
#include "dotpe/likelihood/summary_weights.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "dotpe/core/error.hpp"
#include "synthetic_waveforms.hpp"

namespace dotpe::likelihood {
namespace {

using namespace dotpe::likelihood::testing;

struct RbSetup {
  ChirpParameters reference;
  ChirpParameters signal;
  std::vector<Projection> projections;
  SyntheticEvent event;
  SplineBasis basis;
  std::vector<Complex> h0_f, h0_b;
  SummaryWeights weights;

  RbSetup()
      : reference(),
        signal(shifted(reference)),
        projections({{0.6, -0.3, 0.4, 0.002}, {-0.45, 0.5, 0.4, -0.004}, {0.2, 0.7, 0.4, 0.007}}),
        event(make_event(1.0 / 7.3, 520.0, 18.0, 380.0, signal, projections, 1.0, 5)),
        basis(pn_nodes(16.0, 512.0, 0.05)),
        h0_f(chirp_modes(reference, event.frequencies)),
        h0_b(chirp_modes(reference, basis.nodes())),
        weights(compute_summary_weights(
            basis, {event.frequencies, event.df, event.n_detectors, event.strain, event.whitening},
            {m_values(), h0_f, h0_b})) {}

  static ChirpParameters shifted(ChirpParameters par) {
    par.chirp_mass_seconds *= 1.0005;
    par.time = 4e-4;
    par.amplitude = 0.06;  // SNR of order 20-30 in the toy PSD
    return par;
  }
};

const RbSetup& setup() {
  static const RbSetup instance;
  return instance;
}

// ⟨d|h⟩ and ⟨h|h⟩ summed over detectors by brute force on every event frequency.
std::pair<double, double> brute_force(const RbSetup& s, const ChirpParameters& par,
                                      const std::vector<Projection>& proj) {
  const std::size_t n_f = s.event.frequencies.size();
  double dh = 0.0, hh = 0.0;
  for (std::size_t d = 0; d < s.event.n_detectors; ++d) {
    for (std::size_t k = 0; k < n_f; ++k) {
      const double f = s.event.frequencies[k];
      const double w2 = std::pow(s.event.whitening[d * n_f + k], 2);
      const Complex h = detector_strain(par, proj[d], f);
      dh += 4.0 * s.event.df * w2 * std::real(s.event.strain[d * n_f + k] * std::conj(h));
      hh += 4.0 * s.event.df * w2 * std::norm(h);
    }
  }
  return {dh, hh};
}

// The same from the summary weights: the textbook relative-binning sums, looped naively.
std::pair<double, double> relative_binning(const RbSetup& s, const SummaryWeights& w,
                                           const ChirpParameters& par,
                                           const std::vector<Projection>& proj) {
  const auto& nodes = s.basis.nodes();
  const auto pairs = mode_pairs(w.n_modes);
  double dh = 0.0, hh = 0.0;
  for (std::size_t d = 0; d < w.n_detectors; ++d) {
    const double F[2] = {proj[d].f_plus, proj[d].f_cross};
    for (std::size_t b = 0; b < nodes.size(); ++b) {
      const Complex shift =
          std::exp(Complex(0.0, -2.0 * std::numbers::pi * nodes[b] * proj[d].delay));
      for (std::size_t m = 0; m < w.n_modes; ++m) {
        const Complex rot = std::exp(Complex(0.0, m_values()[m] * proj[d].phase));
        for (int p = 0; p < 2; ++p) {
          const Complex h = F[p] * rot * shift * chirp(par, m_values()[m], p, nodes[b]);
          dh += std::real(w.dh[w.dh_index(d, m, p, b)] * std::conj(h));
        }
      }
      for (std::size_t M = 0; M < pairs.size(); ++M) {
        const auto [m, mm] = pairs[M];
        const Complex rot =
            std::exp(Complex(0.0, (m_values()[m] - m_values()[mm]) * proj[d].phase));
        for (int p = 0; p < 2; ++p)
          for (int pp = 0; pp < 2; ++pp)
            hh += std::real(w.hh[w.hh_index(d, M, p, pp, b)] * rot * F[p] * F[pp] *
                            chirp(par, m_values()[m], p, nodes[b]) *
                            std::conj(chirp(par, m_values()[mm], pp, nodes[b])));
      }
    }
  }
  return {dh, hh};
}

TEST(SummaryWeights, ExactWhenTemplateIsReference) {
  const RbSetup& s = setup();
  const std::vector<Projection> plain(3, Projection{1.0, 0.0, 0.0, 0.0});
  const auto [dh_exact, hh_exact] = brute_force(s, s.reference, plain);
  const auto [dh_rb, hh_rb] = relative_binning(s, s.weights, s.reference, plain);
  EXPECT_NEAR(dh_rb, dh_exact, 1e-10 * std::abs(hh_exact));
  EXPECT_NEAR(hh_rb, hh_exact, 1e-10 * hh_exact);
}

TEST(SummaryWeights, LnlAccurateForTemplatesNearReference) {
  const RbSetup& s = setup();
  double worst = 0.0;
  for (int k = 0; k < 12; ++k) {
    ChirpParameters par = s.signal;
    // Spread of the order of a posterior width around the reference.
    par.chirp_mass_seconds = s.reference.chirp_mass_seconds * (1.0 + 1e-3 * std::sin(1.3 * k));
    par.beta = s.reference.beta + 0.05 * std::cos(0.7 * k);
    par.time = 8e-4 * std::sin(2.1 * k);
    par.inclination = s.reference.inclination + 0.2 * std::cos(1.1 * k);
    std::vector<Projection> proj = s.projections;
    for (auto& pr : proj) {
      pr.phase += 0.3 * k;
      pr.delay += 1e-3 * std::cos(0.9 * k);
    }
    const auto [dh_exact, hh_exact] = brute_force(s, par, proj);
    const auto [dh_rb, hh_rb] = relative_binning(s, s.weights, par, proj);
    const double lnl_exact = dh_exact - 0.5 * hh_exact;
    const double lnl_rb = dh_rb - 0.5 * hh_rb;
    worst = std::max(worst, std::abs(lnl_rb - lnl_exact));
    EXPECT_GT(hh_exact, 100.0);  // a loud template: the check is not trivially small
    EXPECT_NEAR(lnl_rb, lnl_exact, 1e-3) << "template " << k << " lnL " << lnl_exact;
  }
  RecordProperty("worst_abs_lnl_error", (std::ostringstream() << std::scientific << worst).str());
}

TEST(SummaryWeights, SingleDetectorMatchesMultiDetectorSlice) {
  const RbSetup& s = setup();
  for (std::size_t d = 0; d < 3; ++d) {
    const SummaryWeights one = s.weights.single_detector(d);
    const std::size_t n_f = s.event.frequencies.size();
    const std::span<const Complex> strain(s.event.strain.data() + d * n_f, n_f);
    const std::span<const double> whitening(s.event.whitening.data() + d * n_f, n_f);
    const SummaryWeights direct =
        compute_summary_weights(s.basis, {s.event.frequencies, s.event.df, 1, strain, whitening},
                                {m_values(), s.h0_f, s.h0_b});
    ASSERT_EQ(one.dh.size(), direct.dh.size());
    for (std::size_t k = 0; k < one.dh.size(); ++k) EXPECT_EQ(one.dh[k], direct.dh[k]);
    for (std::size_t k = 0; k < one.hh.size(); ++k) EXPECT_EQ(one.hh[k], direct.hh[k]);
  }
}

TEST(SummaryWeights, NodesOutsideEventBandFadeOut) {
  // The cardinal not-a-knot splines are not local, but their tails decay geometrically
  // (about 0.27 per node), so nodes well outside the band [18, 380] Hz carry almost nothing;
  // the ExactWhenTemplateIsReference test shows the band edges cost no accuracy.
  const RbSetup& s = setup();
  const auto& nodes = s.basis.nodes();
  double largest = 0.0;
  for (const Complex w : s.weights.dh) largest = std::max(largest, std::abs(w * s.h0_b[0]));
  std::size_t checked = 0;
  for (std::size_t b = 0; b < nodes.size(); ++b) {
    const auto beyond = std::count_if(nodes.begin(), nodes.end(),
                                      [&](double f) { return f > 380.0 && f < nodes[b]; });
    if (nodes[b] <= 380.0 || beyond < 6) continue;
    ++checked;
    for (std::size_t m = 0; m < 4; ++m)
      for (int p = 0; p < 2; ++p)
        EXPECT_LT(std::abs(s.weights.dh[s.weights.dh_index(0, m, p, b)] *
                           s.h0_b[(m * 2 + p) * nodes.size() + b]),
                  1e-3 * largest);
  }
  EXPECT_GT(checked, 0u);
}

TEST(SummaryWeights, RejectsMismatchedArrays) {
  const RbSetup& s = setup();
  const std::vector<Complex> short_h0(10);
  EXPECT_THROW(compute_summary_weights(s.basis,
                                       {s.event.frequencies, s.event.df, s.event.n_detectors,
                                        s.event.strain, s.event.whitening},
                                       {m_values(), short_h0, s.h0_b}),
               Error);
}

}  // namespace
}  // namespace dotpe::likelihood

namespace dotpe::likelihood {
namespace {

// Time-grid weights: for a template near h0_m = h+ + i h×, Σ_b dh[m,t,d,b] conj(h_m(fbin_b))
// equals the brute-force (d | h_m arriving τ_t later) = 4 df Σ_k d w² conj(h_m) e^{+2πi f τ_t};
// exact when h_m = h0_m.
TEST(TimeGridWeights, MatchBruteForceTimeSeries) {
  const RbSetup& s = setup();
  const std::size_t n_f = s.event.frequencies.size(), n_b = s.basis.size();
  const auto complex_reference = [&](const ChirpParameters& par, const std::vector<double>& f) {
    std::vector<Complex> out;
    for (const int m : m_values())
      for (const double x : f)
        out.push_back(chirp(par, m, 0, x) + Complex(0, 1) * chirp(par, m, 1, x));
    return out;
  };
  const auto h0_f = complex_reference(s.reference, s.event.frequencies);
  const auto h0_b = complex_reference(s.reference, s.basis.nodes());
  const std::vector<double> times = {-0.004, -0.001, 0.0, 0.0025, 0.006};
  const TimeGridWeights w = compute_time_grid_weights(
      s.basis,
      {s.event.frequencies, s.event.df, s.event.n_detectors, s.event.strain, s.event.whitening},
      m_values(), h0_f, h0_b, times);
  ChirpParameters near = s.reference;
  near.chirp_mass_seconds *= 1.0003;
  near.inclination += 0.1;
  for (const bool exact : {true, false}) {
    const auto h_f = exact ? h0_f : complex_reference(near, s.event.frequencies);
    const auto h_b = exact ? h0_b : complex_reference(near, s.basis.nodes());
    double worst = 0.0, scale = 0.0;
    for (std::size_t m = 0; m < 4; ++m)
      for (std::size_t t = 0; t < times.size(); ++t)
        for (std::size_t d = 0; d < 3; ++d) {
          Complex brute = 0.0, binned = 0.0;
          for (std::size_t k = 0; k < n_f; ++k)
            brute += 4.0 * s.event.df * std::pow(s.event.whitening[d * n_f + k], 2) *
                     s.event.strain[d * n_f + k] * std::conj(h_f[m * n_f + k]) *
                     std::polar(1.0, 2.0 * std::numbers::pi * s.event.frequencies[k] * times[t]);
          for (std::size_t b = 0; b < n_b; ++b)
            binned += w.dh[w.dh_index(m, t, d, b)] * std::conj(h_b[m * n_b + b]);
          worst = std::max(worst, std::abs(binned - brute));
          scale = std::max(scale, std::abs(brute));
        }
    EXPECT_GT(scale, 1.0);
    EXPECT_LT(worst, (exact ? 1e-10 : 1e-3) * scale) << (exact ? "h = h0" : "h near h0");
  }
  // hh: exact for h = h0 (sum over detectors of Re Σ_M).
  double hh_binned = 0.0, hh_brute = 0.0;
  const auto pairs = mode_pairs(4);
  for (std::size_t d = 0; d < 3; ++d) {
    for (std::size_t M = 0; M < pairs.size(); ++M)
      for (std::size_t b = 0; b < n_b; ++b)
        hh_binned += std::real(w.hh[w.hh_index(M, d, b)] * h0_b[pairs[M].first * n_b + b] *
                               std::conj(h0_b[pairs[M].second * n_b + b]));
    for (std::size_t k = 0; k < n_f; ++k) {
      Complex total = 0.0;
      for (std::size_t m = 0; m < 4; ++m) total += h0_f[m * n_f + k];
      hh_brute += 4.0 * s.event.df * std::pow(s.event.whitening[d * n_f + k], 2) * std::norm(total);
    }
  }
  EXPECT_NEAR(hh_binned, hh_brute, 1e-10 * hh_brute);
}

}  // namespace
}  // namespace dotpe::likelihood
