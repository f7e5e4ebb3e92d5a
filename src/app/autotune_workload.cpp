#include "autotune_workload.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

#include "dotpe/bank/bank_file.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/core/rng.hpp"
#include "dotpe/likelihood/coherent_kernel.hpp"
#include "dotpe/likelihood/reference_waveform.hpp"
#include "dotpe/likelihood/single_detector_kernel.hpp"
#include "dotpe/likelihood/spline_basis.hpp"
#include "dotpe/likelihood/summary_weights.hpp"
#include "dotpe/physics/event_data.hpp"

namespace dotpe::app {

using likelihood::Complex;

// Extrinsic blocks per intrinsic block in the stage-5 unit order (i-major): enough for a task
// of up to 4 units to reuse one intrinsic block, as the pipeline's tasks do.
constexpr std::size_t kExtrinsicBlocks = 4;
// Rows within this of a block's best fit are kept and sent back (the pipeline's default cut).
constexpr double kBestfitCut = 20.0;

struct AutotuneWorkload::Inputs {
  physics::EventData event;
  bank::BankFile bank;
  std::vector<double> fbin;
  likelihood::SummaryWeights weights;
  std::vector<likelihood::SingleDetectorKernel> single_detector;
  std::vector<std::vector<Complex>> time_grids;  // per detector: T[b·n_t + t]
  std::optional<likelihood::CoherentKernel> coherent;
  std::vector<std::vector<double>> responses;    // per extrinsic block
  std::vector<std::vector<Complex>> timeshifts;  // per extrinsic block
  // The last intrinsic block's operands on this rank (the pipeline keeps them the same way).
  std::size_t cached_block = static_cast<std::size_t>(-1);
  likelihood::CoherentIntrinsicBlock cached_operands;

  Inputs(const AutotuneWorkloadSettings& settings)
      : event(physics::read_event(settings.event)),
        bank(bank::BankFile::open(settings.bank)),
        fbin(bank.config().fbin) {
    require(bank.config().bank_size > 0, "autotune: bank '{}' holds no templates",
            settings.bank.string());
    build_weights();
    build_single_detector(settings);
    build_coherent(settings);
  }

  // Relative binning around the bank's first template: the kernels' cost does not depend on
  // which reference is used, and this needs neither an injection nor a search.
  void build_weights() {
    const bank::BankConfig& config = bank.config();
    const bank::IntrinsicSample first = bank.samples().front();
    waveform::BinaryParameters par0;
    par0.m1 = first.m1;
    par0.m2 = first.m2;
    par0.s1z = first.s1z;
    par0.s2z = first.s2z;
    par0.iota = first.iota;
    par0.f_ref = config.f_ref;
    std::vector<waveform::Mode> modes;
    for (const auto& [l, m] : config.harmonic_modes) modes.push_back({l, m});
    const auto reference = likelihood::make_reference_waveform(
        waveform::parse_approximant(config.approximant), modes, par0, event, fbin);
    weights = likelihood::compute_summary_weights(
        likelihood::SplineBasis(fbin), likelihood::event_arrays(event), reference.view());
  }

  void build_single_detector(const AutotuneWorkloadSettings& settings) {
    const double spacing = 1.0 / (2.0 * event.frequencies.back());
    std::vector<double> times(settings.n_t);
    for (std::size_t t = 0; t < settings.n_t; ++t) {
      times[t] = event.tcoarse +
                 (static_cast<double>(t) - 0.5 * static_cast<double>(settings.n_t)) * spacing;
    }
    for (std::size_t d = 0; d < event.n_detectors(); ++d) {
      single_detector.emplace_back(weights.single_detector(d), 1.0, settings.n_phi);
      time_grids.push_back(likelihood::time_grid_phasors(fbin, times));
    }
  }

