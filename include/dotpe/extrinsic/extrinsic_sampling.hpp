// Stage 4: extrinsic samples (lat, lon, psi, t_geocenter) with exact importance weights
// (numerics.md §5.8, the "statistically valid scheme"), and their detector components for the
// coherent kernel (dotpe-pipeline.md §3.3).
//
// weight_e = prior density / proposal density, with the reference's time-prior convention (a
// flat density of 1 per second, so ln Z is comparable with dot-PE's); void draws (an inter-
// detector delay combination no sky point produces) have weight 0 and log_prior_weight −inf,
// count in n_ext, and carry a finite sky position so that kernels stay finite.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

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
ExtrinsicSamples draw_extrinsic_samples(const ProposalInputs& inputs,
                                        const ExtrinsicSettings& settings);

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
