// `dotpe find-reference`: the reference waveform par0 of an event (issue #6), on its own.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <boost/serialization/vector.hpp>
#include <cmath>
#include <filesystem>

#include "dotpe/app/options.hpp"
#include "dotpe/bank/bank_file.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/timer.hpp"
#include "dotpe/hpc/environment.hpp"
#include "dotpe/hpc/task_farm.hpp"
#include "dotpe/io/files.hpp"
#include "dotpe/likelihood/reference_finder.hpp"
#include "dotpe/physics/event_data.hpp"
#include "dotpe/pipeline/run_config.hpp"
#include "subcommands.hpp"

namespace dotpe::app {
namespace {

void add_find_reference_options(po::options_description& options) {
  // clang-format off
  options.add_options()
    ("event", po::value<std::string>()->value_name("EVENT"), "event file (event.h5 or EventData .npz)")
    ("out", po::value<std::string>()->value_name("FILE"), "output par0 JSON file")
    ("bank", po::value<std::string>()->value_name("BANK.h5"),
     "search the bank's chirp-mass and mass-ratio range, with its approximant and f_ref")
    ("mchirp-range", po::value<std::string>()->value_name("LO,HI"),
     "detector-frame chirp-mass range to search (Msun), instead of a bank")
    ("mchirp-guess", po::value<double>()->value_name("X"),
     "search guess*(1 +- 0.2) (within the range, when one is given)")
    ("approximant", po::value<std::string>(),
     "waveform model (default: the bank's, else IMRPhenomD); the search uses its (2,2) mode")
    ("f-ref", po::value<double>(), "reference frequency of par0 (Hz; default: the bank's, else 50)")
    ("q-min", po::value<double>(), "smallest mass ratio m2/m1 searched (default: the bank's, else 0.05)")
    ("time-window", po::value<double>()->default_value(0.1),
     "arrival times are searched within tgps +- this (s)")
    ("min-snr", po::value<double>()->default_value(6.0),
     "fail unless some template reaches this incoherent network SNR");
  // clang-format on
}

std::pair<double, double> parse_range(const std::string& text) {
  const auto items = pipeline::split_list({text});
  require(items.size() == 2, "--mchirp-range '{}' should be LO,HI, e.g. 20,30", text);
  try {
    return {std::stod(items[0]), std::stod(items[1])};
  } catch (const std::exception&) {
    throw Error("--mchirp-range '{}' should be two numbers LO,HI, e.g. 20,30", text);
  }
}

likelihood::ReferenceSearchSettings settings_from(const po::variables_map& values) {
  likelihood::ReferenceSearchSettings settings;
  const bool has_bank = values.count("bank") != 0U;
  const bool has_range = values.count("mchirp-range") != 0U;
  require(!(has_bank && has_range),
          "dotpe find-reference: give either --bank or --mchirp-range, not both");
  require(has_bank || has_range || values.count("mchirp-guess") != 0U,
          "dotpe find-reference: say where to search: --bank BANK.h5 (its chirp-mass range), "
          "--mchirp-range LO,HI or --mchirp-guess X");
  std::string approximant = "IMRPhenomD";
  if (has_bank) {
    const auto bank = bank::BankFile::open(values["bank"].as<std::string>());
    const auto& config = bank.config();
    settings.mchirp_min = config.mass_range.mchirp_min;
    settings.mchirp_max = config.mass_range.mchirp_max;
    settings.q_min = std::max(config.mass_range.q_min, 0.01);
    settings.f_ref = config.f_ref;
    approximant = config.approximant;
  }
  if (has_range) {
    std::tie(settings.mchirp_min, settings.mchirp_max) =
        parse_range(values["mchirp-range"].as<std::string>());
    require(settings.mchirp_min > 0.0 && settings.mchirp_max > settings.mchirp_min,
            "--mchirp-range {}: need 0 < LO < HI (detector-frame Msun)",
            values["mchirp-range"].as<std::string>());
  }
  if (values.count("mchirp-guess") != 0U)
    settings.mchirp_guess = values["mchirp-guess"].as<double>();
  if (values.count("approximant") != 0U) approximant = values["approximant"].as<std::string>();
  settings.approximant = waveform::parse_approximant(approximant);
  if (values.count("f-ref") != 0U) settings.f_ref = values["f-ref"].as<double>();
  if (values.count("q-min") != 0U) settings.q_min = values["q-min"].as<double>();
  settings.time_half_window = values["time-window"].as<double>();
  settings.min_network_snr = values["min-snr"].as<double>();
  return settings;
}

// A ParallelMap over the task farm, in chunks of 16 evaluations.
likelihood::ParallelMap farm_map(hpc::TaskFarm& farm) {
  return [&farm](std::size_t n, const std::function<double(std::size_t)>& f) {
    return hpc::farm_values(farm, "find-reference", n, 16, f);
  };
}

}  // namespace

int find_reference_command(const Arguments& arguments) {
  CommandLine command(
      "find-reference",
      "dotpe find-reference EVENT (--bank BANK.h5 | --mchirp-range LO,HI) [--mchirp-guess X] "
      "--out par0.json [options]",
      "Find a reference waveform par0 for relative binning (cogwheel's ReferenceWaveformFinder):\n"
      "a (2,2)-mode aligned-spin search over chirp mass, mass ratio and chi_eff on the\n"
      "incoherent likelihood (per-detector matched filters maximised over time and phase), then\n"
      "sky position, arrival time, polarisation, inclination, phase and distance on the coherent\n"
      "likelihood. Writes par0 (the reference's par_dic keys; t_geocenter relative to tgps)\n"
      "with mchirp, lnl, network_snr and snr_by_detector. The coarse grid and the sky scan are\n"
      "shared between MPI ranks; the result does not depend on their number.");
  add_find_reference_options(command.options());
  add_hpc_options(command.options());
  command.add_positional("event");
  const auto values = command.parse(arguments);
  if (!values) return 0;
  require(values->count("event") != 0U && values->count("out") != 0U,
          "dotpe find-reference: give the event file and --out par0.json, e.g. "
          "'dotpe find-reference event.h5 --mchirp-range 20,30 --out par0.json'");
  const std::filesystem::path output = (*values)["out"].as<std::string>();
  // MPI first, so that under mpirun a bad input is reported once, by rank 0.
  const hpc::Environment environment;
  const likelihood::ReferenceSearchSettings settings = settings_from(*values);
  hpc::TaskFarm farm(hpc_config_from(*values));
  const physics::EventData event = physics::read_event((*values)["event"].as<std::string>());
  const WallTimer timer;
  const likelihood::ReferenceSolution solution =
      likelihood::find_reference_waveform(event, settings, farm_map(farm));
  if (!farm.is_coordinator()) return 0;
  nlohmann::json json = solution.to_json(event.tgps);
  json["approximant"] = waveform::approximant_name(settings.approximant);
  json["event"] = event.name;
  io::write_text_atomically(output, json.dump(2) + "\n");
  std::vector<std::string> snrs;
  for (std::size_t d = 0; d < solution.detector_names.size(); ++d) {
    snrs.push_back(
        fmt::format("{} {:.2f}", solution.detector_names[d], solution.snr_by_detector[d]));
  }
  log::info(
      "find-reference: wrote {} in {:.1f} s on {} rank(s): Mc {:.3f}, lnL {:.2f}, network "
      "SNR {:.2f} ({})",
      output.string(), timer.seconds(), farm.size(), json["mchirp"].get<double>(), solution.lnl,
      json["network_snr"].get<double>(), fmt::join(snrs, ", "));
  return 0;
}

}  // namespace dotpe::app
