#include "dotpe/likelihood/kernel_benchmark.hpp"

#include <cblas.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "dotpe/core/error.hpp"
#include "dotpe/core/rng.hpp"
#include "dotpe/core/timer.hpp"
#include "dotpe/likelihood/coherent_kernel.hpp"
#include "dotpe/likelihood/single_detector_kernel.hpp"

namespace dotpe::likelihood {
namespace {

std::vector<Complex> random_complex(std::size_t count, std::uint64_t index) {
  RngStream rng(2024, rng_stream::tests, index);
  std::vector<Complex> values(count);
  for (auto& v : values) v = Complex(rng.normal(), rng.normal());
  return values;
}

SummaryWeights random_weights(const KernelShape& shape) {
  SummaryWeights weights;
  weights.n_detectors = shape.n_d;
  weights.n_modes = shape.n_m;
  weights.n_nodes = shape.n_b;
  for (std::size_t m = 0; m < shape.n_m; ++m) weights.m_values.push_back(static_cast<int>(m) + 1);
  weights.dh = random_complex(shape.n_d * shape.n_m * 2 * shape.n_b, 1);
  // hh weights shaped like real ones: positive on the diagonal (m = m', p = P), small elsewhere,
  // so that the 2×2 polarisation matrices are positive definite as for real data.
  weights.hh = random_complex(shape.n_d * weights.n_mode_pairs() * 4 * shape.n_b, 2);
  const auto pairs = mode_pairs(shape.n_m);
  for (std::size_t d = 0; d < shape.n_d; ++d)
    for (std::size_t pair = 0; pair < pairs.size(); ++pair)
      for (std::size_t p = 0; p < 2; ++p)
        for (std::size_t pp = 0; pp < 2; ++pp)
          for (std::size_t b = 0; b < shape.n_b; ++b) {
            Complex& w = weights.hh[weights.hh_index(d, pair, p, pp, b)];
            w = pairs[pair].first == pairs[pair].second && p == pp ? Complex(1.0 + std::abs(w), 0.0)
                                                                   : 0.05 * w;
          }
  return weights;
}

template <typename Work>
double minimum_seconds(int repetitions, Work&& work) {
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < std::max(1, repetitions); ++r) {
    const WallTimer timer;
    work();
    best = std::min(best, timer.seconds());
  }
  return best;
}

// Eigen's and OpenBLAS's complex<double> GEMM on (rows × inner)·(inner × cols).
void time_reference_gemm(std::size_t rows, std::size_t inner, std::size_t cols, int repetitions,
                         KernelTiming& timing) {
  const auto r = static_cast<Eigen::Index>(rows);
  const auto k = static_cast<Eigen::Index>(inner);
  const auto c = static_cast<Eigen::Index>(cols);
  const ComplexRowMatrix left = ComplexRowMatrix::Random(r, k);
  const ComplexRowMatrix right = ComplexRowMatrix::Random(k, c);
  ComplexRowMatrix product(r, c);
  timing.eigen_zgemm_seconds =
      minimum_seconds(repetitions, [&] { product.noalias() = left * right; });
  openblas_set_num_threads(1);
  const Complex one(1.0, 0.0);
  const Complex zero(0.0, 0.0);
  const auto m = static_cast<blasint>(rows);
  const auto n = static_cast<blasint>(cols);
  const auto kk = static_cast<blasint>(inner);
  timing.openblas_zgemm_seconds = minimum_seconds(repetitions, [&] {
    cblas_zgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, kk, &one, left.data(), kk,
                right.data(), n, &zero, product.data(), n);
  });
  const bool eigen_faster = timing.eigen_zgemm_seconds <= timing.openblas_zgemm_seconds;
  timing.zgemm_seconds = eigen_faster ? timing.eigen_zgemm_seconds : timing.openblas_zgemm_seconds;
  timing.zgemm_reference = eigen_faster ? "eigen" : "openblas";
  timing.gemm_flops =
      8.0 * static_cast<double>(rows) * static_cast<double>(inner) * static_cast<double>(cols);
}

void finish(KernelTiming& timing, double evaluated) {
  timing.ieo_per_second = evaluated / timing.seconds_per_block;
  timing.gemm_fraction_of_zgemm = timing.zgemm_seconds / timing.gemm_seconds;
  timing.kernel_over_zgemm = timing.seconds_per_block / timing.zgemm_seconds;
}

