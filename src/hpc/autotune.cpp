#include "dotpe/hpc/autotune.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <set>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/io/files.hpp"

namespace dotpe::hpc {
namespace {

constexpr const char* kCacheFormat = "dotpe-hpc-config";
constexpr int kCacheFormatVersion = 1;

const char* outcome_name(Trial::Outcome outcome) {
  switch (outcome) {
    case Trial::Outcome::measured:
      return "measured";
    case Trial::Outcome::over_memory:
      return "over memory cap";
    case Trial::Outcome::skipped:
      return "skipped";
    case Trial::Outcome::failed:
      return "failed";
  }
  return "?";
}

// Strictly better: higher throughput; on a tie fewer workers (the same speed for less
// machine), then less memory. Candidate order breaks the remaining ties (the earlier stays).
bool better(const Trial& a, const Trial& b) {
  if (a.measurement.throughput != b.measurement.throughput) {
    return a.measurement.throughput > b.measurement.throughput;
  }
  if (a.config.n_procs != b.config.n_procs) return a.config.n_procs < b.config.n_procs;
  return a.measurement.peak_memory_gb_per_worker < b.measurement.peak_memory_gb_per_worker;
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

nlohmann::json trial_json(const Trial& trial) {
  nlohmann::json details = nlohmann::json::object();
  for (const auto& [name, value] : trial.measurement.details) details[name] = value;
  nlohmann::json json = {{"config", trial.config.to_json()},
                         {"outcome", outcome_name(trial.outcome)},
                         {"throughput", trial.measurement.throughput},
                         {"peak_memory_gb_per_worker", trial.measurement.peak_memory_gb_per_worker},
                         {"details", details}};
  if (trial.measurement.skipped) json["note"] = *trial.measurement.skipped;
  return json;
}

}  // namespace

std::vector<HPCConfig> AutotuneCandidates::configs() const {
  require(!n_procs.empty() && !i_batch.empty() && !batches_per_task.empty(),
          "autotune: every candidate list (--n-procs, --i-batch, --batches-per-task) needs at "
          "least one value");
  std::vector<HPCConfig> all;
  for (const int workers : n_procs) {
    for (const std::int64_t batch : i_batch) {
      for (const std::int64_t per_task : batches_per_task) {
        HPCConfig config{workers, batch, per_task};
        config.validate();
        all.push_back(config);
      }
    }
  }
  return all;
}

AutotuneCandidates AutotuneCandidates::defaults(int cores) {
  std::set<int> workers;
  for (const int n : {cores / 2, cores - 1, cores}) {
    if (n >= 1) workers.insert(n);
  }
  if (workers.empty()) workers.insert(1);
  return {{workers.begin(), workers.end()}, {256, 512, 1024}, {1, 2, 4}};
}

AutotuneResult autotune(const Workload& workload, const AutotuneCandidates& candidates,
                        std::optional<double> max_memory_gb_per_worker) {
  require(!max_memory_gb_per_worker || *max_memory_gb_per_worker > 0.0,
          "--max-memory-per-worker must be a positive number of GB, got {}",
          max_memory_gb_per_worker.value_or(0.0));
  AutotuneResult result;
  result.max_memory_gb_per_worker = max_memory_gb_per_worker;
  for (const HPCConfig& config : candidates.configs()) {
    Trial trial{config, {}, Trial::Outcome::measured};
    try {
      trial.measurement = workload(config);
    } catch (const FarmAborted&) {
      throw;  // a task failed: the job cannot go on measuring
    } catch (const Error& error) {
      trial.outcome = Trial::Outcome::failed;
      trial.measurement.skipped = error.what();
    }
    if (trial.outcome == Trial::Outcome::measured) {
      if (trial.measurement.skipped) {
        trial.outcome = Trial::Outcome::skipped;
      } else if (max_memory_gb_per_worker &&
                 trial.measurement.peak_memory_gb_per_worker > *max_memory_gb_per_worker) {
        trial.outcome = Trial::Outcome::over_memory;
      }
    }
    result.trials.push_back(std::move(trial));
  }
  for (std::size_t t = 0; t < result.trials.size(); ++t) {
    if (result.trials[t].outcome != Trial::Outcome::measured) continue;
    if (!result.chosen || better(result.trials[t], result.trials[*result.chosen])) {
      result.chosen = t;
    }
  }
  return result;
}

HPCConfig autotune_hpc_config(const Workload& workload, const AutotuneCandidates& candidates,
                              std::optional<double> max_memory_gb_per_worker) {
  return autotune(workload, candidates, max_memory_gb_per_worker).best();
}

const HPCConfig& AutotuneResult::best() const {
  if (chosen) return trials[*chosen].config;
  const auto count = [&](Trial::Outcome outcome) {
    return std::count_if(trials.begin(), trials.end(),
                         [&](const Trial& trial) { return trial.outcome == outcome; });
  };
  throw Error(
      "autotune: no candidate configuration qualifies ({} over the memory cap of {} GB per "
      "worker, {} skipped, {} failed of {}): raise --max-memory-per-worker, give smaller "
      "--i-batch values, or start the job with enough ranks for the --n-procs candidates",
      count(Trial::Outcome::over_memory),
      max_memory_gb_per_worker ? fmt::format("{:g}", *max_memory_gb_per_worker) : "(none)",
      count(Trial::Outcome::skipped), count(Trial::Outcome::failed), trials.size());
}

std::string AutotuneResult::table() const {
  std::vector<std::string> columns;
  for (const Trial& trial : trials) {
    if (trial.outcome == Trial::Outcome::skipped || trial.outcome == Trial::Outcome::failed) {
      continue;
    }
    for (const auto& detail : trial.measurement.details) columns.push_back(detail.first);
    break;
  }
  std::string text = fmt::format("  {:>7} {:>7} {:>9} {:>12} {:>9}", "n_procs", "i_batch",
                                 "per_task", "throughput", "RSS GB");
  for (const auto& column : columns) text += fmt::format(" {:>14}", column);
  text += "  outcome\n";
  for (std::size_t t = 0; t < trials.size(); ++t) {
    const Trial& trial = trials[t];
    const bool measured =
        trial.outcome == Trial::Outcome::measured || trial.outcome == Trial::Outcome::over_memory;
    text += fmt::format("{} {:>7} {:>7} {:>9}", chosen == t ? '*' : ' ', trial.config.n_procs,
                        trial.config.i_batch, trial.config.batches_per_task);
    if (measured) {
      text += fmt::format(" {:>12.4g} {:>9.3f}", trial.measurement.throughput,
                          trial.measurement.peak_memory_gb_per_worker);
      for (const auto& column : columns) {
        const auto found =
            std::find_if(trial.measurement.details.begin(), trial.measurement.details.end(),
                         [&](const auto& detail) { return detail.first == column; });
        text += found != trial.measurement.details.end() ? fmt::format(" {:>14.4g}", found->second)
                                                         : fmt::format(" {:>14}", "-");
      }
    } else {
      text += fmt::format(" {:>12} {:>9}", "-", "-");
      for (std::size_t c = 0; c < columns.size(); ++c) text += fmt::format(" {:>14}", "-");
    }
    text +=
        fmt::format("  {}{}{}\n", outcome_name(trial.outcome),
                    trial.measurement.skipped ? ": " : "", trial.measurement.skipped.value_or(""));
  }
  return text;
}

nlohmann::json AutotuneResult::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const Trial& trial : trials) list.push_back(trial_json(trial));
  nlohmann::json json = {{"trials", list}};
  json["chosen"] = chosen ? nlohmann::json(trials[*chosen].config.to_json()) : nlohmann::json();
  json["max_memory_gb_per_worker"] =
      max_memory_gb_per_worker ? nlohmann::json(*max_memory_gb_per_worker) : nlohmann::json();
  return json;
}

