// Weighted Kolmogorov-Smirnov statistics for the extrinsic tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <span>
#include <vector>

namespace dotpe::extrinsic::testing {

// Asymptotic Kolmogorov survival function Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}, with
// Stephens' small-sample correction λ = (√n + 0.12 + 0.11/√n) D.
inline double kolmogorov_p_value(double distance, double n) {
  const double root = std::sqrt(n);
  const double lambda = (root + 0.12 + 0.11 / root) * distance;
  if (lambda < 0.2) return 1.0;
  double sum = 0.0;
  for (int k = 1; k <= 100; ++k) {
    const double term = std::exp(-2.0 * k * k * lambda * lambda);
    sum += (k % 2 == 1 ? 1.0 : -1.0) * term;
    if (term < 1e-16) break;
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

inline double kish_ess(std::span<const double> weights) {
  double sum = 0.0, sum_sq = 0.0;
  for (double w : weights) {
    sum += w;
    sum_sq += w * w;
  }
  return sum_sq > 0.0 ? sum * sum / sum_sq : 0.0;
}

// sup_x |F_w(x) − cdf(x)| of weighted values against a continuous CDF.
inline double weighted_ks_distance(std::span<const double> values, std::span<const double> weights,
                                   const std::function<double(double)>& cdf) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return values[a] < values[b]; });
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  double below = 0.0, distance = 0.0;
  for (std::size_t i : order) {
    const double f = cdf(values[i]);
    distance = std::max(distance, std::abs(below - f));
    below += weights[i] / total;
    distance = std::max(distance, std::abs(below - f));
  }
  return distance;
}

// sup_x |F_w(x) − G(x)| against the empirical CDF G of a reference sample (sorted here).
inline double weighted_ks_distance(std::span<const double> values, std::span<const double> weights,
                                   std::vector<double> reference) {
  std::sort(reference.begin(), reference.end());
  const auto cdf = [&](double x) {
    return static_cast<double>(std::upper_bound(reference.begin(), reference.end(), x) -
                               reference.begin()) /
           static_cast<double>(reference.size());
  };
  // Evaluate at the sample points and just below and at every reference point.
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return values[a] < values[b]; });
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<double> sorted_values(values.size()), cumulative(values.size());
  double below = 0.0;
  for (std::size_t j = 0; j < order.size(); ++j) {
    sorted_values[j] = values[order[j]];
    below += weights[order[j]] / total;
    cumulative[j] = below;
  }
  const auto weighted_cdf = [&](double x) {  // F_w(x) = mass of values ≤ x
    const auto j =
        std::upper_bound(sorted_values.begin(), sorted_values.end(), x) - sorted_values.begin();
    return j == 0 ? 0.0 : cumulative[static_cast<std::size_t>(j - 1)];
  };
  double distance = 0.0;
  for (double x : sorted_values) distance = std::max(distance, std::abs(weighted_cdf(x) - cdf(x)));
  for (double x : reference) distance = std::max(distance, std::abs(weighted_cdf(x) - cdf(x)));
  return distance;
}

}  // namespace dotpe::extrinsic::testing
