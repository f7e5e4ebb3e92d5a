#include "dotpe/core/math.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace dotpe {

double logsumexp(std::span<const double> values) {
  constexpr double minus_infinity = -std::numeric_limits<double>::infinity();
  double max_value = minus_infinity;
  for (const double value : values) {
    if (std::isnan(value)) return std::numeric_limits<double>::quiet_NaN();
    max_value = std::max(max_value, value);
  }
  if (std::isinf(max_value)) return max_value;  // empty, all -inf, or any +inf
  double sum = 0.0;
  for (const double value : values) sum += std::exp(value - max_value);
  return max_value + std::log(sum);
}

double effective_sample_size(std::span<const double> weights) {
  double sum = 0.0;
  double sum_of_squares = 0.0;
  for (const double weight : weights) {
    sum += weight;
    sum_of_squares += weight * weight;
  }
  return sum_of_squares > 0.0 ? sum * sum / sum_of_squares : 0.0;
}

double effective_sample_size_from_log(std::span<const double> log_weights) {
  if (log_weights.empty()) return 0.0;
  const double max_log = *std::max_element(log_weights.begin(), log_weights.end());
  if (!std::isfinite(max_log)) return 0.0;
  double sum = 0.0;
  double sum_of_squares = 0.0;
  for (const double log_weight : log_weights) {
    const double weight = std::exp(log_weight - max_log);
    sum += weight;
    sum_of_squares += weight * weight;
  }
  return sum * sum / sum_of_squares;
}

}  // namespace dotpe
