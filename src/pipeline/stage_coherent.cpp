// Stage 5: the coherent likelihood of every (intrinsic block × extrinsic block) pair of the
// selected samples (dotpe-pipeline.md §4.5), farmed out i-major so that a worker reuses one
// intrinsic block's operands across its extrinsic blocks.
//
// Order independence (DESIGN.md §5). The reference keeps rows above a running threshold that
// depends on the block order. dotpe's result is the order-free one: the rows with
// bestfit_lnlike ≥ (bank's best) − max_bestfit_lnlike_diff, at most size_limit of them. Each
// block pair applies its own cut, (block's best) − diff, which is never above the final one, so
// it drops only rows the final selection would drop too; rank 0 applies the final cut.
//
// Discarded evidence. Rows a block's cut drops are never distance-marginalised, except a
// systematic subsample: global row index g ≡ offset (mod stride), with a seeded random offset.
// stride × Σ_subsample exp(ln_posterior) is an unbiased estimate of their total (Horvitz-
// Thompson), independent of how blocks are distributed. Rows dropped later are counted exactly.
#include <algorithm>
#include <boost/serialization/vector.hpp>
#include <cmath>
#include <numeric>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/math.hpp"
#include "dotpe/core/rng.hpp"
#include "dotpe/likelihood/distance_marginalization.hpp"
#include "inference_state.hpp"
#include "stage_support.hpp"

namespace dotpe::pipeline {

namespace {

struct CoherentUnit {
  std::vector<std::int64_t> i, e, o;  // kept rows; i is the bank row
  std::vector<double> dh, hh, bestfit, lnl;
  double ln_discarded = kMinusInfinity;  // ln of the estimated Σ exp(ln_posterior) dropped here
  std::vector<std::int64_t> dt_rows;     // the block's bank rows (first extrinsic block only)
  std::vector<double> dt;
  std::uint64_t n_evaluated = 0;

  template <typename Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& i& e& o& dh& hh& bestfit& lnl& ln_discarded& dt_rows& dt& n_evaluated;
  }
};

// Distance-marginalised lnL; a template without signal (hh = 0) has likelihood ratio 1.
double marginalized_lnlike(double dh, double hh) {
  if (!(hh > 0.0)) return dh == 0.0 ? 0.0 : kMinusInfinity;
  return likelihood::default_distance_marginalization().lnlike_marginalized(dh, hh);
}

std::uint64_t next_prime(std::uint64_t n) {
  const auto is_prime = [](std::uint64_t k) {
    if (k < 2) return false;
    for (std::uint64_t divisor = 2; divisor * divisor <= k; ++divisor) {
      if (k % divisor == 0) return false;
    }
    return true;
  };
  while (!is_prime(n)) ++n;
  return n;
}

struct Candidate {
  std::int64_t i_local, e, o;
  double dh, hh, bestfit;
};

// What one rank keeps between units: the operands of the last intrinsic block.
struct IntrinsicCache {
  std::size_t bank = static_cast<std::size_t>(-1);
  std::size_t block = static_cast<std::size_t>(-1);
  std::vector<std::size_t> rows;
  std::vector<double> dt;
  likelihood::CoherentIntrinsicBlock operands;
};

class BlockPairEvaluator {
 public:
  BlockPairEvaluator(Inference::State& state, std::size_t bank_index)
      : state_(state),
        bank_index_(bank_index),
        bank_(state.banks[bank_index]),
        block_size_(static_cast<std::size_t>(state.config.blocksize)),
        n_ext_(static_cast<std::size_t>(state.config.n_ext)),
        n_phi_(static_cast<std::size_t>(state.config.n_phi)),
        n_e_blocks_((n_ext_ + block_size_ - 1) / block_size_) {
    stride_ = next_prime(static_cast<std::uint64_t>(
        std::ceil(std::sqrt(static_cast<double>(block_size_ * block_size_ * n_phi_)))));
    offset_ = RngStream(state.seed, rng_stream::discarded, bank_index).next_u64() % stride_;
  }

  std::size_t n_units() const {
    const std::size_t n_i_blocks = (bank_.selected.size() + block_size_ - 1) / block_size_;
    return n_i_blocks * n_e_blocks_;
  }

