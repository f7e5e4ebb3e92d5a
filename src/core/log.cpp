#include "dotpe/core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>

#include "dotpe/core/error.hpp"

namespace dotpe::log {
namespace {

std::atomic<Level> g_level{Level::info};
std::atomic<int> g_rank{0};

spdlog::logger& logger() {
  // stderr_sink_mt writes each line with one call, so lines of different ranks do not interleave
  // within a line.
  static const std::shared_ptr<spdlog::logger> instance = [] {
    auto created = std::make_shared<spdlog::logger>(
        "dotpe", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    created->set_pattern("[%H:%M:%S] %^%l%$: %v");
    created->set_level(spdlog::level::trace);
    created->flush_on(spdlog::level::trace);
    return created;
  }();
  return *instance;
}

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warning:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
    case Level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

void set_level(Level level) {
  g_level = level;
}

Level level() {
  return g_level;
}

Level parse_level(std::string_view name) {
  if (name == "debug") return Level::debug;
  if (name == "info") return Level::info;
  if (name == "warning") return Level::warning;
  if (name == "error") return Level::error;
  if (name == "off") return Level::off;
  throw Error("unknown log level '{}': use debug, info, warning, error or off", name);
}

int rank() {
  return g_rank;
}

void set_rank(int rank, int world_size) {
  g_rank = rank;
  if (world_size > 1) {
    logger().set_pattern(fmt::format("[%H:%M:%S] [rank {}] %^%l%$: %v", rank));
  } else {
    logger().set_pattern("[%H:%M:%S] %^%l%$: %v");
  }
}

void write(Level level, std::string_view message) {
  logger().log(to_spdlog(level), "{}", message);
}

}  // namespace dotpe::log
