// `dotpe autotune EVENT BANK`: measure candidate HPC configurations on the real stage-2 and
// stage-5 kernels, print the table, and cache the best one for this machine (docs/hpc.md).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <iostream>

#include "autotune_workload.hpp"
#include "cached_hpc_config.hpp"
#include "dotpe/app/options.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/timer.hpp"
#include "dotpe/hpc/autotune.hpp"
#include "dotpe/hpc/environment.hpp"
#include "dotpe/hpc/hardware.hpp"
#include "subcommands.hpp"

namespace dotpe::app {
namespace {

template <typename T>
std::vector<T> parse_list(const std::string& option, const std::string& text) {
  std::vector<T> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    try {
      std::size_t used = 0;
      const long long value = std::stoll(item, &used);
      require(used == item.size() && value >= 0, "");
      values.push_back(static_cast<T>(value));
    } catch (const std::exception&) {
      throw Error("--{}: '{}' is not a non-negative integer (give a list such as 256,512,1024)",
                  option, item);
    }
    start = comma + 1;
  }
  return values;
}

void add_autotune_options(po::options_description& options) {
  // clang-format off
  options.add_options()
    ("event", po::value<std::string>()->value_name("EVENT"), "event file (event.h5 or .npz)")
    ("bank", po::value<std::string>()->value_name("BANK"), "bank file (bank.h5)")
    ("n-procs", po::value<std::string>()->value_name("N,N,..."),
     "candidate worker counts (default: cores/2, cores-1, cores; with one rank: 0 = the job's "
     "workers); a candidate N needs a job of at least N+1 ranks, others are skipped")
    ("i-batch", po::value<std::string>()->value_name("N,N,...")->default_value("256,512,1024"),
     "candidate stage-2 batch sizes")
    ("batches-per-task", po::value<std::string>()->value_name("N,N,...")->default_value("1,2,4"),
     "candidate units per task")
    ("max-memory-per-worker", po::value<double>()->value_name("GB"),
     "reject candidates whose worker peak RSS exceeds this")
    ("n-t", po::value<long>()->default_value(128), "stage-2 time grid of the benchmark")
    ("n-phi", po::value<long>()->default_value(50), "orbital-phase grid of the benchmark")
    ("blocksize", po::value<long>()->default_value(512), "stage-5 block size of the benchmark")
    ("tasks-per-worker", po::value<long>()->default_value(2),
     "tasks each worker computes per stage and candidate")
    ("no-cache", po::bool_switch(), "measure and print only; leave the cache alone")
    ("show", po::bool_switch(), "print this machine's signature and cached configuration, then exit")
    ("get", po::value<std::string>()->value_name("KEY"),
     "print one field of the cached configuration (n_procs, i_batch, batches_per_task) for job "
     "scripts; exit status 1 when nothing is cached")
    ("clear", po::bool_switch(), "remove this machine's cached configuration, then exit");
  // clang-format on
}

long positive(const po::variables_map& values, const char* name) {
  const long value = values[name].as<long>();
  require(value > 0, "--{} must be positive, got {}", name, value);
  return value;
}

// --show: exit code 0 with the cached record on stdout, 1 when there is none.
int show(const hpc::HardwareSignature& signature) {
  const auto cached = hpc::load_cached_config(signature);
  if (log::rank() != 0) return cached ? 0 : 1;
  std::cerr << fmt::format("signature {}: {}\ncache file: {}\n", signature.key(),
                           signature.to_json().dump(), hpc::cached_config_path(signature).string());
  if (!cached) {
    std::cerr << "no cached HPC configuration for this machine: run 'dotpe autotune EVENT BANK'\n";
    return 1;
  }
  std::cout << cached->record.dump(2) << "\n";
  return 0;
}

int get(const hpc::HardwareSignature& signature, const std::string& key) {
  require(key == "n_procs" || key == "i_batch" || key == "batches_per_task",
          "--get: '{}' is not a field of the HPC configuration (n_procs, i_batch, "
          "batches_per_task)",
          key);
  const auto cached = hpc::load_cached_config(signature);
  if (!cached) return 1;
  if (log::rank() == 0) std::cout << cached->config.to_json().at(key).dump() << "\n";
  return 0;
}

hpc::AutotuneCandidates candidates_from(const po::variables_map& values, int world_size,
                                        int cores) {
  hpc::AutotuneCandidates candidates;
  candidates.i_batch = parse_list<std::int64_t>("i-batch", values["i-batch"].as<std::string>());
  candidates.batches_per_task =
      parse_list<std::int64_t>("batches-per-task", values["batches-per-task"].as<std::string>());
  if (values.count("n-procs") != 0U) {
    candidates.n_procs = parse_list<int>("n-procs", values["n-procs"].as<std::string>());
  } else if (world_size == 1) {
    candidates.n_procs = {0};
    log::info(
        "autotune: one rank, so n_procs is not tuned (0 = the job's workers); start "
        "'mpirun -n {} dotpe autotune ...' to measure up to {} workers",
        cores + 1, cores);
  } else {
    candidates.n_procs = hpc::AutotuneCandidates::defaults(cores).n_procs;
  }
  for (const int n : candidates.n_procs) {
    if (n + 1 > world_size && n != 0 && log::rank() == 0) {
      log::warning(
          "autotune: n_procs {} skipped: it needs {} ranks and the job has {} (start the "
          "job with at least {} ranks to measure it)",
          n, n + 1, world_size, n + 1);
    }
  }
  return candidates;
}

int tune(const po::variables_map& values, const hpc::Environment& environment,
         const hpc::HardwareSignature& signature) {
  require(values.count("event") != 0U && values.count("bank") != 0U,
          "dotpe autotune: give an event and a bank, e.g. 'dotpe autotune event.h5 bank.h5' "
          "(or --show / --clear)");
  AutotuneWorkloadSettings settings;
  settings.event = values["event"].as<std::string>();
  settings.bank = values["bank"].as<std::string>();
  settings.n_t = static_cast<std::size_t>(positive(values, "n-t"));
  settings.n_phi = static_cast<std::size_t>(positive(values, "n-phi"));
  settings.blocksize = static_cast<std::size_t>(positive(values, "blocksize"));
  settings.tasks_per_worker = static_cast<std::size_t>(positive(values, "tasks-per-worker"));
  std::optional<double> max_memory;
  if (values.count("max-memory-per-worker") != 0U) {
    max_memory = values["max-memory-per-worker"].as<double>();
  }
  const hpc::AutotuneCandidates candidates =
      candidates_from(values, environment.size(), signature.cores);
  const std::size_t count = candidates.configs().size();

  if (environment.is_coordinator() && !values["no-cache"].as<bool>()) {
    // A corrupt file is reported here (a warning) and replaced below.
    if (const auto previous = hpc::load_cached_config(signature)) {
      log::info(
          "autotune: the result will replace {} (n_procs {}, i_batch {}, batches_per_task {})",
          previous->path.string(), previous->config.n_procs, previous->config.i_batch,
          previous->config.batches_per_task);
    }
  }
  const WallTimer timer;
  AutotuneWorkload workload(settings);
  if (environment.is_coordinator()) {
    log::info("autotune: {} candidates on {} rank(s); {}", count, environment.size(),
              workload.describe());
  }
  const hpc::AutotuneResult result =
      hpc::autotune([&](const hpc::HPCConfig& c) { return workload(c); }, candidates, max_memory);
  if (!environment.is_coordinator()) {
    (void)result.best();  // the same outcome on every rank (measurements are broadcast)
    return 0;
  }
  std::cout << fmt::format(
      "throughput = standard runs per hour (stage 2 over {:.0f} templates + stage 5 over {:.3g} "
      "(i,e,o)); RSS GB = peak per worker{}\n{}",
      settings.score_templates, settings.score_evaluations,
      max_memory ? fmt::format(", cap {:g} GB", *max_memory) : "", result.table());
  const hpc::HPCConfig& best = result.best();
  std::cout << fmt::format("chosen: n_procs {}, i_batch {}, batches_per_task {} ({:.1f} s)\n",
                           best.n_procs, best.i_batch, best.batches_per_task, timer.seconds());
  if (values["no-cache"].as<bool>()) return 0;
  nlohmann::json context = result.to_json();
  context["workload"] = settings.to_json();
  context["world_size"] = environment.size();
  context["seconds"] = timer.seconds();
  const auto path = hpc::store_cached_config(signature, best, context);
  std::cout << fmt::format("cached: {}\n", path.string());
  return 0;
}

}  // namespace

