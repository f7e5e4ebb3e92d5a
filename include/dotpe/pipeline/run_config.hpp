// Every parameter of a run: those of dot-PE's inference.run() (same names and defaults) plus
// dotpe's HPC and profiling options. Filled from the command line, validated once, and written
// to run_config.json in the run directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dotpe::pipeline {

struct RunConfig {
  std::filesystem::path event;
  std::vector<std::filesystem::path> banks;  // bank_0, bank_1, ... in this order
  std::int64_t n_ext = 0;
  std::int64_t n_phi = 0;
  std::int64_t n_t = 0;
  std::vector<std::int64_t> n_int;  // empty: whole bank; one value: every bank; else one per bank
  std::int64_t blocksize = 512;
  std::int64_t single_detector_blocksize = 512;
  std::int64_t i_int_start = 0;
  std::optional<std::uint64_t> seed;
  bool load_inds = false;
  std::optional<std::filesystem::path> inds_path;
  std::int64_t size_limit = 10'000'000;
  bool draw_subset = true;
  std::optional<std::int64_t> n_draws;
  std::optional<std::filesystem::path> event_dir;
  std::optional<std::filesystem::path> rundir;
  double max_incoherent_lnlike_drop = 20.0;
  double max_bestfit_lnlike_diff = 20.0;
  std::optional<double> mchirp_guess;
  std::optional<std::filesystem::path> extrinsic_samples;
  std::optional<std::int64_t> n_phi_incoherent;
  std::optional<std::filesystem::path> preselected_indices;
  std::optional<std::filesystem::path> bank_logw_override;
  std::optional<std::filesystem::path> reference;
  bool profile = false;
  std::optional<double> max_memory_per_worker_gb;  // lower the block sizes to fit this
  bool resume = false;     // continue the interrupted run in `rundir` from its checkpoint
  bool overwrite = false;  // replace the outputs of a finished run in `rundir`

  // Throws dotpe::Error naming the option that is missing or wrong and what to do.
  void validate() const;

  // n_int of bank k (nullopt: the whole bank).
  std::optional<std::int64_t> n_int_of_bank(std::size_t bank) const;

  nlohmann::json to_json() const;

  // The options that change results (to_json without output locations, profiling and resume
  // flags): part of the checkpoint's run signature.
  nlohmann::json result_options() const;
};

// The run directory: `rundir` when given; otherwise event_dir/run_K with K one more than the
// largest existing run number (run_1 for the first). Does not create it.
std::filesystem::path resolve_run_directory(const RunConfig& config);

// Splits "a.h5,b.h5" and repeated values into one list, dropping empty items.
std::vector<std::string> split_list(const std::vector<std::string>& values);

}  // namespace dotpe::pipeline
