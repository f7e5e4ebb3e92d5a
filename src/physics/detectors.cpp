#include "dotpe/physics/detectors.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cmath>
#include <span>

#include "dotpe/core/error.hpp"

namespace dotpe::physics {
namespace {

// Vertex locations: LAL_{LHO_4K,LLO_4K,VIRGO}_VERTEX_LOCATION_{X,Y,Z}_SI (lal/std/LALDetectors.h,
// from LIGO-T980044 and the Virgo site survey). Response tensors: the single-precision values of
// LAL's cached detectors (lalCachedDetectors), which XLALCreateDetector computes in REAL4
// arithmetic as ½(x̂x̂ᵀ − ŷŷᵀ) from the LAL_*_ARM_{X,Y}_DIRECTION_* unit vectors; they are listed
// rather than recomputed because computing them in double and rounding differs from LAL in the
// last bit of some entries. Adding a detector (e.g. KAGRA) is one more entry.
const auto kDetectors = std::to_array<Detector>({
    {"H1",
     'H',
     {-2.16141492636e+06, -3.83469517889e+06, 4.60035022664e+06},
     {{{-0.39261409640312195, -0.07761341333389282, -0.2473890483379364},
       {-0.07761341333389282, 0.3195240795612335, 0.22799783945083618},
       {-0.2473890483379364, 0.22799783945083618, 0.07309003174304962}}}},
    {"L1",
     'L',
     {-7.42760447238e+04, -5.49628371971e+06, 3.22425701744e+06},
     {{{0.41128087043762207, 0.14021027088165283, 0.2472945898771286},
       {0.14021027088165283, -0.10900568962097168, -0.18161563575267792},
       {0.2472945898771286, -0.18161563575267792, -0.302275151014328}}}},
    {"V1",
     'V',
     {4.54637409900e+06, 8.42989697626e+05, 4.37857696241e+06},
     {{{0.24387404322624207, -0.0990837812423706, -0.23257622122764587},
       {-0.0990837812423706, -0.4478258490562439, 0.18783310055732727},
       {-0.23257622122764587, 0.18783310055732727, 0.20395180583000183}}}},
});

std::span<const Detector> all_detectors() {
  return kDetectors;
}

double quadratic_form(const Matrix3& matrix, const Vector3& a, const Vector3& b) {
  double total = 0.0;
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 3; ++j) total += a[i] * matrix[i][j] * b[j];
  }
  return total;
}

}  // namespace

const Detector& detector(std::string_view name) {
  for (const auto& candidate : all_detectors()) {
    if (name == candidate.name ||
        (name.size() == 1 && name.front() == candidate.reference_letter)) {
      return candidate;
    }
  }
  throw Error("unknown detector '{}': known detectors are {}", name,
              fmt::join(known_detector_names(), ", "));
}

std::vector<std::string> known_detector_names() {
  std::vector<std::string> names;
  for (const auto& known : all_detectors()) names.push_back(known.name);
  return names;
}

std::vector<Detector> detectors_from_names(std::string_view names) {
  std::vector<Detector> result;
  if (names.find(',') == std::string_view::npos && names.size() <= 3 &&
      names.find('1') == std::string_view::npos) {
    for (const char letter : names) result.push_back(detector(std::string_view(&letter, 1)));
    return result;
  }
  std::size_t start = 0;
  while (start < names.size()) {
    const std::size_t comma = std::min(names.find(',', start), names.size());
    if (comma > start) result.push_back(detector(names.substr(start, comma - start)));
    start = comma + 1;
  }
  require(!result.empty(), "no detector names in '{}'", names);
  return result;
}

AntennaPattern antenna_pattern(const Detector& detector, double lat, double lon, double psi) {
  // cogwheel's Earth-fixed basis at ψ = 0 (numerics.md §2.3).
  const Vector3 x = {std::sin(lon), -std::cos(lon), 0.0};
  const Vector3 y = {-std::cos(lon) * std::sin(lat), -std::sin(lon) * std::sin(lat), std::cos(lat)};
  const double plus_0 =
      quadratic_form(detector.response, x, x) - quadratic_form(detector.response, y, y);
  const double cross_0 =
      quadratic_form(detector.response, x, y) + quadratic_form(detector.response, y, x);
  const double cos_2psi = std::cos(2.0 * psi);
  const double sin_2psi = std::sin(2.0 * psi);
  return {cos_2psi * plus_0 + sin_2psi * cross_0, -sin_2psi * plus_0 + cos_2psi * cross_0};
}

double geocenter_delay(const Detector& detector, double lat, double lon) {
  const Vector3 direction = {std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon),
                             std::sin(lat)};
  double projection = 0.0;
  for (std::size_t k = 0; k < 3; ++k) projection += detector.location[k] * direction[k];
  return -projection / kSpeedOfLight;
}

double light_travel_time(const Detector& first, const Detector& second) {
  double squared = 0.0;
  for (std::size_t k = 0; k < 3; ++k) {
    const double difference = first.location[k] - second.location[k];
    squared += difference * difference;
  }
  return std::sqrt(squared) / kSpeedOfLight;
}

}  // namespace dotpe::physics
