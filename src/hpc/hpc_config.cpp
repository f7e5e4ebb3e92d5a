#include "dotpe/hpc/hpc_config.hpp"

#include "dotpe/core/error.hpp"

namespace dotpe::hpc {

void HPCConfig::validate() const {
  require(n_procs >= 0, "--n-procs must be >= 0 (0: every rank but the coordinator), got {}",
          n_procs);
  require(i_batch > 0, "--i-batch must be a positive number of templates, got {}", i_batch);
  require(batches_per_task > 0, "--batches-per-task must be positive, got {}", batches_per_task);
}

void HPCConfig::check_world_size(int world_size) const {
  validate();
  if (n_procs == 0 || world_size == 1) return;
  require(n_procs == world_size - 1,
          "--n-procs {} asks for {} workers, but the job has {} ranks ({} workers + the "
          "coordinator): start it with 'mpirun -n {}' or drop --n-procs",
          n_procs, n_procs, world_size, world_size - 1, n_procs + 1);
}

nlohmann::json HPCConfig::to_json() const {
  return {{"n_procs", n_procs}, {"i_batch", i_batch}, {"batches_per_task", batches_per_task}};
}

HPCConfig HPCConfig::from_json(const nlohmann::json& json) {
  HPCConfig config;
  config.n_procs = json.value("n_procs", config.n_procs);
  config.i_batch = json.value("i_batch", config.i_batch);
  config.batches_per_task = json.value("batches_per_task", config.batches_per_task);
  config.validate();
  return config;
}

}  // namespace dotpe::hpc
