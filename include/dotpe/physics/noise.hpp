// Synthetic events: stationary Gaussian noise coloured by amplitude spectral densities, and
// signals projected onto the detectors. Conventions (numerics.md §0): E|ñ(f)|² = T·S(f)/2 with
// S = ASD², a signal arriving τ later is multiplied by e^{−2πifτ}, and
// (a|b)_d = 4 df Σ_k a(f_k) conj(b(f_k)) w_d(f_k)².
#pragma once

#include <complex>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "dotpe/physics/event_data.hpp"

namespace dotpe::physics {

struct AmplitudeSpectralDensity {
  std::vector<double> frequencies;  // Hz, increasing
  std::vector<double> values;       // 1/sqrt(Hz), positive
  std::string source;
  // Linear interpolation; throws dotpe::Error outside the tabulated range.
  double at(double frequency) const;
};

// A .npy of shape (2, N) (rows: frequency, ASD; the reference's format) or a text file with two
// columns (frequency, ASD), as published with LIGO/Virgo sensitivity curves.
AmplitudeSpectralDensity read_asd(const std::filesystem::path& path);
// The bundled representative O3 curve of H1, L1 or V1 (data/asd/).
AmplitudeSpectralDensity default_asd(const std::string& detector_name);

struct NoiseSettings {
  std::string event_name = "injection";
  std::vector<std::string> detector_names = {"H1", "L1", "V1"};
  std::vector<AmplitudeSpectralDensity> asds;  // one per detector
  double duration = 32.0;                      // s; df = 1/duration
  double fmin = 15.0;  // Hz; whitening filter is 1/ASD on [fmin, fmax] and 0 elsewhere
  double fmax = 512.0;
  double tgps = 0.0;
  double tcoarse = -1.0;  // default: duration / 2
  std::uint64_t seed = 0;
  bool zero_noise = false;
};

// An event of pure noise (or zero strain with the same whitening filter when zero_noise).
EventData make_noise_event(const NoiseSettings& settings);

// Where and how loud a signal is: Earth-fixed angles follow from (ra, dec) at the event's tgps.
struct SignalPlacement {
  double ra = 0.0;
  double dec = 0.0;
  double psi = 0.0;
  double geocent_time = 0.0;  // relative to tgps (s)
  double distance = 1.0;      // Mpc; h+ and h× are given at 1 Mpc
};

// Detector strain [d][k] of a source with polarisations h+, h× (at 1 Mpc, on the event's
// frequencies, in the waveform model's own time origin).
std::vector<std::complex<double>> project_signal(const EventData& event,
                                                 std::span<const std::complex<double>> hplus,
                                                 std::span<const std::complex<double>> hcross,
                                                 const SignalPlacement& placement);

// (a|b)_d for arrays on the event's frequencies of detector d.
std::complex<double> inner_product(const EventData& event, std::size_t detector,
                                   std::span<const std::complex<double>> a,
                                   std::span<const std::complex<double>> b);

// Per-detector optimal SNR sqrt((h|h)_d) of a projected signal [d][k].
std::vector<double> optimal_snr(const EventData& event,
                                std::span<const std::complex<double>> signal);
// Per-detector matched-filter SNR Re(d|h)_d / sqrt((h|h)_d).
std::vector<double> matched_filter_snr(const EventData& event,
                                       std::span<const std::complex<double>> signal);

}  // namespace dotpe::physics
