// Not implemented yet: the options are settled, the work lands with a later issue.
#include "dotpe/app/options.hpp"
#include "subcommands.hpp"

namespace dotpe::app {

int waveform_command(const Arguments& arguments) {
  CommandLine command("waveform", "dotpe waveform --approximant NAME [options] --out FILE",
                      "Evaluate a waveform model per harmonic group m.");
  command.options().add_options()("approximant", po::value<std::string>(),
                                  "TaylorF2, IMRPhenomD or IMRPhenomHM")(
      "out", po::value<std::string>()->value_name("FILE"), "output file (.h5 or .csv)");
  if (!command.parse(arguments)) return 0;
  return not_implemented("waveform", "waveform models");
}

}  // namespace dotpe::app
