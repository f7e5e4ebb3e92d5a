// Autotuning against a synthetic workload whose optimum is known in closed form, the
// per-signature cache, and measure_stage on one rank.
#include "dotpe/hpc/autotune.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <tuple>

#include "dotpe/core/error.hpp"
#include "test_paths.hpp"

namespace dotpe::hpc {
namespace {

// Throughput grows with workers and with i_batch (per-batch overhead 300 templates' worth) and
// peaks at batches_per_task = 2 (smaller: coordinator round trips, larger: load imbalance);
// memory per worker is 0.25 GB per 256 templates of a batch. So without a cap the optimum is
// the largest n_procs and i_batch with batches_per_task 2, and a cap of C GB moves it to the
// largest i_batch with i_batch/1024 <= C.
double synthetic_throughput(const HPCConfig& c) {
  const double batch = static_cast<double>(c.i_batch);
  const double task_penalty =
      0.05 * std::abs(std::log2(static_cast<double>(c.batches_per_task)) - 1);
  return c.n_procs * batch / (batch + 300.0) * (1.0 - task_penalty);
}
double synthetic_memory_gb(const HPCConfig& c) {
  return static_cast<double>(c.i_batch) / 1024.0;
}

Measurement synthetic(const HPCConfig& c) {
  Measurement measurement(synthetic_throughput(c), synthetic_memory_gb(c));
  measurement.details = {{"score", 1.0}};
  return measurement;
}

const AutotuneCandidates kIssueCandidates{{8, 16, 32}, {256, 512, 1024, 2048}, {1, 2, 4}};

TEST(Autotune, FindsTheKnownOptimumAndMeasuresEveryCandidateOnce) {
  std::map<std::tuple<int, std::int64_t, std::int64_t>, int> calls;
  const auto counting = [&](const HPCConfig& c) {
    ++calls[{c.n_procs, c.i_batch, c.batches_per_task}];
    return synthetic(c);
  };
  const AutotuneResult result = autotune(counting, kIssueCandidates, std::nullopt);
  EXPECT_EQ(result.trials.size(), 36U);
  EXPECT_EQ(calls.size(), 36U);
  for (const auto& [key, count] : calls) EXPECT_EQ(count, 1);
  const HPCConfig& best = result.best();
  EXPECT_EQ(best.n_procs, 32);
  EXPECT_EQ(best.i_batch, 2048);
  EXPECT_EQ(best.batches_per_task, 2);
}

TEST(Autotune, MemoryCapRejectsLargeBatches) {
  const AutotuneResult result = autotune(synthetic, kIssueCandidates, 1.0);
  const HPCConfig& best = result.best();
  EXPECT_EQ(best.n_procs, 32);
  EXPECT_EQ(best.i_batch, 1024);  // 2048 needs 2 GB
  EXPECT_EQ(best.batches_per_task, 2);
  int over = 0;
  for (const Trial& trial : result.trials) {
    const bool too_big = trial.config.i_batch == 2048;
    EXPECT_EQ(trial.outcome == Trial::Outcome::over_memory, too_big);
    over += too_big ? 1 : 0;
  }
  EXPECT_EQ(over, 9);
  // The same through the one-call API.
  const HPCConfig same = autotune_hpc_config(synthetic, kIssueCandidates, 0.5);
  EXPECT_EQ(same.i_batch, 512);
}

TEST(Autotune, NothingWithinTheCapIsAnErrorNamingTheOption) {
  try {
    (void)autotune_hpc_config(synthetic, kIssueCandidates, 0.1);
    FAIL() << "expected dotpe::Error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("--max-memory-per-worker"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("36 over the memory cap"), std::string::npos)
        << error.what();
  }
  EXPECT_THROW((void)autotune(synthetic, kIssueCandidates, -1.0), Error);
}

TEST(Autotune, SkippedAndFailedCandidatesAreListedButNeverChosen) {
  // As on a job with 17 ranks: n_procs 32 cannot be measured; i_batch 2048 fails.
  const auto workload = [](const HPCConfig& c) {
    if (c.i_batch == 2048) throw Error("synthetic failure");
    Measurement m = synthetic(c);
    if (c.n_procs > 16) m.skipped = "needs 33 ranks";
    return m;
  };
  const AutotuneResult result = autotune(workload, kIssueCandidates, std::nullopt);
  EXPECT_EQ(result.best().n_procs, 16);
  EXPECT_EQ(result.best().i_batch, 1024);
  const std::string table = result.table();
  EXPECT_NE(table.find("skipped: needs 33 ranks"), std::string::npos) << table;
  EXPECT_NE(table.find("failed: synthetic failure"), std::string::npos) << table;
  EXPECT_NE(table.find("score"), std::string::npos) << table;
  // 36 candidates + header; the chosen one is marked.
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 37);
  EXPECT_NE(table.find("*      16    1024         2"), std::string::npos) << table;
  const nlohmann::json json = result.to_json();
  EXPECT_EQ(json["trials"].size(), 36U);
  EXPECT_EQ(json["chosen"]["i_batch"], 1024);
}

TEST(Autotune, TiesGoToFewerWorkersThenLessMemory) {
  const auto flat = [](const HPCConfig& c) {
    return Measurement{1.0, static_cast<double>(c.batches_per_task)};
  };
  const HPCConfig best = autotune_hpc_config(flat, {{4, 2, 8}, {512}, {4, 1, 2}}, std::nullopt);
  EXPECT_EQ(best.n_procs, 2);
  EXPECT_EQ(best.batches_per_task, 1);
}

TEST(Autotune, DefaultCandidatesFollowTheMachine) {
  EXPECT_EQ(AutotuneCandidates::defaults(2).n_procs, (std::vector<int>{1, 2}));
  EXPECT_EQ(AutotuneCandidates::defaults(64).n_procs, (std::vector<int>{32, 63, 64}));
  EXPECT_EQ(AutotuneCandidates::defaults(1).n_procs, (std::vector<int>{1}));
  EXPECT_EQ(AutotuneCandidates::defaults(8).configs().size(), 27U);
  EXPECT_THROW((void)AutotuneCandidates({{}, {512}, {1}}).configs(), Error);
  EXPECT_THROW((void)AutotuneCandidates({{2}, {0}, {1}}).configs(), Error);
}

TEST(Hardware, SignatureIsDetectedAndKeyedByEveryField) {
  const HardwareSignature here = detect_hardware();
  EXPECT_GE(here.cores, 1);
  EXPECT_FALSE(here.blas.empty());
  EXPECT_FALSE(here.dotpe_version.empty());
  EXPECT_EQ(here.key().size(), 16U);
  EXPECT_EQ(here.key(), detect_hardware().key());
  EXPECT_EQ(HardwareSignature::from_json(here.to_json()).key(), here.key());
  HardwareSignature other = here;
  other.cores += 1;
  EXPECT_NE(other.key(), here.key());
  other = here;
  other.blas += " (another build)";
  EXPECT_NE(other.key(), here.key());
  other = here;
  other.dotpe_version += "+1";
  EXPECT_NE(other.key(), here.key());
}

// Points XDG_CACHE_HOME at a fresh directory for one test.
class Cache : public ::testing::Test {
 protected:
  void SetUp() override {
    // One directory per test: CTest runs this fixture's tests in parallel.
    dir_ = testing::fresh_work_dir(std::string("hpc_autotune_cache_") +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
    const char* old = std::getenv("XDG_CACHE_HOME");
    if (old != nullptr) saved_ = old;
    setenv("XDG_CACHE_HOME", dir_.c_str(), 1);
  }
  void TearDown() override {
    if (saved_) {
      setenv("XDG_CACHE_HOME", saved_->c_str(), 1);
    } else {
      unsetenv("XDG_CACHE_HOME");
    }
  }
  std::filesystem::path dir_;
  std::optional<std::string> saved_;
  HardwareSignature signature_ = detect_hardware();
  HPCConfig tuned_{2, 1024, 4};
};

TEST_F(Cache, StoresAndLoadsPerSignature) {
  EXPECT_EQ(cache_directory(), dir_ / "dotpe");
  EXPECT_FALSE(load_cached_config(signature_));
  const auto path = store_cached_config(signature_, tuned_, {{"note", "test"}});
  EXPECT_EQ(path, dir_ / "dotpe" / ("hpc_config_" + signature_.key() + ".json"));
  const auto loaded = load_cached_config(signature_);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->config.to_json(), tuned_.to_json());
  EXPECT_EQ(loaded->record["autotune"]["note"], "test");

