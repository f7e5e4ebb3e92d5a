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

namespace {
constexpr double kBucketScale = 4503599627370496.0;  // 2^52
}

void LogSumAccumulator::add(double ln_value) {
  if (std::isnan(ln_value) || ln_value == std::numeric_limits<double>::infinity()) {
    invalid_ = true;
    return;
  }
  if (ln_value == -std::numeric_limits<double>::infinity()) return;
  const double exponent = std::floor(ln_value);
  // exp(f) in [1, e): 54 significant bits at most, exact in the integer after rounding.
  const double mantissa = std::exp(ln_value - exponent);
  buckets_[static_cast<std::int64_t>(exponent)] +=
      static_cast<UInt128>(std::llround(mantissa * kBucketScale));
  ++count_;
}

void LogSumAccumulator::add(const LogSumAccumulator& other) {
  for (const auto& [exponent, value] : other.buckets_) buckets_[exponent] += value;
  count_ += other.count_;
  invalid_ = invalid_ || other.invalid_;
}

double LogSumAccumulator::log_sum() const {
  if (invalid_) return std::numeric_limits<double>::quiet_NaN();
  if (buckets_.empty()) return -std::numeric_limits<double>::infinity();
  const std::int64_t top = buckets_.rbegin()->first;
  double total = 0.0;
  // Ascending exponents: the small buckets first; fixed order, so the result is deterministic.
  for (const auto& [exponent, value] : buckets_) {
    const double bucket = static_cast<double>(value) / kBucketScale;
    total += bucket * std::exp(static_cast<double>(exponent - top));
  }
  return static_cast<double>(top) + std::log(total);
}

}  // namespace dotpe
