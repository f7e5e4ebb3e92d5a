#include "dotpe/pipeline/evidence.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "dotpe/core/error.hpp"
#include "dotpe/core/rng.hpp"

namespace dotpe::pipeline {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<CoherentRow> random_rows(std::size_t count, std::uint64_t seed) {
  std::vector<CoherentRow> rows(count);
  for (std::size_t k = 0; k < count; ++k) {
    RngStream rng(seed, rng_stream::tests, k);
    rows[k].i = static_cast<std::int64_t>(rng.next_u64() % 7);
    rows[k].e = static_cast<std::int64_t>(rng.next_u64() % 5);
    rows[k].o = static_cast<std::int64_t>(k);
    rows[k].ln_posterior = 40.0 + 3.0 * rng.normal();
    rows[k].bestfit_lnlike = 50.0 + 4.0 * rng.normal();
  }
  return rows;
}

TEST(Evidence, BankEvidenceIsTheMeanLikelihoodOverTheGrid) {
  const auto rows = random_rows(200, 1);
  const double grid_points = 1e5;
  // Direct sum in long double, shifted by a constant to stay in range.
  long double sum = 0.0L;
  for (const auto& row : rows) sum += std::exp(static_cast<long double>(row.ln_posterior - 40.0));
  const double expected = 40.0 + static_cast<double>(std::log(sum)) - std::log(grid_points);
  EXPECT_NEAR(bank_evidence(rows, grid_points).ln_evidence, expected, 1e-12);
}

TEST(Evidence, EffectiveSizesByBruteForce) {
  const auto rows = random_rows(300, 2);
  const BankEvidence evidence = bank_evidence(rows, 1.0);
  double total = 0.0;
  for (const auto& row : rows) total += std::exp(row.ln_posterior - 40.0);
  double squares = 0.0;
  double per_i[7] = {};
  double per_e[5] = {};
  for (const auto& row : rows) {
    const double p = std::exp(row.ln_posterior - 40.0) / total;
    squares += p * p;
    per_i[row.i] += p;
    per_e[row.e] += p;
  }
  double squares_i = 0.0;
  double squares_e = 0.0;
  for (const double p : per_i) squares_i += p * p;
  for (const double p : per_e) squares_e += p * p;
  EXPECT_NEAR(evidence.n_effective, 1.0 / squares, 1e-9);
  EXPECT_NEAR(evidence.n_effective_i, 1.0 / squares_i, 1e-9);
  EXPECT_NEAR(evidence.n_effective_e, 1.0 / squares_e, 1e-9);
  EXPECT_LE(evidence.n_effective_i, 7.0 + 1e-9);
}

TEST(Evidence, NonFiniteRowsAreDroppedAndEmptyBanksHaveMinusInfinity) {
  std::vector<CoherentRow> rows(3);
  rows[0].ln_posterior = 1.0;
  rows[1].ln_posterior = -kInf;
  rows[2].ln_posterior = std::nan("");
  EXPECT_NEAR(bank_evidence(rows, 2.0).ln_evidence, 1.0 - std::log(2.0), 1e-15);
  EXPECT_EQ(bank_evidence({}, 10.0).ln_evidence, -kInf);
  EXPECT_EQ(safe_logsumexp({}), -kInf);
  const auto weights = normalized_weights(std::vector<double>{0.0, std::nan(""), 0.0});
  EXPECT_EQ(weights, (std::vector<double>{0.5, 0.0, 0.5}));
}

TEST(Evidence, BanksCombineBySummingEvidences) {
  std::vector<BankEvidence> banks(3);
  banks[0].ln_evidence = std::log(2.0);
  banks[1].ln_evidence = std::log(3.0);
  banks[2].ln_evidence = -kInf;  // an empty bank
  EXPECT_NEAR(combined_ln_evidence(banks), std::log(5.0), 1e-15);
}

TEST(Selection, AcrossBanksKeepsEverythingWithinTheDropOfTheGlobalBest) {
  const std::vector<std::vector<double>> lnlikes = {{1.0, 10.0, 30.0}, {}, {45.0, 25.0, 24.9}};
  const auto kept = select_across_banks(lnlikes, 20.0);
  EXPECT_EQ(kept[0], (std::vector<std::size_t>{2}));
  EXPECT_TRUE(kept[1].empty());
  EXPECT_EQ(kept[2], (std::vector<std::size_t>{0, 1}));  // 25 >= 45 - 20 (inclusive)
  EXPECT_THROW(select_across_banks({{std::nan("")}, {}}, 20.0), Error);
}

TEST(Selection, FinalSelectionIsIndependentOfRowOrder) {
  auto rows = random_rows(500, 3);
  rows[10].bestfit_lnlike = rows[11].bestfit_lnlike;  // a tie at the size limit is possible
  const auto selected = select_rows(rows, 8.0, 100);
  std::reverse(rows.begin(), rows.end());
  const auto selected_reversed = select_rows(rows, 8.0, 100);
  ASSERT_EQ(selected.size(), selected_reversed.size());
  for (std::size_t k = 0; k < selected.size(); ++k) {
    EXPECT_EQ(selected[k].o, selected_reversed[k].o);
  }
  double best = -kInf;
  for (const auto& row : rows) best = std::max(best, row.bestfit_lnlike);
  for (const auto& row : selected) EXPECT_GE(row.bestfit_lnlike, best - 8.0);
  EXPECT_LE(selected.size(), 100U);
}

TEST(Selection, SizeLimitKeepsTheHighestBestFit) {
  auto rows = random_rows(50, 4);
  const auto selected = select_rows(rows, 1e9, 10);
  ASSERT_EQ(selected.size(), 10U);
  std::vector<double> all;
  for (const auto& row : rows) all.push_back(row.bestfit_lnlike);
  std::sort(all.rbegin(), all.rend());
  double lowest_kept = kInf;
  for (const auto& row : selected) lowest_kept = std::min(lowest_kept, row.bestfit_lnlike);
  EXPECT_EQ(lowest_kept, all[9]);
}

TEST(Resample, FrequenciesFollowTheWeightsAndDrawsAreReproducible) {
  const std::vector<double> weights = {0.1, 0.0, 0.6, 0.3};
  const auto drawn = resample(weights, 20000, 7);
  EXPECT_EQ(drawn, resample(weights, 20000, 7));
  double counts[4] = {};
  for (const std::size_t k : drawn) counts[k] += 1.0;
  EXPECT_EQ(counts[1], 0.0);
  for (int k : {0, 2, 3}) {
    const double expected = weights[k] * 20000;
    EXPECT_NEAR(counts[k], expected, 5 * std::sqrt(expected)) << k;
  }
  EXPECT_THROW(resample(std::vector<double>{0.0, 0.0}, 3, 1), Error);
}

}  // namespace
}  // namespace dotpe::pipeline
