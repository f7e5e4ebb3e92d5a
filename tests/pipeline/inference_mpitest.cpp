// The whole pipeline (dotpe run) on a tiny problem, under 1, 2, 3 and 5 ranks:
//  - ln Z against a brute-force sum over every (i, e, o), with inner products computed here by
//    naive loops from the summary weights (numerics.md §3.4), not by the coherent kernel;
//  - the outputs do not depend on batches_per_task;
//  - a bank split into two disjoint halves (by chirp mass, prior weights renormalised to each
//    half) gives the same ln Z as the whole.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <numbers>
#include <sstream>

#include "dotpe/bank/bank_file.hpp"
#include "dotpe/bank/fbin.hpp"
#include "dotpe/bank/generation.hpp"
#include "dotpe/core/math.hpp"
#include "dotpe/core/rng.hpp"
#include "dotpe/hpc/task_farm.hpp"
#include "dotpe/io/files.hpp"
#include "dotpe/io/hdf5.hpp"
#include "dotpe/likelihood/distance_marginalization.hpp"
#include "dotpe/likelihood/reference_waveform.hpp"
#include "dotpe/likelihood/source_parameters.hpp"
#include "dotpe/likelihood/spline_basis.hpp"
#include "dotpe/likelihood/summary_weights.hpp"
#include "dotpe/physics/detectors.hpp"
#include "dotpe/physics/noise.hpp"
#include "dotpe/physics/sky.hpp"
#include "dotpe/pipeline/inference.hpp"
#include "mpi_world.hpp"
#include "test_paths.hpp"

