// The run as a sequence of stages (DESIGN.md §2): construction, run(), stage 1 (set-up),
// stage 3 (cross-bank selection) and stage 4 (extrinsic samples). Stages 2 and 5 are in
// stage_screening.cpp and stage_coherent.cpp, stage 6 in aggregate.cpp.
#include "dotpe/pipeline/inference.hpp"

#include <algorithm>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cmath>
#include <numbers>
#include <random>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/memory.hpp"
#include "dotpe/core/timer.hpp"
#include "dotpe/core/version.hpp"
#include "dotpe/io/files.hpp"
#include "dotpe/io/hdf5.hpp"
#include "dotpe/io/npy.hpp"
#include "dotpe/likelihood/asd_drift.hpp"
#include "dotpe/likelihood/distance_marginalization.hpp"
#include "dotpe/likelihood/reference_finder.hpp"
#include "dotpe/likelihood/spline_basis.hpp"
#include "dotpe/physics/noise.hpp"
#include "dotpe/physics/sky.hpp"
#include "dotpe/pipeline/memory_budget.hpp"
#include "inference_state.hpp"
#include "stage_support.hpp"

namespace dotpe::pipeline {

namespace {

constexpr double kPi = std::numbers::pi;
constexpr std::size_t kProposalTemplates = 16;  // K of the time-of-arrival proposal
constexpr const char* kCheckpointName = "checkpoint.dotpe";

// Stage 4's output as a checkpoint record.
struct ExtrinsicRecord {
  std::vector<std::vector<double>> columns;
  std::vector<double> diagnostics;
  std::string source;

