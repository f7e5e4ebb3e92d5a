// Small pieces shared by the stages (internal to the pipeline module).
#pragma once

#include <boost/serialization/map.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "dotpe/core/log.hpp"
#include "dotpe/extrinsic/extrinsic_sampling.hpp"
#include "dotpe/hpc/task_farm.hpp"
#include "dotpe/likelihood/reference_finder.hpp"
#include "inference_state.hpp"

namespace dotpe::pipeline {

// Runs `work` on rank 0. With `collective` (every rank calls this), a failure there is
// broadcast so that every rank stops with it: rank 0 rethrows it as an Error, the others as a
// quiet FarmAborted. Without, only rank 0 may call it.
void run_on_coordinator(const hpc::TaskFarm& farm, const std::function<void()>& work,
                        bool collective = true);

// Fault injection for the resume tests: with DOTPE_FAULT_KILL_AFTER="STAGE_PREFIX:N" in the
// environment, rank 0 kills itself with SIGKILL right after checkpointing its N-th unit of a
// stage whose name starts with STAGE_PREFIX (mpirun then ends the other ranks).
void fault_injection_point(const std::string& stage, std::size_t units_checkpointed);

// Runs the units of a farm stage that the checkpoint does not hold yet (all of them in a fresh
// run). Rank 0 merges the checkpointed units first, then the computed ones as they arrive,
// appending each to the checkpoint. `merge` must not depend on the order of units (results are
// then bitwise identical after a resume). Collective: every rank calls it.
template <typename Unit>
void run_units(Inference::State& state, const std::string& stage, std::size_t n_units,
               const std::function<Unit(std::size_t unit)>& compute,
               const std::function<void(std::size_t unit, Unit&&)>& merge) {
  std::vector<std::size_t> remaining;
  if (state.farm->is_coordinator()) {
    const auto& completed = state.checkpoint ? state.checkpoint->completed(stage)
                                             : std::map<std::uint64_t, std::string>();
    for (std::size_t unit = 0; unit < n_units; ++unit) {
      const auto found = completed.find(unit);
      if (found == completed.end()) {
        remaining.push_back(unit);
      } else {
        merge(unit, hpc::detail::deserialize<Unit>(found->second));
      }
    }
    if (remaining.size() < n_units) {
      log::info("{}: {} of {} units taken from the checkpoint", stage, n_units - remaining.size(),
                n_units);
    }
  }
  state.farm->broadcast(remaining);
  std::size_t checkpointed = 0;
  state.farm_profiles.push_back(state.farm->run<std::vector<Unit>>(
      stage, remaining.size(),
      [&](const hpc::Task& task) {
        std::vector<Unit> units;
        for (std::size_t k = task.first_unit; k < task.first_unit + task.unit_count; ++k) {
          units.push_back(compute(remaining[k]));
        }
        return units;
      },
      [&](const hpc::Task& task, std::vector<Unit>&& units) {
        for (std::size_t k = 0; k < units.size(); ++k) {
          const std::size_t unit = remaining[task.first_unit + k];
          if (state.checkpoint) {
            state.checkpoint->append(stage, unit, hpc::detail::serialize(units[k]));
            fault_injection_point(stage, ++checkpointed);
          }
          merge(unit, std::move(units[k]));
        }
      }));
}

// A ParallelMap over the task farm: values in index order on every rank.
likelihood::ParallelMap farm_map(hpc::TaskFarm& farm, const std::string& stage);

// run_config.json: every option, resolved (seed, run directory, HPC settings).
void write_run_config(const Inference::State& state);
void write_profile(const Inference::State& state);

// An extrinsic table from a previous run's results.h5 (/extrinsic_samples) or a dot-PE
// extrinsic_samples.feather; its first n_ext rows.
extrinsic::ExtrinsicSamples read_extrinsic_table(const std::filesystem::path& path,
                                                 std::size_t n_ext);

// The (at most) `count` selected samples with the highest incoherent score over all banks
// (ties by bank, then bank row), aligned: [k][m][p][b]; n_templates receives how many.
std::vector<std::complex<double>> best_templates(Inference::State& state, std::size_t count,
                                                 std::size_t& n_templates);

}  // namespace dotpe::pipeline
