// The real workload `dotpe autotune EVENT BANK` measures: a few tasks of stage 2 (the
// single-detector kernel on i_batch bank templates per unit, every detector) and of stage 5
// (the coherent kernel on blocksize × blocksize (intrinsic × extrinsic) block pairs, i-major)
// for one candidate HPC configuration, on the first n_procs + 1 ranks of the job.
//
// The inputs are the given event and bank; bank rows wrap around when a candidate asks for more
// templates than the bank holds, and the extrinsic samples are random sky responses and arrival
// times around the event (the kernel's cost does not depend on their values). The score is the
// estimated wall time of a standard run (stage 2 over `score_templates` templates plus stage 5
// over `score_evaluations` (i, e, o)); throughput = standard runs per hour.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "dotpe/hpc/autotune.hpp"

namespace dotpe::app {

struct AutotuneWorkloadSettings {
  std::filesystem::path event;
  std::filesystem::path bank;
  std::size_t n_t = 128;             // stage-2 time grid
  std::size_t n_phi = 50;            // orbital-phase grid
  std::size_t blocksize = 512;       // stage-5 block (intrinsic and extrinsic)
  std::size_t tasks_per_worker = 2;  // tasks each worker computes per stage and candidate
  double score_templates = 65536.0;  // standard run: a 2^16-template bank
  double score_evaluations = 4096.0 * 1024.0 * 50.0;  // 4096 selected × n_ext 1024 × n_phi 50

  nlohmann::json to_json() const;
};

class AutotuneWorkload {
 public:
  // Reads the event and the bank and builds the kernels on every rank (collective: no).
  explicit AutotuneWorkload(const AutotuneWorkloadSettings& settings);
  ~AutotuneWorkload();
  AutotuneWorkload(const AutotuneWorkload&) = delete;
  AutotuneWorkload& operator=(const AutotuneWorkload&) = delete;

  // Collective over every rank of the job: measures one candidate (skipped when the job has
  // fewer than n_procs + 1 ranks). Stage 5 does not depend on i_batch, so it is measured once
  // per (n_procs, batches_per_task) and reused.
  hpc::Measurement operator()(const hpc::HPCConfig& candidate);

  std::string describe() const;  // one line: detectors, bins, modes, bank size

 private:
  struct Inputs;
  std::unique_ptr<Inputs> inputs_;
  AutotuneWorkloadSettings settings_;
  std::map<std::pair<int, std::int64_t>, hpc::StageMeasurement> coherent_;
};

}  // namespace dotpe::app
