#include "dotpe/pipeline/memory_budget.hpp"

#include <algorithm>

#include "dotpe/core/error.hpp"

namespace dotpe::pipeline {

namespace {

constexpr double kComplex = 16.0;
constexpr double kReal = 8.0;
constexpr double kKeptRow = 48.0;    // (i, e, o, dh, hh, bestfit) while a block is evaluated
constexpr double kResultRow = 64.0;  // the same with lnl_marginalized, as sent to rank 0

double real(std::size_t count) {
  return static_cast<double>(count);
}

}  // namespace

double stage2_bytes(const WorkloadShape& s) {
  const double batch = real(s.i_batch);
  const double waveforms = batch * real(s.n_modes) * 2.0 * real(s.n_nodes) * kComplex;
  const double time_grid = batch * real(s.n_modes) * 2.0 * real(s.n_t) * kComplex;
  const double phase_grids = batch * real(s.n_t) * 2.0 * real(s.n_phi_incoherent) * kReal * 2.0;
  return waveforms + time_grid + phase_grids;
}

double stage5_bytes(const WorkloadShape& s) {
  const double b_i = real(s.blocksize);
  const double b_e = real(std::min(s.blocksize, s.n_ext));
  const double x = 2.0 * real(s.n_detectors) * real(s.n_nodes);
  const double intrinsic = b_i * real(s.n_modes) * (2.0 * real(s.n_nodes) + x) * kComplex;
  const double extrinsic = b_e * (x + x / 2.0) * kComplex;
  const double products = b_i * b_e * real(s.n_modes) * kComplex;
  const double rows = b_i * b_e * real(s.n_phi) * (kKeptRow + kResultRow);
  return intrinsic + extrinsic + products + rows;
}

double worker_bytes(const WorkloadShape& shape) {
  return shape.baseline_bytes + std::max(stage2_bytes(shape), stage5_bytes(shape));
}

WorkloadShape fit_to_budget(WorkloadShape shape, double budget_bytes, std::size_t minimum) {
  while (worker_bytes(shape) > budget_bytes) {
    const bool stage5_larger = stage5_bytes(shape) >= stage2_bytes(shape);
    std::size_t& size = stage5_larger ? shape.blocksize : shape.i_batch;
    if (size <= minimum) {
      std::size_t& other = stage5_larger ? shape.i_batch : shape.blocksize;
      if (other <= minimum) {
        throw Error(
            "--max-memory-per-worker {:.2f} GB is too small: a worker needs {:.2f} GB even with "
            "blocks of {} ({:.2f} GB of it is the process itself: event, tables, libraries); "
            "give more memory per worker",
            budget_bytes / 1e9, worker_bytes(shape) / 1e9, minimum, shape.baseline_bytes / 1e9);
      }
      other = std::max(minimum, other / 2);
      continue;
    }
    size = std::max(minimum, size / 2);
  }
  return shape;
}

}  // namespace dotpe::pipeline
