// Stage 4: extrinsic samples (lat, lon, psi, t_geocenter) with exact importance weights
// (numerics.md §5.8, the "statistically valid scheme"), and their detector components for the
// coherent kernel (dotpe-pipeline.md §3.3).
//
// weight_e = prior density / proposal density, with the reference's time-prior convention (a
// flat density of 1 per second, so ln Z is comparable with dot-PE's); void draws (an inter-
// detector delay combination no sky point produces) have weight 0 and log_prior_weight −inf,
// count in n_ext, and carry a finite sky position so that kernels stay finite.
//
// The scheme (docs/extrinsic.md has the proof): per detector d a time bin k_d ~ P_d (TimeProposal
// on a grid of f_s ≈ 8 kHz over ±time_half_window around reference_t_geocenter), the delay key
// (k_d − k_0)_{d≥1} picks a SkyDictionary bin, a sky point s uniformly inside it, a fine offset
// t_fine ~ U[−½/f_s, ½/f_s), ψ ~ U[0, π). Then the first detector's arrival time is
// t_0 = grid.time(k_0) + t_fine, t_geocenter = t_0 − Δt_0(s), and
//   weight_e = [N_bin / (N_sky f_s)] / Π_d P_d(k_d)          (exact prior / proposal).
// Time-prior convention: the prior on t_geocenter is a flat density of 1 per second (not 1/T)
// over the set where every detector's arrival bin k_0 + D_d(s) lies on the grid; for |t_geocenter
// − reference_t_geocenter| < time_half_window − max_d |Δt_d| (≈ 48.7 ms for HLV and the default
// window) that holds for every sky point. So Σ_e weight_e L_e / n_ext estimates
// ∫ dt_geo ⟨L⟩_{sky, ψ} in units of seconds, as the reference's ln Z is "per second".
// t_geocenter is relative to tgps and in the frame of the times of the proposal's time series:
// the linear-free frame of the bank templates aligned against the reference waveform.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dotpe/extrinsic/sky_dictionary.hpp"
#include "dotpe/extrinsic/time_proposal.hpp"
#include "dotpe/physics/detectors.hpp"
#include "dotpe/physics/event_data.hpp"
#include "dotpe/waveform/waveform.hpp"

namespace dotpe::extrinsic {

struct ExtrinsicSettings {
  std::size_t n_ext = 0;
  std::uint64_t seed = 0;
  std::size_t n_sky = std::size_t{1} << 20;  // sky-dictionary points
  double time_half_window = 0.07;            // s around the reference arrival time
  double beta = 0.5;                         // tempering of the time-of-arrival proposal
  double defensive_fraction = 0.05;          // uniform floor of each detector's time proposal
  double sampling_rate = 8192.0;             // Hz, time bins of the proposal and delay bins
  bool apply_delay_prior = true;             // the reference's delay prior in the proposal
  std::uint64_t sky_seed = 0;                // the sky dictionary's points (reference: seed 0)
};

// What the proposal is built from: the event, the reference waveform par0 (model, modes and
// intrinsic parameters; its arrival time t_geocenter relative to tgps), the bank's nodes, the
// ASD drift per detector and K bank templates (the best after stage 3) at 1 Mpc and phase 0,
// linear-free aligned against that reference: templates[((k·n_m + m)·2 + p)·n_b + b].
struct ProposalInputs {
  const physics::EventData* event = nullptr;
  waveform::Approximant approximant = waveform::Approximant::IMRPhenomD;
  std::vector<waveform::Mode> modes;
  waveform::BinaryParameters reference_intrinsic;
  double reference_t_geocenter = 0.0;
  std::vector<double> fbin;
  std::vector<double> asd_drift;
  std::size_t n_templates = 0;
  std::vector<std::complex<double>> templates;
};

struct ExtrinsicSamples {
  std::vector<double> lat, lon, psi, t_geocenter;  // Earth-fixed; t_geocenter relative to tgps
  std::vector<double> weights;                     // prior / proposal (0 for void draws)
  std::vector<double> log_prior_weights;           // ln weights (−inf for void draws)
  double effective_sample_size = 0.0;              // (Σw)²/Σw²
  double void_fraction = 0.0;

  std::size_t size() const { return lat.size(); }
};

// Deterministic for settings.seed (counter-based streams keyed by the sample index).
// With inputs.n_templates = 0 the time proposal is uniform (weights then vary only with the
// delay bin's sky mass). Builds the dictionary and the proposal below, then draws.
ExtrinsicSamples draw_extrinsic_samples(const ProposalInputs& inputs,
                                        const ExtrinsicSettings& settings);

// The pieces of the call above, for callers that reuse them (tests, diagnostics).
std::vector<physics::Detector> event_detectors(const physics::EventData& event);
SkyDictionary make_sky_dictionary(const physics::EventData& event,
                                  const ExtrinsicSettings& settings);
TimeGrid proposal_time_grid(const ProposalInputs& inputs, const ExtrinsicSettings& settings);
// χ²_k[d,t] of the templates (incoherent_chi2's layout) on proposal_time_grid, from the time-
// grid weights of the reference waveform h0_m = h+ + i h× (stalled, without the t_coarse phase)
// at times grid.time(k) + t_coarse.
std::vector<double> template_chi2(const ProposalInputs& inputs, const ExtrinsicSettings& settings);
TimeProposal build_time_proposal(const ProposalInputs& inputs, const ExtrinsicSettings& settings,
                                 const SkyDictionary& sky);

// The draw itself, from sample index 0 to n_ext − 1 (sample e uses only the stream (seed,
// rng_stream::extrinsic, e)). The dictionary and the proposal must share detectors and f_s.
ExtrinsicSamples draw_extrinsic_samples(const SkyDictionary& sky, const TimeProposal& proposal,
                                        std::size_t n_ext, std::uint64_t seed);

// The coherent kernel's operands for samples [e_begin, e_end):
// response[(d·2 + p)·n_e + e] = F_p(lat, lon, psi) of detector d, and
// timeshift[(d·n_b + b)·n_e + e] = exp(−2πi fbin_b (t_geocenter + Δt_d(lat, lon) + tcoarse)).
struct ExtrinsicComponents {
  std::size_t n_detectors = 0, n_nodes = 0, n_e = 0;
  std::vector<double> response;
  std::vector<std::complex<double>> timeshift;
};

ExtrinsicComponents extrinsic_components(const ExtrinsicSamples& samples, std::size_t e_begin,
                                         std::size_t e_end,
                                         const std::vector<physics::Detector>& detectors,
                                         std::span<const double> fbin, double tcoarse);

}  // namespace dotpe::extrinsic
