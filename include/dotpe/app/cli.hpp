// The `dotpe` command line: subcommands, their options, and exit codes.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace dotpe::app {

struct Subcommand {
  std::string name;
  std::string summary;
  // Receives the arguments after the subcommand name; returns the exit code.
  std::function<int(const std::vector<std::string>& arguments)> run;
};

// Every subcommand, in the order `dotpe --help` lists them.
const std::vector<Subcommand>& subcommands();

// Entry point of the program; returns the process exit code. Errors are reported here, once.
int main(int argc, char** argv);

}  // namespace dotpe::app
