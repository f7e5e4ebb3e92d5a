// Relative-binning summary weights (pipeline.md §3.1, numerics.md §3.4).
//
// With S_b[g] = 4 df Σ_k g(f_k) L_b(f_k) (L_b: SplineBasis of the bank's nodes evaluated on the
// event's own frequencies, so the event's df need not divide the bank's grid; nodes outside the
// event's band get zero weight):
//   dh[d,m,p,b]   = S_b[ d_d w_d² conj(h0_mp) ] / conj(h0_mp(fbin_b))
//   hh[d,M,p,P,b] = S_b[ w_d² h0_mp conj(h0_m'P) ] / (h0_mp(fbin_b) conj(h0_m'P(fbin_b))),
//                   doubled when m ≠ m' (only the real part of Σ_M is ever used).
// so that (d|h)_d ≈ Σ_b dh·conj(h(fbin_b)) and (h|h)_d ≈ Re Σ_b hh·h·conj(h) for any h whose
// ratio to h0 is smooth. Where h0(fbin_b) = 0 the weight is set to 0. No ASD drift inside.
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include "dotpe/likelihood/spline_basis.hpp"

namespace dotpe::likelihood {

// Mode pairs M = (m, m') in the reference's order, combinations_with_replacement(range(n_m), 2).
std::vector<std::pair<std::size_t, std::size_t>> mode_pairs(std::size_t n_modes);

// An event's arrays, detector-major: strain[d·n_f + k], whitening[d·n_f + k].
struct EventArrays {
  std::span<const double> frequencies;  // uniform grid, spacing df
  double df = 0.0;
  std::size_t n_detectors = 0;
  std::span<const std::complex<double>> strain;
  std::span<const double> whitening;
};

// The reference waveform h0 per m-group and polarisation: on_frequencies[(m·2 + p)·n_f + k] on
// the event's frequencies and on_nodes[(m·2 + p)·n_b + b] on the nodes (same function).
struct ReferenceWaveform {
  std::vector<int> m_values;  // m of each group, e.g. {2, 1, 3, 4}
  std::span<const std::complex<double>> on_frequencies;
  std::span<const std::complex<double>> on_nodes;
};

struct SummaryWeights {
  std::size_t n_detectors = 0;
  std::size_t n_modes = 0;
  std::size_t n_nodes = 0;
  std::vector<int> m_values;
  std::vector<std::complex<double>> dh;  // [d][m][p][b]
  std::vector<std::complex<double>> hh;  // [d][M][p][P][b]

  std::size_t n_mode_pairs() const { return n_modes * (n_modes + 1) / 2; }
  std::size_t dh_index(std::size_t d, std::size_t m, std::size_t p, std::size_t b) const {
    return ((d * n_modes + m) * 2 + p) * n_nodes + b;
  }
  std::size_t hh_index(std::size_t d, std::size_t pair, std::size_t p, std::size_t pp,
                       std::size_t b) const {
    return (((d * n_mode_pairs() + pair) * 2 + p) * 2 + pp) * n_nodes + b;
  }
  // The weights of one detector (stage 2 works detector by detector).
  SummaryWeights single_detector(std::size_t d) const;
};

SummaryWeights compute_summary_weights(const SplineBasis& basis, const EventArrays& event,
                                       const ReferenceWaveform& reference);

// Time-grid weights of cogwheel's MarginalizedExtrinsicLikelihood (numerics.md §3.5), used to
// build single-detector matched-filter time series for extrinsic sampling. One complex
// reference per m-group, h0_m = h+ + i h×:
//   dh[m,t,d,b] = S_b[ d_d w_d² conj(h0_m) e^{+2πi f τ_t} ] / conj(h0_m(fbin_b))
//   hh[M,d,b]   = S_b[ w_d² h0_m conj(h0_m') ] / (h0_m(fbin_b) conj(h0_m'(fbin_b))), ×2 if m ≠ m'
// so that (d | h_m arriving τ_t later)_d ≈ Σ_b dh[m,t,d,b] conj(h_m(fbin_b)).
struct TimeGridWeights {
  std::size_t n_modes = 0, n_times = 0, n_detectors = 0, n_nodes = 0;
  std::vector<int> m_values;
  std::vector<std::complex<double>> dh;  // [m][t][d][b]
  std::vector<std::complex<double>> hh;  // [M][d][b]
  std::size_t dh_index(std::size_t m, std::size_t t, std::size_t d, std::size_t b) const {
    return ((m * n_times + t) * n_detectors + d) * n_nodes + b;
  }
  std::size_t hh_index(std::size_t pair, std::size_t d, std::size_t b) const {
    return (pair * n_detectors + d) * n_nodes + b;
  }
};

// How dh is evaluated (hh is the same either way). Both give the same weights to rounding.
enum class TimeGridMethod {
  // The expansion when its estimated cost is lower (many times, many frequencies), else direct.
  automatic,
  // e^{2πi f_k τ_t} on every frequency and one projection per (m, t, d): O(n_t·(n_f + n_b²)).
  direct,
  // Per block of frequencies inside one node interval, e^{2πi (f_k − f_c)(τ_t − τ_c)} as a
  // Taylor series whose argument stays below 2 (blocks split until it does): moments of the
  // integrand times the spline coefficients, one real GEMM against the powers of the scaled
  // times, one phasor per (block, t), then the spline's second-derivative map as a GEMM:
  // O(n_f·P + n_blocks·P·n_t + n_b²·n_t) with P ≤ 25 terms, for any set of times.
  expansion,
};

// h0_f[m·n_f + k], h0_nodes[m·n_b + b]; `times` τ_t in seconds (include t_coarse if the data's
// time origin needs it), any order and spacing.
TimeGridWeights compute_time_grid_weights(const SplineBasis& basis, const EventArrays& event,
                                          const std::vector<int>& m_values,
                                          std::span<const std::complex<double>> h0_f,
                                          std::span<const std::complex<double>> h0_nodes,
                                          std::span<const double> times,
                                          TimeGridMethod method = TimeGridMethod::automatic);

}  // namespace dotpe::likelihood
