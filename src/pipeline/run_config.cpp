#include "dotpe/pipeline/run_config.hpp"

#include <regex>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"

namespace dotpe::pipeline {
namespace {

template <typename T>
nlohmann::json optional_json(const std::optional<T>& value) {
  if (!value) return nullptr;
  if constexpr (std::is_same_v<T, std::filesystem::path>) {
    return value->string();
  } else {
    return *value;
  }
}

void require_positive(std::int64_t value, const char* option) {
  require(value > 0, "--{} must be a positive integer, got {}", option, value);
}

}  // namespace

void RunConfig::validate() const {
  require(!event.empty(), "no event: give --event EVENT.h5 (or an EventData .npz)");
  require(!banks.empty(),
          "no bank: give --bank BANK.h5 (repeat it, or separate with commas, for "
          "several banks)");
  require(n_ext > 0, "--n-ext (number of extrinsic samples) is required and must be positive");
  require(n_phi > 0, "--n-phi (size of the orbital-phase grid) is required and must be positive");
  require(n_t > 0, "--n-t (size of the stage-2 time grid) is required and must be positive");
  require_positive(blocksize, "blocksize");
  require_positive(single_detector_blocksize, "single-detector-blocksize");
  require_positive(size_limit, "size-limit");
  require(i_int_start >= 0, "--i-int-start must be >= 0, got {}", i_int_start);
  if (n_draws) require_positive(*n_draws, "n-draws");
  if (n_phi_incoherent) require_positive(*n_phi_incoherent, "n-phi-incoherent");
  require(n_int.size() <= 1 || n_int.size() == banks.size(),
          "--n-int has {} values but there are {} banks: give one value for all banks or one per "
          "bank",
          n_int.size(), banks.size());
  for (const std::int64_t value : n_int) require_positive(value, "n-int");
  require(max_incoherent_lnlike_drop >= 0.0, "--max-incoherent-lnlike-drop must be >= 0");
  require(max_bestfit_lnlike_diff >= 0.0, "--max-bestfit-lnlike-diff must be >= 0");
  require(rundir.has_value() || event_dir.has_value(),
          "no output directory: give --rundir DIR, or --event-dir DIR to create DIR/run_K");
  require(!load_inds || inds_path.has_value(),
          "--load-inds needs --inds-path FILE (the indices of a previous stage 3)");
  if (mchirp_guess) require(*mchirp_guess > 0.0, "--mchirp-guess must be positive");
  // Far beyond any sensible run: almost surely a typo (and each would exhaust memory).
  const auto require_at_most = [](std::int64_t value, std::int64_t limit, const char* name) {
    require(value <= limit, "--{} = {} is absurdly large (at most {}): check the value", name,
            value, limit);
  };
  require_at_most(n_ext, 100'000'000, "n-ext");
  require_at_most(n_phi, 100'000, "n-phi");
  require_at_most(n_t, 1'000'000, "n-t");
  require_at_most(blocksize, 1'000'000, "blocksize");
  require_at_most(single_detector_blocksize, 10'000'000, "single-detector-blocksize");
  if (max_memory_per_worker_gb) {
    require(*max_memory_per_worker_gb > 0.0, "--max-memory-per-worker must be positive (GB)");
  }
  require(!(resume && overwrite), "--resume and --overwrite exclude each other: choose one");
  require(!resume || rundir.has_value(), "--resume needs the run directory (--resume DIR)");
}

nlohmann::json RunConfig::result_options() const {
  nlohmann::json options = to_json();
  // The memory budget acts through blocksize and single_detector_blocksize, which are recorded.
  for (const char* key :
       {"event_dir", "rundir", "profile", "resume", "overwrite", "max_memory_per_worker_gb"}) {
    options.erase(key);
  }
  return options;
}

std::optional<std::int64_t> RunConfig::n_int_of_bank(std::size_t bank) const {
  if (n_int.empty()) return std::nullopt;
  return n_int.size() == 1 ? n_int.front() : n_int.at(bank);
}

nlohmann::json RunConfig::to_json() const {
  std::vector<std::string> bank_names;
  for (const auto& bank : banks) bank_names.push_back(bank.string());
  return {{"event", event.string()},
          {"bank_folder", bank_names},
          {"n_ext", n_ext},
          {"n_phi", n_phi},
          {"n_t", n_t},
          {"n_int", n_int.empty() ? nlohmann::json(nullptr) : nlohmann::json(n_int)},
          {"blocksize", blocksize},
          {"single_detector_blocksize", single_detector_blocksize},
          {"i_int_start", i_int_start},
          {"seed", optional_json(seed)},
          {"load_inds", load_inds},
          {"inds_path", optional_json(inds_path)},
          {"size_limit", size_limit},
          {"draw_subset", draw_subset},
          {"n_draws", optional_json(n_draws)},
          {"event_dir", optional_json(event_dir)},
          {"rundir", optional_json(rundir)},
          {"max_incoherent_lnlike_drop", max_incoherent_lnlike_drop},
          {"max_bestfit_lnlike_diff", max_bestfit_lnlike_diff},
          {"mchirp_guess", optional_json(mchirp_guess)},
          {"extrinsic_samples", optional_json(extrinsic_samples)},
          {"n_phi_incoherent", optional_json(n_phi_incoherent)},
          {"preselected_indices", optional_json(preselected_indices)},
          {"bank_logw_override", optional_json(bank_logw_override)},
          {"reference", optional_json(reference)},
          {"profile", profile},
          {"max_memory_per_worker_gb", optional_json(max_memory_per_worker_gb)},
          {"resume", resume},
          {"overwrite", overwrite}};
}

std::filesystem::path resolve_run_directory(const RunConfig& config) {
  if (config.rundir) {
    if (config.event_dir) log::warning("--rundir given: --event-dir is ignored");
    return *config.rundir;
  }
  require(config.event_dir.has_value(),
          "no output directory: give --rundir DIR, or --event-dir DIR to create DIR/run_K");
  int largest = 0;
  const std::regex run_name("run_([0-9]+)");
  if (std::filesystem::is_directory(*config.event_dir)) {
    for (const auto& entry : std::filesystem::directory_iterator(*config.event_dir)) {
      std::smatch match;
      const std::string name = entry.path().filename().string();
      if (entry.is_directory() && std::regex_match(name, match, run_name)) {
        largest = std::max(largest, std::stoi(match[1].str()));
      }
    }
  }
  return *config.event_dir / ("run_" + std::to_string(largest + 1));
}

std::vector<std::string> split_list(const std::vector<std::string>& values) {
  std::vector<std::string> items;
  for (const auto& value : values) {
    std::size_t start = 0;
    while (start <= value.size()) {
      const std::size_t comma = std::min(value.find(',', start), value.size());
      if (comma > start) items.push_back(value.substr(start, comma - start));
      start = comma + 1;
    }
  }
  return items;
}

}  // namespace dotpe::pipeline