int autotune_command(const Arguments& arguments) {
  CommandLine command(
      "autotune", "[mpirun -n K] dotpe autotune EVENT BANK [options] | --show | --clear",
      "Benchmark candidate HPC configurations (n_procs, i_batch, batches_per_task) on a few\n"
      "tasks of stage 2 and stage 5 of EVENT with BANK, print the table and cache the best one\n"
      "for this machine ($XDG_CACHE_HOME/dotpe or ~/.cache/dotpe), where 'dotpe run' finds it.\n"
      "A candidate of N workers runs on the first N+1 ranks of the job.");
  add_autotune_options(command.options());
  command.add_positional("event");
  command.add_positional("bank");
  const auto values = command.parse(arguments);
  if (!values) return 0;
  const hpc::Environment environment;
  const hpc::HardwareSignature signature = hpc::detect_hardware();
  if ((*values)["show"].as<bool>()) return show(signature);
  if (values->count("get") != 0U) return get(signature, (*values)["get"].as<std::string>());
  if ((*values)["clear"].as<bool>()) {
    const bool removed = environment.is_coordinator() && hpc::clear_cached_config(signature);
    if (environment.is_coordinator()) {
      std::cout << (removed ? "removed " : "no cached configuration at ")
                << hpc::cached_config_path(signature).string() << "\n";
    }
    return 0;
  }
  return tune(*values, environment, signature);
}

