#include "dotpe/physics/event_data.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/io/files.hpp"
#include "dotpe/io/hdf5.hpp"
#include "dotpe/io/npy.hpp"
#include "dotpe/physics/detectors.hpp"

namespace dotpe::physics {
namespace {

constexpr const char* kFormatName = "dotpe-event";
constexpr std::int64_t kFormatVersion = 1;

const io::NpyArray& member(const std::map<std::string, io::NpyArray>& members,
                           const std::string& key, const std::filesystem::path& path) {
  const auto found = members.find(key);
  require(found != members.end(), "{}: missing key '{}' (is this an EventData .npz?)",
          path.string(), key);
  return found->second;
}

// Checks that a member of the .npz has the shape of a [detector, frequency] array.
void require_shape(const io::NpyArray& array, const std::string& key, std::size_t n_detectors,
                   std::size_t n_frequencies, const std::filesystem::path& path) {
  const std::vector<std::size_t> expected = {n_detectors, n_frequencies};
  require(array.shape == expected,
          "{}: '{}' has shape ({}), expected ({}, {}) = (detectors, frequencies); is the file "
          "an EventData .npz?",
          path.string(), key, fmt::join(array.shape, ", "), n_detectors, n_frequencies);
}

// The detector called `name`, or an error naming the file and the field.
const Detector& known_detector(const std::string& name, const std::string& source) {
  try {
    return detector(name);
  } catch (const Error& error) {
    throw Error("{}: 'detector_names': {}", source, error.what());
  }
}

std::vector<std::string> detector_names_from(const io::NpyArray& array,
                                             const std::filesystem::path& path) {
  // Old files: one string "HLV"; new files: array ['H', 'L', 'V'].
  std::string letters;
  for (const auto& piece : array.to_strings()) letters += piece;
  std::vector<std::string> names;
  for (const char letter : letters) {
    names.push_back(known_detector(std::string(1, letter), path.string()).name);
  }
  return names;
}

}  // namespace

std::pair<std::size_t, std::size_t> EventData::band() const {
  const std::size_t n_f = n_frequencies();
  std::size_t first = n_f;
  std::size_t last = 0;
  for (std::size_t k = 0; k < n_f; ++k) {
    double total = 0.0;
    for (std::size_t d = 0; d < n_detectors(); ++d) total += whitening_filter[d * n_f + k];
    if (total != 0.0) {
      first = std::min(first, k);
      last = k;
    }
  }
  require(first < n_f, "event '{}': the whitening filter is zero everywhere", name);
  return {first, last + 1};
}

std::vector<double> EventData::times() const {
  const std::size_t n_t = 2 * (n_frequencies() - 1);
  const double dt = duration() / static_cast<double>(n_t);
  std::vector<double> result(n_t);
  for (std::size_t t = 0; t < n_t; ++t) result[t] = static_cast<double>(t) * dt;
  return result;
}

std::vector<std::complex<double>> EventData::blued_strain() const {
  std::vector<std::complex<double>> blued(strain.size());
  for (std::size_t k = 0; k < strain.size(); ++k) {
    blued[k] = whitening_filter[k] * whitening_filter[k] * strain[k];
  }
  return blued;
}

std::vector<double> EventData::whitened_rms() const {
  const auto [first, end] = band();
  const std::size_t n_f = n_frequencies();
  std::vector<double> rms;
  for (std::size_t d = 0; d < n_detectors(); ++d) {
    double total = 0.0;
    std::size_t count = 0;
    for (std::size_t k = first; k < end; ++k) {
      const double w = whitening_filter[d * n_f + k];
      if (w == 0.0) continue;
      total += std::norm(strain[d * n_f + k] * w) * 2.0 * df();  // 4 df |n w|² / 2
      ++count;
    }
    rms.push_back(count > 0 ? std::sqrt(total / static_cast<double>(count)) : 0.0);
  }
  return rms;
}

void EventData::validate(const std::string& source) const {
  require(!detector_names.empty(), "{}: no detectors", source);
  for (const auto& detector_name : detector_names) (void)known_detector(detector_name, source);
  const std::size_t n_f = n_frequencies();
  require(n_f >= 3, "{}: 'frequencies' has {} entries; need a frequency grid", source, n_f);
  require(frequencies.front() == 0.0,
          "{}: 'frequencies' must start at 0 (an rfft grid), starts at {}", source,
          frequencies.front());
  const double step = df();
  require(step > 0.0, "{}: 'frequencies' must increase", source);
  for (std::size_t k = 1; k < n_f; ++k) {
    const double expected = static_cast<double>(k) * step;
    require(std::abs(frequencies[k] - expected) <= 1e-9 * expected,
            "{}: 'frequencies' is not uniform (entry {} is {}, expected {})", source, k,
            frequencies[k], expected);
  }
  require(strain.size() == n_detectors() * n_f,
          "{}: 'strain' has {} values but {} detectors x {} frequencies need {}", source,
          strain.size(), n_detectors(), n_f, n_detectors() * n_f);
  require(whitening_filter.size() == strain.size(),
          "{}: 'whitening_filter' has {} values, 'strain' has {}", source, whitening_filter.size(),
          strain.size());
  for (std::size_t d = 0; d < n_detectors(); ++d) {
    for (std::size_t k = 0; k < n_f; ++k) {
      const double w = whitening_filter[d * n_f + k];
      require(std::isfinite(w), "{}: whitening filter of {} is not finite at {} Hz", source,
              detector_names[d], frequencies[k]);
      require(w >= 0.0, "{}: whitening filter of {} is negative ({}) at {} Hz", source,
              detector_names[d], w, frequencies[k]);
      if (w != 0.0) {
        const auto value = strain[d * n_f + k];
        require(std::isfinite(value.real()) && std::isfinite(value.imag()),
                "{}: strain of {} is not finite at {} Hz, inside the band", source,
                detector_names[d], frequencies[k]);
      }
    }
  }
  require(std::isfinite(tgps) && std::isfinite(tcoarse), "{}: tgps and tcoarse must be finite",
          source);
  require(tcoarse >= 0.0 && tcoarse <= duration(),
          "{}: tcoarse = {} s lies outside the {} s segment", source, tcoarse, duration());
}

EventData read_event_npz(const std::filesystem::path& path) {
  const auto members = io::read_npz(path);
  EventData event;
  event.name =
      members.contains("eventname") ? members.at("eventname").to_string() : path.stem().string();
  event.detector_names = detector_names_from(member(members, "detector_names", path), path);
  const io::NpyArray& frequencies = member(members, "frequencies", path);
  require(frequencies.shape.size() == 1, "{}: 'frequencies' must be one-dimensional",
          path.string());
  event.frequencies = frequencies.to_doubles();
  const std::size_t n_d = event.n_detectors();
  const std::size_t n_f = event.n_frequencies();
  const io::NpyArray& strain = member(members, "strain", path);
  require_shape(strain, "strain", n_d, n_f, path);
  event.strain = strain.to_complex();
  if (members.contains("wht_filter")) {
    require_shape(members.at("wht_filter"), "wht_filter", n_d, n_f, path);
    event.whitening_filter = members.at("wht_filter").to_doubles();
  } else {
    // Deprecated layout: wht_filter = fd_filter / sqrt(psd).
    const io::NpyArray& filter_array = member(members, "fd_filter", path);
    const io::NpyArray& psd_array = member(members, "psd", path);
    require_shape(filter_array, "fd_filter", n_d, n_f, path);
    require_shape(psd_array, "psd", n_d, n_f, path);
    const auto filter = filter_array.to_doubles();
    const auto psd = psd_array.to_doubles();
    event.whitening_filter.resize(filter.size());
    for (std::size_t k = 0; k < filter.size(); ++k) {
      event.whitening_filter[k] = psd[k] > 0.0 ? filter[k] / std::sqrt(psd[k]) : 0.0;
    }
  }
  event.tgps = member(members, "tgps", path).to_scalar();
  event.tcoarse = member(members, "tcoarse", path).to_scalar();
  if (members.contains("injection")) {
    const std::string text = members.at("injection").to_string();
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !(parsed.is_object() || parsed.is_null())) {
      log::warning("{}: 'injection' is not a JSON object; the injection parameters are dropped",
                   path.string());
    } else if (!parsed.is_null()) {
      event.injection = parsed;
    }
  }
  // Only w² enters the likelihood; FIR-windowed filters can have tiny negative values.
  std::size_t negative = 0;
  for (double& w : event.whitening_filter) {
    if (w < 0.0) {
      w = -w;
      ++negative;
    }
  }
  if (negative > 0) {
    log::warning(
        "{}: {} negative whitening-filter values replaced by their absolute values "
        "(only the square enters the likelihood)",
        path.string(), negative);
  }
  event.validate(path.string());
  return event;
}