  void build_coherent(const AutotuneWorkloadSettings& settings) {
    const std::vector<double> no_drift(event.n_detectors(), 1.0);
    coherent.emplace(weights, no_drift, settings.n_phi);
    const std::size_t n_e = settings.blocksize;
    const std::size_t n_d = event.n_detectors();
    for (std::size_t block = 0; block < kExtrinsicBlocks; ++block) {
      RngStream rng(1, rng_stream::extrinsic, block);
      std::vector<double> response(n_d * 2 * n_e);
      for (double& value : response) value = 2.0 * rng.uniform() - 1.0;
      std::vector<double> arrival(n_d * n_e);
      for (double& value : arrival) value = event.tcoarse + 0.06 * (rng.uniform() - 0.5);
      std::vector<Complex> shift(n_d * fbin.size() * n_e);
      for (std::size_t d = 0; d < n_d; ++d) {
        for (std::size_t b = 0; b < fbin.size(); ++b) {
          for (std::size_t e = 0; e < n_e; ++e) {
            shift[(d * fbin.size() + b) * n_e + e] =
                std::polar(1.0, -2.0 * std::numbers::pi * fbin[b] * arrival[d * n_e + e]);
          }
        }
      }
      responses.push_back(std::move(response));
      timeshifts.push_back(std::move(shift));
    }
  }

  // Rows first, first + 1, ... wrapping around the bank.
  std::vector<Complex> templates(std::size_t first, std::size_t count) const {
    std::vector<std::size_t> rows(count);
    for (std::size_t j = 0; j < count; ++j) rows[j] = (first + j) % bank.config().bank_size;
    return bank.read_templates(rows);
  }

  std::string screen(const hpc::Task& task, std::size_t i_batch, std::size_t n_t) {
    std::vector<double> lnlike;
    likelihood::SingleDetectorResult result;
    for (std::size_t unit = task.first_unit; unit < task.first_unit + task.unit_count; ++unit) {
      const auto h = templates(unit * i_batch, i_batch);
      for (std::size_t d = 0; d < single_detector.size(); ++d) {
        single_detector[d].evaluate(i_batch, h, n_t, time_grids[d], result);
        lnlike.insert(lnlike.end(), result.lnlike_max.begin(), result.lnlike_max.end());
      }
    }
    return bytes_of(lnlike);
  }

  std::string coherent_units(const hpc::Task& task, std::size_t blocksize) {
    std::vector<double> kept;
    for (std::size_t unit = task.first_unit; unit < task.first_unit + task.unit_count; ++unit) {
      const std::size_t i_block = unit / kExtrinsicBlocks;
      const std::size_t e_block = unit % kExtrinsicBlocks;
      if (cached_block != i_block) {
        cached_operands =
            coherent->prepare_intrinsic(blocksize, templates(i_block * blocksize, blocksize));
        cached_block = i_block;
      }
      const auto extrinsic =
          coherent->prepare_extrinsic(blocksize, responses[e_block], timeshifts[e_block]);
      keep_best_rows(extrinsic, kept);
    }
    return bytes_of(kept);
  }

  // The pipeline's per-block work after the kernel: a running best-fit cut, rows kept as
  // (i, e, o, dh, hh, bestfit).
  void keep_best_rows(const likelihood::CoherentExtrinsicBlock& extrinsic,
                      std::vector<double>& kept) const {
    double best = -std::numeric_limits<double>::infinity();
    coherent->evaluate(cached_operands, extrinsic, [&](const likelihood::PhaseGridView& view) {
      for (std::size_t k = 0; k < view.n_e * view.n_phi; ++k) {
        best = std::max(best, view.bestfit_lnlike[k]);
        if (view.bestfit_lnlike[k] < best - kBestfitCut) continue;
        kept.insert(kept.end(), {static_cast<double>(view.i), static_cast<double>(k / view.n_phi),
                                 static_cast<double>(k % view.n_phi), view.dh[k], view.hh[k],
                                 view.bestfit_lnlike[k]});
      }
    });
  }