hpc::HPCConfig resolve_hpc_config(const po::variables_map& values, int world_size) {
  hpc::HPCConfig config = hpc_config_from(values);
  const bool explicit_batch = values.count("i-batch") != 0U;
  const bool has_blocksize_option = values.count("single-detector-blocksize") != 0U;
  if (!explicit_batch && has_blocksize_option) {
    config.i_batch = values["single-detector-blocksize"].as<long>();
  }
  const char* switch_off = std::getenv("DOTPE_HPC_CACHE");
  if (switch_off != nullptr && std::string(switch_off) == "off") return config;
  const bool explicit_blocksize =
      has_blocksize_option && !values["single-detector-blocksize"].defaulted();
  const bool explicit_per_task = values.count("batches-per-task") != 0U;
  if (explicit_batch && explicit_per_task) return config;
  const auto cached = hpc::load_cached_config(hpc::detect_hardware());
  if (!cached) return config;
  std::vector<std::string> used;
  if (!explicit_batch && !explicit_blocksize) {
    config.i_batch = cached->config.i_batch;
    used.push_back(fmt::format("i_batch {}", config.i_batch));
  }
  if (!explicit_per_task) {
    config.batches_per_task = cached->config.batches_per_task;
    used.push_back(fmt::format("batches_per_task {}", config.batches_per_task));
  }
  if (log::rank() == 0 && !used.empty()) {
    log::info("using the autotuned HPC configuration of this machine ({}): {}{}",
              cached->path.string(), fmt::join(used, ", "),
              used.size() < 2 ? " (the explicit option wins for the other)" : "");
    const int tuned = cached->config.n_procs;
    if (tuned != 0 && world_size > 1 && tuned != world_size - 1) {
      log::info(
          "the autotuned configuration found {} workers best ('mpirun -n {}'); this job "
          "has {}",
          tuned, tuned + 1, world_size - 1);
    }
  }
  config.validate();
  return config;
}

}  // namespace dotpe::app
