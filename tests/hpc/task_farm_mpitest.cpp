// The task farm under 1, 2, 3 and 5 ranks (CTest runs this program with each world size).
#include <gtest/gtest.h>
#include <mpi.h>

#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cmath>
#include <numeric>
#include <thread>

#include "dotpe/core/rng.hpp"
#include "dotpe/core/timer.hpp"
#include "dotpe/hpc/task_farm.hpp"

namespace dotpe::hpc {
namespace {

HPCConfig config_with(std::int64_t batches_per_task) {
  HPCConfig config;
  config.batches_per_task = batches_per_task;
  return config;
}

// A deterministic per-unit value whose computation takes a random time, so that results arrive
// out of order.
double unit_value(std::size_t unit) {
  RngStream rng(17, rng_stream::tests, unit);
  std::this_thread::sleep_for(std::chrono::microseconds(rng.next_u64() % 3000));
  return std::sin(0.1 * static_cast<double>(unit)) * std::exp(rng.normal());
}

TEST(TaskFarm, MergedResultIsTheSameForEveryWorldSizeAndTaskSize) {
  constexpr std::size_t kUnits = 41;
  std::vector<double> expected;
  for (std::size_t unit = 0; unit < kUnits; ++unit) expected.push_back(unit_value(unit));
  for (const std::int64_t batches_per_task : {1, 3, 7}) {
    TaskFarm farm(config_with(batches_per_task));
    std::vector<double> merged;
    std::vector<std::size_t> merge_order;
    farm.run<std::vector<double>>(
        "determinism", kUnits,
        [](const Task& task) {
          std::vector<double> values;
          for (std::size_t u = task.first_unit; u < task.first_unit + task.unit_count; ++u) {
            values.push_back(unit_value(u));
          }
          return values;
        },
        [&](const Task& task, std::vector<double>&& values) {
          merge_order.push_back(task.id);
          merged.insert(merged.end(), values.begin(), values.end());
        });
    if (farm.is_coordinator()) {
      EXPECT_EQ(merged, expected) << "batches_per_task " << batches_per_task;  // bitwise
      std::vector<std::size_t> in_order(merge_order.size());
      std::iota(in_order.begin(), in_order.end(), 0);
      EXPECT_EQ(merge_order, in_order);
    } else {
      EXPECT_TRUE(merged.empty());
    }
  }
}

TEST(TaskFarm, UnevenTasksAreBalanced) {
  TaskFarm farm(config_with(1));
  if (farm.size() == 1) GTEST_SKIP() << "load balance needs workers";
  constexpr std::size_t kTasks = 40;
  std::vector<double> durations;
  for (std::size_t unit = 0; unit < kTasks; ++unit) {
    RngStream rng(5, rng_stream::tests, unit);
    durations.push_back(0.005 + 0.045 * rng.uniform());  // 5-50 ms, sleeping
  }
  const StageProfile profile = farm.run<int>(
      "balance", kTasks,
      [&](const Task& task) {
        std::this_thread::sleep_for(std::chrono::duration<double>(durations[task.first_unit]));
        return 0;
      },
      [](const Task&, int&&) {});
  if (!farm.is_coordinator()) return;
  const double workers = farm.size() - 1;
  const double total = std::accumulate(durations.begin(), durations.end(), 0.0);
  const double ideal =
      std::max(total / workers, *std::max_element(durations.begin(), durations.end()));
  // Dynamic scheduling: within 10% of the ideal makespan, plus a fixed allowance for message
  // latency and sleep overshoot on a loaded, oversubscribed machine.
  EXPECT_LT(profile.ranks[0].wall_seconds, 1.10 * ideal + 0.05)
      << "ideal " << ideal << " s with " << workers << " workers";
}

TEST(TaskFarm, CoordinatorDoesNotSpinWhileWaiting) {
  TaskFarm farm(config_with(1));
  if (farm.size() == 1) GTEST_SKIP() << "no coordinator with one rank";
  const std::size_t tasks = 2 * static_cast<std::size_t>(farm.size() - 1);
  const StageProfile profile = farm.run<int>(
      "idle", tasks,
      [](const Task&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        return 0;
      },
      [](const Task&, int&&) {});
  if (farm.is_coordinator()) {
    EXPECT_LE(profile.ranks[0].cpu_seconds, 0.05 * profile.ranks[0].wall_seconds)
        << profile.table();
    EXPECT_EQ(profile.ranks.size(), static_cast<std::size_t>(farm.size()));
    double tasks_done = 0.0;
    for (std::size_t r = 1; r < profile.ranks.size(); ++r) tasks_done += profile.ranks[r].tasks;
    EXPECT_EQ(tasks_done, static_cast<double>(tasks));
  }
}

TEST(TaskFarm, AWorkerExceptionAbortsTheStageOnEveryRank) {
  TaskFarm farm(config_with(2));
  try {
    farm.run<int>(
        "failing", 20,
        [](const Task& task) {
          if (task.id == 3) throw Error("boom in the likelihood");
          return static_cast<int>(task.id);
        },
        [](const Task&, int&&) {});
    FAIL() << "the stage did not fail";
  } catch (const FarmAborted& aborted) {
    const std::string message = aborted.what();
    EXPECT_NE(message.find("task 3"), std::string::npos) << message;
    EXPECT_NE(message.find("boom in the likelihood"), std::string::npos) << message;
    EXPECT_EQ(aborted.on_coordinator(), farm.is_coordinator());
  }
  // Every rank left the farm cleanly: the next stage runs normally.
  std::size_t merged = 0;
  farm.run<int>(
      "after", 9, [](const Task& task) { return static_cast<int>(task.unit_count); },
      [&](const Task&, int&& count) { merged += static_cast<std::size_t>(count); });
  if (farm.is_coordinator()) {
    EXPECT_EQ(merged, 9U);
  }
}

TEST(TaskFarm, BroadcastsReadOnlyInputs) {
  TaskFarm farm(config_with(1));
  std::vector<double> weights;
  if (farm.is_coordinator()) weights = {1.5, -2.0, 1e300};
  farm.broadcast(weights);
  EXPECT_EQ(weights, (std::vector<double>{1.5, -2.0, 1e300}));
}

TEST(TaskFarm, ZeroUnitsIsAnEmptyStage) {
  TaskFarm farm(config_with(4));
  int merges = 0;
  farm.run<int>(
      "empty", 0, [](const Task&) { return 0; }, [&](const Task&, int&&) { ++merges; });
  EXPECT_EQ(merges, 0);
}

}  // namespace
}  // namespace dotpe::hpc