  static std::string bytes_of(const std::vector<double>& values) {
    return std::string(reinterpret_cast<const char*>(values.data()),
                       values.size() * sizeof(double));
  }
};

nlohmann::json AutotuneWorkloadSettings::to_json() const {
  return {{"event", event.string()},
          {"bank", bank.string()},
          {"n_t", n_t},
          {"n_phi", n_phi},
          {"blocksize", blocksize},
          {"tasks_per_worker", tasks_per_worker},
          {"score_templates", score_templates},
          {"score_evaluations", score_evaluations}};
}

AutotuneWorkload::AutotuneWorkload(const AutotuneWorkloadSettings& settings)
    : inputs_(std::make_unique<Inputs>(settings)), settings_(settings) {}

AutotuneWorkload::~AutotuneWorkload() = default;

std::string AutotuneWorkload::describe() const {
  return fmt::format(
      "{} detectors, {} frequency nodes, {} harmonic groups, bank of {} templates; n_t {}, "
      "n_phi {}, stage-5 blocks of {}",
      inputs_->event.n_detectors(), inputs_->fbin.size(), inputs_->weights.n_modes,
      inputs_->bank.config().bank_size, settings_.n_t, settings_.n_phi, settings_.blocksize);
}

hpc::Measurement AutotuneWorkload::operator()(const hpc::HPCConfig& candidate) {
  int world_size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  if (candidate.n_procs != 0 && candidate.n_procs + 1 > world_size) {
    return hpc::Measurement::skip(
        fmt::format("needs {} ranks, the job has {}", candidate.n_procs + 1, world_size));
  }
  const int workers = candidate.n_procs != 0 ? candidate.n_procs : std::max(1, world_size - 1);
  const std::size_t units_per_stage = static_cast<std::size_t>(workers) *
                                      settings_.tasks_per_worker *
                                      static_cast<std::size_t>(candidate.batches_per_task);
  const auto i_batch = static_cast<std::size_t>(candidate.i_batch);
  const auto screening = hpc::measure_stage(candidate, units_per_stage, [&](const hpc::Task& task) {
    return inputs_->screen(task, i_batch, settings_.n_t);
  });
  const auto key = std::make_pair(candidate.n_procs, candidate.batches_per_task);
  if (coherent_.count(key) == 0U) {
    inputs_->cached_block = static_cast<std::size_t>(-1);
    const auto measured = hpc::measure_stage(
        candidate, units_per_stage,
        [&](const hpc::Task& task) { return inputs_->coherent_units(task, settings_.blocksize); });
    coherent_[key] = *measured;
    // Free the intrinsic operands so they do not count in the next candidate's memory.
    inputs_->cached_operands = {};
    inputs_->cached_block = static_cast<std::size_t>(-1);
  }
  const hpc::StageMeasurement& coherent = coherent_[key];
  const double templates_per_second = screening->units_per_second * static_cast<double>(i_batch);
  const double blocksize = static_cast<double>(settings_.blocksize);
  const double ieo_per_second =
      coherent.units_per_second * blocksize * blocksize * static_cast<double>(settings_.n_phi);
  const double run_seconds = settings_.score_templates / templates_per_second +
                             settings_.score_evaluations / ieo_per_second;
  const double peak_bytes =
      std::max(screening->peak_rss_bytes_per_worker, coherent.peak_rss_bytes_per_worker);
  hpc::Measurement measurement(3600.0 / run_seconds, peak_bytes / 1e9);
  measurement.details = {{"stage2 tmpl/s", templates_per_second},
                         {"stage5 ieo/s", ieo_per_second},
                         {"est. run s", run_seconds},
                         {"stage2 GB", screening->peak_rss_bytes_per_worker / 1e9},
                         {"stage5 GB", coherent.peak_rss_bytes_per_worker / 1e9}};
  return measurement;
}

}  // namespace dotpe::app
