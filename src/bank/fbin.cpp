#include "dotpe/bank/fbin.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"

namespace dotpe::bank {

std::vector<double> fbin_from_pn_phase(double fmin, double fmax, double df,
                                       double pn_phase_tolerance) {
  require(fmin > 0.0 && fmax > fmin, "fbin: need 0 < fmin < fmax, got fmin = {}, fmax = {}", fmin,
          fmax);
  require(df > 0.0 && df < fmax - fmin, "fbin: frequency resolution df = {} is invalid", df);
  require(pn_phase_tolerance > 0.0, "fbin: PN phase tolerance must be positive, got {}",
          pn_phase_tolerance);

  constexpr std::array<double, 3> kExponents = {-5.0 / 3.0, -2.0 / 3.0, 1.0};
  constexpr int kPoints = 10000;
  std::vector<double> frequencies(kPoints);
  std::vector<double> phase(kPoints, 0.0);
  for (int k = 0; k < kPoints; ++k) {
    frequencies[k] = fmin + (fmax - fmin) * k / (kPoints - 1);
  }
  for (const double exponent : kExponents) {
    const double scale =
        2.0 * std::numbers::pi / std::abs(std::pow(fmin, exponent) - std::pow(fmax, exponent));
    const double sign = exponent < 0.0 ? -1.0 : 1.0;
    const double start = sign * scale * std::pow(fmin, exponent);
    for (int k = 0; k < kPoints; ++k) {
      phase[k] += sign * scale * std::pow(frequencies[k], exponent) - start;
    }
  }
  const double total_phase = phase.back();
  const auto intervals = static_cast<int>(std::ceil(total_phase / pn_phase_tolerance));

  // Invert Φ(f) (monotonic) at equally spaced phases by linear interpolation.
  std::vector<double> nodes;
  std::size_t segment = 0;
  for (int n = 0; n <= intervals; ++n) {
    const double target = total_phase * n / intervals;
    while (segment + 2 < phase.size() && phase[segment + 1] < target) ++segment;
    const double fraction = (target - phase[segment]) / (phase[segment + 1] - phase[segment]);
    const double raw =
        frequencies[segment] + fraction * (frequencies[segment + 1] - frequencies[segment]);
    // Nearest grid point k·df (the reference: searchsorted(grid, raw − df/2), side left).
    const double snapped = std::ceil((raw - 0.5 * df) / df - 1e-9) * df;
    if (nodes.empty() || snapped > nodes.back() + 0.5 * df) nodes.push_back(snapped);
  }
  return nodes;
}

std::vector<double> default_fbin() {
  return fbin_from_pn_phase(15.0, 1600.0, 1.0 / 120.0, 0.05);
}

void validate_fbin(const std::vector<double>& fbin, const std::string& source) {
  require(fbin.size() >= 4, "{}: fbin needs at least 4 frequency nodes, got {}", source,
          fbin.size());
  for (std::size_t b = 0; b < fbin.size(); ++b) {
    require(std::isfinite(fbin[b]) && fbin[b] > 0.0, "{}: fbin[{}] = {} is not a positive number",
            source, b, fbin[b]);
    // fbin[b - 1] is formatted only for b > 0: the message's arguments are always evaluated.
    if (b > 0) {
      require(fbin[b] > fbin[b - 1],
              "{}: fbin must increase strictly, but fbin[{}] = {} follows {}", source, b, fbin[b],
              fbin[b - 1]);
    }
  }
}

}  // namespace dotpe::bank