  template <typename Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& columns& diagnostics& source;
  }
};

// A bank's identity for the run signature: its configuration, its samples and its size on
// disk. Not a CRC of the whole file: a 2^20-template bank is 25 GB, and reading it on rank 0
// before every run would be the largest serial cost of the run. Banks are deterministic in
// their configuration and samples, so these identify the bank; damage inside the waveform
// blocks is not detected here.
std::uint32_t bank_fingerprint(const BankRun& bank) {
  static_assert(sizeof(bank::IntrinsicSample) == 10 * sizeof(double),
                "IntrinsicSample must be ten packed doubles for its bytes to be hashed");
  const std::string config = bank.config.to_json().dump();
  std::uint32_t crc = bytes_crc32(config.data(), config.size());
  crc = bytes_crc32(bank.samples.data(), bank.samples.size() * sizeof(bank::IntrinsicSample), crc);
  const auto file_size = static_cast<std::uint64_t>(std::filesystem::file_size(bank.path));
  return bytes_crc32(&file_size, sizeof(file_size), crc);
}

// What a resumed run must share with the interrupted one: every option that changes results,
// the seed, the inputs' contents and the program version.
nlohmann::json run_signature(const Inference::State& state) {
  nlohmann::json signature = state.config.result_options();
  signature["seed_resolved"] = state.seed;
  signature["event_crc32"] = file_crc32(state.config.event);
  std::vector<std::uint32_t> bank_fingerprints;
  for (const auto& bank : state.banks) bank_fingerprints.push_back(bank_fingerprint(bank));
  signature["bank_fingerprint"] = bank_fingerprints;
  signature["dotpe_version"] = version();
  return signature;
}

// --max-memory-per-worker: rank 0 predicts the working set from its own footprint and lowers
// the block sizes for every rank alike.
void apply_memory_budget(Inference::State& state) {
  RunConfig& config = state.config;
  if (!config.max_memory_per_worker_gb) return;
  std::vector<std::int64_t> sizes = {config.blocksize, config.single_detector_blocksize};
  run_on_coordinator(*state.farm, [&] {
    WorkloadShape shape;
    shape.n_detectors = state.event.n_detectors();
    shape.n_modes = state.banks.front().config.m_arr.size();
    shape.n_nodes = state.banks.front().config.fbin.size();
    shape.n_t = static_cast<std::size_t>(config.n_t);
    shape.n_phi = static_cast<std::size_t>(config.n_phi);
    shape.n_phi_incoherent =
        static_cast<std::size_t>(config.n_phi_incoherent.value_or(config.n_phi));
    shape.n_ext = static_cast<std::size_t>(config.n_ext);
    shape.blocksize = static_cast<std::size_t>(config.blocksize);
    shape.i_batch = static_cast<std::size_t>(config.single_detector_blocksize);
    // Still to come in every worker: the summary weights and spline tables (a few times the
    // event's arrays) and the distance-marginalisation table (31 MB).
    const double event_bytes = static_cast<double>(state.event.strain.size()) * 24.0;
    shape.baseline_bytes = static_cast<double>(current_rss_bytes()) + 4.0 * event_bytes + 32e6;
    const WorkloadShape fitted = fit_to_budget(shape, *config.max_memory_per_worker_gb * 1e9);
    if (fitted.blocksize != shape.blocksize || fitted.i_batch != shape.i_batch) {
      log::info(
          "--max-memory-per-worker {} GB: blocksize {} -> {}, single-detector blocksize {} -> {} "
          "(predicted {:.2f} GB per worker)",
          *config.max_memory_per_worker_gb, shape.blocksize, fitted.blocksize, shape.i_batch,
          fitted.i_batch, worker_bytes(fitted) / 1e9);
    }
    sizes = {static_cast<std::int64_t>(fitted.blocksize),
             static_cast<std::int64_t>(fitted.i_batch)};
  });
  state.farm->broadcast(sizes);
  config.blocksize = sizes[0];
  config.single_detector_blocksize = sizes[1];
}

void open_checkpoint(Inference::State& state) {
  run_on_coordinator(*state.farm, [&] {
    const auto path = state.rundir / kCheckpointName;
    const nlohmann::json signature = run_signature(state);
    if (state.config.resume) {
      state.checkpoint.emplace(Checkpoint::resume(path, signature));
      log::info("resuming {} from its checkpoint", state.rundir.string());
    } else {
      state.checkpoint.emplace(Checkpoint::create(path, signature));
    }
  });
}

std::uint64_t resolve_seed(const RunConfig& config, const hpc::TaskFarm& farm) {
  std::uint64_t seed = 0;
  if (config.seed) {
    seed = *config.seed;
  } else if (config.resume) {
    // The interrupted run's seed, so that the resumed run is the same run.
    run_on_coordinator(farm, [&] {
      const auto path = *config.rundir / "run_config.json";
      require(std::filesystem::exists(path),
              "--resume {}: no run_config.json there (not a dotpe run directory)",
              config.rundir->string());
      seed = io::read_json(path).at("seed").get<std::uint64_t>();
    });
  } else if (farm.is_coordinator()) {
    // Recorded in run_config.json, so the run can be repeated exactly.
    std::random_device device;
    seed = (static_cast<std::uint64_t>(device()) << 31) ^ device();
    seed &= (std::uint64_t{1} << 62) - 1;
  }
  farm.broadcast(seed);
  return seed;
}

std::filesystem::path prepare_run_directory(const RunConfig& config, const hpc::TaskFarm& farm) {
  std::string rundir;
  run_on_coordinator(farm, [&] {
    rundir = resolve_run_directory(config).string();
    const std::filesystem::path directory(rundir);
    if (config.resume) {
      require(std::filesystem::is_directory(directory), "--resume {}: no such run directory",
              rundir);
      require(!std::filesystem::exists(directory / "summary.json"),
              "--resume {}: that run has finished already (summary.json exists)", rundir);
      return;
    }
    require(config.overwrite || !std::filesystem::exists(directory / "summary.json"),
            "run directory '{}' holds the outputs of another run (summary.json); choose another "
            "--rundir, use --event-dir for an automatically numbered one, or --overwrite",
            rundir);
    require(config.overwrite || !std::filesystem::exists(directory / kCheckpointName),
            "run directory '{}' holds an interrupted run ({}); continue it with --resume {}, or "
            "start afresh with --overwrite",
            rundir, kCheckpointName, rundir);
    std::filesystem::create_directories(rundir);
  });
  farm.broadcast(rundir);
  return rundir;
}

void require_same_banks(const BankRun& first, const BankRun& other) {
  const auto& a = first.config;
  const auto& b = other.config;
  const auto mismatch = [&](const char* what) {
    return fmt::format(
        "banks '{}' and '{}' differ in {}: all banks of a run must share approximant, fbin, "
        "f_ref and harmonic modes (generate them with the same options)",
        first.path.string(), other.path.string(), what);
  };
  require(a.approximant == b.approximant, "{}", mismatch("approximant"));
  require(a.fbin == b.fbin, "{}", mismatch("fbin"));
  require(a.f_ref == b.f_ref, "{}", mismatch("f_ref"));
  require(a.harmonic_modes == b.harmonic_modes && a.m_arr == b.m_arr, "{}",
          mismatch("harmonic modes"));
}

std::vector<std::int64_t> read_index_file(const std::filesystem::path& path, const char* option) {
  const io::NpyArray array = io::read_npy(path);
  require(array.shape.size() == 1 && array.descr.find('f') == std::string::npos &&
              array.descr.find('c') == std::string::npos,
          "{} '{}': expected a 1-D integer .npy array of bank indices, got dtype {} with {} "
          "dimension(s)",
          option, path.string(), array.descr, array.shape.size());
  std::vector<std::int64_t> indices;
  for (const double value : array.to_doubles()) indices.push_back(static_cast<std::int64_t>(value));
  return indices;
}

std::vector<std::size_t> screened_rows(const RunConfig& config, const BankRun& bank) {
  const std::size_t bank_size = bank.samples.size();
  if (config.preselected_indices) {
    const auto indices = read_index_file(*config.preselected_indices, "--preselected-indices");
    std::vector<std::size_t> rows;
    for (const std::int64_t index : indices) {
      require(index >= 0 && static_cast<std::size_t>(index) < bank_size,
              "--preselected-indices '{}': index {} is outside bank {} ('{}', {} samples)",
              config.preselected_indices->string(), index, bank.id, bank.path.string(), bank_size);
      rows.push_back(static_cast<std::size_t>(index));
    }
    std::sort(rows.begin(), rows.end());
    require(std::adjacent_find(rows.begin(), rows.end()) == rows.end(),
            "--preselected-indices '{}': some index appears twice; give each bank index once",
            config.preselected_indices->string());
    if (static_cast<std::size_t>(bank.n_int) < rows.size()) {
      log::warning("{}: n_int = {} is smaller than the {} preselected indices", bank.id, bank.n_int,
                   rows.size());
    }
    return rows;
  }
  const auto start = static_cast<std::size_t>(config.i_int_start);
  const auto count = static_cast<std::size_t>(bank.n_int);
  require(start + count <= bank_size,
          "bank {} ('{}') has {} samples: --i-int-start {} + --n-int {} runs past its end; "
          "lower them (or omit --n-int to use the rest of the bank)",
          bank.id, bank.path.string(), bank_size, start, count);
  std::vector<std::size_t> rows(count);
  for (std::size_t k = 0; k < count; ++k) rows[k] = start + k;
  return rows;
}

std::vector<double> read_logw_override(const RunConfig& config, const BankRun& bank) {
  const io::NpyArray array = io::read_npy(*config.bank_logw_override);
  require(array.shape.size() == 1, "--bank-logw-override '{}': expected a 1-D .npy array",
          config.bank_logw_override->string());
  const std::vector<double> values = array.to_doubles();
  require(values.size() == bank.samples.size(),
          "--bank-logw-override '{}' has {} values but bank {} has {} samples (one value per "
          "bank sample, in bank order)",
          config.bank_logw_override->string(), values.size(), bank.id, bank.samples.size());
  return values;
}

BankRun open_bank_run(const RunConfig& config, std::size_t k) {
  BankRun bank;
  bank.id = "bank_" + std::to_string(k);
  bank.path = config.banks[k];
  require(std::filesystem::exists(bank.path), "bank file '{}' does not exist", bank.path.string());
  const bank::BankFile file = bank::BankFile::open(bank.path);
  require(file.complete(),
          "bank '{}' is incomplete (its generation was interrupted); finish it with 'dotpe bank "
          "--resume' first",
          bank.path.string());
  bank.config = file.config();
  bank.samples = file.samples();
  bank.n_int =
      config.n_int_of_bank(k).value_or(static_cast<std::int64_t>(bank.samples.size()) -
                                       (config.preselected_indices ? 0 : config.i_int_start));
  require(bank.n_int > 0, "bank {} ('{}'): nothing to screen (n_int = {})", bank.id,
          bank.path.string(), bank.n_int);
  bank.screened = screened_rows(config, bank);
  if (config.bank_logw_override) {
    require(config.banks.size() == 1,
            "--bank-logw-override applies to a single bank, but {} banks are given",
            config.banks.size());
    bank.log_prior_weights = read_logw_override(config, bank);
  } else {
    for (const auto& sample : bank.samples)
      bank.log_prior_weights.push_back(sample.log_prior_weight);
  }
  return bank;
}

void require_band_overlap(const physics::EventData& event, const std::vector<double>& fbin,
                          const std::filesystem::path& bank_path) {
  const auto [first, end] = event.band();
  const double f_low = event.frequencies[first];
  const double f_high = event.frequencies[end - 1];
  require(fbin.front() < f_high && fbin.back() > f_low,
          "bank '{}' covers {}-{} Hz but the event's data cover {}-{} Hz: they do not overlap; "
          "use a bank made for this event's band",
          bank_path.string(), fbin.front(), fbin.back(), f_low, f_high);
  if (fbin.front() < f_low - 1e-9 || fbin.back() > f_high + 1e-9) {
    log::warning(
        "bank fbin ({}-{} Hz) reaches outside the event's band ({}-{} Hz): nodes outside get "
        "zero weight",
        fbin.front(), fbin.back(), f_low, f_high);
  }
}

// A searched par0 of the interrupted run (the search is the slow part of stage 1), on every rank.
std::optional<nlohmann::json> stored_reference(const Inference::State& state) {
  std::string text;
  if (state.checkpoint) {
    const auto& records = state.checkpoint->completed("reference");
    if (!records.empty()) text = records.begin()->second;
  }
  state.farm->broadcast(text);
  if (text.empty()) return std::nullopt;
  return nlohmann::json::parse(text);
}

// par0 from --reference, the event's injection, or the search (collective over the farm).
void resolve_reference(Inference::State& state) {
  const RunConfig& config = state.config;
  if (config.reference) {
    const nlohmann::json json = io::read_json(*config.reference);
    const nlohmann::json& par_dic = json.contains("par_dic") ? json["par_dic"] : json;
    state.par0 = likelihood::SourceParameters::from_par_dic(
        par_dic, "--reference " + config.reference->string());
    state.par0_record = {{"source", "--reference " + config.reference->string()}};
  } else if (state.event.injection && state.event.injection->contains("par_dic")) {
    state.par0 = likelihood::SourceParameters::from_par_dic(
        (*state.event.injection)["par_dic"], "injection of " + config.event.string());
    // Relative binning needs only the intrinsic part; aligned spins as the bank's model.
    state.par0.intrinsic.s1x = state.par0.intrinsic.s1y = 0.0;
    state.par0.intrinsic.s2x = state.par0.intrinsic.s2y = 0.0;
    state.par0_record = {{"source", "injection"}};
  } else if (const auto stored = stored_reference(state)) {
    state.par0 = likelihood::SourceParameters::from_par_dic((*stored)["par_dic"], "checkpoint");
    state.par0_record = *stored;
  } else {
    likelihood::ReferenceSearchSettings settings;
    settings.mchirp_min = state.banks.front().config.mass_range.mchirp_min;
    settings.mchirp_max = state.banks.front().config.mass_range.mchirp_max;
    for (const auto& bank : state.banks) {
      settings.mchirp_min = std::min(settings.mchirp_min, bank.config.mass_range.mchirp_min);
      settings.mchirp_max = std::max(settings.mchirp_max, bank.config.mass_range.mchirp_max);
    }
    settings.mchirp_guess = config.mchirp_guess;
    settings.f_ref = state.f_ref;
    if (state.farm->is_coordinator()) {
      log::info("stage 1: searching the reference waveform (Mc {}-{} Msun)", settings.mchirp_min,
                settings.mchirp_max);
    }
    const likelihood::ReferenceSolution solution = likelihood::find_reference_waveform(
        state.event, settings, farm_map(*state.farm, "reference_search"));
    state.par0 = solution.parameters;
    state.par0_record = solution.to_json(state.event.tgps);
    state.par0_record["source"] = "search";
    state.par0_record["par_dic"] = state.par0.to_par_dic();
    if (state.checkpoint) state.checkpoint->append("reference", 0, state.par0_record.dump());
  }
  state.par0.intrinsic.f_ref = state.f_ref;
  state.par0_record["par_dic"] = state.par0.to_par_dic();
}

// Detector strain of par0 on the event's frequencies, all modes (for the ASD drift).
std::vector<std::complex<double>> reference_strain(const Inference::State& state) {
  const std::size_t n_f = state.event.n_frequencies();
  std::vector<std::complex<double>> by_m(state.m_arr.size() * 2 * n_f);
  waveform::BinaryParameters binary = state.par0.intrinsic;
  binary.distance = 1.0;
  waveform::polarizations_by_m(state.approximant, binary, state.modes, state.event.frequencies,
                               by_m);
  std::vector<std::complex<double>> plus(n_f), cross(n_f);
  const auto [first, end] = state.event.band();
  for (std::size_t g = 0; g < state.m_arr.size(); ++g) {
    for (std::size_t k = first; k < end; ++k) {
      plus[k] += by_m[(g * 2 + 0) * n_f + k];
      cross[k] += by_m[(g * 2 + 1) * n_f + k];
    }
  }
  physics::SignalPlacement placement;
  placement.ra = state.par0.ra;
  placement.dec = state.par0.dec;
  placement.psi = state.par0.psi;
  placement.geocent_time = state.par0.t_geocenter;
  placement.distance = 1.0;
  return physics::project_signal(state.event, plus, cross, placement);
}

void build_relative_binning(Inference::State& state) {
  state.reference = likelihood::make_reference_waveform(
      state.approximant, state.modes, state.par0.intrinsic, state.event, state.fbin);
  const likelihood::SplineBasis basis(state.fbin);
  const likelihood::EventArrays arrays = likelihood::event_arrays(state.event);
  state.weights = likelihood::compute_summary_weights(basis, arrays, state.reference.view());
  try {
    state.asd_drift = likelihood::compute_asd_drift(arrays, reference_strain(state));
  } catch (const Error& error) {
    // Noise-free data (injection studies) has no noise level to estimate.
    if (state.farm->is_coordinator()) {
      log::warning("{}: no ASD drift correction (xi = 1 for every detector)", error.what());
    }
    state.asd_drift.assign(state.n_detectors(), 1.0);
  }

  // The aligner compares templates with the m=2 plus reference without the coarse-time factor.
  const auto m2 = std::find(state.m_arr.begin(), state.m_arr.end(), 2);
  require(m2 != state.m_arr.end(),
          "the bank has no m = 2 harmonic group, which the linear-free alignment needs");
  const auto m2_index = static_cast<std::size_t>(m2 - state.m_arr.begin());
  const std::size_t n_b = state.n_nodes();
  const std::size_t n_f = state.event.n_frequencies();
  std::vector<std::complex<double>> h2plus0_nodes(n_b);
  for (std::size_t b = 0; b < n_b; ++b) {
    h2plus0_nodes[b] = state.reference.on_nodes[(m2_index * 2) * n_b + b] *
                       std::polar(1.0, 2.0 * kPi * state.fbin[b] * state.event.tcoarse);
  }
  const auto h2plus0_f = std::span(state.reference.on_frequencies).subspan(m2_index * 2 * n_f, n_f);
  state.aligner.emplace(state.fbin, std::move(h2plus0_nodes),
                        likelihood::linear_free_polyfit_weights(basis, arrays, h2plus0_f),
                        m2_index);
}

// The files a fresh run writes before its outputs; the directory too if nothing else is in it.
void remove_partial_outputs(const Inference::State& state) {
  if (state.config.resume || state.rundir.empty()) return;
  std::error_code ignored;
  for (const char* name : {"run_config.json", "reference.json", kCheckpointName,
                           "results.h5.partial", "posterior.h5.partial"}) {
    std::filesystem::remove(state.rundir / name, ignored);
  }
  if (std::filesystem::is_empty(state.rundir, ignored))
    std::filesystem::remove(state.rundir, ignored);
}

}  // namespace

