// Logging to stderr with levels. Under MPI every line carries the rank ("[rank 3]"), so the
// interleaved output of many ranks stays readable; the hpc module sets the rank at start-up.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace dotpe::log {

enum class Level { debug, info, warning, error, off };

void set_level(Level level);
Level level();
// Parses "debug", "info", "warning", "error", "off"; throws dotpe::Error otherwise.
Level parse_level(std::string_view name);

// Prefix every line with the rank when the world has more than one rank.
void set_rank(int rank, int world_size);
// This process's rank as set above (0 without MPI).
int rank();

void write(Level level, std::string_view message);

template <typename... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
  if (level() <= Level::debug)
    write(Level::debug, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
  if (level() <= Level::info) write(Level::info, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
void warning(fmt::format_string<Args...> format, Args&&... args) {
  if (level() <= Level::warning) {
    write(Level::warning, fmt::format(format, std::forward<Args>(args)...));
  }
}
template <typename... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
  if (level() <= Level::error)
    write(Level::error, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace dotpe::log
