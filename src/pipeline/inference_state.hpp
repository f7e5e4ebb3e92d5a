// The data of one run, stage by stage (internal to the pipeline module).
#pragma once

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dotpe/bank/bank_file.hpp"
#include "dotpe/core/math.hpp"
#include "dotpe/extrinsic/extrinsic_sampling.hpp"
#include "dotpe/hpc/task_farm.hpp"
#include "dotpe/likelihood/coherent_kernel.hpp"
#include "dotpe/likelihood/linear_free.hpp"
#include "dotpe/likelihood/reference_waveform.hpp"
#include "dotpe/likelihood/single_detector_kernel.hpp"
#include "dotpe/likelihood/source_parameters.hpp"
#include "dotpe/likelihood/summary_weights.hpp"
#include "dotpe/physics/detectors.hpp"
#include "dotpe/physics/event_data.hpp"
#include "dotpe/pipeline/checkpoint.hpp"
#include "dotpe/pipeline/evidence.hpp"
#include "dotpe/pipeline/inference.hpp"
#include "dotpe/waveform/waveform.hpp"

namespace dotpe::pipeline {

inline constexpr double kMinusInfinity = -std::numeric_limits<double>::infinity();

struct BankRun {
  std::string id;  // bank_0, bank_1, ...
  std::filesystem::path path;
  bank::BankConfig config;
  std::vector<bank::IntrinsicSample> samples;
  std::vector<double> log_prior_weights;  // stage 5: the bank's column or the override
  std::int64_t n_int = 0;                 // intrinsic count of the evidence normaliser N_k
  std::vector<std::size_t> screened;      // stage 2: bank rows evaluated

  // Stage 2, aligned with `screened`.
  std::vector<double> lnlike_di;  // [d][position]
  std::vector<double> incoherent_lnlikes;

  // Stage 3: bank rows kept (ascending), with their stage-2 scores.
  std::vector<std::size_t> selected;
  std::vector<double> selected_lnlike_di;  // [d][position in selected]
  std::vector<double> selected_incoherent;

  // Stage 5.
  std::vector<CoherentRow> rows;              // kept rows, final selection applied
  std::map<std::int64_t, double> dt_linfree;  // bank row -> linear-free time shift (s)
  double ln_discarded = kMinusInfinity;       // ln Σ exp(ln_posterior) of discarded rows
  std::uint64_t n_evaluated = 0;              // (i, e, o) evaluated
  std::uint64_t n_kept_by_blocks = 0;         // rows kept by the per-block cut
  LogSumAccumulator discarded;                // ln_posterior mass the cuts removed
  double best_bestfit = kMinusInfinity;       // the best row merged so far
  BankEvidence evidence;

  double grid_points(std::int64_t n_ext, std::int64_t n_phi) const {
    return static_cast<double>(n_phi) * static_cast<double>(n_ext) * static_cast<double>(n_int);
  }
};

struct Inference::State {
  RunConfig config;
  hpc::TaskFarm* farm = nullptr;
  std::filesystem::path rundir;
  std::uint64_t seed = 0;
  std::optional<Checkpoint> checkpoint;  // rank 0 only

  // Stage 1.
  physics::EventData event;
  std::vector<physics::Detector> detectors;
  std::vector<BankRun> banks;
  waveform::Approximant approximant = waveform::Approximant::IMRPhenomD;
  std::vector<waveform::Mode> modes;
  std::vector<int> m_arr;
  std::vector<double> fbin;
  double f_ref = 50.0;
  likelihood::SourceParameters par0;
  nlohmann::json par0_record;  // par0 with where it came from (reference.json)
  likelihood::ReferenceWaveformData reference;
  likelihood::SummaryWeights weights;
  std::vector<double> asd_drift;
  std::optional<likelihood::LinearFreeAligner> aligner;

  // Kernels and read-only operands, built once per rank.
  std::vector<likelihood::SingleDetectorKernel> single_detector_kernels;
  std::vector<std::vector<std::complex<double>>> incoherent_timeshifts;  // per detector [b][t]
  std::optional<likelihood::CoherentKernel> coherent_kernel;
  std::vector<std::optional<bank::BankFile>> open_banks;  // opened on first use, per rank

  // Stage 4.
  extrinsic::ExtrinsicSamples extrinsic;
  std::string extrinsic_source;

  // Stage 6.
  nlohmann::json summary;
  std::vector<hpc::StageProfile> farm_profiles;
  nlohmann::json stage_seconds = nlohmann::json::object();

  std::size_t n_detectors() const { return detectors.size(); }
  std::size_t n_nodes() const { return fbin.size(); }
  std::size_t n_modes() const { return m_arr.size(); }
  std::size_t values_per_template() const { return n_modes() * 2 * n_nodes(); }

  const bank::BankFile& bank_file(std::size_t bank);
  // Templates at bank rows `rows`, linear-free aligned; dt receives the shifts.
  std::vector<std::complex<double>> aligned_templates(std::size_t bank,
                                                      std::span<const std::size_t> rows,
                                                      std::vector<double>& dt);
};

// Stage helpers in separate files.
void write_outputs(Inference::State& state);

}  // namespace dotpe::pipeline
