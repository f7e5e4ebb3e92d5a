// ASD drift (numerics.md §3.6; cogwheel CBCLikelihood.compute_asd_drift): per detector, a robust
// standard deviation ξ_d of the matched-filter output of the unit-norm reference template around
// the event; ξ > 1 means the local noise is louder than the PSD says. Inner products are then
// divided by ξ_d².
//   ĥ_d = h_d / sqrt(4 df Σ|h_d w_d|²),  z_cos, z_sin = 2 N df · irfft(d_d w_d² conj(ĥ_d)), (…
//   conj(iĥ_d)) n_corr = 4 Σ|sqrt(2 N df) w_d ĥ_d|⁴ / N,  n_samples = min(ceil(n_corr/tol²), N) ξ_d
//   = robust std of [z_cos, z_sin] over lags −⌈n/2⌉ … ⌊n/2⌋−1 (wrapping), rejecting runs of |z| ≤ 1
//   longer than 16 n_corr (holes), values above the MAD-based threshold σ̂·χ₁⁻¹(1/n_good), and 0.5 s
//   (0.5·2 fmax samples) around every rejected run.
#pragma once

#include <complex>
#include <span>
#include <vector>

#include "dotpe/likelihood/summary_weights.hpp"

namespace dotpe::likelihood {

struct AsdDriftOptions {
  double tolerance = 0.02;
  double max_correlation_times_low = 16.0;
  double expected_high = 1.0;
  double reject_nearby_seconds = 0.5;
};

// `event` must be on the full one-sided FFT grid f_k = k·df, k = 0 … n_f−1 (the series has
// N = 2(n_f − 1) samples). h_detector[d·n_f + k]: the reference strain at detector d (all
// modes), 0 outside the band.
std::vector<double> compute_asd_drift(const EventArrays& event,
                                      std::span<const std::complex<double>> h_detector,
                                      const AsdDriftOptions& options = {});

// The robust standard deviation alone (cogwheel's _safe_std), on a real series.
double safe_std(std::span<const double> values, std::size_t max_contiguous_low,
                double expected_high, std::size_t reject_nearby_samples);

}  // namespace dotpe::likelihood