Inference::Inference(RunConfig config, hpc::TaskFarm& farm) : state_(std::make_unique<State>()) {
  state_->config = std::move(config);
  state_->farm = &farm;
}

Inference::~Inference() = default;

RunOutcome Inference::run() {
  State& state = *state_;
  const bool coordinator = state.farm->is_coordinator();
  const auto timed = [&](const char* name, const char* label, auto&& stage) {
    if (coordinator) log::info("{} ...", label);
    const WallTimer timer;
    stage();
    state.stage_seconds[name] = timer.seconds();
    if (coordinator) log::info("{}: {:.2f} s", label, timer.seconds());
  };
  const WallTimer total;
  try {
    timed("setup", "stage 1 (setup)", [&] { set_up(); });
    timed("incoherent", "stage 2 (incoherent screening)", [&] { screen_incoherently(); });
    timed("cross_bank", "stage 3 (cross-bank selection)", [&] { select_across_banks(); });
    timed("extrinsic", "stage 4 (extrinsic samples)", [&] { draw_extrinsic(); });
    timed("coherent", "stage 5 (coherent likelihood)", [&] { run_coherent(); });
    timed("aggregate", "stage 6 (aggregation and outputs)", [&] { aggregate(); });
  } catch (const Error&) {
    // A refused input or a failed task: no half-written run directory stays behind. (A killed
    // job keeps its checkpoint for --resume; so does a failed resume.)
    if (coordinator) remove_partial_outputs(state);
    throw;
  }
  state.stage_seconds["total"] = total.seconds();
  if (coordinator && state.checkpoint) {
    // The outputs are complete: the checkpoint has served its purpose.
    const std::filesystem::path path = state.checkpoint->path();
    state.checkpoint.reset();
    std::filesystem::remove(path);
  }
  if (coordinator) {
    run_on_coordinator(
        *state.farm, [&] { write_profile(state); }, false);
    if (state.config.profile) {
      for (const auto& profile : state.farm_profiles) log::info("{}", profile.table());
    }
  }
  return {state.rundir, coordinator ? state.summary : nlohmann::json()};
}