void validate(const KernelShape& shape) {
  require(shape.n_i > 0 && shape.n_e > 0 && shape.n_t > 0 && shape.n_phi > 0 && shape.n_d > 0 &&
              shape.n_b >= 4 && shape.n_m > 0,
          "kernel benchmark: every dimension must be positive and n_b ≥ 4 (got n_i={} n_e={} "
          "n_t={} n_phi={} n_d={} n_b={} n_m={})",
          shape.n_i, shape.n_e, shape.n_t, shape.n_phi, shape.n_d, shape.n_b, shape.n_m);
}

}  // namespace

KernelTiming time_coherent_kernel(const KernelShape& shape) {
  validate(shape);
  const SummaryWeights weights = random_weights(shape);
  const std::vector<double> drift(shape.n_d, 1.0);
  const CoherentKernel kernel(
      weights, drift, shape.n_phi,
      shape.single_precision ? GemmPrecision::single_precision : GemmPrecision::double_precision);
  const auto h = random_complex(shape.n_i * shape.n_m * 2 * shape.n_b, 3);
  RngStream rng(2024, rng_stream::tests, 4);
  std::vector<double> response(shape.n_d * 2 * shape.n_e);
  for (auto& f : response) f = rng.normal();
  std::vector<Complex> timeshift(shape.n_d * shape.n_b * shape.n_e);
  for (auto& t : timeshift) t = std::polar(1.0, 6.283185307179586 * rng.uniform());

  KernelTiming timing;
  CoherentIntrinsicBlock intrinsic;
  CoherentExtrinsicBlock extrinsic;
  timing.prepare_seconds = minimum_seconds(shape.repetitions, [&] {
    intrinsic = kernel.prepare_intrinsic(shape.n_i, h);
    extrinsic = kernel.prepare_extrinsic(shape.n_e, response, timeshift);
  });
  if (shape.single_precision) {
    ComplexFloatRowMatrix product(intrinsic.dh_left_single.rows(),
                                  extrinsic.dh_right_single.cols());
    timing.gemm_seconds = minimum_seconds(shape.repetitions, [&] {
      product.noalias() = intrinsic.dh_left_single * extrinsic.dh_right_single;
    });
  } else {
    ComplexRowMatrix product(intrinsic.dh_left.rows(), extrinsic.dh_right.cols());
    timing.gemm_seconds = minimum_seconds(
        shape.repetitions, [&] { product.noalias() = intrinsic.dh_left * extrinsic.dh_right; });
  }
  double best = 0.0;
  timing.seconds_per_block = minimum_seconds(shape.repetitions, [&] {
    kernel.evaluate(intrinsic, extrinsic, [&best](const PhaseGridView& view) {
      best =
          std::max(best, *std::max_element(view.bestfit_lnlike.begin(), view.bestfit_lnlike.end()));
    });
  });
  time_reference_gemm(shape.n_i * shape.n_m, shape.n_d * 2 * shape.n_b, shape.n_e,
                      shape.repetitions, timing);
  finish(timing, static_cast<double>(shape.n_i * shape.n_e * shape.n_phi));
  return timing;
}

KernelTiming time_single_detector_kernel(const KernelShape& shape) {
  validate(shape);
  KernelShape one = shape;
  one.n_d = 1;
  const SummaryWeights weights = random_weights(one);
  SingleDetectorKernel kernel(weights, 1.0, shape.n_phi);
  const auto h = random_complex(shape.n_i * shape.n_m * 2 * shape.n_b, 5);
  RngStream rng(2024, rng_stream::tests, 6);
  std::vector<Complex> timeshift(shape.n_b * shape.n_t);
  for (auto& t : timeshift) t = std::polar(1.0, 6.283185307179586 * rng.uniform());
  KernelTiming timing;
  SingleDetectorResult result;
  timing.seconds_per_block = minimum_seconds(
      shape.repetitions, [&] { kernel.evaluate(shape.n_i, h, shape.n_t, timeshift, result); });
  timing.gemm_seconds = minimum_seconds(
      shape.repetitions, [&] { kernel.time_grid_product(shape.n_i, h, shape.n_t, timeshift); });
  time_reference_gemm(shape.n_i * shape.n_m * 2, shape.n_b, shape.n_t, shape.repetitions, timing);
  finish(timing, static_cast<double>(shape.n_i * shape.n_t * shape.n_phi));
  return timing;
}

}  // namespace dotpe::likelihood
