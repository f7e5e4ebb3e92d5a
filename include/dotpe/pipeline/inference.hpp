// `dotpe run`: the six stages of one inference (DESIGN.md §2, dotpe-pipeline.md §4), written as
// a class whose run() calls one private function per stage, in the method's order:
//
//   set_up()                 1  event, bank(s), reference waveform par0, summary weights
//   screen_incoherently()    2  per-detector likelihood of every screened bank sample (task farm)
//   select_across_banks()    3  keep samples within max_incoherent_lnlike_drop of the best
//   draw_extrinsic()         4  extrinsic samples with exact importance weights
//   run_coherent()           5  every (intrinsic block × extrinsic block) pair (task farm)
//   aggregate()              6  evidence, effective sizes, posterior draws and the outputs
//
// Every rank constructs the class and calls run(); the task farm decides who computes what.
// Stages other than 2 and 5 run on every rank from the same inputs (so workers hold what their
// tasks need) or on rank 0 with a broadcast; results are bitwise identical for any world size.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "dotpe/pipeline/run_config.hpp"

namespace dotpe::hpc {
class TaskFarm;
}

namespace dotpe::pipeline {

struct RunOutcome {
  std::filesystem::path rundir;
  nlohmann::json summary;  // summary.json (rank 0 only; empty elsewhere)
};

class Inference {
 public:
  // `config` must be validated. The farm is shared by stages 2 and 5 (and the reference search).
  Inference(RunConfig config, hpc::TaskFarm& farm);
  ~Inference();
  Inference(const Inference&) = delete;
  Inference& operator=(const Inference&) = delete;

  RunOutcome run();

  struct State;  // the run's data, stage by stage (src/pipeline/inference_state.hpp)

 private:
  void set_up();
  void screen_incoherently();
  void select_across_banks();
  void draw_extrinsic();
  void run_coherent();
  void aggregate();

  std::unique_ptr<State> state_;
};

}  // namespace dotpe::pipeline
