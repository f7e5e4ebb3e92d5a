// One function per subcommand (src/app/cmd_*.cpp); internal to the app module.
#pragma once

#include <string>
#include <vector>

namespace dotpe::app {

using Arguments = std::vector<std::string>;

int run_command(const Arguments& arguments);
int bank_command(const Arguments& arguments);
int inject_command(const Arguments& arguments);
int find_reference_command(const Arguments& arguments);
int import_event_command(const Arguments& arguments);
int waveform_command(const Arguments& arguments);
int autotune_command(const Arguments& arguments);
int bench_command(const Arguments& arguments);
int info_command(const Arguments& arguments);
int version_command(const Arguments& arguments);

// Reports that a subcommand's options parse but its work is not implemented yet; returns 3.
int not_implemented(const std::string& name, const std::string& tracking);

}  // namespace dotpe::app
