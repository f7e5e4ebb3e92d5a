// Not implemented yet: the options are settled, the work lands with a later issue.
#include "dotpe/app/options.hpp"
#include "subcommands.hpp"

namespace dotpe::app {

int import_event_command(const Arguments& arguments) {
  CommandLine command("import-event", "dotpe import-event IN.npz OUT.h5",
                      "Convert an EventData .npz of dot-PE/cogwheel into dotpe's event.h5.");
  command.options().add_options()("in", po::value<std::string>()->value_name("IN.npz"),
                                  "input EventData .npz")(
      "out", po::value<std::string>()->value_name("OUT.h5"), "output event file");
  command.add_positional("in");
  command.add_positional("out");
  if (!command.parse(arguments)) return 0;
  return not_implemented("import-event", "physics core: event data");
}

}  // namespace dotpe::app
