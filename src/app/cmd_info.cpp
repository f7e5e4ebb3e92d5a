// `dotpe info FILE`: what an event, a bank, or any HDF5/npz file holds.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>
#include <iostream>

#include "dotpe/app/options.hpp"
#include "dotpe/bank/bank_file.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/io/hdf5.hpp"
#include "dotpe/io/npy.hpp"
#include "dotpe/physics/event_data.hpp"
#include "subcommands.hpp"

namespace dotpe::app {
namespace {

void describe_group(const io::h5::Group& group, const std::string& indent) {
  for (const auto& name : group.member_names()) {
    if (group.is_group(name)) {
      std::cout << indent << name << "/\n";
      describe_group(group.group(name), indent + "  ");
    } else {
      std::cout << fmt::format("{}{} {}\n", indent, name, group.dataset(name).shape());
    }
  }
}

// The injection record of an event (dotpe inject or the reference's inject_signal): model,
// parameters and, from the recorded (h|h), the optimal SNR.
void describe_injection(const nlohmann::json& injection,
                        const std::vector<std::string>& detector_names) {
  if (!injection.is_object()) {
    std::cout << "injection  " << injection.dump() << "\n";
    return;
  }
  std::cout << "injection  " << injection.value("approximant", std::string("?")) << " "
            << (injection.contains("par_dic") ? injection["par_dic"].dump() : "") << "\n";
  const auto h_h = injection.find("h_h");
  if (h_h == injection.end() || !h_h->is_array() || h_h->size() != detector_names.size()) return;
  std::vector<std::string> parts;
  double network = 0.0;
  for (std::size_t d = 0; d < detector_names.size(); ++d) {
    const double power = (*h_h)[d].is_number() ? (*h_h)[d].get<double>() : 0.0;
    parts.push_back(fmt::format("{} {:.2f}", detector_names[d], std::sqrt(power)));
    network += power;
  }
  std::cout << fmt::format("optimal SNR {}, network {:.2f}\n", fmt::join(parts, ", "),
                           std::sqrt(network));
}

void describe_event(const std::filesystem::path& path) {
  const physics::EventData event = physics::read_event(path);
  const auto [first, end] = event.band();
  std::cout << fmt::format("event      {}\n", event.name)
            << fmt::format("detectors  {}\n", fmt::join(event.detector_names, ", "))
            << fmt::format("tgps       {:.3f} (GPS s)\n", event.tgps)
            << fmt::format("duration   {} s, df = {} Hz, tcoarse = {} s\n", event.duration(),
                           event.df(), event.tcoarse)
            << fmt::format("band       {:.3f} - {:.3f} Hz\n", event.frequencies[first],
                           event.frequencies[end - 1]);
  const auto rms = event.whitened_rms();
  for (std::size_t d = 0; d < event.n_detectors(); ++d) {
    std::cout << fmt::format("whitened strain RMS in band, {}: {:.3f}\n", event.detector_names[d],
                             rms[d]);
  }
  if (event.injection) describe_injection(*event.injection, event.detector_names);
}

void describe_bank(const std::filesystem::path& path) {
  const bank::BankFile bank = bank::BankFile::open(path);
  const bank::BankConfig& config = bank.config();
  std::vector<std::string> modes;
  for (const auto& [l, m] : config.harmonic_modes) modes.push_back(fmt::format("({},{})", l, m));
  const auto completed = bank.completed_blocks();
  std::cout << fmt::format("bank         {}\n", path.string())
            << fmt::format("approximant  {}\n", config.approximant)
            << fmt::format("templates    {} in {} blocks of {} ({} complete)\n", config.bank_size,
                           config.n_blocks(), config.blocksize,
                           std::count(completed.begin(), completed.end(), true))
            << fmt::format("chirp mass   {} - {} Msun (detector frame)\n",
                           config.mass_range.mchirp_min, config.mass_range.mchirp_max)
            << fmt::format("mass ratio   {} - {}\n", config.mass_range.q_min,
                           config.mass_range.q_max)
            << fmt::format("modes        {} -> m_arr {}\n", fmt::join(modes, " "),
                           fmt::join(config.m_arr, ","))
            << fmt::format("fbin         {} nodes, {} - {} Hz\n", config.fbin.size(),
                           config.fbin.front(), config.fbin.back())
            << fmt::format("f_ref        {} Hz, seed {}\n", config.f_ref, config.seed)
            << fmt::format("storage      {} precision, {:.1f} MB on disk\n",
                           config.precision == bank::WaveformPrecision::single_precision ? "single"
                                                                                         : "double",
                           static_cast<double>(std::filesystem::file_size(path)) / 1e6);
}

std::string file_format(const std::filesystem::path& path) {
  const io::h5::File file(path, io::h5::Mode::read);
  return file.root().has_attribute("format") ? file.root().attribute_string("format") : "";
}

}  // namespace

int info_command(const Arguments& arguments) {
  CommandLine command("info", "dotpe info FILE",
                      "Describe a file: an event (event.h5 or EventData .npz), a bank, or any "
                      "HDF5/npz file.");
  command.options().add_options()("file", po::value<std::string>()->value_name("FILE"),
                                  "file to describe");
  command.add_positional("file");
  const auto values = command.parse(arguments);
  if (!values) return 0;
  require(values->count("file") != 0U, "dotpe info: name a file, e.g. 'dotpe info event.h5'");
  const std::filesystem::path path = (*values)["file"].as<std::string>();
  if (path.extension() == ".npz") {
    const auto members = io::read_npz(path);
    if (members.contains("strain") &&
        (members.contains("wht_filter") || members.contains("fd_filter"))) {
      describe_event(path);
      return 0;
    }
    for (const auto& [key, array] : members) {
      std::cout << fmt::format("{:<16} {:<6} shape {}\n", key, array.descr, array.shape);
    }
    return 0;
  }
  const std::string format = file_format(path);
  if (format == "dotpe-event") {
    describe_event(path);
  } else if (format == "dotpe-bank") {
    describe_bank(path);
  } else {
    const io::h5::File file(path, io::h5::Mode::read);
    std::cout << path.string() << "\n";
    describe_group(file.root(), "  ");
  }
  return 0;
}

}  // namespace dotpe::app
