// Small numerical helpers used across the pipeline.
#pragma once

#include <span>

namespace dotpe {

// ln Σ exp(x_k), stable for large |x|. Empty input or all -inf gives -inf; any +inf gives +inf;
// any NaN gives NaN.
double logsumexp(std::span<const double> values);

// Kish effective sample size (Σ w)² / Σ w² of non-negative weights; 0 for no weight.
double effective_sample_size(std::span<const double> weights);

// The same from log-weights, computed without overflow.
double effective_sample_size_from_log(std::span<const double> log_weights);

}  // namespace dotpe
