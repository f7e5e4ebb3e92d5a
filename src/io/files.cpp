#include "dotpe/io/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "dotpe/core/error.hpp"

namespace dotpe::io {
namespace {

void fsync_path(const std::filesystem::path& path) {
  const int descriptor = ::open(path.c_str(), O_RDONLY);
  if (descriptor < 0) return;
  ::fsync(descriptor);
  ::close(descriptor);
}

}  // namespace

void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path&)>& write) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  try {
    write(temporary);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  fsync_path(temporary);
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    throw Error("cannot create '{}': {}", path.string(), error.message());
  }
  // Make the rename itself durable.
  fsync_path(path.has_parent_path() ? path.parent_path() : std::filesystem::path("."));
}

void write_text_atomically(const std::filesystem::path& path, std::string_view text) {
  write_atomically(path, [&](const std::filesystem::path& temporary) {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    require(file.good(), "cannot write '{}': {}", temporary.string(), std::strerror(errno));
    file.write(text.data(), static_cast<std::streamsize>(text.size()));
    file.close();
    require(!file.fail(), "error while writing '{}' (disk full?)", temporary.string());
  });
}

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream file(path);
  require(file.good(), "cannot open JSON file '{}'", path.string());
  try {
    return nlohmann::json::parse(file);
  } catch (const nlohmann::json::parse_error& error) {
    throw Error("'{}' is not valid JSON: {}", path.string(), error.what());
  }
}

void write_json(const std::filesystem::path& path, const nlohmann::json& value) {
  write_text_atomically(path, value.dump(2) + "\n");
}

}  // namespace dotpe::io