void Inference::set_up() {
  State& state = *state_;
  const RunConfig& config = state.config;
  state.seed = resolve_seed(config, *state.farm);
  require(std::filesystem::exists(config.event), "event file '{}' does not exist",
          config.event.string());
  state.event = physics::read_event(config.event);
  state.detectors =
      physics::detectors_from_names(fmt::format("{}", fmt::join(state.event.detector_names, ",")));
  for (std::size_t k = 0; k < config.banks.size(); ++k) {
    state.banks.push_back(open_bank_run(config, k));
    if (k > 0) require_same_banks(state.banks.front(), state.banks.back());
  }
  const bank::BankConfig& bank_config = state.banks.front().config;
  state.approximant = waveform::parse_approximant(bank_config.approximant);
  for (const auto& [l, m] : bank_config.harmonic_modes) state.modes.push_back({l, m});
  state.m_arr = bank_config.m_arr;
  state.fbin = bank_config.fbin;
  state.f_ref = bank_config.f_ref;
  require_band_overlap(state.event, state.fbin, state.banks.front().path);
  state.open_banks.resize(state.banks.size());
  // Only once the inputs are known to be good: a refused run leaves no directory behind.
  apply_memory_budget(state);
  state.rundir = prepare_run_directory(config, *state.farm);
  // run_config.json first: it holds the drawn seed that a resume needs.
  if (state.farm->is_coordinator()) write_run_config(state);
  open_checkpoint(state);
  resolve_reference(state);
  build_relative_binning(state);
  if (state.farm->is_coordinator()) {
    const auto& par = state.par0.intrinsic;
    log::info("reference waveform ({}): m1 = {:.3f}, m2 = {:.3f}, s1z = {:.3f}, s2z = {:.3f}",
              state.par0_record.value("source", ""), par.m1, par.m2, par.s1z, par.s2z);
    log::info("ASD drift per detector: {:.4f}", fmt::join(state.asd_drift, ", "));
    run_on_coordinator(
        *state.farm, [&] { io::write_json(state.rundir / "reference.json", state.par0_record); },
        false);
  }
}

