// Evidence, effective sample sizes and posterior weights from the coherent stage's rows
// (dotpe-pipeline.md §3.6 and §4.6). Every estimator is the reference's:
//
//   ln_posterior_k = lnl_marginalized_k + logw_i + logw_e
//   N_k            = n_phi * n_ext * n_int_k      (all grid points of bank k)
//   lnZ_k          = logsumexp(ln_posterior over kept rows of bank k) - ln N_k
//   lnZ            = logsumexp_k lnZ_k          (banks with disjoint supports and normalised
//   priors) n_effective    = (Σw)² / Σw²,  n_effective_i = 1 / Σ_i (Σ_{rows of i} p)²  (likewise
//   for e)
//
// Non-finite ln_posterior values are dropped from the sums (the reference's safe_logsumexp).
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace dotpe::pipeline {

struct CoherentRow {
  std::int64_t i = 0;  // bank row
  std::int64_t e = 0;  // extrinsic sample
  std::int64_t o = 0;  // orbital-phase grid point
  double lnl_marginalized = 0.0;
  double ln_posterior = 0.0;
  double bestfit_lnlike = 0.0;
  double d_h_1Mpc = 0.0;
  double h_h_1Mpc = 0.0;
};

struct BankEvidence {
  double ln_evidence = 0.0;
  double n_effective = 0.0;
  double n_effective_i = 0.0;
  double n_effective_e = 0.0;
  double grid_points = 0.0;  // N_k
};

// ln of the sum of exp over the finite values; -inf when there is none.
double safe_logsumexp(std::span<const double> values);

// Posterior weights exp(x - max) / Σ (finite entries; non-finite ones get weight 0).
std::vector<double> normalized_weights(std::span<const double> log_weights);

BankEvidence bank_evidence(std::span<const CoherentRow> rows, double grid_points);

// 1 / Σ_g (Σ_{rows r in group g} p_r)²: the effective number of groups (templates, extrinsic
// samples) under probabilities p, grouped by `group_of(row)` (any ordered key).
template <typename Row, typename GroupOf>
double grouped_effective_size(std::span<const Row> rows, std::span<const double> p,
                              const GroupOf& group_of) {
  std::map<decltype(group_of(rows.front())), double> totals;
  for (std::size_t k = 0; k < rows.size(); ++k) totals[group_of(rows[k])] += p[k];
  double sum_of_squares = 0.0;
  for (const auto& [group, total] : totals) sum_of_squares += total * total;
  return sum_of_squares > 0.0 ? 1.0 / sum_of_squares : 0.0;
}

// lnZ = logsumexp of the banks' ln evidences.
double combined_ln_evidence(std::span<const BankEvidence> banks);

// Monte-Carlo standard error of ln Z. The estimate Z = mean over (i, e) of A_ie (A_ie the
// phase-averaged w_i w_e L) is a crossed design: i and e are independent draws. To leading order
//   Var(Z)/Z² = Var_i(a_i)/(n_int Z²) + Var_e(b_e)/(n_ext Z²),
// a_i, b_e the row and column means of A (zeros included for screened-out templates and void
// extrinsic draws). With p_i = a_i/(n_int Z), Var_i(a_i)/(n_int Z²) = Σ p_i² − 1/n_int
// = 1/n_effective_i − 1/n_int, and likewise for e. The intrinsic part says how well the bank
// represents the prior; the extrinsic part is the error for this bank. Rows removed by the cuts
// are left out (they carry e^{-max_bestfit_lnlike_diff} or less of the weight each).
struct EvidenceError {
  double intrinsic = 0.0;  // σ(ln Z) from the bank's draws
  double extrinsic = 0.0;  // σ(ln Z) from the extrinsic draws
  double total() const;    // both in quadrature
};
EvidenceError evidence_error(double n_effective_i, double n_int, double n_effective_e,
                             double n_ext);
// One part of it: sqrt(1/n_effective − 1/n_samples), the relative standard error of a mean of
// n_samples draws whose weights have that effective size.
double relative_mean_error(double n_effective, double n_samples);

// Stage 3: keep sample i of bank k iff lnlike_k[i] >= (global maximum) - max_drop.
// Returns the kept positions per bank; throws dotpe::Error when nothing is kept.
std::vector<std::vector<std::size_t>> select_across_banks(
    const std::vector<std::vector<double>>& incoherent_lnlikes, double max_drop);

// Stage 5's final, order-independent selection: rows with bestfit_lnlike >= best - max_diff,
// then at most `size_limit` of them with the highest bestfit_lnlike (ties broken by (i, e, o)).
// Returned in ascending (i, e, o) order.
std::vector<CoherentRow> select_rows(std::vector<CoherentRow> rows, double max_bestfit_lnlike_diff,
                                     std::size_t size_limit);

// Indices of `draws` rows drawn with replacement with probabilities ∝ weights, from the
// counter-based stream (seed, rng_stream::resampling): a pure function of its arguments.
std::vector<std::size_t> resample(std::span<const double> weights, std::size_t draws,
                                  std::uint64_t seed);

}  // namespace dotpe::pipeline
