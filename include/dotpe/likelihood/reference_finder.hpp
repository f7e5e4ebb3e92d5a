// The reference-waveform finder (numerics.md §3.9; cogwheel's ReferenceWaveformFinder): par0 for
// relative binning when the event carries no injection. Two steps:
//  1. intrinsic: (2,2)-mode aligned-spin search over (Mc, q, chi_eff) maximising the incoherent
//     likelihood Σ_d max_t |z_d(t)|²/2 (per-detector matched filter over arrival time by FFT,
//     maximised over phase), a coarse grid (farmed out through `map`) and then a local optimiser;
//  2. extrinsic: arrival time at the loudest detector, then sky position, polarisation, phase
//     and distance maximising the coherent likelihood.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dotpe/likelihood/source_parameters.hpp"
#include "dotpe/physics/event_data.hpp"
#include "dotpe/waveform/waveform.hpp"

namespace dotpe::likelihood {

struct ReferenceSearchSettings {
  double mchirp_min = 0.0;  // detector-frame chirp-mass range searched (Msun)
  double mchirp_max = 0.0;
  std::optional<double> mchirp_guess;  // narrows the search around it when given
  double q_min = 0.05;                 // mass ratio m2/m1 searched in [q_min, 1]
  double chi_max = 0.99;               // |chi_eff| bound
  waveform::Approximant approximant = waveform::Approximant::IMRPhenomD;
  double f_ref = 50.0;
  double time_half_window = 0.1;  // s: arrival times searched within tgps ± this
  double min_network_snr = 6.0;   // below this the search fails with a clear message
};

struct ReferenceSolution {
  SourceParameters parameters;
  double lnl = 0.0;  // network log-likelihood ratio reached with `parameters`
  std::vector<std::string> detector_names;
  std::vector<double> snr_by_detector;  // matched-filter SNR per detector at `parameters`

  // par_dic keys plus mchirp, lnl, snr_by_detector {name: snr}, tgps, geocent_time (absolute).
  nlohmann::json to_json(double tgps) const;
};

// Evaluates f(0..n-1) and returns the values in index order; the app passes a task-farm map so
// a large grid is shared between ranks (the result must not depend on how it is split).
using ParallelMap =
    std::function<std::vector<double>(std::size_t n, const std::function<double(std::size_t)>& f)>;

std::vector<double> serial_map(std::size_t n, const std::function<double(std::size_t)>& f);

// Throws dotpe::Error when no candidate reaches min_network_snr (saying how to widen the search).
ReferenceSolution find_reference_waveform(const physics::EventData& event,
                                          const ReferenceSearchSettings& settings,
                                          const ParallelMap& map = serial_map);

}  // namespace dotpe::likelihood
