// Shared helpers of the libFuzzer targets (outside the main build: see fuzz/build_and_run.sh).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "dotpe/core/log.hpp"

namespace dotpe::fuzz {

// Quiet logging once: readers may warn about odd but acceptable inputs.
inline void quiet() {
  static const bool done = [] {
    log::set_level(log::Level::off);
    return true;
  }();
  (void)done;
}

// A file of this process holding the fuzzer's input, named with `extension` (readers dispatch
// on it); removed when it goes out of scope.
class TemporaryInput {
 public:
  TemporaryInput(const std::uint8_t* data, std::size_t size, const std::string& extension) {
    const char* directory = std::getenv("TMPDIR");
    path_ = std::filesystem::path(directory != nullptr ? directory : "/tmp") /
            ("dotpe_fuzz_" + std::to_string(::getpid()) + extension);
    std::FILE* file = std::fopen(path_.c_str(), "wb");
    if (file == nullptr) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
    std::fclose(file);
  }
  TemporaryInput(const TemporaryInput&) = delete;
  TemporaryInput& operator=(const TemporaryInput&) = delete;
  ~TemporaryInput() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace dotpe::fuzz