  CoherentUnit evaluate(std::size_t unit, IntrinsicCache& cache) const {
    const std::size_t i_block = unit / n_e_blocks_;
    const std::size_t e_block = unit % n_e_blocks_;
    prepare_intrinsic(i_block, cache);
    const std::size_t e_first = e_block * block_size_;
    const std::size_t n_e = std::min(block_size_, n_ext_ - e_first);
    const auto components =
        extrinsic::extrinsic_components(state_.extrinsic, e_first, e_first + n_e, state_.detectors,
                                        state_.fbin, state_.event.tcoarse);
    const auto& kernel = *state_.coherent_kernel;
    const auto extrinsic_operands =
        kernel.prepare_extrinsic(n_e, components.response, components.timeshift);

    const double max_diff = state_.config.max_bestfit_lnlike_diff;
    const std::size_t i_first = i_block * block_size_;
    double running_best = kMinusInfinity;
    std::vector<Candidate> candidates, subsample;
    kernel.evaluate(cache.operands, extrinsic_operands, [&](const likelihood::PhaseGridView& view) {
      const std::uint64_t i_global = i_first + view.i;
      for (std::size_t e = 0; e < n_e; ++e) {
        for (std::size_t o = 0; o < n_phi_; ++o) {
          const std::size_t k = e * n_phi_ + o;
          const double bestfit = view.bestfit_lnlike[k];
          const Candidate row{static_cast<std::int64_t>(view.i),
                              static_cast<std::int64_t>(e_first + e),
                              static_cast<std::int64_t>(o),
                              view.dh[k],
                              view.hh[k],
                              bestfit};
          const std::uint64_t g = (i_global * n_ext_ + e_first + e) * n_phi_ + o;
          if ((g + offset_) % stride_ == 0) subsample.push_back(row);
          if (bestfit > running_best) running_best = bestfit;
          if (bestfit >= running_best - max_diff) candidates.push_back(row);
        }
      }
    });

    CoherentUnit result;
    result.n_evaluated = cache.rows.size() * n_e * n_phi_;
    const double threshold = running_best - max_diff;
    for (const Candidate& row : candidates) {
      if (!(row.bestfit >= threshold)) continue;
      result.i.push_back(
          static_cast<std::int64_t>(cache.rows[static_cast<std::size_t>(row.i_local)]));
      result.e.push_back(row.e);
      result.o.push_back(row.o);
      result.dh.push_back(row.dh);
      result.hh.push_back(row.hh);
      result.bestfit.push_back(row.bestfit);
      result.lnl.push_back(marginalized_lnlike(row.dh, row.hh));
    }
    LogSumAccumulator rejected;
    for (const Candidate& row : subsample) {
      if (row.bestfit >= threshold) continue;  // kept: counted exactly later
      const std::size_t bank_row = cache.rows[static_cast<std::size_t>(row.i_local)];
      const double ln_posterior =
          marginalized_lnlike(row.dh, row.hh) + bank_.log_prior_weights[bank_row] +
          state_.extrinsic.log_prior_weights[static_cast<std::size_t>(row.e)];
      if (std::isfinite(ln_posterior)) rejected.add(ln_posterior);
    }
    result.ln_discarded = rejected.log_sum() + std::log(static_cast<double>(stride_));
    if (e_block == 0) {
      for (const std::size_t row : cache.rows)
        result.dt_rows.push_back(static_cast<std::int64_t>(row));
      result.dt = cache.dt;
    }
    return result;
  }

 private:
  void prepare_intrinsic(std::size_t i_block, IntrinsicCache& cache) const {
    if (cache.bank == bank_index_ && cache.block == i_block) return;
    const std::size_t first = i_block * block_size_;
    const std::size_t count = std::min(block_size_, bank_.selected.size() - first);
    cache.rows.assign(bank_.selected.begin() + static_cast<std::ptrdiff_t>(first),
                      bank_.selected.begin() + static_cast<std::ptrdiff_t>(first + count));
    const auto h = state_.aligned_templates(bank_index_, cache.rows, cache.dt);
    cache.operands = state_.coherent_kernel->prepare_intrinsic(count, h);
    cache.bank = bank_index_;
    cache.block = i_block;
  }

