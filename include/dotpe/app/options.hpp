// Option parsing shared by the subcommands (Boost.Program_options). Every subcommand accepts
// --help, --verbose, --quiet and --config FILE (an INI file of the same options; the command
// line wins over the file).
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dotpe::app {

namespace po = boost::program_options;

class CommandLine {
 public:
  // `usage` is the synopsis line, e.g. "dotpe import-event IN.npz OUT.h5 [options]".
  CommandLine(std::string name, std::string usage, std::string description);

  po::options_description& options() { return options_; }
  // Declares a positional argument (in order); it is also a named option of the same name.
  void add_positional(const std::string& name, int max_count = 1);

  // Parses; returns nullopt when --help was given (help already printed to stdout).
  // Throws dotpe::Error with a message naming the offending option.
  std::optional<po::variables_map> parse(const std::vector<std::string>& arguments);

  std::string help_text() const;

 private:
  std::string name_;
  std::string usage_;
  std::string description_;
  po::options_description options_;
  po::options_description common_;
  po::positional_options_description positional_;
};

}  // namespace dotpe::app

namespace dotpe::hpc {
struct HPCConfig;
}

namespace dotpe::app {

// --n-procs, --i-batch, --batches-per-task and --profile, shared by the parallel subcommands.
void add_hpc_options(po::options_description& options);
// The HPC configuration from those options (defaults where absent), validated.
hpc::HPCConfig hpc_config_from(const po::variables_map& values);

}  // namespace dotpe::app
