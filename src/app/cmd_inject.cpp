// `dotpe inject`: make an event of coloured Gaussian noise, optionally with a signal in it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <map>
#include <span>

#include "dotpe/app/options.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/physics/detectors.hpp"
#include "dotpe/physics/noise.hpp"
#include "dotpe/pipeline/run_config.hpp"
#include "dotpe/waveform/waveform.hpp"
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
    ("tgps", po::value<double>()->default_value(1187008882.4, "1187008882.4"),
     "GPS time of the event (s): the segment is [tgps - tcoarse, tgps - tcoarse + duration)")
    ("tcoarse", po::value<double>(), "time of tgps from the segment start (s; default duration/2)")
    ("seed", po::value<long>()->default_value(0),
     "noise seed (non-negative); the same seed gives the same file bit for bit")
    ("zero-noise", po::bool_switch(), "no noise: the strain is the signal alone")
    ("approximant", po::value<std::string>()->default_value("none"),
     "waveform model of the signal (TaylorF2, IMRPhenomD, IMRPhenomHM, as in dotpe waveform), "
     "or none for noise only")
    ("m1", po::value<double>(), "detector-frame mass of the heavier body (Msun)")
    ("m2", po::value<double>(), "detector-frame mass of the lighter body (Msun)")
    ("s1z", po::value<double>()->default_value(0.0), "aligned spin of body 1")
    ("s2z", po::value<double>()->default_value(0.0), "aligned spin of body 2")
    ("iota", po::value<double>()->default_value(0.0),
     "inclination: angle between the orbital angular momentum and the line of sight (rad)")
    ("ra", po::value<double>()->default_value(0.0),
     "right ascension (rad); converted to Earth-fixed longitude with GMST(tgps)")
    ("dec", po::value<double>()->default_value(0.0), "declination (rad)")
    ("psi", po::value<double>()->default_value(0.0), "polarisation angle (rad), LAL's convention")
    ("geocent-time", po::value<double>(),
     "GPS time of arrival at the geocentre (s; default: tgps); must lie in the segment")
    ("phi-ref", po::value<double>()->default_value(0.0),
     "orbital phase (rad), the reference's convention: mode group m gets e^{i m phi_ref}")
    ("distance", po::value<double>()->default_value(1000.0), "luminosity distance (Mpc)")
    ("f-ref", po::value<double>()->default_value(50.0),
     "reference frequency of phi_ref and the spins (Hz)");
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

waveform::BinaryParameters binary_parameters_from(const po::variables_map& values) {
  require(values.count("m1") != 0U && values.count("m2") != 0U,
          "dotpe inject: a signal needs --m1 and --m2 (detector-frame masses, Msun)");
  waveform::BinaryParameters parameters;
  parameters.m1 = values["m1"].as<double>();
  parameters.m2 = values["m2"].as<double>();
  parameters.s1z = values["s1z"].as<double>();
  parameters.s2z = values["s2z"].as<double>();
  parameters.iota = values["iota"].as<double>();
  parameters.f_ref = values["f-ref"].as<double>();
  parameters.phi_ref = values["phi-ref"].as<double>();
  parameters.validate();
  return parameters;
}

struct Polarizations {
  std::vector<std::complex<double>> plus;
  std::vector<std::complex<double>> cross;
};

// h+ and h× (all m-groups summed) on the event's frequencies. As the reference does, the
// waveform is evaluated only where some whitening filter is non-zero and is zero elsewhere (it
// is never looked at there, and f = 0 is not physical).
Polarizations polarizations_in_band(const physics::EventData& event,
                                    waveform::Approximant approximant,
                                    const waveform::BinaryParameters& parameters) {
  const auto [first, end] = event.band();
  const auto band = std::span<const double>(event.frequencies).subspan(first, end - first);
  const auto modes = waveform::harmonic_modes(approximant);
  const std::size_t n_groups = waveform::m_arr(modes).size();
  std::vector<std::complex<double>> by_m(n_groups * 2 * band.size());
  waveform::polarizations_by_m(approximant, parameters, modes, band, by_m);
  Polarizations h{std::vector<std::complex<double>>(event.n_frequencies()),
                  std::vector<std::complex<double>>(event.n_frequencies())};
  for (std::size_t g = 0; g < n_groups; ++g) {
    for (std::size_t k = 0; k < band.size(); ++k) {
      h.plus[first + k] += by_m[(g * 2 + 0) * band.size() + k];
      h.cross[first + k] += by_m[(g * 2 + 1) * band.size() + k];
    }
  }
  return h;
}

physics::SignalPlacement placement_from(const po::variables_map& values,
                                        const physics::EventData& event) {
  physics::SignalPlacement placement;
  placement.ra = values["ra"].as<double>();
  placement.dec = values["dec"].as<double>();
  placement.psi = values["psi"].as<double>();
  placement.geocent_time =
      values.count("geocent-time") != 0U ? values["geocent-time"].as<double>() - event.tgps : 0.0;
  placement.distance = values["distance"].as<double>();
  const double arrival = event.tcoarse + placement.geocent_time;
  require(arrival >= 0.0 && arrival <= event.duration(),
          "--geocent-time {:.3f} lies outside the segment [{:.3f}, {:.3f}] (GPS s): give an "
          "absolute GPS time near --tgps",
          event.tgps + placement.geocent_time, event.tgps - event.tcoarse,
          event.tgps - event.tcoarse + event.duration());
  return placement;
}

