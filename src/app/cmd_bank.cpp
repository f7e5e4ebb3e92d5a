// `dotpe bank`: generate a waveform bank, or import a dot-PE bank folder.
#include <fmt/format.h>

#include <boost/serialization/complex.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <filesystem>
#include <optional>

#include "dotpe/app/options.hpp"
#include "dotpe/bank/fbin.hpp"
#include "dotpe/bank/generation.hpp"
#include "dotpe/bank/import.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/timer.hpp"
#include "dotpe/hpc/environment.hpp"
#include "dotpe/hpc/task_farm.hpp"
#include "dotpe/io/npy.hpp"
#include "dotpe/waveform/waveform.hpp"
#include "subcommands.hpp"

namespace dotpe::app {
namespace {

bank::WaveformPrecision parse_precision(const std::string& name) {
  if (name == "single") return bank::WaveformPrecision::single_precision;
  if (name == "double") return bank::WaveformPrecision::double_precision;
  throw Error("--precision must be 'single' (complex64 on disk) or 'double' (complex128), got '{}'",
              name);
}

int import_bank(const Arguments& arguments) {
  CommandLine command("bank import", "dotpe bank import DOTPE_BANK_FOLDER OUT.h5 [options]",
                      "Convert a bank folder of the Python package dot-PE (bank_config.json,\n"
                      "intrinsic_sample_bank.feather, waveforms/*_block_<k>.npy) into a dotpe "
                      "bank file.");
  command.options().add_options()("folder", po::value<std::string>()->value_name("DIR"),
                                  "dot-PE bank folder")(
      "out", po::value<std::string>()->value_name("OUT.h5"), "output bank file")(
      "precision", po::value<std::string>()->default_value("single"),
      "waveform storage: single (complex64) or double (complex128)");
  command.add_positional("folder");
  command.add_positional("out");
  const auto values = command.parse(arguments);
  if (!values) return 0;
  require(values->count("folder") != 0U && values->count("out") != 0U,
          "dotpe bank import: give the dot-PE bank folder and the output file, e.g. "
          "'dotpe bank import my_bank/ bank.h5'");
  const auto config = bank::import_dotpe_bank(
      (*values)["folder"].as<std::string>(), (*values)["out"].as<std::string>(),
      parse_precision((*values)["precision"].as<std::string>()));
  log::info("bank import: wrote {} ({} templates, {} harmonic groups, {} frequency nodes)",
            (*values)["out"].as<std::string>(), config.bank_size, config.m_arr.size(),
            config.fbin.size());
  return 0;
}

// Rank 0 creates (or reopens) OUT.partial and writes blocks as results arrive; every rank
// computes blocks handed out by the task farm. OUT.partial becomes OUT once complete, so an
// interrupted run leaves a file that --resume completes.
int generate_with_farm(const bank::BankConfig& requested, const std::filesystem::path& output,
                       bool resume, const hpc::HPCConfig& hpc_config, bool profile) {
  const hpc::Environment environment;
  hpc::TaskFarm farm(hpc_config);
  const std::filesystem::path partial = output.string() + ".partial";
  std::optional<bank::BankFile> bank;
  std::string setup_error;
  std::string config_json = requested.to_json().dump();
  std::vector<bank::IntrinsicSample> samples;
  std::vector<std::size_t> missing;
  if (farm.is_coordinator()) {
    try {
      require(!std::filesystem::exists(output),
              "dotpe bank: '{}' exists already; remove it or choose another --out",
              output.string());
      if (resume) {
        require(std::filesystem::exists(partial),
                "dotpe bank --resume: no interrupted bank '{}' to complete", partial.string());
        bank.emplace(bank::BankFile::open(partial, io::h5::Mode::read_write));
        require(bank->config().to_json() == requested.to_json(),
                "dotpe bank --resume: '{}' was started with other options; repeat the original "
                "options or start afresh without --resume",
                partial.string());
        samples = bank->samples();
      } else {
        samples =
            bank::draw_intrinsic_samples(requested.mass_range, requested.bank_size, requested.seed);
        bank.emplace(bank::BankFile::create(partial, requested, samples));
      }
      missing = bank::missing_blocks(*bank);
    } catch (const std::exception& error) {
      setup_error = error.what();
    }
  }
  // Every rank learns the outcome of rank 0's set-up before any collective work.
  farm.broadcast(setup_error);
  if (!setup_error.empty()) {
    if (farm.is_coordinator()) throw Error("{}", setup_error);
    throw hpc::FarmAborted(setup_error, false);
  }
  std::vector<double> flat;
  for (const auto& sample : samples) {
    flat.insert(flat.end(),
                {sample.m1, sample.m2, sample.s1z, sample.s2z, sample.s1x_n, sample.s1y_n,
                 sample.s2x_n, sample.s2y_n, sample.iota, sample.log_prior_weight});
  }
  farm.broadcast(flat);
  farm.broadcast(missing);
  samples.resize(flat.size() / 10);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const double* row = flat.data() + 10 * i;
    samples[i] = {row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9]};
  }
  const bank::BankConfig config = bank::BankConfig::from_json(nlohmann::json::parse(config_json));
  const bank::TemplateWaveform model = bank::model_waveform(config);
  if (farm.is_coordinator()) {
    log::info("bank: {} templates of {} in {} blocks ({} to compute) on {} rank(s)",
              config.bank_size, config.approximant, config.n_blocks(), missing.size(), farm.size());
  }

