// Shared reply of subcommands whose work lands with later issues.
#include "dotpe/app/options.hpp"
#include "dotpe/core/log.hpp"
#include "subcommands.hpp"

namespace dotpe::app {

int not_implemented(const std::string& name, const std::string& tracking) {
  log::error("dotpe {}: not implemented yet in this version ({}).", name, tracking);
  return 3;
}

}  // namespace dotpe::app
