// `dotpe run`: the options of dot-PE's inference.run(), with dashes instead of underscores and
// the same defaults (../docs/differences.md lists where dotpe deliberately differs).
#include <cstdlib>
#include <filesystem>

#include "cached_hpc_config.hpp"
#include "dotpe/app/options.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/version.hpp"
#include "dotpe/hpc/environment.hpp"
#include "dotpe/hpc/hpc_config.hpp"
#include "dotpe/hpc/task_farm.hpp"
#include "dotpe/pipeline/inference.hpp"
#include "dotpe/pipeline/run_config.hpp"
#include "subcommands.hpp"

namespace dotpe::app {
namespace {

void add_run_options(po::options_description& options) {
  // clang-format off
  options.add_options()
    ("event", po::value<std::string>()->value_name("EVENT"),
     "event file (event.h5, or an EventData .npz of the reference package)")
    ("bank", po::value<std::vector<std::string>>()->value_name("BANK")->composing(),
     "bank file(s): repeat the option or separate with commas; banks get ids bank_0, bank_1, ...")
    ("n-ext", po::value<long>()->value_name("N"), "number of extrinsic samples (required)")
    ("n-phi", po::value<long>()->value_name("N"), "size of the orbital-phase grid (required)")
    ("n-t", po::value<long>()->value_name("N"), "size of the stage-2 time grid (required)")
    ("n-int", po::value<std::string>()->value_name("N[,N...]"),
     "bank samples to screen per bank (one value for all, or one per bank; default: whole bank)")
    ("blocksize", po::value<long>()->default_value(512), "stage-5 block size (intrinsic and extrinsic)")
    ("single-detector-blocksize", po::value<long>()->default_value(512),
     "stage-2 batch size (same as --i-batch)")
    ("i-int-start", po::value<long>()->default_value(0), "first bank sample to screen")
    ("seed", po::value<long>()->value_name("S"), "random seed (default: drawn and recorded)")
    ("load-inds", po::bool_switch(), "skip stage 2 and load selected indices from --inds-path")
    ("inds-path", po::value<std::string>()->value_name("FILE"), "indices file for --load-inds")
    ("size-limit", po::value<long>()->default_value(10000000), "maximum rows of prob_samples")
    ("draw-subset", po::value<bool>()->default_value(true), "resample to equal-weight rows")
    ("n-draws", po::value<long>()->value_name("N"), "number of posterior draws (default: n_eff/2)")
    ("event-dir", po::value<std::string>()->value_name("DIR"),
     "parent directory; the run goes to DIR/run_K with K the next free number")
    ("rundir", po::value<std::string>()->value_name("DIR"), "run directory (created if missing)")
    ("max-incoherent-lnlike-drop", po::value<double>()->default_value(20.0),
     "stage-3 cut below the best incoherent log-likelihood")
    ("max-bestfit-lnlike-diff", po::value<double>()->default_value(20.0),
     "stage-5 cut below the best coherent best-fit log-likelihood")
    ("mchirp-guess", po::value<double>()->value_name("MSUN"),
     "detector-frame chirp-mass guess for the reference-waveform search")
    ("extrinsic-samples", po::value<std::string>()->value_name("FILE"),
     "reuse the extrinsic-sample table of a previous run")
    ("n-phi-incoherent", po::value<long>()->value_name("N"), "stage-2 phase grid (default: --n-phi)")
    ("preselected-indices", po::value<std::string>()->value_name("FILE"),
     "evaluate exactly these bank indices in stage 2 (.npy)")
    ("bank-logw-override", po::value<std::string>()->value_name("FILE"),
     "replace the bank's log_prior_weights in stage 5 (.npy)")
    ("reference", po::value<std::string>()->value_name("PARAMS.json"),
     "reference-waveform parameters par0 (default: injection, else searched)")
    ("resume", po::value<std::string>()->value_name("RUNDIR"),
     "continue the interrupted run in RUNDIR from its checkpoint (same options and inputs; any "
     "number of ranks)")
    ("overwrite", po::bool_switch(), "replace the outputs of a finished run in --rundir")
    ("plot", po::bool_switch(),
     "write RUNDIR/posterior.png, a corner plot (needs python3 with numpy, h5py, matplotlib; "
     "$DOTPE_PYTHON chooses the interpreter)")
    ("max-memory-per-worker", po::value<double>()->value_name("GB"),
     "memory budget of one worker rank: --blocksize and --single-detector-blocksize are lowered "
     "until the predicted working set fits (docs/pipeline.md)");
  // clang-format on
}

template <typename T>
std::optional<T> optional_value(const po::variables_map& values, const char* name) {
  if (values.count(name) == 0U) return std::nullopt;
  return values[name].as<T>();
}

std::optional<std::filesystem::path> optional_path(const po::variables_map& values,
                                                   const char* name) {
  const auto text = optional_value<std::string>(values, name);
  if (!text) return std::nullopt;
  return std::filesystem::path(*text);
}

std::vector<std::int64_t> parse_n_int(const std::string& text) {
  std::vector<std::int64_t> counts;
  for (const auto& item : pipeline::split_list({text})) {
    try {
      std::size_t used = 0;
      counts.push_back(std::stoll(item, &used));
      require(used == item.size(), "");
    } catch (const std::exception&) {
      throw Error("--n-int: '{}' is not an integer (give N, or N1,N2,... one per bank)", item);
    }
  }
  return counts;
}

pipeline::RunConfig run_config_from(const po::variables_map& values) {
  pipeline::RunConfig config;
  config.event = values.count("event") != 0U ? values["event"].as<std::string>() : "";
  if (values.count("bank") != 0U) {
    for (const auto& bank : pipeline::split_list(values["bank"].as<std::vector<std::string>>())) {
      config.banks.emplace_back(bank);
    }
  }
  config.n_ext = optional_value<long>(values, "n-ext").value_or(0);
  config.n_phi = optional_value<long>(values, "n-phi").value_or(0);
  config.n_t = optional_value<long>(values, "n-t").value_or(0);
  if (const auto n_int = optional_value<std::string>(values, "n-int")) {
    config.n_int = parse_n_int(*n_int);
  }
  config.blocksize = values["blocksize"].as<long>();
  config.single_detector_blocksize = values["single-detector-blocksize"].as<long>();
  config.i_int_start = values["i-int-start"].as<long>();
  if (const auto seed = optional_value<long>(values, "seed")) {
    require(*seed >= 0, "--seed must be a non-negative integer, got {}", *seed);
    config.seed = static_cast<std::uint64_t>(*seed);
  }
  config.load_inds = values["load-inds"].as<bool>();
  config.inds_path = optional_path(values, "inds-path");
  config.size_limit = values["size-limit"].as<long>();
  config.draw_subset = values["draw-subset"].as<bool>();
  config.n_draws = optional_value<long>(values, "n-draws");
  config.event_dir = optional_path(values, "event-dir");
  config.rundir = optional_path(values, "rundir");
  if (const auto resume = optional_path(values, "resume")) {
    require(!config.rundir || *config.rundir == *resume,
            "--resume {} and --rundir {} name different directories: give one of them",
            resume->string(), config.rundir->string());
    config.rundir = resume;
    config.resume = true;
  }
  config.overwrite = values["overwrite"].as<bool>();
  config.max_memory_per_worker_gb = optional_value<double>(values, "max-memory-per-worker");
  config.max_incoherent_lnlike_drop = values["max-incoherent-lnlike-drop"].as<double>();
  config.max_bestfit_lnlike_diff = values["max-bestfit-lnlike-diff"].as<double>();
  config.mchirp_guess = optional_value<double>(values, "mchirp-guess");
  config.extrinsic_samples = optional_path(values, "extrinsic-samples");
  config.n_phi_incoherent = optional_value<long>(values, "n-phi-incoherent");
  config.preselected_indices = optional_path(values, "preselected-indices");
  config.bank_logw_override = optional_path(values, "bank-logw-override");
  config.reference = optional_path(values, "reference");
  config.profile = values["profile"].as<bool>();
  config.validate();
  return config;
}

// The corner plot is a convenience: its failure is reported but does not fail the run.
void plot_posterior(const std::filesystem::path& rundir) {
  const std::filesystem::path script = data_dir() / ".." / "scripts" / "corner_plot";
  const char* python = std::getenv("DOTPE_PYTHON");
  const std::string command =
      fmt::format("\"{}\" \"{}\" \"{}\"", python != nullptr ? python : "python3", script.string(),
                  rundir.string());
  if (!std::filesystem::exists(script) || std::system(command.c_str()) != 0) {
    log::warning("--plot: no corner plot (ran: {}); the run's outputs are complete", command);
  }
}

void print_outcome(const pipeline::RunOutcome& outcome) {
  const nlohmann::json& summary = outcome.summary;
  log::info("run directory: {}", outcome.rundir.string());
  log::info("ln Z = {:.4f} ± {:.4f}, n_effective = {:.1f}, posterior samples: {}",
            summary.at("ln_evidence").get<double>(), summary.at("ln_evidence_error").get<double>(),
            summary.at("n_effective").get<double>(),
            summary.at("n_posterior_samples").get<std::size_t>());
  if (!summary.contains("posterior")) return;
  const bool injection = summary.contains("injection");
  fmt::print("\n{:<20} {:>14} {:>14} {:>14}{}\n", "parameter", "median", "5%", "95%",
             injection ? fmt::format(" {:>14}", "injected") : "");
  for (const auto& [name, entry] : summary["posterior"].items()) {
    // GPS times need more digits than the other parameters.
    const int digits = name == "geocent_time" ? 4 : 3;
    fmt::print("{:<20} {:>14.{}f} {:>14.{}f} {:>14.{}f}", name, entry.at("median").get<double>(),
               digits, entry.at("lower_5").get<double>(), digits,
               entry.at("upper_95").get<double>(), digits);
    if (entry.contains("injected")) {
      fmt::print(" {:>14.{}f}", entry.at("injected").get<double>(), digits);
    }
    fmt::print("\n");
  }
}

}  // namespace

int run_command(const Arguments& arguments) {
  CommandLine command(
      "run",
      "[mpirun -n W+1] dotpe run --event EVENT --bank BANK --n-ext N --n-phi N --n-t N "
      "--rundir DIR [options]",
      "Run dot-PE inference: incoherent screening of the bank(s), cross-bank selection,\n"
      "extrinsic sampling, the coherent likelihood over (intrinsic x extrinsic) blocks, and the\n"
      "evidence and posterior. Under mpirun, rank 0 coordinates and the other ranks work.");
  add_run_options(command.options());
  add_hpc_options(command.options());
  const auto values = command.parse(arguments);
  if (!values) return 0;
  pipeline::RunConfig config = run_config_from(*values);
  const hpc::Environment environment;
  // Explicit options, else this machine's autotuned configuration (said in the log), else the
  // defaults. i_batch is the HPC name of --single-detector-blocksize.
  const hpc::HPCConfig hpc_config = resolve_hpc_config(*values, environment.size());
  config.single_detector_blocksize = hpc_config.i_batch;
  hpc::TaskFarm farm(hpc_config);
  pipeline::Inference inference(config, farm);
  const pipeline::RunOutcome outcome = inference.run();
  if (farm.is_coordinator()) {
    print_outcome(outcome);
    if ((*values)["plot"].as<bool>()) plot_posterior(outcome.rundir);
  }
  return 0;
}

}  // namespace dotpe::app
