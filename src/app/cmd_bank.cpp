// `dotpe bank`: generate a waveform bank, or import a dot-PE bank folder.
#include <fmt/format.h>

#include "dotpe/app/options.hpp"
#include "dotpe/bank/fbin.hpp"
#include "dotpe/bank/import.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/io/npy.hpp"
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
    ("approximant", po::value<std::string>()->default_value("IMRPhenomHM"),
     "waveform model: TaylorF2, IMRPhenomD or IMRPhenomHM")
    ("fbin", po::value<std::string>()->value_name("FILE.npy"),
     "frequency nodes (default: the reference's 378 nodes, 15-1600 Hz)")
    ("seed", po::value<long>()->default_value(0), "seed of the scrambled Halton sequence")
    ("blocksize", po::value<long>()->default_value(4096), "templates per block (unit of work and of I/O)")
    ("precision", po::value<std::string>()->default_value("single"),
     "waveform storage: single (complex64) or double (complex128)")
    ("resume", po::bool_switch(), "complete an interrupted generation of the same bank");
  // clang-format on
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
  (void)parse_precision((*values)["precision"].as<std::string>());
  return not_implemented("bank", "waveform generation needs the waveform models");
}

}  // namespace

int bank_command(const Arguments& arguments) {
  if (!arguments.empty() && arguments.front() == "import") {
    return import_bank(Arguments(arguments.begin() + 1, arguments.end()));
  }
  return generate_bank(arguments);
}

}  // namespace dotpe::app
