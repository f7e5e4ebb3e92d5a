#include "dotpe/likelihood/summary_weights.hpp"

#include <cmath>

#include "dotpe/core/error.hpp"

namespace dotpe::likelihood {
namespace {

void validate(const SplineBasis& basis, const EventArrays& event,
              const ReferenceWaveform& reference) {
  const std::size_t n_f = event.frequencies.size();
  const std::size_t n_m = reference.m_values.size();
  require(n_f > 0 && event.n_detectors > 0,
          "summary weights: the event has {} frequencies and {} detectors; both must be > 0", n_f,
          event.n_detectors);
  require(std::isfinite(event.df) && event.df > 0.0,
          "summary weights: the event's frequency spacing df is {}, it must be positive", event.df);
  require(event.strain.size() == event.n_detectors * n_f &&
              event.whitening.size() == event.n_detectors * n_f,
          "summary weights: strain has {} and whitening {} values, expected n_detectors·n_f = "
          "{}·{}",
          event.strain.size(), event.whitening.size(), event.n_detectors, n_f);
  require(n_m > 0, "summary weights: the reference waveform has no harmonic groups (m_values)");
  require(reference.on_frequencies.size() == n_m * 2 * n_f,
          "summary weights: the reference waveform on the event frequencies has {} values, "
          "expected n_m·2·n_f = {}·2·{}",
          reference.on_frequencies.size(), n_m, n_f);
  require(reference.on_nodes.size() == n_m * 2 * basis.size(),
          "summary weights: the reference waveform on the nodes has {} values, expected "
          "n_m·2·n_b = {}·2·{}",
          reference.on_nodes.size(), n_m, basis.size());
}

std::complex<double> ratio_or_zero(std::complex<double> summary, std::complex<double> reference) {
  return reference == 0.0 ? std::complex<double>(0.0) : summary / reference;
}

}  // namespace

std::vector<std::pair<std::size_t, std::size_t>> mode_pairs(std::size_t n_modes) {
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (std::size_t m = 0; m < n_modes; ++m) {
    for (std::size_t mm = m; mm < n_modes; ++mm) pairs.emplace_back(m, mm);
  }
  return pairs;
}

SummaryWeights compute_summary_weights(const SplineBasis& basis, const EventArrays& event,
                                       const ReferenceWaveform& reference) {
  validate(basis, event, reference);
  const std::size_t n_f = event.frequencies.size();
  const std::size_t n_b = basis.size();
  SummaryWeights weights;
  weights.n_detectors = event.n_detectors;
  weights.n_modes = reference.m_values.size();
  weights.n_nodes = n_b;
  weights.m_values = reference.m_values;
  weights.dh.assign(event.n_detectors * weights.n_modes * 2 * n_b, 0.0);
  weights.hh.assign(event.n_detectors * weights.n_mode_pairs() * 4 * n_b, 0.0);

  const SplineBasis::Projector projector = basis.projector(event.frequencies);
  const auto h0_f = [&](std::size_t m, std::size_t p) {
    return reference.on_frequencies.subspan((m * 2 + p) * n_f, n_f);
  };
  const auto h0_b = [&](std::size_t m, std::size_t p) {
    return reference.on_nodes.subspan((m * 2 + p) * n_b, n_b);
  };
  const auto pairs = mode_pairs(weights.n_modes);
  std::vector<std::complex<double>> integrand(n_f);
  std::vector<std::complex<double>> summary(n_b);
  std::vector<double> weight_sq(n_f);
  for (std::size_t d = 0; d < event.n_detectors; ++d) {
    const auto strain = event.strain.subspan(d * n_f, n_f);
    const auto whitening = event.whitening.subspan(d * n_f, n_f);
    for (std::size_t k = 0; k < n_f; ++k)
      weight_sq[k] = 4.0 * event.df * whitening[k] * whitening[k];
    for (std::size_t m = 0; m < weights.n_modes; ++m) {
      for (std::size_t p = 0; p < 2; ++p) {
        const auto h0 = h0_f(m, p);
        for (std::size_t k = 0; k < n_f; ++k)
          integrand[k] = weight_sq[k] * strain[k] * std::conj(h0[k]);
        projector.project(integrand, summary);
        const auto nodes = h0_b(m, p);
        for (std::size_t b = 0; b < n_b; ++b) {
          weights.dh[weights.dh_index(d, m, p, b)] = ratio_or_zero(summary[b], std::conj(nodes[b]));
        }
      }
    }
    for (std::size_t pair = 0; pair < pairs.size(); ++pair) {
      const auto [m, mm] = pairs[pair];
      const double multiplicity = m == mm ? 1.0 : 2.0;
      for (std::size_t p = 0; p < 2; ++p) {
        for (std::size_t pp = 0; pp < 2; ++pp) {
          const auto left = h0_f(m, p);
          const auto right = h0_f(mm, pp);
          for (std::size_t k = 0; k < n_f; ++k) {
            integrand[k] = weight_sq[k] * left[k] * std::conj(right[k]);
          }
          projector.project(integrand, summary);
          const auto left_nodes = h0_b(m, p);
          const auto right_nodes = h0_b(mm, pp);
          for (std::size_t b = 0; b < n_b; ++b) {
            weights.hh[weights.hh_index(d, pair, p, pp, b)] =
                multiplicity * ratio_or_zero(summary[b], left_nodes[b] * std::conj(right_nodes[b]));
          }
        }
      }
    }
  }
  return weights;
}

SummaryWeights SummaryWeights::single_detector(std::size_t d) const {
  require(d < n_detectors, "summary weights: detector {} requested, but there are only {}", d,
          n_detectors);
  SummaryWeights one;
  one.n_detectors = 1;
  one.n_modes = n_modes;
  one.n_nodes = n_nodes;
  one.m_values = m_values;
  const std::size_t dh_size = n_modes * 2 * n_nodes;
  const std::size_t hh_size = n_mode_pairs() * 4 * n_nodes;
  one.dh.assign(dh.begin() + static_cast<std::ptrdiff_t>(d * dh_size),
                dh.begin() + static_cast<std::ptrdiff_t>((d + 1) * dh_size));
  one.hh.assign(hh.begin() + static_cast<std::ptrdiff_t>(d * hh_size),
                hh.begin() + static_cast<std::ptrdiff_t>((d + 1) * hh_size));
  return one;
}

}  // namespace dotpe::likelihood
