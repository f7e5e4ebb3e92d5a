// Not implemented yet: the options are settled, the work lands with a later issue.
#include "dotpe/app/options.hpp"
#include "subcommands.hpp"

namespace dotpe::app {

int bank_command(const Arguments& arguments) {
  CommandLine command("bank", "dotpe bank --out BANK.h5 [options]",
                      "Generate a waveform bank (intrinsic samples and their waveforms).");
  command.options().add_options()("out", po::value<std::string>()->value_name("FILE"),
                                  "output bank file");
  if (!command.parse(arguments)) return 0;
  return not_implemented("bank", "waveform banks");
}

}  // namespace dotpe::app
