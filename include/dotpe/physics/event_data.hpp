// Event data: whitened-strain inputs of one event, in the reference package's EventData
// conventions (numerics.md §0-1): a one-sided frequency grid f_k = k·df from 0, frequency-domain
// strain in continuous-FT units (strain/Hz), a whitening filter ≈ 1/ASD (zero outside the band),
// the GPS time tgps of the event and its time tcoarse from the start of the segment.
//
// Files: event.h5 (dotpe's own, docs/formats.md) and the reference's EventData .npz.
#pragma once

#include <complex>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dotpe::physics {

struct EventData {
  std::string name;
  std::vector<std::string> detector_names;   // "H1", "L1", "V1"
  std::vector<double> frequencies;           // uniform, starting at 0
  std::vector<std::complex<double>> strain;  // [d][k]
  std::vector<double> whitening_filter;      // [d][k]
  double tgps = 0.0;
  double tcoarse = 0.0;
  std::optional<nlohmann::json> injection;  // parameters of an injected signal, if any

  std::size_t n_detectors() const { return detector_names.size(); }
  std::size_t n_frequencies() const { return frequencies.size(); }
  double df() const { return frequencies.at(1) - frequencies.at(0); }
  double duration() const { return 1.0 / df(); }
  // [first, last + 1) of the frequencies where some detector's filter is non-zero.
  std::pair<std::size_t, std::size_t> band() const;
  // Sample times of the segment, 0 ≤ t < duration, N = 2(n_f − 1) samples; the event is at
  // t = tcoarse.
  std::vector<double> times() const;
  // w² · strain ≈ d/S.
  std::vector<std::complex<double>> blued_strain() const;
  // RMS over the band of |strain · w| · sqrt(4 df / 2) per detector: ≈ 1 for Gaussian noise.
  std::vector<double> whitened_rms() const;

  // Throws dotpe::Error naming `source` and the field: shapes, grid, non-finite values in the
  // band, negative whitening, unknown detectors.
  void validate(const std::string& source) const;
};

// Reads event.h5, or a reference EventData .npz (by extension), and validates it; errors name
// the file and the field (missing keys, shapes other than [detector, frequency], ...).
EventData read_event(const std::filesystem::path& path);
// Both layouts of the reference (wht_filter, or the deprecated psd + fd_filter; detector names
// as "HLV" or ['H', 'L', 'V']). Negative whitening values, FIR artefacts of real-data filters,
// are replaced by their absolute values with a warning: only w² enters the likelihood.
EventData read_event_npz(const std::filesystem::path& path);
// Writes event.h5 atomically.
void write_event(const std::filesystem::path& path, const EventData& event);

}  // namespace dotpe::physics
