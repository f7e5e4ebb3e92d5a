#include "dotpe/core/version.hpp"

#include <cstdlib>

namespace dotpe {

std::string version() {
  return DOTPE_VERSION_STRING;
}

std::filesystem::path data_dir() {
  const char* from_environment = std::getenv("DOTPE_DATA_DIR");
  if (from_environment != nullptr && *from_environment != '\0') return from_environment;
  return DOTPE_DEFAULT_DATA_DIR;
}

}  // namespace dotpe