  Inference::State& state_;
  std::size_t bank_index_;
  const BankRun& bank_;
  std::size_t block_size_, n_ext_, n_phi_, n_e_blocks_;
  std::uint64_t stride_ = 1, offset_ = 0;
};

bool better_row(const CoherentRow& a, const CoherentRow& b) {
  if (a.bestfit_lnlike != b.bestfit_lnlike) return a.bestfit_lnlike > b.bestfit_lnlike;
  return std::tie(a.i, a.e, a.o) < std::tie(b.i, b.e, b.o);
}

// Keeps rank 0's rows bounded by about 2·size_limit: rows below (best so far − diff) or outside
// the current top size_limit can never enter the final selection (its threshold only rises),
// so dropping them now changes nothing but memory; their posterior mass goes to the tally,
// whose sum does not depend on the order of additions.
void prune_rows(BankRun& bank, const RunConfig& config) {
  const auto limit = static_cast<std::size_t>(config.size_limit);
  if (bank.rows.size() <= 2 * limit) return;
  const double threshold = bank.best_bestfit - config.max_bestfit_lnlike_diff;
  const auto kept_end =
      std::partition(bank.rows.begin(), bank.rows.end(),
                     [&](const CoherentRow& row) { return row.bestfit_lnlike >= threshold; });
  auto first_dropped = kept_end;
  if (static_cast<std::size_t>(kept_end - bank.rows.begin()) > limit) {
    first_dropped = bank.rows.begin() + static_cast<std::ptrdiff_t>(limit);
    std::nth_element(bank.rows.begin(), first_dropped, kept_end, better_row);
  }
  for (auto row = first_dropped; row != bank.rows.end(); ++row)
    bank.discarded.add(row->ln_posterior);
  bank.rows.erase(first_dropped, bank.rows.end());
}

// The final, order-independent selection of one bank's rows; everything else it drops is added
// exactly to the discarded evidence.
void finalize_bank_rows(BankRun& bank, const RunConfig& config) {
  std::sort(bank.rows.begin(), bank.rows.end(), [](const CoherentRow& a, const CoherentRow& b) {
    return std::tie(a.i, a.e, a.o) < std::tie(b.i, b.e, b.o);
  });
  std::vector<CoherentRow> kept = select_rows(bank.rows, config.max_bestfit_lnlike_diff,
                                              static_cast<std::size_t>(config.size_limit));
  const auto key = [](const CoherentRow& row) { return std::tuple(row.i, row.e, row.o); };
  for (const CoherentRow& row : bank.rows) {
    const bool is_kept = std::binary_search(
        kept.begin(), kept.end(), row,
        [&](const CoherentRow& a, const CoherentRow& b) { return key(a) < key(b); });
    if (!is_kept) bank.discarded.add(row.ln_posterior);
  }
  bank.rows = std::move(kept);
}

}  // namespace

void Inference::run_coherent() {
  State& state = *state_;
  if (!state.coherent_kernel) {
    state.coherent_kernel.emplace(state.weights, state.asd_drift,
                                  static_cast<std::size_t>(state.config.n_phi));
  }
  // The workers built the distance table during stage 4 (draw_extrinsic); rank 0 never needs
  // it, so it starts dispatching at once.
  IntrinsicCache cache;
  for (std::size_t k = 0; k < state.banks.size(); ++k) {
    BankRun& bank = state.banks[k];
    bank.rows.clear();
    if (bank.selected.empty()) continue;
    const BlockPairEvaluator evaluator(state, k);
    const std::vector<double>& logw_e = state.extrinsic.log_prior_weights;
    run_units<CoherentUnit>(
        state, "coherent_" + bank.id, evaluator.n_units(),
        [&](std::size_t unit) { return evaluator.evaluate(unit, cache); },
        [&](std::size_t, CoherentUnit&& unit) {
          for (std::size_t r = 0; r < unit.i.size(); ++r) {
            const auto i = static_cast<std::size_t>(unit.i[r]);
            const auto e = static_cast<std::size_t>(unit.e[r]);
            bank.rows.push_back({unit.i[r], unit.e[r], unit.o[r], unit.lnl[r],
                                 unit.lnl[r] + bank.log_prior_weights[i] + logw_e[e],
                                 unit.bestfit[r], unit.dh[r], unit.hh[r]});
            bank.best_bestfit = std::max(bank.best_bestfit, unit.bestfit[r]);
          }
          bank.discarded.add(unit.ln_discarded);
          bank.n_evaluated += unit.n_evaluated;
          bank.n_kept_by_blocks += unit.i.size();
          for (std::size_t r = 0; r < unit.dt_rows.size(); ++r) {
            bank.dt_linfree[unit.dt_rows[r]] = unit.dt[r];
          }
          prune_rows(bank, state.config);
        });
    if (!state.farm->is_coordinator()) continue;
    finalize_bank_rows(bank, state.config);
    bank.ln_discarded = bank.discarded.log_sum();
    log::info("{}: {} (i, e, o) evaluated, {} kept by the block cuts, {} in the final selection",
              bank.id, bank.n_evaluated, bank.n_kept_by_blocks, bank.rows.size());
  }
}

}  // namespace dotpe::pipeline
