// Ground-based detectors: positions and response tensors, and the geometry that depends on them
// (antenna patterns, arrival-time delays). Values are LAL's cached detectors (vertex locations
// from LALDetectors.h; response tensors D = ½(x̂x̂ᵀ − ŷŷᵀ) in single precision, as LAL holds them),
// which is what the reference package (cogwheel) uses. Conventions: numerics.md §0 and §2.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dotpe::physics {

using Vector3 = std::array<double, 3>;
using Matrix3 = std::array<Vector3, 3>;

inline constexpr double kSpeedOfLight = 299792458.0;  // m/s

struct Detector {
  std::string name;       // "H1"
  char reference_letter;  // 'H': the reference package's single-letter name
  Vector3 location;       // Earth-centred, Earth-fixed (m)
  Matrix3 response;       // D = ½(x̂x̂ᵀ − ŷŷᵀ), single-precision values
};

// Known detectors; "H1" or the reference's "H" (likewise L1/L, V1/V). Throws dotpe::Error for
// an unknown name, listing the known ones.
const Detector& detector(std::string_view name);
std::vector<std::string> known_detector_names();

// Parses "H1,L1,V1", "HLV" (reference style) or {"H1", "L1"} into detectors.
std::vector<Detector> detectors_from_names(std::string_view names);

// Antenna patterns at Earth-fixed (lat, lon) and polarisation ψ (numerics.md §2.3 and §0):
// F+(ψ) = cos2ψ F+(0) + sin2ψ F×(0), F×(ψ) = −sin2ψ F+(0) + cos2ψ F×(0).
struct AntennaPattern {
  double plus = 0.0;
  double cross = 0.0;
};
AntennaPattern antenna_pattern(const Detector& detector, double lat, double lon, double psi);

// Arrival time at the detector minus arrival time at the geocentre, for a source in the
// Earth-fixed direction (lat, lon): −(r_d · n̂)/c (seconds).
double geocenter_delay(const Detector& detector, double lat, double lon);

// Light travel time between two detectors (seconds).
double light_travel_time(const Detector& first, const Detector& second);

}  // namespace dotpe::physics
