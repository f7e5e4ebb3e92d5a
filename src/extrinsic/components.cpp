#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "dotpe/extrinsic/extrinsic_sampling.hpp"

namespace dotpe::extrinsic {

ExtrinsicComponents extrinsic_components(const ExtrinsicSamples& samples, std::size_t e_begin,
                                         std::size_t e_end,
                                         const std::vector<physics::Detector>& detectors,
                                         std::span<const double> fbin, double tcoarse) {
  require(e_begin <= e_end && e_end <= samples.size(),
          "extrinsic_components: range [{}, {}) is outside the {} extrinsic samples", e_begin,
          e_end, samples.size());
  ExtrinsicComponents components;
  components.n_detectors = detectors.size();
  components.n_nodes = fbin.size();
  components.n_e = e_end - e_begin;
  const std::size_t n_e = components.n_e;
  components.response.assign(detectors.size() * 2 * n_e, 0.0);
  components.timeshift.assign(detectors.size() * fbin.size() * n_e, {});
  for (std::size_t d = 0; d < detectors.size(); ++d) {
    for (std::size_t e = 0; e < n_e; ++e) {
      const std::size_t sample = e_begin + e;
      const double lat = samples.lat[sample];
      const double lon = samples.lon[sample];
      const auto pattern = physics::antenna_pattern(detectors[d], lat, lon, samples.psi[sample]);
      components.response[(d * 2 + 0) * n_e + e] = pattern.plus;
      components.response[(d * 2 + 1) * n_e + e] = pattern.cross;
      const double arrival =
          samples.t_geocenter[sample] + physics::geocenter_delay(detectors[d], lat, lon) + tcoarse;
      for (std::size_t b = 0; b < fbin.size(); ++b) {
        const double phase = -2.0 * std::numbers::pi * fbin[b] * arrival;
        components.timeshift[(d * fbin.size() + b) * n_e + e] = {std::cos(phase), std::sin(phase)};
      }
    }
  }
  return components;
}

}  // namespace dotpe::extrinsic
