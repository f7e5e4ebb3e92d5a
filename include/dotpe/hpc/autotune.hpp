// Autotuning of the HPC configuration (n_procs, i_batch, batches_per_task) and its per-machine
// cache (docs/hpc.md). The search is generic: a workload is any callable that measures one
// candidate configuration and returns its throughput and the peak memory of one worker, so the
// choice can be tested against a synthetic workload with a known optimum:
//
//   const hpc::HPCConfig best = hpc::autotune_hpc_config(
//       [](const hpc::HPCConfig& c) { return hpc::Measurement{rate(c), gigabytes(c)}; },
//       {.n_procs = {8, 16}, .i_batch = {256, 512}, .batches_per_task = {1, 2}}, 4.0);
//
// `dotpe autotune` measures the real stage-2 and stage-5 kernels (measure_stage below runs a
// candidate on the first n_procs + 1 ranks of the job).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dotpe/hpc/hardware.hpp"
#include "dotpe/hpc/hpc_config.hpp"
#include "dotpe/hpc/task_farm.hpp"

namespace dotpe::hpc {

struct AutotuneCandidates {
  std::vector<int> n_procs;  // 0 = every worker of the job (the only choice with one rank)
  std::vector<std::int64_t> i_batch;
  std::vector<std::int64_t> batches_per_task;

  // Every combination, n_procs-major; throws dotpe::Error for an empty or invalid list.
  std::vector<HPCConfig> configs() const;
  // n_procs: distinct {cores/2, cores − 1, cores} (the coordinator sleeps, so cores workers on
  // cores CPUs is a real candidate); i_batch 256, 512, 1024; batches_per_task 1, 2, 4.
  static AutotuneCandidates defaults(int cores);
};

// What a workload reports for one candidate. `throughput`: larger is better (any unit, the
// same for every candidate); `peak_memory_gb_per_worker`: the largest peak RSS of a worker.
struct Measurement {
  Measurement() = default;
  Measurement(double throughput_, double peak_memory_gb_per_worker_)
      : throughput(throughput_), peak_memory_gb_per_worker(peak_memory_gb_per_worker_) {}
  static Measurement skip(std::string reason) {
    Measurement skipped;
    skipped.skipped = std::move(reason);
    return skipped;
  }

  double throughput = 0.0;
  double peak_memory_gb_per_worker = 0.0;
  std::optional<std::string> skipped;                   // why the candidate could not be measured
  std::vector<std::pair<std::string, double>> details;  // extra columns for the table
};

using Workload = std::function<Measurement(const HPCConfig&)>;

struct Trial {
  enum class Outcome { measured, over_memory, skipped, failed };
  HPCConfig config;
  Measurement measurement;
  Outcome outcome = Outcome::measured;
};

struct AutotuneResult {
  std::vector<Trial> trials;          // in candidate order
  std::optional<std::size_t> chosen;  // index into trials; none when nothing fits
  std::optional<double> max_memory_gb_per_worker;

  // The chosen configuration; throws dotpe::Error saying why there is none.
  const HPCConfig& best() const;
  // One line per candidate (detail columns in the order of the first measured trial), the
  // chosen one marked with '*'.
  std::string table() const;
  nlohmann::json to_json() const;
};

// Measures every candidate (a workload that throws dotpe::Error marks that candidate failed)
// and chooses the highest throughput among those within the memory cap; ties go to fewer
// workers, then less memory, then candidate order.
AutotuneResult autotune(const Workload& workload, const AutotuneCandidates& candidates,
                        std::optional<double> max_memory_gb_per_worker);

// The chosen configuration; throws dotpe::Error when no candidate was measured within the cap.
HPCConfig autotune_hpc_config(const Workload& workload, const AutotuneCandidates& candidates,
                              std::optional<double> max_memory_gb_per_worker);

// ---- Cache: one JSON file per hardware signature -----------------------------------------

// $XDG_CACHE_HOME/dotpe, else $HOME/.cache/dotpe.
std::filesystem::path cache_directory();
// cache_directory()/hpc_config_<signature key>.json
std::filesystem::path cached_config_path(const HardwareSignature& signature);

struct CachedConfig {
  HPCConfig config;
  std::filesystem::path path;
  nlohmann::json record;  // the whole file: signature, time, workload, trials
};

// The cached configuration of this signature, if any. An unreadable, corrupt or mismatching
// file is reported as a warning and treated as absent (the caller tunes again), never fatal.
std::optional<CachedConfig> load_cached_config(const HardwareSignature& signature);
// Writes the choice (atomically) with the signature, the time and `context` (the workload and
// the trials); returns the file written.
std::filesystem::path store_cached_config(const HardwareSignature& signature,
                                          const HPCConfig& config, const nlohmann::json& context);
// Removes the cached configuration of this signature; true when there was one.
bool clear_cached_config(const HardwareSignature& signature);

// ---- Measuring one stage with a candidate on this job's ranks -----------------------------

struct StageMeasurement {
  std::size_t units = 0;
  double wall_seconds =
      0.0;  // on the coordinator, from the first task handed out to the last merge
  double units_per_second = 0.0;
  double peak_rss_bytes_per_worker = 0.0;  // largest over the workers, this stage only
};

// Collective over every rank of the job. Runs `n_units` units as tasks of batches_per_task
// units on the first n_procs + 1 ranks (rank 0 coordinating, the same dynamic protocol as
// TaskFarm; n_procs = 0: every rank; one rank: in-process); the other ranks wait. compute()
// returns the bytes a worker would send back. Returns nullopt on every rank when the job has
// fewer than n_procs + 1 ranks. The result is complete on rank 0 and broadcast to all ranks.
// A failing compute() throws FarmAborted on every rank.
std::optional<StageMeasurement> measure_stage(
    const HPCConfig& candidate, std::size_t n_units,
    const std::function<std::string(const Task&)>& compute);

}  // namespace dotpe::hpc