  HardwareSignature other = signature_;
  other.cpu_model = "Another CPU";
  EXPECT_NE(cached_config_path(other), cached_config_path(signature_));
  EXPECT_FALSE(load_cached_config(other));
  store_cached_config(other, HPCConfig{7, 256, 1}, {});
  EXPECT_EQ(load_cached_config(other)->config.n_procs, 7);
  EXPECT_EQ(load_cached_config(signature_)->config.n_procs, 2);

  EXPECT_TRUE(clear_cached_config(signature_));
  EXPECT_FALSE(clear_cached_config(signature_));
  EXPECT_FALSE(load_cached_config(signature_));
  EXPECT_TRUE(load_cached_config(other));
}

TEST_F(Cache, CorruptFilesWarnAndCountAsAbsent) {
  const auto path = store_cached_config(signature_, tuned_, {});
  const std::vector<std::string> damaged = {
      "{ not json",
      "",
      R"({"format": "something else"})",
      // Valid but written for another machine.
      R"({"format": "dotpe-hpc-config", "format_version": 1, "signature": {"cpu_model": "x",
          "cores": 1, "caches": [], "isa_flags": [], "blas": "", "dotpe_version": ""},
          "hpc_config": {"n_procs": 1, "i_batch": 512, "batches_per_task": 1}})",
  };
  for (const std::string& text : damaged) {
    std::ofstream(path) << text;
    ::testing::internal::CaptureStderr();
    EXPECT_FALSE(load_cached_config(signature_)) << text;
    const std::string warning = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(warning.find(path.string()), std::string::npos) << warning;
    EXPECT_NE(warning.find("dotpe autotune"), std::string::npos) << warning;
  }
  // A bad value inside an otherwise valid record of this machine.
  store_cached_config(signature_, tuned_, {});
  nlohmann::json record = nlohmann::json::parse(std::ifstream(path));
  record["hpc_config"]["i_batch"] = -5;
  std::ofstream(path) << record.dump();
  ::testing::internal::CaptureStderr();
  EXPECT_FALSE(load_cached_config(signature_));
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("--i-batch"), std::string::npos);
}

