#include "dotpe/pipeline/evidence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "dotpe/core/error.hpp"
#include "dotpe/core/math.hpp"
#include "dotpe/core/rng.hpp"

namespace dotpe::pipeline {
namespace {

constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();

}  // namespace

double safe_logsumexp(std::span<const double> values) {
  std::vector<double> finite;
  finite.reserve(values.size());
  for (const double value : values) {
    if (std::isfinite(value)) finite.push_back(value);
  }
  return finite.empty() ? kMinusInfinity : logsumexp(finite);
}

std::vector<double> normalized_weights(std::span<const double> log_weights) {
  double max_log = kMinusInfinity;
  for (const double value : log_weights) {
    if (std::isfinite(value)) max_log = std::max(max_log, value);
  }
  std::vector<double> weights(log_weights.size(), 0.0);
  if (!std::isfinite(max_log)) return weights;
  double total = 0.0;
  for (std::size_t k = 0; k < weights.size(); ++k) {
    if (std::isfinite(log_weights[k])) weights[k] = std::exp(log_weights[k] - max_log);
    total += weights[k];
  }
  for (double& weight : weights) weight /= total;
  return weights;
}

BankEvidence bank_evidence(std::span<const CoherentRow> rows, double grid_points) {
  BankEvidence result;
  result.grid_points = grid_points;
  std::vector<double> ln_posteriors;
  ln_posteriors.reserve(rows.size());
  for (const auto& row : rows) ln_posteriors.push_back(row.ln_posterior);
  result.ln_evidence = grid_points > 0.0 ? safe_logsumexp(ln_posteriors) - std::log(grid_points)
                                         : std::numeric_limits<double>::quiet_NaN();
  const auto p = normalized_weights(ln_posteriors);
  result.n_effective = effective_sample_size(p);
  result.n_effective_i =
      grouped_effective_size<CoherentRow>(rows, p, [](const CoherentRow& r) { return r.i; });
  result.n_effective_e =
      grouped_effective_size<CoherentRow>(rows, p, [](const CoherentRow& r) { return r.e; });
  return result;
}

double combined_ln_evidence(std::span<const BankEvidence> banks) {
  std::vector<double> values;
  for (const auto& bank : banks) values.push_back(bank.ln_evidence);
  return safe_logsumexp(values);
}

double EvidenceError::total() const {
  return std::hypot(intrinsic, extrinsic);
}

double relative_mean_error(double n_effective, double n_samples) {
  require(n_effective > 0.0 && n_samples >= 1.0,
          "internal error: evidence error needs a positive effective size (got {}) and at least "
          "one sample (got {})",
          n_effective, n_samples);
  // max(0, ·): a difference of estimates, which rounds below zero when the weights are equal.
  return std::sqrt(std::max(0.0, 1.0 / n_effective - 1.0 / n_samples));
}

EvidenceError evidence_error(double n_effective_i, double n_int, double n_effective_e,
                             double n_ext) {
  return {relative_mean_error(n_effective_i, n_int), relative_mean_error(n_effective_e, n_ext)};
}

std::vector<std::vector<std::size_t>> select_across_banks(
    const std::vector<std::vector<double>>& incoherent_lnlikes, double max_drop) {
  double global_max = kMinusInfinity;
  for (const auto& bank : incoherent_lnlikes) {
    for (const double value : bank) {
      if (!std::isnan(value)) global_max = std::max(global_max, value);
    }
  }
  std::vector<std::vector<std::size_t>> kept(incoherent_lnlikes.size());
  std::size_t total = 0;
  for (std::size_t k = 0; k < incoherent_lnlikes.size(); ++k) {
    for (std::size_t i = 0; i < incoherent_lnlikes[k].size(); ++i) {
      if (incoherent_lnlikes[k][i] >= global_max - max_drop) kept[k].push_back(i);
    }
    total += kept[k].size();
  }
  require(total > 0,
          "no bank sample passed the incoherent screening (all single-detector likelihoods are "
          "NaN or -inf): check that the event's band overlaps the bank's frequencies");
  return kept;
}

std::vector<CoherentRow> select_rows(std::vector<CoherentRow> rows, double max_bestfit_lnlike_diff,
                                     std::size_t size_limit) {
  double best = kMinusInfinity;
  for (const auto& row : rows) best = std::max(best, row.bestfit_lnlike);
  std::erase_if(rows, [&](const CoherentRow& row) {
    return !(row.bestfit_lnlike >= best - max_bestfit_lnlike_diff);
  });
  const auto key = [](const CoherentRow& row) { return std::tie(row.i, row.e, row.o); };
  if (rows.size() > size_limit) {
    std::nth_element(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(size_limit),
                     rows.end(), [&](const CoherentRow& a, const CoherentRow& b) {
                       if (a.bestfit_lnlike != b.bestfit_lnlike) {
                         return a.bestfit_lnlike > b.bestfit_lnlike;
                       }
                       return key(a) < key(b);
                     });
    rows.resize(size_limit);
  }
  std::sort(rows.begin(), rows.end(),
            [&](const CoherentRow& a, const CoherentRow& b) { return key(a) < key(b); });
  return rows;
}

std::vector<std::size_t> resample(std::span<const double> weights, std::size_t draws,
                                  std::uint64_t seed) {
  std::vector<double> cumulative(weights.size());
  double total = 0.0;
  for (std::size_t k = 0; k < weights.size(); ++k) {
    require(weights[k] >= 0.0 && std::isfinite(weights[k]),
            "internal error: resampling weight {} is {}", k, weights[k]);
    total += weights[k];
    cumulative[k] = total;
  }
  require(total > 0.0, "cannot draw posterior samples: every weight is zero");
  std::vector<std::size_t> drawn(draws);
  for (std::size_t n = 0; n < draws; ++n) {
    RngStream rng(seed, rng_stream::resampling, n);
    const double target = rng.uniform() * total;
    const auto found = std::upper_bound(cumulative.begin(), cumulative.end(), target);
    drawn[n] = std::min(static_cast<std::size_t>(found - cumulative.begin()), weights.size() - 1);
  }
  return drawn;
}

}  // namespace dotpe::pipeline
