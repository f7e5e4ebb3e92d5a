// The reference waveform h0 of relative binning (dotpe-pipeline.md §3.1, numerics.md §3.3-3.4):
// the model at par0's intrinsic parameters, 1 Mpc and φ_ref = 0, per m-group and polarisation,
// on the event's frequencies (zero outside its band) and on the bank's nodes, with the ringdown
// stalled and then multiplied by e^{−2πi f t_coarse}.
#pragma once

#include <complex>
#include <span>
#include <vector>

#include "dotpe/likelihood/summary_weights.hpp"
#include "dotpe/physics/event_data.hpp"
#include "dotpe/waveform/waveform.hpp"

namespace dotpe::likelihood {

struct ReferenceWaveformData {
  std::vector<int> m_values;
  std::vector<std::complex<double>> on_frequencies;  // [(m·2 + p)·n_f + k]
  std::vector<std::complex<double>> on_nodes;        // [(m·2 + p)·n_b + b]
  ReferenceWaveform view() const { return {m_values, on_frequencies, on_nodes}; }
};

// `intrinsic` supplies masses, spins, inclination and f_ref; distance and phi_ref are ignored.
ReferenceWaveformData make_reference_waveform(waveform::Approximant approximant,
                                              const std::vector<waveform::Mode>& modes,
                                              const waveform::BinaryParameters& intrinsic,
                                              const physics::EventData& event,
                                              std::span<const double> fbin);

// The event's arrays as the summary-weight code takes them (a view: `event` must outlive it).
EventArrays event_arrays(const physics::EventData& event);

}  // namespace dotpe::likelihood
