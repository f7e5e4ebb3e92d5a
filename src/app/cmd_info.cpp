// `dotpe info FILE`: a description of an HDF5 file (groups, datasets, attributes) or an .npz.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>

#include "dotpe/app/options.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/io/hdf5.hpp"
#include "dotpe/io/npy.hpp"
#include "subcommands.hpp"

namespace dotpe::app {
namespace {

void describe_group(const io::h5::Group& group, const std::string& indent) {
  for (const auto& name : group.member_names()) {
    if (group.is_group(name)) {
      std::cout << indent << name << "/\n";
      describe_group(group.group(name), indent + "  ");
    } else {
      std::cout << fmt::format("{}{} {}\n", indent, name, group.dataset(name).shape());
    }
  }
}

void describe_npz(const std::string& path) {
  for (const auto& [key, array] : io::read_npz(path)) {
    std::cout << fmt::format("{:<16} {:<6} shape {}\n", key, array.descr, array.shape);
  }
}

}  // namespace

int info_command(const Arguments& arguments) {
  CommandLine command("info", "dotpe info FILE",
                      "Describe a file: an event, a bank, a run's results, or any HDF5/npz file.");
  command.options().add_options()("file", po::value<std::string>()->value_name("FILE"),
                                  "file to describe");
  command.add_positional("file");
  const auto values = command.parse(arguments);
  if (!values) return 0;
  require(values->count("file") != 0U, "dotpe info: name a file, e.g. 'dotpe info event.h5'");
  const std::string path = (*values)["file"].as<std::string>();
  if (path.ends_with(".npz")) {
    describe_npz(path);
    return 0;
  }
  const io::h5::File file(path, io::h5::Mode::read);
  std::cout << path << "\n";
  describe_group(file.root(), "  ");
  return 0;
}

}  // namespace dotpe::app
