// Not implemented yet: the options are settled, the work lands with a later issue.
#include "dotpe/app/options.hpp"
#include "subcommands.hpp"

namespace dotpe::app {

int autotune_command(const Arguments& arguments) {
  CommandLine command("autotune", "dotpe autotune [options]",
                      "Benchmark candidate HPC configurations and cache the best one.");
  if (!command.parse(arguments)) return 0;
  return not_implemented("autotune", "autotuning");
}

}  // namespace dotpe::app
