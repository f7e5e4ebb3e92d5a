#include "dotpe/app/options.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"

namespace dotpe::app {

CommandLine::CommandLine(std::string name, std::string usage, std::string description)
    : name_(std::move(name)),
      usage_(std::move(usage)),
      description_(std::move(description)),
      options_("Options", 100, 50),
      common_("Common options", 100, 50) {
  common_.add_options()("help,h", "print this help and exit")(
      "verbose,v", "log more detail (debug level)")("quiet,q", "log warnings and errors only")(
      "config", po::value<std::string>()->value_name("FILE"),
      "read options from an INI file (name = value per line); the command line wins");
}

void CommandLine::add_positional(const std::string& name, int max_count) {
  positional_.add(name.c_str(), max_count);
}

std::string CommandLine::help_text() const {
  std::ostringstream text;
  text << "Usage: " << usage_ << "\n\n" << description_ << "\n\n" << options_ << "\n" << common_;
  return text.str();
}

std::optional<po::variables_map> CommandLine::parse(const std::vector<std::string>& arguments) {
  po::options_description all;
  all.add(options_).add(common_);
  po::variables_map values;
  try {
    po::store(po::command_line_parser(arguments).options(all).positional(positional_).run(),
              values);
    if (values.count("help") != 0U) {
      std::cout << help_text();
      return std::nullopt;
    }
    if (values.count("config") != 0U) {
      const std::string config_path = values["config"].as<std::string>();
      std::ifstream config(config_path);
      require(config.good(), "dotpe {}: cannot open --config file '{}'", name_, config_path);
      po::store(po::parse_config_file(config, options_), values);
    }
    po::notify(values);
  } catch (const po::error& error) {
    throw Error("dotpe {}: {}. See 'dotpe {} --help'.", name_, error.what(), name_);
  }
  if (values.count("verbose") != 0U) log::set_level(log::Level::debug);
  if (values.count("quiet") != 0U) log::set_level(log::Level::warning);
  return values;
}

}  // namespace dotpe::app