void Inference::select_across_banks() {
  State& state = *state_;
  std::vector<std::vector<double>> scores;
  for (const auto& bank : state.banks) scores.push_back(bank.incoherent_lnlikes);
  const auto kept = pipeline::select_across_banks(scores, state.config.max_incoherent_lnlike_drop);
  const std::size_t n_d = state.n_detectors();
  std::size_t total = 0;
  for (std::size_t k = 0; k < state.banks.size(); ++k) {
    BankRun& bank = state.banks[k];
    const std::size_t n_screened = bank.screened.size();
    bank.selected.clear();
    bank.selected_incoherent.clear();
    bank.selected_lnlike_di.assign(n_d * kept[k].size(), 0.0);
    for (std::size_t s = 0; s < kept[k].size(); ++s) {
      const std::size_t position = kept[k][s];
      bank.selected.push_back(bank.screened[position]);
      bank.selected_incoherent.push_back(bank.incoherent_lnlikes[position]);
      for (std::size_t d = 0; d < n_d; ++d) {
        bank.selected_lnlike_di[d * kept[k].size() + s] = bank.lnlike_di[d * n_screened + position];
      }
    }
    total += bank.selected.size();
    if (state.farm->is_coordinator()) {
      const auto best =
          std::max_element(bank.incoherent_lnlikes.begin(), bank.incoherent_lnlikes.end());
      log::info(
          "{}: {} of {} screened samples within {} of the best incoherent lnL (bank's best: "
          "{:.2f})",
          bank.id, bank.selected.size(), n_screened, state.config.max_incoherent_lnlike_drop,
          best == bank.incoherent_lnlikes.end() ? kMinusInfinity : *best);
    }
  }
  (void)total;
}

