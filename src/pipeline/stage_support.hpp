// Small pieces shared by the stages (internal to the pipeline module).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

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
