#include "dotpe/physics/noise.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>

#include "dotpe/core/error.hpp"
#include "dotpe/core/rng.hpp"
#include "dotpe/core/version.hpp"
#include "dotpe/io/npy.hpp"
#include "dotpe/physics/detectors.hpp"
#include "dotpe/physics/sky.hpp"

namespace dotpe::physics {
namespace {

void validate_asd(const AmplitudeSpectralDensity& asd) {
  require(asd.frequencies.size() >= 2 && asd.frequencies.size() == asd.values.size(),
          "ASD file '{}' must have two rows (or columns) of equal length: frequency and ASD",
          asd.source);
  for (std::size_t k = 0; k < asd.values.size(); ++k) {
    require(std::isfinite(asd.values[k]) && asd.values[k] > 0.0,
            "ASD file '{}': the ASD must be positive, but is {} at {} Hz", asd.source,
            asd.values[k], asd.frequencies[k]);
    require(k == 0 || asd.frequencies[k] > asd.frequencies[k - 1],
            "ASD file '{}': frequencies must increase (row {})", asd.source, k);
  }
}

}  // namespace

double AmplitudeSpectralDensity::at(double frequency) const {
  require(frequency >= frequencies.front() && frequency <= frequencies.back(),
          "ASD '{}' covers {}-{} Hz, but {} Hz was requested: choose --fmin/--fmax inside it",
          source, frequencies.front(), frequencies.back(), frequency);
  const auto upper = std::upper_bound(frequencies.begin(), frequencies.end(), frequency);
  if (upper == frequencies.end()) return values.back();
  const std::size_t k = static_cast<std::size_t>(upper - frequencies.begin());
  const double fraction = (frequency - frequencies[k - 1]) / (frequencies[k] - frequencies[k - 1]);
  return values[k - 1] + fraction * (values[k] - values[k - 1]);
}

AmplitudeSpectralDensity read_asd(const std::filesystem::path& path) {
  AmplitudeSpectralDensity asd;
  asd.source = path.string();
  if (path.extension() == ".npy") {
    const io::NpyArray array = io::read_npy(path);
    require(array.shape.size() == 2 && array.shape[0] == 2,
            "ASD file '{}' must have shape (2, N): frequencies and ASD", path.string());
    const auto values = array.to_doubles();
    const std::size_t n = array.shape[1];
    asd.frequencies.assign(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n));
    asd.values.assign(values.begin() + static_cast<std::ptrdiff_t>(n), values.end());
  } else {
    std::ifstream file(path);
    require(file.good(), "cannot open ASD file '{}'", path.string());
    std::string line;
    while (std::getline(file, line)) {
      if (line.empty() || line.front() == '#') continue;
      std::istringstream fields(line);
      double frequency = 0.0;
      double value = 0.0;
      require(static_cast<bool>(fields >> frequency >> value),
              "ASD file '{}': cannot read two numbers from the line '{}'", path.string(), line);
      asd.frequencies.push_back(frequency);
      asd.values.push_back(value);
    }
  }
  validate_asd(asd);
  return asd;
}

AmplitudeSpectralDensity default_asd(const std::string& detector_name) {
  return read_asd(data_dir() / "asd" / ("asd_" + detector(detector_name).name + "_O3.npy"));
}

