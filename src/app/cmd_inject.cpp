// `dotpe inject`: make an event of coloured Gaussian noise, optionally with a signal in it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <map>

#include "dotpe/app/options.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/physics/detectors.hpp"
#include "dotpe/physics/noise.hpp"
#include "dotpe/pipeline/run_config.hpp"
#include "subcommands.hpp"

namespace dotpe::app {
namespace {

void add_inject_options(po::options_description& options) {
  // clang-format off
  options.add_options()
    ("out", po::value<std::string>()->value_name("FILE"), "output event file (event.h5)")
    ("name", po::value<std::string>()->default_value("injection"), "event name")
    ("detectors", po::value<std::string>()->default_value("H1,L1,V1"), "detectors, e.g. H1,L1,V1")
    ("asd", po::value<std::string>()->value_name("H1=FILE,..."),
     "ASD per detector: .npy of shape (2, N) or a two-column text file (frequency, ASD); "
     "default: the bundled O3 curves")
    ("duration", po::value<double>()->default_value(32.0), "segment length (s); df = 1/duration")
    ("fmin", po::value<double>()->default_value(15.0), "lower edge of the band (Hz)")
    ("fmax", po::value<double>()->default_value(512.0), "upper edge of the band (Hz)")
    ("tgps", po::value<double>()->default_value(1187008882.4), "GPS time of the event (s)")
    ("tcoarse", po::value<double>(), "time of tgps from the segment start (s; default duration/2)")
    ("seed", po::value<long>()->default_value(0), "noise seed")
    ("zero-noise", po::bool_switch(), "no noise: the strain is the signal alone")
    ("approximant", po::value<std::string>()->default_value("none"),
     "waveform model of the signal, or none for noise only")
    ("m1", po::value<double>(), "detector-frame mass of the heavier body (Msun)")
    ("m2", po::value<double>(), "detector-frame mass of the lighter body (Msun)")
    ("s1z", po::value<double>()->default_value(0.0), "aligned spin of body 1")
    ("s2z", po::value<double>()->default_value(0.0), "aligned spin of body 2")
    ("iota", po::value<double>()->default_value(0.0), "inclination (rad)")
    ("ra", po::value<double>()->default_value(0.0), "right ascension (rad)")
    ("dec", po::value<double>()->default_value(0.0), "declination (rad)")
    ("psi", po::value<double>()->default_value(0.0), "polarisation angle (rad)")
    ("geocent-time", po::value<double>(), "GPS arrival time at the geocentre (default: tgps)")
    ("phi-ref", po::value<double>()->default_value(0.0), "orbital phase at f_ref (rad)")
    ("distance", po::value<double>()->default_value(1000.0), "luminosity distance (Mpc)")
    ("f-ref", po::value<double>()->default_value(50.0), "reference frequency (Hz)");
  // clang-format on
}

std::map<std::string, std::string> parse_asd_option(const std::string& text) {
  std::map<std::string, std::string> files;
  for (const auto& item : pipeline::split_list({text})) {
    const std::size_t equals = item.find('=');
    require(equals != std::string::npos, "--asd: '{}' should be DETECTOR=FILE, e.g. H1=asd_H1.txt",
            item);
    files[physics::detector(item.substr(0, equals)).name] = item.substr(equals + 1);
  }
  return files;
}

physics::NoiseSettings noise_settings_from(const po::variables_map& values) {
  physics::NoiseSettings settings;
  settings.event_name = values["name"].as<std::string>();
  settings.detector_names.clear();
  for (const auto& site : physics::detectors_from_names(values["detectors"].as<std::string>())) {
    settings.detector_names.push_back(site.name);
  }
  const auto asd_files = values.count("asd") != 0U
                             ? parse_asd_option(values["asd"].as<std::string>())
                             : std::map<std::string, std::string>{};
  for (const auto& name : settings.detector_names) {
    const auto file = asd_files.find(name);
    settings.asds.push_back(file != asd_files.end() ? physics::read_asd(file->second)
                                                    : physics::default_asd(name));
  }
  settings.duration = values["duration"].as<double>();
  settings.fmin = values["fmin"].as<double>();
  settings.fmax = values["fmax"].as<double>();
  settings.tgps = values["tgps"].as<double>();
  if (values.count("tcoarse") != 0U) settings.tcoarse = values["tcoarse"].as<double>();
  const long seed = values["seed"].as<long>();
  require(seed >= 0, "--seed must be a non-negative integer, got {}", seed);
  settings.seed = static_cast<std::uint64_t>(seed);
  settings.zero_noise = values["zero-noise"].as<bool>();
  return settings;
}

}  // namespace

int inject_command(const Arguments& arguments) {
  CommandLine command(
      "inject", "dotpe inject --out EVENT.h5 [options]",
      "Make an event: stationary Gaussian noise coloured by amplitude spectral densities\n"
      "(whitening filter 1/ASD in [fmin, fmax], 0 outside), reproducible by --seed, and\n"
      "optionally a signal of a built-in waveform model projected onto the detectors.");
  add_inject_options(command.options());
  const auto values = command.parse(arguments);
  if (!values) return 0;
  require(values->count("out") != 0U, "dotpe inject: --out EVENT.h5 is required");
  const std::string approximant = (*values)["approximant"].as<std::string>();
  require(approximant == "none",
          "dotpe inject: --approximant {} is not available in this build (the waveform models "
          "are not built in yet); use --approximant none for a noise-only event",
          approximant);
  const physics::EventData event = physics::make_noise_event(noise_settings_from(*values));
  physics::write_event((*values)["out"].as<std::string>(), event);
  log::info("inject: wrote {} ({}, {} s, {}-{} Hz, noise seed {})",
            (*values)["out"].as<std::string>(), fmt::join(event.detector_names, ","),
            event.duration(), (*values)["fmin"].as<double>(), (*values)["fmax"].as<double>(),
            (*values)["seed"].as<long>());
  return 0;
}

}  // namespace dotpe::app
