// Not implemented yet: the options are settled, the work lands with a later issue.
#include "dotpe/app/options.hpp"
#include "subcommands.hpp"

namespace dotpe::app {

int bench_command(const Arguments& arguments) {
  CommandLine command("bench", "dotpe bench kernel|single-detector [options]",
                      "Time a likelihood kernel on synthetic inputs on one core; prints JSON.");
  if (!command.parse(arguments)) return 0;
  return not_implemented("bench", "likelihood kernels");
}

}  // namespace dotpe::app