EventData make_noise_event(const NoiseSettings& settings) {
  require(settings.duration > 0.0, "--duration must be positive, got {}", settings.duration);
  require(settings.fmin > 0.0 && settings.fmax > settings.fmin,
          "need 0 < --fmin < --fmax, got {} and {}", settings.fmin, settings.fmax);
  require(settings.asds.size() == settings.detector_names.size(),
          "internal error: {} ASDs for {} detectors", settings.asds.size(),
          settings.detector_names.size());
  EventData event;
  event.name = settings.event_name;
  event.tgps = settings.tgps;
  event.tcoarse = settings.tcoarse >= 0.0 ? settings.tcoarse : settings.duration / 2.0;
  const double df = 1.0 / settings.duration;
  const auto n_f = static_cast<std::size_t>(std::llround(settings.fmax * settings.duration)) + 1;
  event.frequencies.resize(n_f);
  for (std::size_t k = 0; k < n_f; ++k) event.frequencies[k] = static_cast<double>(k) * df;
  for (const auto& name : settings.detector_names)
    event.detector_names.push_back(detector(name).name);
  event.strain.assign(event.n_detectors() * n_f, {0.0, 0.0});
  event.whitening_filter.assign(event.n_detectors() * n_f, 0.0);
  for (std::size_t d = 0; d < event.n_detectors(); ++d) {
    // One counter-based stream per detector: the noise of a detector does not depend on which
    // other detectors are simulated.
    RngStream rng(settings.seed, rng_stream::noise, d);
    for (std::size_t k = 0; k < n_f; ++k) {
      const double frequency = event.frequencies[k];
      if (frequency < settings.fmin || frequency > settings.fmax) continue;
      const double asd = settings.asds[d].at(frequency);
      event.whitening_filter[d * n_f + k] = 1.0 / asd;
      // E|ñ|² = T S / 2: each quadrature has variance T S / 4.
      const double sigma = asd * std::sqrt(settings.duration / 4.0);
      const double real = rng.normal();
      const double imag = rng.normal();
      if (!settings.zero_noise) event.strain[d * n_f + k] = {sigma * real, sigma * imag};
    }
  }
  event.validate(settings.event_name);
  return event;
}

std::vector<std::complex<double>> project_signal(const EventData& event,
                                                 std::span<const std::complex<double>> hplus,
                                                 std::span<const std::complex<double>> hcross,
                                                 const SignalPlacement& placement) {
  const std::size_t n_f = event.n_frequencies();
  require(hplus.size() == n_f && hcross.size() == n_f,
          "internal error: polarisations of {} and {} values for {} frequencies", hplus.size(),
          hcross.size(), n_f);
  require(placement.distance > 0.0, "the source distance must be positive, got {} Mpc",
          placement.distance);
  const double lat = placement.dec;
  const double lon = ra_to_lon(placement.ra, event.tgps);
  std::vector<std::complex<double>> signal(event.n_detectors() * n_f);
  for (std::size_t d = 0; d < event.n_detectors(); ++d) {
    const Detector& site = detector(event.detector_names[d]);
    const AntennaPattern pattern = antenna_pattern(site, lat, lon, placement.psi);
    const double arrival = event.tcoarse + placement.geocent_time + geocenter_delay(site, lat, lon);
    for (std::size_t k = 0; k < n_f; ++k) {
      const double phase = -2.0 * std::numbers::pi * event.frequencies[k] * arrival;
      signal[d * n_f + k] = (pattern.plus * hplus[k] + pattern.cross * hcross[k]) *
                            std::polar(1.0 / placement.distance, phase);
    }
  }
  return signal;
}

std::complex<double> inner_product(const EventData& event, std::size_t detector,
                                   std::span<const std::complex<double>> a,
                                   std::span<const std::complex<double>> b) {
  const std::size_t n_f = event.n_frequencies();
  std::complex<double> total = 0.0;
  for (std::size_t k = 0; k < n_f; ++k) {
    const double w = event.whitening_filter[detector * n_f + k];
    total += a[k] * std::conj(b[k]) * (w * w);
  }
  return 4.0 * event.df() * total;
}

std::vector<double> optimal_snr(const EventData& event,
                                std::span<const std::complex<double>> signal) {
  const std::size_t n_f = event.n_frequencies();
  std::vector<double> snr;
  for (std::size_t d = 0; d < event.n_detectors(); ++d) {
    const auto h = signal.subspan(d * n_f, n_f);
    snr.push_back(std::sqrt(inner_product(event, d, h, h).real()));
  }
  return snr;
}

std::vector<double> matched_filter_snr(const EventData& event,
                                       std::span<const std::complex<double>> signal) {
  const std::size_t n_f = event.n_frequencies();
  std::vector<double> snr;
  for (std::size_t d = 0; d < event.n_detectors(); ++d) {
    const auto h = signal.subspan(d * n_f, n_f);
    const auto data = std::span(event.strain).subspan(d * n_f, n_f);
    const double norm = std::sqrt(inner_product(event, d, h, h).real());
    snr.push_back(norm > 0.0 ? inner_product(event, d, data, h).real() / norm : 0.0);
  }
  return snr;
}

}  // namespace dotpe::physics
