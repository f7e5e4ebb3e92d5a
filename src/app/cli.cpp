#include "dotpe/app/cli.hpp"

#include <chrono>
#include <iostream>
#include <thread>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/version.hpp"
#include "dotpe/hpc/task_farm.hpp"
#include "subcommands.hpp"

namespace dotpe::app {
namespace {

void print_overview(std::ostream& out) {
  out << "dotpe " << version()
      << " - gravitational-wave parameter estimation with the dot-PE method\n\n"
         "Usage: dotpe <command> [options]     (dotpe <command> --help for its options)\n\n"
         "Commands:\n";
  for (const auto& command : subcommands()) {
    out << "  " << command.name
        << std::string(14 - std::min<std::size_t>(13, command.name.size()), ' ') << command.summary
        << "\n";
  }
  out << "\nParallel runs: mpirun -n <workers + 1> dotpe run ...  (rank 0 coordinates)\n";
}

// mpirun ends the whole job as soon as one rank exits with an error; the other ranks wait a
// moment so that rank 0 has printed the message before that happens.
int failure_exit_code() {
  if (log::rank() != 0) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return 1;
}

}  // namespace

const std::vector<Subcommand>& subcommands() {
  static const std::vector<Subcommand> list = {
      {"run", "run the inference on an event with one or more banks", run_command},
      {"bank", "generate a waveform bank", bank_command},
      {"inject", "make an event: coloured Gaussian noise plus an injected signal", inject_command},
      {"find-reference", "find a reference waveform par0 for an event (no injection needed)",
       find_reference_command},
      {"import-event", "convert a dot-PE/cogwheel EventData .npz into an event.h5",
       import_event_command},
      {"waveform", "evaluate a waveform model and write it to HDF5 or CSV", waveform_command},
      {"autotune", "measure and cache the best HPC configuration for this machine",
       autotune_command},
      {"bench", "benchmark the likelihood kernels on synthetic inputs (prints JSON)",
       bench_command},
      {"info", "describe an event, bank, run directory or HDF5/npz file", info_command},
      {"version", "print the version and the libraries dotpe was built with", version_command},
  };
  return list;
}

int main(int argc, char** argv) {
  const std::vector<std::string> all_arguments(argv + 1, argv + argc);
  if (all_arguments.empty() || all_arguments.front() == "--help" || all_arguments.front() == "-h" ||
      all_arguments.front() == "help") {
    print_overview(std::cout);
    return all_arguments.empty() ? 2 : 0;
  }
  if (all_arguments.front() == "--version") return version_command({});

  const std::string& name = all_arguments.front();
  const std::vector<std::string> arguments(all_arguments.begin() + 1, all_arguments.end());
  for (const auto& command : subcommands()) {
    if (command.name != name) continue;
    try {
      return command.run(arguments);
    } catch (const hpc::FarmAborted& aborted) {
      // Rank 0 reports a failed task once; the other ranks leave quietly with the same code.
      if (aborted.on_coordinator()) log::error("{}", aborted.what());
      return failure_exit_code();
    } catch (const Error& error) {
      // Under MPI every rank sees the same bad input: rank 0 reports it, once.
      if (log::rank() == 0) log::error("{}", error.what());
      return failure_exit_code();
    } catch (const std::exception& error) {
      log::error("dotpe {}: unexpected error: {}", name, error.what());
      return 1;
    }
  }
  std::cerr << "dotpe: unknown command '" << name << "'. Run 'dotpe --help' for the list.\n";
  return 2;
}

}  // namespace dotpe::app
