#include "dotpe/app/options.hpp"
#include "dotpe/hpc/hpc_config.hpp"

namespace dotpe::app {

void add_hpc_options(po::options_description& options) {
  // clang-format off
  options.add_options()
    ("n-procs", po::value<int>()->value_name("N"),
     "worker ranks (default: world size - 1); the job needs N + 1 ranks")
    ("i-batch", po::value<long>()->value_name("N"), "intrinsic samples per stage-2 unit (default 512)")
    ("batches-per-task", po::value<long>()->value_name("N"),
     "consecutive units per task handed to a worker (default 1)")
    ("profile", po::bool_switch(), "record per-stage, per-rank timings (profile.json and a table)");
  // clang-format on
}

hpc::HPCConfig hpc_config_from(const po::variables_map& values) {
  hpc::HPCConfig config;
  if (values.count("n-procs") != 0U) config.n_procs = values["n-procs"].as<int>();
  if (values.count("i-batch") != 0U) config.i_batch = values["i-batch"].as<long>();
  if (values.count("batches-per-task") != 0U) {
    config.batches_per_task = values["batches-per-task"].as<long>();
  }
  config.validate();
  return config;
}

}  // namespace dotpe::app
