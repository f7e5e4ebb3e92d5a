// Atomic file output and JSON files. An output either appears complete under its final name or
// not at all: it is written to "<name>.tmp", flushed to disk, then renamed.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string_view>

namespace dotpe::io {

// Calls `write(temporary_path)`, then fsyncs the temporary file and renames it to `path`. If
// `write` throws, the temporary file is removed and the exception propagates.
void write_atomically(const std::filesystem::path& path,
                      const std::function<void(const std::filesystem::path&)>& write);

void write_text_atomically(const std::filesystem::path& path, std::string_view text);

nlohmann::json read_json(const std::filesystem::path& path);
void write_json(const std::filesystem::path& path, const nlohmann::json& value);

}  // namespace dotpe::io
