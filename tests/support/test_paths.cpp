#include "test_paths.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace dotpe::testing {
namespace {

// The variables CTest would set (cmake/DotpeTesting.cmake), one NAME=VALUE per line; applied at
// start-up without overriding what the caller's environment already says.
constexpr const char* kTestEnvironment =
#include "dotpe_test_environment.inc"
    ;

const bool g_environment_applied = [] {
  std::string_view remaining = kTestEnvironment;
  while (!remaining.empty()) {
    const std::size_t end = std::min(remaining.find('\n'), remaining.size());
    const std::string_view line = remaining.substr(0, end);
    const std::size_t equals = line.find('=');
    if (equals != std::string_view::npos) {
      const std::string name(line.substr(0, equals));
      const std::string value(line.substr(equals + 1));
      setenv(name.c_str(), value.c_str(), 0);
    }
    remaining.remove_prefix(std::min(end + 1, remaining.size()));
  }
  return true;
}();

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

}  // namespace

std::filesystem::path data_dir() {
  return env_or("DOTPE_DATA_DIR", "data");
}

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