TEST_F(Cache, FallsBackToHomeWithoutXdg) {
  unsetenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  if (home == nullptr) GTEST_SKIP() << "HOME unset";
  EXPECT_EQ(cache_directory(), std::filesystem::path(home) / ".cache" / "dotpe");
}

TEST(MeasureStage, OneRankRunsEveryUnitInProcessAndSkipsLargerCandidates) {
  std::size_t computed = 0;
  const auto compute = [&](const Task& task) {
    computed += task.unit_count;
    return std::string(16, 'x');
  };
  const auto measured = measure_stage(HPCConfig{0, 512, 3}, 10, compute);
  ASSERT_TRUE(measured);
  EXPECT_EQ(computed, 10U);
  EXPECT_EQ(measured->units, 10U);
  EXPECT_GT(measured->units_per_second, 0.0);
  EXPECT_GT(measured->peak_rss_bytes_per_worker, 0.0);
  EXPECT_FALSE(measure_stage(HPCConfig{1, 512, 1}, 10, compute));
  EXPECT_EQ(computed, 10U);
  EXPECT_THROW((void)measure_stage(HPCConfig{0, 512, 1}, 3,
                                   [](const Task&) -> std::string { throw Error("unit failed"); }),
               FarmAborted);
}

}  // namespace
}  // namespace dotpe::hpc