std::filesystem::path cache_directory() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg != '\0') return std::filesystem::path(xdg) / "dotpe";
  const char* home = std::getenv("HOME");
  require(home != nullptr && *home != '\0',
          "the HPC configuration cache needs $XDG_CACHE_HOME or $HOME; set one of them");
  return std::filesystem::path(home) / ".cache" / "dotpe";
}

std::filesystem::path cached_config_path(const HardwareSignature& signature) {
  return cache_directory() / fmt::format("hpc_config_{}.json", signature.key());
}

std::optional<CachedConfig> load_cached_config(const HardwareSignature& signature) {
  const std::filesystem::path path = cached_config_path(signature);
  if (!std::filesystem::exists(path)) return std::nullopt;
  try {
    nlohmann::json record = io::read_json(path);
    require(record.value("format", "") == kCacheFormat &&
                record.value("format_version", 0) == kCacheFormatVersion,
            "not a dotpe HPC configuration (format {} version {})", kCacheFormat,
            kCacheFormatVersion);
    // A file copied from another machine under this name must not be trusted.
    require(HardwareSignature::from_json(record.at("signature")).key() == signature.key(),
            "its hardware signature is not this machine's");
    const HPCConfig config = HPCConfig::from_json(record.at("hpc_config"));
    return CachedConfig{config, path, std::move(record)};
  } catch (const std::exception& error) {
    log::warning(
        "ignoring the cached HPC configuration {}: {}; run 'dotpe autotune' to measure it again "
        "(or 'dotpe autotune --clear' to remove it)",
        path.string(), error.what());
    return std::nullopt;
  }
}

std::filesystem::path store_cached_config(const HardwareSignature& signature,
                                          const HPCConfig& config, const nlohmann::json& context) {
  config.validate();
  const std::filesystem::path path = cached_config_path(signature);
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  require(!error,
          "cannot create the cache directory {}: {} (set XDG_CACHE_HOME to a writable place)",
          path.parent_path().string(), error.message());
  const nlohmann::json record = {{"format", kCacheFormat}, {"format_version", kCacheFormatVersion},
                                 {"key", signature.key()}, {"signature", signature.to_json()},
                                 {"created", utc_now()},   {"hpc_config", config.to_json()},
                                 {"autotune", context}};
  io::write_json(path, record);
  return path;
}

bool clear_cached_config(const HardwareSignature& signature) {
  const std::filesystem::path path = cached_config_path(signature);
  std::error_code error;
  const bool removed = std::filesystem::remove(path, error);
  require(!error, "cannot remove the cached HPC configuration {}: {}", path.string(),
          error.message());
  return removed;
}

}  // namespace dotpe::hpc