EventData read_event(const std::filesystem::path& path) {
  if (path.extension() == ".npz") return read_event_npz(path);
  const io::h5::File file(path, io::h5::Mode::read);
  const io::h5::Group& root = file.root();
  require(root.has_attribute("format") && root.attribute_string("format") == kFormatName,
          "{} is not a dotpe event file; convert an EventData .npz with 'dotpe import-event' or "
          "make one with 'dotpe inject'",
          path.string());
  require(root.attribute_int("format_version") == kFormatVersion,
          "{}: unsupported event format version {}", path.string(),
          root.attribute_int("format_version"));
  EventData event;
  event.name = root.attribute_string("eventname");
  event.tgps = root.attribute_double("tgps");
  event.tcoarse = root.attribute_double("tcoarse");
  event.detector_names = root.read_strings("detector_names");
  event.frequencies = root.read<double>("frequencies").values;
  const std::vector<std::size_t> expected = {event.n_detectors(), event.n_frequencies()};
  auto strain = root.read<io::h5::complex>("strain");
  require(strain.shape == expected,
          "{}: 'strain' has shape ({}), expected ({}) = (detectors, frequencies)", path.string(),
          fmt::join(strain.shape, ", "), fmt::join(expected, ", "));
  event.strain = std::move(strain.values);
  auto filter = root.read<double>("whitening_filter");
  require(filter.shape == expected,
          "{}: 'whitening_filter' has shape ({}), expected ({}) = (detectors, frequencies)",
          path.string(), fmt::join(filter.shape, ", "), fmt::join(expected, ", "));
  event.whitening_filter = std::move(filter.values);
  if (root.has_attribute("injection")) {
    auto parsed = nlohmann::json::parse(root.attribute_string("injection"), nullptr, false);
    require(!parsed.is_discarded() && (parsed.is_object() || parsed.is_null()),
            "{}: the 'injection' attribute is not a JSON object (damaged file?)", path.string());
    if (!parsed.is_null()) event.injection = std::move(parsed);
  }
  event.validate(path.string());
  return event;
}

void write_event(const std::filesystem::path& path, const EventData& event) {
  event.validate(path.string());
  io::write_atomically(path, [&](const std::filesystem::path& temporary) {
    io::h5::File file(temporary, io::h5::Mode::create);
    const io::h5::Group& root = file.root();
    root.set_attribute("format", kFormatName);
    root.set_attribute("format_version", kFormatVersion);
    root.set_attribute("eventname", event.name);
    root.set_attribute("tgps", event.tgps);
    root.set_attribute("tcoarse", event.tcoarse);
    if (event.injection) root.set_attribute("injection", event.injection->dump());
    root.write_strings("detector_names", event.detector_names);
    root.write("frequencies", event.frequencies);
    root.write<io::h5::complex>("strain", event.strain,
                                {event.n_detectors(), event.n_frequencies()});
    root.write<double>("whitening_filter", event.whitening_filter,
                       {event.n_detectors(), event.n_frequencies()});
  });
}

}  // namespace dotpe::physics