  const WallTimer timer;
  std::size_t templates_done = 0;
  const hpc::StageProfile stage_profile = farm.run<std::vector<std::complex<double>>>(
      "bank", missing.size(),
      [&](const hpc::Task& task) {
        std::vector<std::complex<double>> waveforms;
        for (std::size_t unit = task.first_unit; unit < task.first_unit + task.unit_count; ++unit) {
          const auto block = bank::compute_block(config, samples, missing[unit], model);
          waveforms.insert(waveforms.end(), block.begin(), block.end());
        }
        return waveforms;
      },
      [&](const hpc::Task& task, std::vector<std::complex<double>>&& waveforms) {
        std::size_t offset = 0;
        for (std::size_t unit = task.first_unit; unit < task.first_unit + task.unit_count; ++unit) {
          const std::size_t count = config.block_rows(missing[unit]) * config.values_per_template();
          bank->write_block(missing[unit], std::span(waveforms).subspan(offset, count));
          offset += count;
          templates_done += config.block_rows(missing[unit]);
        }
      });
  if (farm.is_coordinator()) {
    require(bank->complete(), "internal error: the bank is incomplete after generation");
    bank.reset();  // close before renaming
    std::filesystem::rename(partial, output);
    const double seconds = timer.seconds();
    if (profile) log::info("bank: profile\n{}", stage_profile.table());
    log::info("bank: wrote {} ({} templates in {:.1f} s, {:.0f} templates/s)", output.string(),
              templates_done, seconds,
              static_cast<double>(templates_done) / std::max(seconds, 1e-9));
  }
  return 0;
}

