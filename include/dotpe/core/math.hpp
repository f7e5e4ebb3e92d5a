// Small numerical helpers used across the pipeline.
#pragma once

#include <cstdint>
#include <map>
#include <span>

namespace dotpe {

// ln Σ exp(x_k), stable for large |x|. Empty input or all -inf gives -inf; any +inf gives +inf;
// any NaN gives NaN.
double logsumexp(std::span<const double> values);

// Kish effective sample size (Σ w)² / Σ w² of non-negative weights; 0 for no weight.
double effective_sample_size(std::span<const double> weights);

// The same from log-weights, computed without overflow.
double effective_sample_size_from_log(std::span<const double> log_weights);

// ln Σ exp(x_k) accumulated term by term with a result that does not depend on the order of the
// terms (floating-point sums do): each term is split as exp(n + f), n = floor(x), and exp(f) is
// added as a 2^-52-scaled integer to the bucket of n; integers add associatively. Relative
// error of the total ~1e-15. Non-finite terms: −inf is ignored, +inf and NaN make the result NaN.
__extension__ using UInt128 = unsigned __int128;  // GCC/Clang extension, fine for -Wpedantic

class LogSumAccumulator {
 public:
  void add(double ln_value);
  void add(const LogSumAccumulator& other);
  double log_sum() const;  // −inf when nothing was added
  std::size_t count() const { return count_; }

 private:
  std::map<std::int64_t, UInt128> buckets_;
  std::size_t count_ = 0;
  bool invalid_ = false;
};

}  // namespace dotpe
