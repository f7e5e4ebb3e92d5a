// measure_stage under 1, 2, 3 and 5 ranks: a candidate runs on the first n_procs + 1 ranks
// (the others take no task), every unit is computed exactly once, candidates larger than the
// job are skipped on every rank, and a failing unit aborts every rank.
#include <gtest/gtest.h>
#include <mpi.h>

#include "dotpe/core/error.hpp"
#include "dotpe/hpc/autotune.hpp"
#include "mpi_world.hpp"

namespace dotpe::hpc {
namespace {

using testing::world_rank;
using testing::world_size;

TEST(MeasureStage, CandidatesRunOnTheFirstRanksOfTheJob) {
  constexpr std::size_t kUnits = 23;
  for (const int n_procs : {0, 1, 2, 4}) {
    for (const std::int64_t per_task : {1, 4}) {
      std::size_t computed_here = 0;
      const auto measured =
          measure_stage(HPCConfig{n_procs, 512, per_task}, kUnits, [&](const Task& task) {
            computed_here += task.unit_count;
            return std::string(100 * task.unit_count, 'r');
          });
      const bool fits = n_procs == 0 || n_procs + 1 <= world_size();
      ASSERT_EQ(measured.has_value(), fits) << "n_procs " << n_procs;
      std::size_t computed = 0;
      MPI_Allreduce(&computed_here, &computed, 1, MPI_UNSIGNED_LONG, MPI_SUM, MPI_COMM_WORLD);
      if (!fits) {
        EXPECT_EQ(computed, 0U);
        continue;
      }
      EXPECT_EQ(computed, kUnits) << "n_procs " << n_procs;
      const int workers = n_procs == 0 ? world_size() - 1 : n_procs;
      const bool computes = world_size() == 1 || (world_rank() >= 1 && world_rank() <= workers);
      if (!computes) {
        EXPECT_EQ(computed_here, 0U) << "rank " << world_rank();
      }
      EXPECT_EQ(measured->units, kUnits);
      EXPECT_GT(measured->units_per_second, 0.0);
      EXPECT_GT(measured->peak_rss_bytes_per_worker, 0.0);  // the same on every rank
      const double mine = measured->wall_seconds;
      double rank0 = mine;
      MPI_Bcast(&rank0, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
      EXPECT_EQ(mine, rank0);
    }
  }
}

TEST(MeasureStage, AFailingUnitAbortsEveryRank) {
  const auto failing = [](const Task& task) -> std::string {
    if (task.first_unit == 5) throw Error("unit 5 is broken");
    return "ok";
  };
  try {
    (void)measure_stage(HPCConfig{0, 512, 1}, 9, failing);
    FAIL() << "expected FarmAborted";
  } catch (const FarmAborted& aborted) {
    EXPECT_EQ(aborted.on_coordinator(), world_rank() == 0);
    EXPECT_NE(std::string(aborted.what()).find("unit 5 is broken"), std::string::npos);
  }
  // The job can go on measuring afterwards.
  EXPECT_TRUE(measure_stage(HPCConfig{0, 512, 2}, 4, [](const Task&) { return std::string(); }));
}

}  // namespace
}  // namespace dotpe::hpc
