#include "dotpe/likelihood/reference_waveform.hpp"

#include <cmath>
#include <numbers>

#include "dotpe/likelihood/linear_free.hpp"

namespace dotpe::likelihood {

EventArrays event_arrays(const physics::EventData& event) {
  return {event.frequencies, event.df(), event.n_detectors(), event.strain, event.whitening_filter};
}

ReferenceWaveformData make_reference_waveform(waveform::Approximant approximant,
                                              const std::vector<waveform::Mode>& modes,
                                              const waveform::BinaryParameters& intrinsic,
                                              const physics::EventData& event,
                                              std::span<const double> fbin) {
  waveform::BinaryParameters parameters = intrinsic;
  parameters.distance = 1.0;
  parameters.phi_ref = 0.0;
  ReferenceWaveformData reference;
  reference.m_values = waveform::m_arr(modes);
  const std::size_t n_rows = reference.m_values.size() * 2;
  const std::size_t n_f = event.n_frequencies();
  const std::size_t n_b = fbin.size();

  // The model only inside the event's band: the reference is never evaluated elsewhere.
  const auto [first, end] = event.band();
  const std::span<const double> band_frequencies =
      std::span(event.frequencies).subspan(first, end - first);
  std::vector<std::complex<double>> in_band(n_rows * band_frequencies.size());
  waveform::polarizations_by_m(approximant, parameters, modes, band_frequencies, in_band);
  reference.on_frequencies.assign(n_rows * n_f, {0.0, 0.0});
  for (std::size_t row = 0; row < n_rows; ++row) {
    std::copy_n(in_band.begin() + static_cast<std::ptrdiff_t>(row * band_frequencies.size()),
                band_frequencies.size(),
                reference.on_frequencies.begin() + static_cast<std::ptrdiff_t>(row * n_f + first));
  }
  reference.on_nodes.resize(n_rows * n_b);
  waveform::polarizations_by_m(approximant, parameters, modes, fbin, reference.on_nodes);

  // Stall the ringdown without the t_coarse phase, then apply it (as the reference does).
  std::vector<double> combined_filter(n_f, 0.0);
  for (std::size_t d = 0; d < event.n_detectors(); ++d) {
    for (std::size_t k = 0; k < n_f; ++k) {
      const double w = event.whitening_filter[d * n_f + k];
      combined_filter[k] += w * w;
    }
  }
  for (double& value : combined_filter) value = std::sqrt(value);
  for (std::size_t row = 0; row < n_rows; ++row) {
    stall_ringdown(event.frequencies, fbin, combined_filter,
                   std::span(reference.on_frequencies).subspan(row * n_f, n_f),
                   std::span(reference.on_nodes).subspan(row * n_b, n_b));
  }
  const double shift = -2.0 * std::numbers::pi * event.tcoarse;
  for (std::size_t row = 0; row < n_rows; ++row) {
    for (std::size_t k = 0; k < n_f; ++k) {
      reference.on_frequencies[row * n_f + k] *= std::polar(1.0, shift * event.frequencies[k]);
    }
    for (std::size_t b = 0; b < n_b; ++b) {
      reference.on_nodes[row * n_b + b] *= std::polar(1.0, shift * fbin[b]);
    }
  }
  return reference;
}

}  // namespace dotpe::likelihood
