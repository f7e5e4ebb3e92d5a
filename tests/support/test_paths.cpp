#include "test_paths.hpp"

#include <cstdlib>
#include <stdexcept>

namespace dotpe::testing {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

}  // namespace

std::filesystem::path data_dir() { return env_or("DOTPE_DATA_DIR", "data"); }

std::filesystem::path fresh_work_dir(const std::string& test_name) {
  const std::filesystem::path root = env_or("DOTPE_TEST_WORK_DIR", "test-work");
  const auto dir = root / test_name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string python() {
  const std::string venv = env_or("DOTPE_PYTHON", "");
  if (!venv.empty() && std::filesystem::exists(venv)) return venv;
  return "python3";
}

int run_command(const std::string& command) {
  const int status = std::system(command.c_str());
  if (status == -1) throw std::runtime_error("could not run: " + command);
  return WEXITSTATUS(status);
}

}  // namespace dotpe::testing
