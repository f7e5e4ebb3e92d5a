// The working-set model and the block sizes chosen to fit a budget.
#include "dotpe/pipeline/memory_budget.hpp"

#include <gtest/gtest.h>

#include "dotpe/core/error.hpp"

namespace dotpe::pipeline {
namespace {

TEST(MemoryBudget, Stage5WorstCaseCountsEveryRowOfABlockPair) {
  WorkloadShape shape;
  shape.n_detectors = 1;
  shape.n_modes = 1;
  shape.n_nodes = 10;
  shape.blocksize = 100;
  shape.n_ext = 1000;
  shape.n_phi = 4;
  // Waveforms + left operand: 100·1·(20 + 20)·16; right side: 100·30·16; mode products
  // 100·100·16; rows 100·100·4·112 bytes.
  const double expected =
      100 * 40 * 16.0 + 100 * 30 * 16.0 + 100 * 100 * 16.0 + 100 * 100 * 4 * 112.0;
  EXPECT_DOUBLE_EQ(stage5_bytes(shape), expected);
}

TEST(MemoryBudget, HalvesTheLargerStageUntilItFits) {
  WorkloadShape shape;  // the reference's standard workload with blocks of 512
  shape.baseline_bytes = 100e6;
  const double unconstrained = worker_bytes(shape);
  EXPECT_GT(unconstrained, 1e9);
  const WorkloadShape fitted = fit_to_budget(shape, 0.5e9);
  EXPECT_LE(worker_bytes(fitted), 0.5e9);
  EXPECT_LT(fitted.blocksize, shape.blocksize);
  // The largest sizes that fit: doubling the stage-5 block again would not.
  WorkloadShape doubled = fitted;
  doubled.blocksize *= 2;
  EXPECT_GT(worker_bytes(doubled), 0.5e9);
  // A budget that fits already changes nothing.
  const WorkloadShape same = fit_to_budget(shape, 2.0 * unconstrained);
  EXPECT_EQ(same.blocksize, shape.blocksize);
  EXPECT_EQ(same.i_batch, shape.i_batch);
}

TEST(MemoryBudget, ABudgetBelowTheBaselineIsRefused) {
  WorkloadShape shape;
  shape.baseline_bytes = 300e6;
  EXPECT_THROW(fit_to_budget(shape, 0.2e9), Error);
}

}  // namespace
}  // namespace dotpe::pipeline
