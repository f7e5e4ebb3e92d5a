// `dotpe import-event IN.npz OUT.h5`: the reference package's EventData .npz to event.h5.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "dotpe/app/options.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/physics/event_data.hpp"
#include "subcommands.hpp"

namespace dotpe::app {

int import_event_command(const Arguments& arguments) {
  CommandLine command("import-event", "dotpe import-event IN.npz OUT.h5",
                      "Convert an EventData .npz of dot-PE/cogwheel (keys eventname, frequencies,\n"
                      "strain, wht_filter, detector_names, tgps, tcoarse, injection) into "
                      "dotpe's event.h5.");
  command.options().add_options()("in", po::value<std::string>()->value_name("IN.npz"),
                                  "input EventData .npz")(
      "out", po::value<std::string>()->value_name("OUT.h5"), "output event file");
  command.add_positional("in");
  command.add_positional("out");
  const auto values = command.parse(arguments);
  if (!values) return 0;
  require(values->count("in") != 0U && values->count("out") != 0U,
          "dotpe import-event: give the input .npz and the output file, e.g. "
          "'dotpe import-event GW170104.npz gw170104.h5'");
  const physics::EventData event = physics::read_event_npz((*values)["in"].as<std::string>());
  physics::write_event((*values)["out"].as<std::string>(), event);
  log::info("import-event: wrote {} ({}, detectors {}, {} s at df = {} Hz)",
            (*values)["out"].as<std::string>(), event.name, fmt::join(event.detector_names, ","),
            event.duration(), event.df());
  return 0;
}

}  // namespace dotpe::app