// The injection record, with the reference's parameter names and bookkeeping: (h|h)_d and
// Re(d|h)_d, the latter with the noise (the signal is already in the event's strain).
nlohmann::json injection_record(const physics::EventData& event, const std::string& approximant,
                                const waveform::BinaryParameters& parameters,
                                const physics::SignalPlacement& placement,
                                std::span<const std::complex<double>> signal) {
  std::vector<double> h_h;
  std::vector<double> d_h;
  const std::size_t n_f = event.n_frequencies();
  for (std::size_t d = 0; d < event.n_detectors(); ++d) {
    const auto h = signal.subspan(d * n_f, n_f);
    const auto data = std::span(event.strain).subspan(d * n_f, n_f);
    h_h.push_back(physics::inner_product(event, d, h, h).real());
    d_h.push_back(physics::inner_product(event, d, data, h).real());
  }
  const nlohmann::json par_dic = {{"m1", parameters.m1},
                                  {"m2", parameters.m2},
                                  {"s1z", parameters.s1z},
                                  {"s2z", parameters.s2z},
                                  {"s1x_n", 0.0},
                                  {"s1y_n", 0.0},
                                  {"s2x_n", 0.0},
                                  {"s2y_n", 0.0},
                                  {"iota", parameters.iota},
                                  {"ra", placement.ra},
                                  {"dec", placement.dec},
                                  {"psi", placement.psi},
                                  {"t_geocenter", placement.geocent_time},
                                  {"phi_ref", parameters.phi_ref},
                                  {"d_luminosity", placement.distance},
                                  {"f_ref", parameters.f_ref},
                                  {"l1", 0.0},
                                  {"l2", 0.0}};
  return {{"approximant", approximant},
          {"par_dic", par_dic},
          {"h_h", h_h},
          {"d_h", d_h},
          {"optimal_snr", physics::optimal_snr(event, signal)},
          {"matched_filter_snr", physics::matched_filter_snr(event, signal)}};
}

// Adds the signal described by the options to the event and records it; returns the optimal
// SNR per detector.
std::vector<double> add_injection(physics::EventData& event, const po::variables_map& values) {
  const std::string approximant_name = values["approximant"].as<std::string>();
  const waveform::Approximant approximant = waveform::parse_approximant(approximant_name);
  const waveform::BinaryParameters parameters = binary_parameters_from(values);
  const Polarizations h = polarizations_in_band(event, approximant, parameters);
  const physics::SignalPlacement placement = placement_from(values, event);
  const auto signal = physics::project_signal(event, h.plus, h.cross, placement);
  for (std::size_t k = 0; k < signal.size(); ++k) event.strain[k] += signal[k];
  event.injection = injection_record(event, approximant_name, parameters, placement, signal);
  return physics::optimal_snr(event, signal);
}

// Source options without --approximant are a likely mistake: say that no signal is added.
void warn_about_unused_source_options(const po::variables_map& values) {
  for (const char* name : {"m1", "m2", "s1z", "s2z", "iota", "ra", "dec", "psi", "geocent-time",
                           "phi-ref", "distance", "f-ref"}) {
    if (values.count(name) != 0U && !values[name].defaulted()) {
      log::warning("inject: --{} is given but --approximant is none: no signal is injected", name);
      return;
    }
  }
}

}  // namespace

int inject_command(const Arguments& arguments) {
  CommandLine command(
      "inject", "dotpe inject --out EVENT.h5 [options]",
      "Make an event: stationary Gaussian noise coloured by amplitude spectral densities\n"
      "(whitening filter 1/ASD in [fmin, fmax], 0 outside), reproducible by --seed, and\n"
      "optionally a signal of a built-in waveform model projected onto the detectors\n"
      "(antenna patterns and delays at GMST(tgps)), whose per-detector and network optimal SNR\n"
      "are reported and whose parameters are recorded in the file. Times are absolute GPS\n"
      "seconds; masses are detector-frame.");
  add_inject_options(command.options());
  const auto values = command.parse(arguments);
  if (!values) return 0;
  require(values->count("out") != 0U, "dotpe inject: --out EVENT.h5 is required");
  physics::EventData event = physics::make_noise_event(noise_settings_from(*values));
  if ((*values)["approximant"].as<std::string>() == "none") {
    warn_about_unused_source_options(*values);
  } else {
    const auto snr = add_injection(event, *values);
    double network = 0.0;
    for (std::size_t d = 0; d < snr.size(); ++d) {
      log::info("inject: optimal SNR in {}: {:.2f}", event.detector_names[d], snr[d]);
      network += snr[d] * snr[d];
    }
    log::info("inject: network optimal SNR {:.2f}", std::sqrt(network));
  }
  physics::write_event((*values)["out"].as<std::string>(), event);
  log::info("inject: wrote {} ({}, {} s, {}-{} Hz, noise seed {})",
            (*values)["out"].as<std::string>(), fmt::join(event.detector_names, ","),
            event.duration(), (*values)["fmin"].as<double>(), (*values)["fmax"].as<double>(),
            (*values)["seed"].as<long>());
  return 0;
}

}  // namespace dotpe::app
