// How a run uses the machine: the number of worker ranks, the intrinsic batch size of stage 2
// (i_batch, the reference's single_detector_blocksize) and how many consecutive units make one
// task handed to a worker.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

namespace dotpe::hpc {

struct HPCConfig {
  // Worker ranks; rank 0 coordinates, so a job has n_procs + 1 ranks. 0 = world size − 1.
  int n_procs = 0;
  std::int64_t i_batch = 512;
  std::int64_t batches_per_task = 1;

  // Throws dotpe::Error naming the option (--n-procs, --i-batch, --batches-per-task).
  void validate() const;
  // n_procs checked against the world size the job actually has.
  void check_world_size(int world_size) const;

  nlohmann::json to_json() const;
  static HPCConfig from_json(const nlohmann::json& json);
};

}  // namespace dotpe::hpc
