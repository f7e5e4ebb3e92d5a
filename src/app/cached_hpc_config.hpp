// The HPC configuration of `dotpe run` (and other farm commands): explicit options win, then the
// configuration `dotpe autotune` cached for this machine, then the defaults. Internal to app.
#pragma once

#include "dotpe/app/options.hpp"
#include "dotpe/hpc/hpc_config.hpp"

namespace dotpe::app {

// i_batch is --i-batch, else an explicit --single-detector-blocksize (when the command has that
// option), else the cached value, else that option's default. batches_per_task is
// --batches-per-task, else the cached value. n_procs is never taken from the cache (the job's
// world size decides); a cached n_procs other than the job's workers is mentioned on rank 0.
// Says on rank 0 when the cache is used. $DOTPE_HPC_CACHE=off ignores the cache.
hpc::HPCConfig resolve_hpc_config(const po::variables_map& values, int world_size);

}  // namespace dotpe::app
