// Likelihood kernels at the shapes, against this machine's complex GEMM measured in the
// same run. Google Benchmark times each piece; a summary of ratios is printed at the end.
//   coherent: (n_i, n_e, n_phi) = (512, 512, 100), n_d = 3, n_m = 4, n_b = 378
//   single-detector: 512 templates × n_t 128 × n_phi 100
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cstdio>
#include <map>
#include <string>

#include "dotpe/core/rng.hpp"
#include "dotpe/likelihood/coherent_kernel.hpp"
#include "dotpe/likelihood/distance_marginalization.hpp"
#include "dotpe/likelihood/kernel_benchmark.hpp"
#include "dotpe/likelihood/single_detector_kernel.hpp"

namespace {

using namespace dotpe::likelihood;

std::map<std::string, double>& seconds() {
  static std::map<std::string, double> values;
  return values;
}

// Runs the library's timing (the same code `dotpe bench` uses) inside Google Benchmark.
void BM_coherent_kernel(benchmark::State& state) {
  KernelTiming timing;
  for (auto _ : state) {
    timing = time_coherent_kernel(KernelShape{});
    state.SetIterationTime(timing.seconds_per_block);
  }
  state.counters["ieo_per_s"] = timing.ieo_per_second;
  state.counters["gemm_GFLOPs"] = timing.gemm_flops / timing.gemm_seconds * 1e-9;
  state.counters["eigen_zgemm_GFLOPs"] = timing.gemm_flops / timing.eigen_zgemm_seconds * 1e-9;
  state.counters["openblas_zgemm_GFLOPs"] =
      timing.gemm_flops / timing.openblas_zgemm_seconds * 1e-9;
  seconds()["coherent_kernel"] = timing.seconds_per_block;
  seconds()["coherent_prepare"] = timing.prepare_seconds;
  seconds()["coherent_gemm"] = timing.gemm_seconds;
  seconds()["coherent_eigen_zgemm"] = timing.eigen_zgemm_seconds;
  seconds()["coherent_openblas_zgemm"] = timing.openblas_zgemm_seconds;
  seconds()["coherent_ieo_per_s"] = timing.ieo_per_second;
}

void BM_single_detector_kernel(benchmark::State& state) {
  KernelTiming timing;
  for (auto _ : state) {
    timing = time_single_detector_kernel(KernelShape{});
    state.SetIterationTime(timing.seconds_per_block);
  }
  state.counters["itp_per_s"] = timing.ieo_per_second;
  seconds()["single_kernel"] = timing.seconds_per_block;
  seconds()["single_gemm"] = timing.gemm_seconds;
  seconds()["single_zgemm"] = timing.zgemm_seconds;
}

// The stored variant of the coherent kernel (writes dh, hh, bestfit of the whole block).
void BM_coherent_kernel_stored(benchmark::State& state) {
  const KernelShape shape;
  SummaryWeights weights;
  weights.n_detectors = shape.n_d;
  weights.n_modes = shape.n_m;
  weights.n_nodes = shape.n_b;
  weights.m_values = {2, 1, 3, 4};
  dotpe::RngStream rng(1, dotpe::rng_stream::tests, 0);
  const auto draw = [&rng] { return Complex(rng.normal(), rng.normal()); };
  for (std::size_t k = 0; k < shape.n_d * shape.n_m * 2 * shape.n_b; ++k)
    weights.dh.push_back(draw());
  for (std::size_t k = 0; k < shape.n_d * 10 * 4 * shape.n_b; ++k) weights.hh.push_back(draw());
  std::vector<Complex> h(shape.n_i * shape.n_m * 2 * shape.n_b),
      t(shape.n_d * shape.n_b * shape.n_e);
  for (auto& x : h) x = draw();
  for (auto& x : t) x = std::polar(1.0, 6.28 * rng.uniform());
  std::vector<double> f(shape.n_d * 2 * shape.n_e);
  for (auto& x : f) x = rng.normal();
  const CoherentKernel kernel(weights, std::vector<double>(shape.n_d, 1.0), shape.n_phi);
  const auto intrinsic = kernel.prepare_intrinsic(shape.n_i, h);
  const auto extrinsic = kernel.prepare_extrinsic(shape.n_e, f, t);
  CoherentResult result;
  for (auto _ : state) {
    kernel.evaluate(intrinsic, extrinsic, result);
    benchmark::DoNotOptimize(result.bestfit_lnlike.data());
  }
}

void BM_distance_marginalization(benchmark::State& state) {
  const auto& table = default_distance_marginalization();
  double sum = 0.0;
  std::size_t k = 0;
  for (auto _ : state) {
    const double z = 2.0 + 0.001 * static_cast<double>(k % 10000);
    const double norm_h = 3000.0 + static_cast<double>(k % 777);
    sum += table.lnlike_marginalized(z * norm_h, norm_h * norm_h);
    ++k;
  }
  benchmark::DoNotOptimize(sum);
}

}  // namespace

BENCHMARK(BM_coherent_kernel)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_coherent_kernel_stored)->Iterations(3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_single_detector_kernel)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_distance_marginalization);

int main(int argc, char** argv) {
  openblas_set_num_threads(1);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  auto& s = seconds();
  if (s.count("coherent_kernel")) {
    const double zgemm = std::min(s["coherent_eigen_zgemm"], s["coherent_openblas_zgemm"]);
    std::printf("\nCoherent kernel (512 x 512 x 100, n_d 3, n_m 4, n_b 378), one core:\n");
    std::printf("  Eigen zgemm / OpenBLAS zgemm time        : %.3f\n",
                s["coherent_eigen_zgemm"] / s["coherent_openblas_zgemm"]);
    std::printf("  kernel GEMM speed / best zgemm speed     : %.3f  (target >= 0.85)\n",
                zgemm / s["coherent_gemm"]);
    std::printf("  whole kernel time / best zgemm time      : %.3f  (target <= 1.3)\n",
                s["coherent_kernel"] / zgemm);
    std::printf("  operand preparation / whole kernel time  : %.3f  (amortised over blocks)\n",
                s["coherent_prepare"] / s["coherent_kernel"]);
    std::printf("  (i,e,o) per second / reference Python 4e7: %.2f\n",
                s["coherent_ieo_per_s"] / 4e7);
  }
  if (s.count("single_kernel")) {
    std::printf("Single-detector kernel (512 x n_t 128 x n_phi 100):\n");
    std::printf("  GEMM share of kernel time                : %.3f\n",
                s["single_gemm"] / s["single_kernel"]);
    std::printf("  best zgemm time / kernel time (roofline) : %.3f\n",
                s["single_zgemm"] / s["single_kernel"]);
  }
  return 0;
}