int generate_bank(const Arguments& arguments) {
  CommandLine command(
      "bank",
      "[mpirun -n W+1] dotpe bank --out BANK.h5 --size N --mchirp-min M --mchirp-max M [options]\n"
      "       dotpe bank import DOTPE_BANK_FOLDER OUT.h5",
      "Generate a waveform bank: intrinsic samples (scrambled Halton, log-uniform in chirp mass\n"
      "and mass ratio, uniform effective spin, isotropic inclination) with prior weights to\n"
      "uniform detector-frame component masses, and their waveforms on the fbin nodes.");
  // clang-format off
  command.options().add_options()
    ("out", po::value<std::string>()->value_name("FILE"), "output bank file")
    ("size", po::value<long>()->value_name("N"), "number of templates")
    ("mchirp-min", po::value<double>()->value_name("MSUN"), "detector-frame chirp mass, lower bound")
    ("mchirp-max", po::value<double>()->value_name("MSUN"), "detector-frame chirp mass, upper bound")
    ("q-min", po::value<double>()->default_value(0.2), "mass ratio m2/m1, lower bound")
    ("q-max", po::value<double>()->default_value(1.0), "mass ratio m2/m1, upper bound (<= 1)")
    ("f-ref", po::value<double>()->default_value(50.0), "reference frequency (Hz)")
    ("approximant", po::value<std::string>()->default_value("TaylorF2"),
     "waveform model: TaylorF2, IMRPhenomD or IMRPhenomHM")
    ("modes", po::value<std::string>()->default_value("all"),
     "harmonic modes to include, e.g. 22,21,33,32,44 (default: all of the model's)")
    ("fbin", po::value<std::string>()->value_name("FILE.npy"),
     "frequency nodes (default: the reference's 378 nodes, 15-1600 Hz)")
    ("seed", po::value<long>()->default_value(0), "seed of the scrambled Halton sequence")
    ("blocksize", po::value<long>()->default_value(4096), "templates per block (unit of work and of I/O)")
    ("precision", po::value<std::string>()->default_value("single"),
     "waveform storage: single (complex64) or double (complex128)")
    ("resume", po::bool_switch(), "complete an interrupted generation of the same bank");
  // clang-format on
  add_hpc_options(command.options());
  const auto values = command.parse(arguments);
  if (!values) return 0;
  require(values->count("out") != 0U, "dotpe bank: --out BANK.h5 is required");
  require(values->count("size") != 0U && (*values)["size"].as<long>() > 0,
          "dotpe bank: --size N (a positive number of templates) is required");
  require(values->count("mchirp-min") != 0U && values->count("mchirp-max") != 0U,
          "dotpe bank: --mchirp-min and --mchirp-max are required");
  bank::MassRange range{(*values)["mchirp-min"].as<double>(), (*values)["mchirp-max"].as<double>(),
                        (*values)["q-min"].as<double>(), (*values)["q-max"].as<double>()};
  range.validate();
  std::vector<double> fbin = bank::default_fbin();
  if (values->count("fbin") != 0U) {
    const std::string path = (*values)["fbin"].as<std::string>();
    fbin = io::read_npy(path).to_doubles();
    bank::validate_fbin(fbin, path);
  }
  bank::BankConfig config;
  config.mass_range = range;
  config.f_ref = (*values)["f-ref"].as<double>();
  config.fbin = fbin;
  const long seed = (*values)["seed"].as<long>();
  require(seed >= 0, "--seed must be a non-negative integer, got {}", seed);
  config.seed = static_cast<std::uint64_t>(seed);
  config.bank_size = static_cast<std::size_t>((*values)["size"].as<long>());
  const long blocksize = (*values)["blocksize"].as<long>();
  require(blocksize > 0, "--blocksize must be positive, got {}", blocksize);
  config.blocksize = static_cast<std::size_t>(blocksize);
  config.approximant = (*values)["approximant"].as<std::string>();
  const auto approximant = waveform::parse_approximant(config.approximant);
  for (const auto& mode :
       waveform::parse_modes((*values)["modes"].as<std::string>(), approximant)) {
    config.harmonic_modes.push_back({mode.l, mode.m});
  }
  config.m_arr = bank::m_arr_of(config.harmonic_modes);
  config.precision = parse_precision((*values)["precision"].as<std::string>());
  config.validate();
  return generate_with_farm(config, (*values)["out"].as<std::string>(),
                            (*values)["resume"].as<bool>(), hpc_config_from(*values),
                            (*values)["profile"].as<bool>());
}

}  // namespace

int bank_command(const Arguments& arguments) {
  if (!arguments.empty() && arguments.front() == "import") {
    return import_bank(Arguments(arguments.begin() + 1, arguments.end()));
  }
  return generate_bank(arguments);
}

}  // namespace dotpe::app
