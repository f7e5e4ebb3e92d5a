// Timing of the likelihood kernels on synthetic inputs of a given shape, on one core, against
// the machine's own complex GEMM on the same shape in the same run (used by `dotpe bench` and
// bench/likelihood_bench.cpp). Times are the minimum over repetitions.
#pragma once

#include <cstddef>
#include <string>

namespace dotpe::likelihood {

struct KernelShape {
  std::size_t n_i = 512;
  std::size_t n_e = 512;  // coherent kernel: extrinsic block
  std::size_t n_t = 128;  // single-detector kernel: time grid
  std::size_t n_phi = 100;
  std::size_t n_d = 3;
  std::size_t n_b = 378;
  std::size_t n_m = 4;
  int repetitions = 3;
  bool single_precision = false;  // coherent kernel only: complex<float> GEMM
};

struct KernelTiming {
  double seconds_per_block = 0.0;       // the whole kernel call on one block (pair)
  double prepare_seconds = 0.0;         // operand preparation (amortised over blocks)
  double ieo_per_second = 0.0;          // (i, e|t, o) evaluated per second
  double gemm_seconds = 0.0;            // the kernel's big complex GEMM alone
  double eigen_zgemm_seconds = 0.0;     // Eigen complex<double> GEMM, same shape
  double openblas_zgemm_seconds = 0.0;  // cblas_zgemm (1 thread), same shape
  double zgemm_seconds = 0.0;           // the faster of the two: the reference
  std::string zgemm_reference;          // "eigen" or "openblas"
  double gemm_flops = 0.0;              // 8·M·N·K of the big GEMM
  double gemm_fraction_of_zgemm = 0.0;  // zgemm_seconds / gemm_seconds
  double kernel_over_zgemm = 0.0;       // seconds_per_block / zgemm_seconds
};

KernelTiming time_coherent_kernel(const KernelShape& shape);
KernelTiming time_single_detector_kernel(const KernelShape& shape);

}  // namespace dotpe::likelihood