namespace dotpe::pipeline {
namespace {

namespace fs = std::filesystem;
using Complex = std::complex<double>;
constexpr double kPi = std::numbers::pi;

using testing::world_rank;
using testing::world_size;

void barrier() {
  MPI_Barrier(MPI_COMM_WORLD);
}

constexpr std::size_t kBankSize = 7;
constexpr std::size_t kExtrinsic = 5;
constexpr std::int64_t kPhases = 4;

struct Problem {
  fs::path dir, bank, event, extrinsic;
};

bank::BankConfig tiny_bank_config(std::size_t size) {
  bank::BankConfig config;
  config.mass_range = {20.0, 23.0, 0.5, 1.0};
  config.f_ref = 50.0;
  config.fbin = bank::fbin_from_pn_phase(20.0, 512.0, 1.0 / 8.0, 0.05);
  config.seed = 1;
  config.bank_size = size;
  config.blocksize = 4;
  config.approximant = "IMRPhenomHM";
  for (const auto& mode : waveform::harmonic_modes(waveform::Approximant::IMRPhenomHM)) {
    config.harmonic_modes.push_back({mode.l, mode.m});
  }
  config.m_arr = bank::m_arr_of(config.harmonic_modes);
  config.precision = bank::WaveformPrecision::double_precision;
  return config;
}

// An injection of the bank's first template (HLV, O3 noise, 8 s, 20-512 Hz).
physics::EventData tiny_event(const bank::IntrinsicSample& source) {
  physics::NoiseSettings settings;
  for (const auto& name : settings.detector_names)
    settings.asds.push_back(physics::default_asd(name));
  settings.duration = 8.0;
  settings.fmin = 20.0;
  settings.fmax = 512.0;
  settings.tgps = 1187008882.4;
  settings.seed = 5;
  physics::EventData event = physics::make_noise_event(settings);
  likelihood::SourceParameters truth;
  truth.intrinsic = {source.m1, source.m2, source.s1z, source.s2z};
  truth.intrinsic.iota = source.iota;
  truth.intrinsic.distance = 250.0;
  truth.ra = 1.0;
  truth.dec = 0.3;
  truth.psi = 0.5;
  truth.t_geocenter = 0.01;
  const auto modes = waveform::harmonic_modes(waveform::Approximant::IMRPhenomHM);
  const std::size_t n_f = event.n_frequencies();
  std::vector<Complex> by_m(4 * 2 * n_f), plus(n_f), cross(n_f);
  waveform::polarizations_by_m(waveform::Approximant::IMRPhenomHM, truth.intrinsic, modes,
                               event.frequencies, by_m);
  const auto [first, end] = event.band();
  for (std::size_t g = 0; g < 4; ++g) {
    for (std::size_t k = first; k < end; ++k) {
      plus[k] += by_m[(g * 2) * n_f + k];
      cross[k] += by_m[(g * 2 + 1) * n_f + k];
    }
  }
  const physics::SignalPlacement placement{truth.ra, truth.dec, truth.psi, truth.t_geocenter, 1.0};
  const auto signal = physics::project_signal(event, plus, cross, placement);
  for (std::size_t k = 0; k < signal.size(); ++k) event.strain[k] += signal[k];
  event.injection = nlohmann::json{{"par_dic", truth.to_par_dic()}};
  return event;
}

void write_extrinsic_table(const fs::path& path, std::size_t n_ext) {
  RngStream rng(3, rng_stream::tests, 0);
  io::h5::Table table;
  std::vector<double> lat, lon, psi, t, weights, logw;
  for (std::size_t e = 0; e < n_ext; ++e) {
    lat.push_back(std::asin(2.0 * rng.uniform() - 1.0));
    lon.push_back(2.0 * kPi * rng.uniform());
    psi.push_back(kPi * rng.uniform());
    t.push_back(0.01 + 0.002 * (rng.uniform() - 0.5));
    logw.push_back(rng.uniform() - 0.5);
    weights.push_back(std::exp(logw.back()));
  }
  table.add("lat", lat);
  table.add("lon", lon);
  table.add("psi", psi);
  table.add("t_geocenter", t);
  table.add("weights", weights);
  table.add("log_prior_weights", logw);
  io::h5::File file(path, io::h5::Mode::create);
  file.root().write_table("extrinsic_samples", table);
}

// Built once per world size by rank 0.
const Problem& tiny_problem() {
  static const Problem problem = [] {
    Problem built;
    const std::string name = "pipeline_tiny_np" + std::to_string(world_size());
    if (world_rank() == 0) {
      built.dir = testing::fresh_work_dir(name);
      const bank::BankConfig config = tiny_bank_config(kBankSize);
      const auto samples = bank::draw_intrinsic_samples(config.mass_range, kBankSize, config.seed);
      {
        bank::BankFile file = bank::BankFile::create(built.dir / "bank.h5", config, samples);
        bank::generate_missing_blocks_serially(file, bank::model_waveform(config));
      }
      physics::write_event(built.dir / "event.h5", tiny_event(samples.front()));
      write_extrinsic_table(built.dir / "extrinsic.h5", kExtrinsic);
    }
    barrier();
    built.dir = fs::path(std::getenv("DOTPE_TEST_WORK_DIR")) / name;
    built.bank = built.dir / "bank.h5";
    built.event = built.dir / "event.h5";
    built.extrinsic = built.dir / "extrinsic.h5";
    return built;
  }();
  return problem;
}

RunConfig keep_everything_config(const Problem& problem, const std::string& run_name) {
  RunConfig config;
  config.event = problem.event;
  config.banks = {problem.bank};
  config.n_ext = static_cast<std::int64_t>(kExtrinsic);
  config.n_phi = kPhases;
  config.n_t = 16;
  config.blocksize = 3;  // several intrinsic and extrinsic blocks
  config.single_detector_blocksize = 3;
  config.seed = 7;
  config.extrinsic_samples = problem.extrinsic;
  config.rundir = problem.dir / run_name;
  config.max_incoherent_lnlike_drop = 1e9;  // keep every (i, e, o)
  config.max_bestfit_lnlike_diff = 1e9;
  config.n_draws = 40;
  return config;
}

nlohmann::json run_pipeline(const RunConfig& config, std::int64_t batches_per_task = 1) {
  hpc::HPCConfig hpc_config;
  hpc_config.batches_per_task = batches_per_task;
  hpc::TaskFarm farm(hpc_config);
  Inference inference(config, farm);
  const RunOutcome outcome = inference.run();
  barrier();
  return outcome.summary;
}

std::string file_bytes(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

// ln Z by brute force: every (i, e, o), inner products from the summary weights by naive loops.
double brute_force_ln_evidence(const Problem& problem, const fs::path& rundir) {
  const physics::EventData event = physics::read_event(problem.event);
  const bank::BankFile bank = bank::BankFile::open(problem.bank);
  const auto& config = bank.config();
  const auto samples = bank.samples();
  const auto par0 =
      likelihood::SourceParameters::from_par_dic((*event.injection)["par_dic"], "test");
  std::vector<waveform::Mode> modes;
  for (const auto& [l, m] : config.harmonic_modes) modes.push_back({l, m});
  const auto reference = likelihood::make_reference_waveform(
      waveform::Approximant::IMRPhenomHM, modes, par0.intrinsic, event, config.fbin);
  const auto weights = likelihood::compute_summary_weights(
      likelihood::SplineBasis(config.fbin), likelihood::event_arrays(event), reference.view());

  const io::h5::File results(rundir / "results.h5", io::h5::Mode::read);
  const auto drift = results.root().read<double>("asd_drift").values;
  const io::h5::Group bank_group = results.root().group("banks").group("bank_0");
  const auto dt_rows = bank_group.read<std::int64_t>("dt_linfree_rows").values;
  const auto dt = bank_group.read<double>("dt_linfree").values;
  const io::h5::Table extrinsic =
      io::h5::File(problem.extrinsic, io::h5::Mode::read).root().read_table("extrinsic_samples");

  const std::size_t n_b = config.fbin.size(), n_m = config.m_arr.size();
  const auto pairs = likelihood::mode_pairs(n_m);
  const auto& dm = likelihood::default_distance_marginalization();
  std::vector<double> ln_terms;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    EXPECT_EQ(dt_rows[i], static_cast<std::int64_t>(i));
    const std::size_t row = i;
    auto h = bank.read_templates(std::span(&row, 1));
    for (std::size_t m = 0; m < n_m; ++m)
      for (std::size_t p = 0; p < 2; ++p)
        for (std::size_t b = 0; b < n_b; ++b)
          h[(m * 2 + p) * n_b + b] *= std::polar(1.0, 2.0 * kPi * config.fbin[b] * dt[i]);
    for (std::size_t e = 0; e < kExtrinsic; ++e) {
      const double lat = extrinsic.doubles("lat")[e], lon = extrinsic.doubles("lon")[e];
      for (std::int64_t o = 0; o < kPhases; ++o) {
        const double phi = 2.0 * kPi * static_cast<double>(o) / kPhases;
        Complex dh = 0.0, hh = 0.0;
        for (std::size_t d = 0; d < event.n_detectors(); ++d) {
          const auto& site = physics::detector(event.detector_names[d]);
          const auto pattern =
              physics::antenna_pattern(site, lat, lon, extrinsic.doubles("psi")[e]);
          const double response[2] = {pattern.plus, pattern.cross};
          const double arrival = extrinsic.doubles("t_geocenter")[e] +
                                 physics::geocenter_delay(site, lat, lon) + event.tcoarse;
          const double inverse = 1.0 / (drift[d] * drift[d]);
          for (std::size_t b = 0; b < n_b; ++b) {
            const Complex shift = std::polar(1.0, -2.0 * kPi * config.fbin[b] * arrival);
            for (std::size_t m = 0; m < n_m; ++m)
              for (std::size_t p = 0; p < 2; ++p)
                dh += weights.dh[weights.dh_index(d, m, p, b)] *
                      std::conj(h[(m * 2 + p) * n_b + b] * response[p] * shift) * inverse *
                      std::polar(1.0, -config.m_arr[m] * phi);
            for (std::size_t M = 0; M < pairs.size(); ++M) {
              const auto [m, mm] = pairs[M];
              for (std::size_t p = 0; p < 2; ++p)
                for (std::size_t pp = 0; pp < 2; ++pp)
                  hh += weights.hh[weights.hh_index(d, M, p, pp, b)] * h[(m * 2 + p) * n_b + b] *
                        std::conj(h[(mm * 2 + pp) * n_b + b]) * response[p] * response[pp] *
                        inverse * std::polar(1.0, (config.m_arr[m] - config.m_arr[mm]) * phi);
            }
          }
        }
        ln_terms.push_back(dm.lnlike_marginalized(dh.real(), hh.real()) +
                           samples[i].log_prior_weight + extrinsic.doubles("log_prior_weights")[e]);
      }
    }
  }
  return logsumexp(ln_terms) - std::log(static_cast<double>(kPhases * kExtrinsic * kBankSize));
}

TEST(Inference, EvidenceEqualsBruteForceSumOverEveryCombination) {
  const Problem& problem = tiny_problem();
  const RunConfig config = keep_everything_config(problem, "run_all");
  const nlohmann::json summary = run_pipeline(config);
  if (world_rank() != 0) return;
  const double brute_force = brute_force_ln_evidence(problem, *config.rundir);
  EXPECT_NEAR(summary.at("ln_evidence").get<double>(), brute_force, 1e-8);
  EXPECT_TRUE(std::isfinite(brute_force));
  const io::h5::File results(*config.rundir / "results.h5", io::h5::Mode::read);
  EXPECT_EQ(results.root().read_table("prob_samples").rows(),
            kBankSize * kExtrinsic * static_cast<std::size_t>(kPhases));
  EXPECT_EQ(results.root().read_table("samples").rows(), 40U);
  // One bank: its table is the merged one under a second name, with the per-bank columns.
  const io::h5::Table bank_table =
      results.root().group("banks").group("bank_0").read_table("prob_samples");
  EXPECT_EQ(bank_table.rows(), kBankSize * kExtrinsic * static_cast<std::size_t>(kPhases));
  for (const char* column : {"i", "e", "o", "lnl_marginalized", "ln_posterior", "weights"}) {
    EXPECT_TRUE(bank_table.contains(column)) << column;
  }
  EXPECT_TRUE(fs::exists(*config.rundir / "posterior.h5"));
  EXPECT_TRUE(fs::exists(*config.rundir / "summary.json"));
  EXPECT_TRUE(fs::exists(*config.rundir / "run_config.json"));
}

TEST(Inference, OutputsDoNotDependOnBatchesPerTask) {
  const Problem& problem = tiny_problem();
  RunConfig config = keep_everything_config(problem, "run_bpt1");
  config.max_bestfit_lnlike_diff = 5.0;  // exercise the block cuts and the discarded tally
  run_pipeline(config, 1);
  RunConfig other = config;
  other.rundir = problem.dir / "run_bpt3";
  run_pipeline(other, 3);
  if (world_rank() != 0) return;
  for (const char* name : {"results.h5", "summary.json", "posterior.h5"}) {
    EXPECT_EQ(file_bytes(*config.rundir / name), file_bytes(*other.rundir / name)) << name;
  }
}

TEST(Inference, SplittingTheBankIntoDisjointHalvesKeepsTheEvidence) {
  const Problem& problem = tiny_problem();
  const RunConfig whole = keep_everything_config(problem, "run_whole");
  const nlohmann::json whole_summary = run_pipeline(whole);
  // Halves by chirp mass; each half's prior weights renormalised by the fraction of the bank's
  // draws it holds, so that each half's evidence estimates the integral over its own region.
  if (world_rank() == 0) {
    const bank::BankFile bank = bank::BankFile::open(problem.bank);
    const auto samples = bank.samples();
    std::vector<std::size_t> low, high;
    for (std::size_t i = 0; i < samples.size(); ++i) {
      const double mchirp = std::pow(samples[i].m1 * samples[i].m2, 0.6) /
                            std::pow(samples[i].m1 + samples[i].m2, 0.2);
      (mchirp < 21.5 ? low : high).push_back(i);
    }
    ASSERT_FALSE(low.empty());
    ASSERT_FALSE(high.empty());
    for (const auto& [name, rows] : {std::pair("low.h5", low), std::pair("high.h5", high)}) {
      bank::BankConfig config = bank.config();
      config.bank_size = rows.size();
      std::vector<bank::IntrinsicSample> part;
      for (const std::size_t row : rows) {
        part.push_back(samples[row]);
        part.back().log_prior_weight +=
            std::log(static_cast<double>(rows.size()) / static_cast<double>(samples.size()));
      }
      bank::BankFile file = bank::BankFile::create(problem.dir / name, config, part);
      const auto waveforms = bank.read_templates(rows);
      for (std::size_t block = 0; block < config.n_blocks(); ++block) {
        const std::size_t first = config.block_start(block) * config.values_per_template();
        const std::size_t count = config.block_rows(block) * config.values_per_template();
        file.write_block(block, std::span(waveforms).subspan(first, count));
      }
    }
  }
  barrier();
  RunConfig split = whole;
  split.banks = {problem.dir / "low.h5", problem.dir / "high.h5"};
  split.rundir = problem.dir / "run_split";
  const nlohmann::json split_summary = run_pipeline(split);
  if (world_rank() != 0) return;
  EXPECT_NEAR(split_summary.at("ln_evidence").get<double>(),
              whole_summary.at("ln_evidence").get<double>(), 1e-9);
  EXPECT_EQ(split_summary.at("n_banks").get<int>(), 2);
}

}  // namespace
}  // namespace dotpe::pipeline
