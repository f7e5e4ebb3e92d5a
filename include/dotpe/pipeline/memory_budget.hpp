// The memory a worker needs (dotpe run --max-memory-per-worker), and the block sizes that fit a
// budget. The working set of a worker is its process baseline (libraries, the event, the
// summary weights, the distance-marginalisation table) plus the larger of
//   stage 2, per batch of B₂ templates: waveforms B₂·n_m·2·n_b, the time-grid product
//     B₂·n_m·2·n_t (complex), the phase grids B₂·n_t·2·n_phi' (real) and their fit;
//   stage 5, per block pair B_i × B_e: waveforms and the left operand B_i·n_m·(1 + X) with
//     X = 2·n_d·n_b, the extrinsic components and right operand B_e·(X + X/2) (complex), the mode
//     products B_i·B_e·n_m (complex), and in the worst case (no likelihood structure, every row
//     within max_bestfit_lnlike_diff of the best) every (i, e, o) of the block as a kept row
//     (48 bytes each) plus its distance-marginalised copy (64 bytes).
#pragma once

#include <cstddef>
#include <cstdint>

namespace dotpe::pipeline {

struct WorkloadShape {
  std::size_t n_detectors = 3, n_modes = 4, n_nodes = 378;
  std::size_t n_t = 128, n_phi = 50, n_phi_incoherent = 50, n_ext = 1024;
  std::size_t blocksize = 512, i_batch = 512;
  double baseline_bytes = 0.0;  // the process before any task
};

// Bytes per worker, each stage's task working set plus the baseline.
double stage2_bytes(const WorkloadShape& shape);
double stage5_bytes(const WorkloadShape& shape);
double worker_bytes(const WorkloadShape& shape);

// The shape with blocksize and i_batch halved (each down to `minimum` at most) until the
// working set fits `budget_bytes`; throws dotpe::Error when even the smallest blocks do not.
WorkloadShape fit_to_budget(WorkloadShape shape, double budget_bytes, std::size_t minimum = 16);

}  // namespace dotpe::pipeline
