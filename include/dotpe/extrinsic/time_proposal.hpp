// Per-detector time-of-arrival proposal of the extrinsic sampler (numerics.md §5.4 and §5.8,
// docs/extrinsic.md): one discrete distribution P_d(k) over the bins of a uniform time grid per
// detector, fixed before any draw so that the sampler can evaluate its density exactly.
//
// Built from the single-detector matched-filter time series of K templates:
//   χ²_k[d,t] = (Σ_{m,p} |dh_k[m,p,t,d]|)² / Σ_{m,p} Re hh_k[(m,m),p,p,d]     (incoherent)
//   lnP_k[d,t] = β/2 · χ²_k[d,t]  (+ the detectability-weighted delay prior, optional)
//   P_d(t)     = (1 − ε) · (1/K) Σ_k softmax_t(lnP_k[d,·]) + ε / n_t
// The defensive floor ε > 0 keeps every bin positive, so the proposal covers the whole window.
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

#include "dotpe/extrinsic/sky_dictionary.hpp"
#include "dotpe/likelihood/summary_weights.hpp"

namespace dotpe::extrinsic {

// Bin k of the grid is [time(k) − ½/f_s, time(k) + ½/f_s); times relative to tgps.
struct TimeGrid {
  double start = 0.0;          // time of bin 0 (s)
  double sampling_rate = 0.0;  // f_s (Hz)
  std::size_t size = 0;

  double time(std::size_t k) const { return start + static_cast<double>(k) / sampling_rate; }
  std::vector<double> times() const;
  // ceil(2·half_window·f_s) bins from centre − half_window (as arange(−w, w, dt) + centre).
  static TimeGrid centred(double centre, double half_window, double sampling_rate);
};

class TimeProposal {
 public:
  // probabilities[d·n_t + k] (n_t = grid.size): each detector's row finite, positive everywhere
  // and with a positive sum; rows are normalised here.
  TimeProposal(TimeGrid grid, std::size_t n_detectors, std::vector<double> probabilities);
  static TimeProposal uniform(TimeGrid grid, std::size_t n_detectors);

  const TimeGrid& grid() const { return grid_; }
  std::size_t n_detectors() const { return n_detectors_; }
  double probability(std::size_t d, std::size_t k) const {
    return probabilities_[d * grid_.size + k];
  }
  std::span<const double> probabilities(std::size_t d) const {
    return std::span(probabilities_).subspan(d * grid_.size, grid_.size);
  }
  // Inverse CDF: the bin k with CDF(k−1) ≤ u < CDF(k), for u in [0, 1).
  std::size_t draw(std::size_t d, double u) const;

 private:
  TimeGrid grid_;
  std::size_t n_detectors_;
  std::vector<double> probabilities_;
  std::vector<double> cdf_;
};

// χ²_k[d,t] of n_templates templates h[((k·n_m + m)·2 + p)·n_b + b] (1 Mpc, φ = 0, in the frame
// of the time-grid weights), from TimeGridWeights whose times are t + t_coarse:
//   dh_k[m,p,t,d] = ξ_d⁻² Σ_b W_dh[m,t,d,b] conj(h[m,p,b]),
//   hh_k[(m,m),p,p,d] = ξ_d⁻² Σ_b W_hh[(m,m),d,b] |h[m,p,b]|².
// Output chi2[(k·n_d + d)·n_t + t]. asd_drift: ξ_d per detector (empty: all 1).
std::vector<double> incoherent_chi2(const likelihood::TimeGridWeights& weights,
                                    std::span<const double> asd_drift, std::size_t n_templates,
                                    std::span<const std::complex<double>> templates);

// The reference's time-of-arrival delay prior (numerics.md §5.4, apply_tdet_prior), in place on
// lnP[d·n_t + t] of one template: the loudest detector o0 (by max_t lnP) stays; the second o1
// gets ln(Σ_δ P0(t − δ) h01(δ) + 1e−10) added, the third o2 the same with the o0→o2 delay prior
// marginalised over the o0→o1 lag distribution of (P0, P1). h: detectability-weighted delay
// histograms of the dictionary. Detectors beyond the third are left unchanged.
void apply_delay_prior(std::span<double> ln_probabilities, std::size_t n_times,
                       const SkyDictionary& sky);

struct TimeProposalSettings {
  double beta = 0.5;
  double defensive_fraction = 0.05;
  bool apply_delay_prior = true;
};

// P_d from χ² (layout of incoherent_chi2). With no templates the proposal is uniform.
TimeProposal make_time_proposal(TimeGrid grid, std::size_t n_detectors, std::size_t n_templates,
                                std::span<const double> chi2, const TimeProposalSettings& settings,
                                const SkyDictionary& sky);

}  // namespace dotpe::extrinsic
