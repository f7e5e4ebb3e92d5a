#include "dotpe/hpc/hpc_config.hpp"

#include <gtest/gtest.h>

#include "dotpe/core/error.hpp"
#include "dotpe/hpc/task_farm.hpp"

namespace dotpe::hpc {
namespace {

TEST(HPCConfig, DefaultsValidateAndRoundTripThroughJson) {
  const HPCConfig config;
  EXPECT_NO_THROW(config.validate());
  EXPECT_EQ(config.i_batch, 512);
  HPCConfig custom;
  custom.n_procs = 8;
  custom.i_batch = 1024;
  custom.batches_per_task = 4;
  const HPCConfig back = HPCConfig::from_json(custom.to_json());
  EXPECT_EQ(back.n_procs, 8);
  EXPECT_EQ(back.i_batch, 1024);
  EXPECT_EQ(back.batches_per_task, 4);
}

TEST(HPCConfig, BadValuesNameTheOption) {
  HPCConfig config;
  config.batches_per_task = 0;
  try {
    config.validate();
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("--batches-per-task"), std::string::npos);
  }
  config = HPCConfig();
  config.i_batch = -3;
  EXPECT_THROW(config.validate(), Error);
  config = HPCConfig();
  config.n_procs = 8;
  EXPECT_THROW(config.check_world_size(5), Error);  // 8 workers need 9 ranks
  EXPECT_NO_THROW(config.check_world_size(9));
  EXPECT_NO_THROW(config.check_world_size(1));  // serial runs ignore n_procs
}

TEST(Tasks, ConsecutiveUnitsWithAShortLastTask) {
  const auto tasks = make_tasks(10, 4);
  ASSERT_EQ(tasks.size(), 3U);
  EXPECT_EQ(tasks[2].id, 2U);
  EXPECT_EQ(tasks[2].first_unit, 8U);
  EXPECT_EQ(tasks[2].unit_count, 2U);
  EXPECT_TRUE(make_tasks(0, 3).empty());
}

TEST(TaskFarm, SerialRunIsInProcessAndInOrder) {
  TaskFarm farm(HPCConfig{});
  ASSERT_EQ(farm.size(), 1);
  std::vector<std::size_t> order;
  const auto profile = farm.run<int>(
      "serial", 5, [](const Task& task) { return static_cast<int>(task.first_unit); },
      [&](const Task& task, int&& unit) {
        order.push_back(task.id);
        EXPECT_EQ(unit, static_cast<int>(task.first_unit));
      });
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  ASSERT_EQ(profile.ranks.size(), 1U);
  EXPECT_EQ(profile.ranks[0].tasks, 5.0);
  EXPECT_EQ(profile.to_json()["ranks"][0]["tasks"], 5.0);
}

}  // namespace
}  // namespace dotpe::hpc
