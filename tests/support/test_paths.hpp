// Paths and helpers shared by dotpe's tests. CTest sets the environment (cmake/DotpeTesting.cmake).
#pragma once

#include <filesystem>
#include <string>

namespace dotpe::testing {

// Bundled data (data/ in the source tree): default ASDs, the example event.
std::filesystem::path data_dir();

// A fresh, empty directory for one test, under the build tree's test-work/.
std::filesystem::path fresh_work_dir(const std::string& test_name);

// Python interpreter of the oracle environment (build/venv), or python3 when it is absent.
std::string python();

// Runs a shell command; returns its exit status.
int run_command(const std::string& command);

}  // namespace dotpe::testing