void Inference::draw_extrinsic() {
  State& state = *state_;
  const RunConfig& config = state.config;
  const auto n_ext = static_cast<std::size_t>(config.n_ext);
  std::vector<std::vector<double>> columns;
  std::vector<double> diagnostics;
  // The workers wait for rank 0 here: they build stage 5's distance table (about 0.5 s) now.
  if (!state.farm->is_coordinator()) (void)likelihood::default_distance_marginalization();
  run_on_coordinator(*state.farm, [&] {
    if (state.checkpoint && !state.checkpoint->completed("extrinsic").empty()) {
      const std::string& bytes = state.checkpoint->completed("extrinsic").begin()->second;
      ExtrinsicRecord record = hpc::detail::deserialize<ExtrinsicRecord>(bytes);
      columns = std::move(record.columns);
      diagnostics = std::move(record.diagnostics);
      state.extrinsic_source = std::move(record.source);
      log::info("extrinsic samples taken from the checkpoint");
      return;
    }
    extrinsic::ExtrinsicSamples samples;
    if (config.extrinsic_samples) {
      samples = read_extrinsic_table(*config.extrinsic_samples, n_ext);
      state.extrinsic_source = config.extrinsic_samples->string();
    } else {
      extrinsic::ProposalInputs inputs;
      inputs.event = &state.event;
      inputs.approximant = state.approximant;
      inputs.modes = state.modes;
      inputs.reference_intrinsic = state.par0.intrinsic;
      inputs.reference_t_geocenter = state.par0.t_geocenter;
      inputs.fbin = state.fbin;
      inputs.asd_drift = state.asd_drift;
      inputs.templates = best_templates(state, kProposalTemplates, inputs.n_templates);
      extrinsic::ExtrinsicSettings settings;
      settings.n_ext = n_ext;
      settings.seed = state.seed;
      samples = extrinsic::draw_extrinsic_samples(inputs, settings);
      state.extrinsic_source = "drawn";
    }
    columns = {samples.lat,         samples.lon,     samples.psi,
               samples.t_geocenter, samples.weights, samples.log_prior_weights};
    diagnostics = {samples.effective_sample_size, samples.void_fraction};
    if (state.checkpoint) {
      state.checkpoint->append(
          "extrinsic", 0,
          hpc::detail::serialize(ExtrinsicRecord{columns, diagnostics, state.extrinsic_source}));
    }
    log::info(
        "extrinsic samples ({}): {} drawn, effective sample size {:.1f}, void fraction {:.3f}",
        state.extrinsic_source, samples.size(), samples.effective_sample_size,
        samples.void_fraction);
  });
  state.farm->broadcast(columns);
  state.farm->broadcast(diagnostics);
  state.farm->broadcast(state.extrinsic_source);
  extrinsic::ExtrinsicSamples& samples = state.extrinsic;
  samples.lat = std::move(columns[0]);
  samples.lon = std::move(columns[1]);
  samples.psi = std::move(columns[2]);
  samples.t_geocenter = std::move(columns[3]);
  samples.weights = std::move(columns[4]);
  samples.log_prior_weights = std::move(columns[5]);
  samples.effective_sample_size = diagnostics[0];
  samples.void_fraction = diagnostics[1];
}

}  // namespace dotpe::pipeline
