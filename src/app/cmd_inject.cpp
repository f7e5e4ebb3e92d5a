// Not implemented yet: the options are settled, the work lands with a later issue.
#include "dotpe/app/options.hpp"
#include "subcommands.hpp"

namespace dotpe::app {

int inject_command(const Arguments& arguments) {
  CommandLine command("inject", "dotpe inject --out EVENT.h5 [options]",
                      "Make an event: Gaussian noise coloured by ASDs plus an injected signal.");
  command.options().add_options()("out", po::value<std::string>()->value_name("FILE"),
                                  "output event file");
  if (!command.parse(arguments)) return 0;
  return not_implemented("inject", "physics core: noise and injections");
}

}  // namespace dotpe::app
