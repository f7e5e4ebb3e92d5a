#include "dotpe/likelihood/linear_free.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"

namespace dotpe::likelihood {

std::vector<double> linear_free_polyfit_weights(const SplineBasis& basis, const EventArrays& event,
                                                std::span<const std::complex<double>> h2plus0_f) {
  const std::size_t n_f = event.frequencies.size();
  require(h2plus0_f.size() == n_f && event.whitening.size() == event.n_detectors * n_f,
          "linear-free weights: h2plus0 has {} values and whitening {}, expected {} and "
          "n_detectors·{}",
          h2plus0_f.size(), event.whitening.size(), n_f, n_f);
  std::vector<std::complex<double>> integrand(n_f, 0.0);
  for (std::size_t d = 0; d < event.n_detectors; ++d) {
    for (std::size_t k = 0; k < n_f; ++k) {
      const double w = event.whitening[d * n_f + k];
      integrand[k] += 4.0 * event.df * std::norm(h2plus0_f[k]) * w * w;
    }
  }
  std::vector<std::complex<double>> summary(basis.size());
  basis.projector(event.frequencies).project(integrand, summary);
  std::vector<double> weights(basis.size());
  for (std::size_t b = 0; b < basis.size(); ++b) {
    weights[b] = std::sqrt(std::max(summary[b].real(), 0.0));
  }
  return weights;
}

LinearFreeAligner::LinearFreeAligner(std::vector<double> fbin,
                                     std::vector<std::complex<double>> h2plus0_nodes,
                                     std::vector<double> polyfit_weights, std::size_t m2_index)
    : fbin_(std::move(fbin)),
      h2plus0_(std::move(h2plus0_nodes)),
      polyfit_weights_(std::move(polyfit_weights)),
      m2_index_(m2_index) {
  require(fbin_.size() >= 2 && h2plus0_.size() == fbin_.size() &&
              polyfit_weights_.size() == fbin_.size(),
          "linear-free alignment: {} nodes, {} reference values and {} fit weights; they must "
          "be equal and at least 2",
          fbin_.size(), h2plus0_.size(), polyfit_weights_.size());
}

double LinearFreeAligner::time_shift(std::span<const std::complex<double>> h2plus_nodes) const {
  require(h2plus_nodes.size() == fbin_.size(),
          "linear-free alignment: template has {} node values, expected {}", h2plus_nodes.size(),
          fbin_.size());
  // Weighted least squares of the unwrapped phase of h/h0 against f (normal equations).
  double sw = 0.0, sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0;
  double previous_raw = 0.0;
  double unwrapped = 0.0;
  bool first = true;
  for (std::size_t b = 0; b < fbin_.size(); ++b) {
    const std::complex<double> ratio =
        h2plus0_[b] == 0.0 ? std::complex<double>(0.0) : h2plus_nodes[b] / h2plus0_[b];
    const double raw = std::arg(ratio);
    // numpy.unwrap: steps are brought into [−π, π).
    if (first) {
      unwrapped = raw;
      first = false;
    } else {
      double step = raw - previous_raw;
      step -=
          2.0 * std::numbers::pi * std::floor((step + std::numbers::pi) / (2.0 * std::numbers::pi));
      unwrapped += step;
    }
    previous_raw = raw;
    const double weight = polyfit_weights_[b] * std::sqrt(std::abs(ratio));
    const double w2 = weight * weight;
    const double x = fbin_[b];
    sw += w2;
    sx += w2 * x;
    sy += w2 * unwrapped;
    sxx += w2 * x * x;
    sxy += w2 * x * unwrapped;
  }
  const double denominator = sw * sxx - sx * sx;
  require(denominator > 0.0 && std::isfinite(denominator),
          "linear-free alignment: the template has no weight at two distinct nodes (its m=2 "
          "plus polarisation vanishes where the reference has SNR); check the bank waveform");
  const double slope = (sw * sxy - sx * sy) / denominator;
  return -slope / (2.0 * std::numbers::pi);
}

void LinearFreeAligner::align(std::size_t n_i, std::size_t n_m, std::span<std::complex<double>> h,
                              std::span<double> dt) const {
  const std::size_t n_b = fbin_.size();
  require(m2_index_ < n_m && h.size() == n_i * n_m * 2 * n_b && dt.size() == n_i,
          "linear-free alignment: {} waveform values and {} outputs for n_i={} n_m={} n_b={} "
          "(m=2 at position {})",
          h.size(), dt.size(), n_i, n_m, n_b, m2_index_);
  std::vector<std::complex<double>> phasor(n_b);
  for (std::size_t i = 0; i < n_i; ++i) {
    const auto h2plus = h.subspan(((i * n_m + m2_index_) * 2) * n_b, n_b);
    dt[i] = time_shift(h2plus);
    for (std::size_t b = 0; b < n_b; ++b) {
      phasor[b] = std::polar(1.0, 2.0 * std::numbers::pi * fbin_[b] * dt[i]);
    }
    for (std::size_t mp = 0; mp < n_m * 2; ++mp) {
      std::complex<double>* row = h.data() + (i * n_m * 2 + mp) * n_b;
      for (std::size_t b = 0; b < n_b; ++b) row[b] *= phasor[b];
    }
  }
}

void stall_ringdown(std::span<const double> frequencies, std::span<const double> fbin,
                    std::span<const double> combined_filter, std::span<std::complex<double>> h0_f,
                    std::span<std::complex<double>> h0_b, std::size_t spline_degree) {
  require(frequencies.size() == combined_filter.size() && frequencies.size() == h0_f.size() &&
              fbin.size() == h0_b.size() && fbin.size() > spline_degree,
          "ringdown stalling: array sizes disagree ({} frequencies, {} filter, {} h0; {} nodes, "
          "{} h0 on nodes)",
          frequencies.size(), combined_filter.size(), h0_f.size(), fbin.size(), h0_b.size());
  std::vector<double> cumulative(frequencies.size());
  double total = 0.0;
  for (std::size_t k = 0; k < frequencies.size(); ++k) {
    total += std::norm(h0_f[k]) * combined_filter[k] * combined_filter[k];
    cumulative[k] = total;
  }
  if (!(total > 0.0)) return;  // no SNR anywhere: nothing to stall
  const auto i99 = static_cast<std::size_t>(
      std::lower_bound(cumulative.begin(), cumulative.end(), 0.99 * total) - cumulative.begin());
  const double f99 = frequencies[std::min(i99, frequencies.size() - 1)];
  const auto b99_raw =
      static_cast<std::size_t>(std::lower_bound(fbin.begin(), fbin.end(), f99) - fbin.begin());
  // Keep the fade inside the node range (the reference would index out of range there).
  const std::size_t b99 = std::clamp(b99_raw, spline_degree, fbin.size() - 1);
  const double f_start = fbin[b99 - spline_degree];
  const double f_end = fbin[b99];
  const std::complex<double> plateau = h0_b[b99];
  const auto fade = [&](double f) {
    const double x = std::clamp((f - f_start) / (f_end - f_start), 0.0, 1.0);
    const double c = std::cos(0.5 * std::numbers::pi * x);
    return c * c;
  };
  for (std::size_t k = 0; k < frequencies.size(); ++k) {
    const double w = fade(frequencies[k]);
    h0_f[k] = h0_f[k] * w + plateau * (1.0 - w);
  }
  for (std::size_t b = 0; b < fbin.size(); ++b) {
    const double w = fade(fbin[b]);
    h0_b[b] = h0_b[b] * w + plateau * (1.0 - w);
  }
}

}  // namespace dotpe::likelihood
