// Likelihood kernels at the shapes, against this machine's complex GEMM measured in the
// same run. Google Benchmark times each piece; a summary of ratios is printed at the end.
//   coherent: (n_i, n_e, n_phi) = (512, 512, 100), n_d = 3, n_m = 4, n_b = 378
//   single-detector: 512 templates × n_t 128 × n_phi 100
//   time-grid weights (extrinsic stage): 128 s × 15-1600 Hz, 378 nodes, 1147 times, n_d 3, n_m 4,
//   direct evaluation against the expansion
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include "dotpe/bank/fbin.hpp"
#include "dotpe/core/rng.hpp"
#include "dotpe/likelihood/coherent_kernel.hpp"
#include "dotpe/likelihood/distance_marginalization.hpp"
#include "dotpe/likelihood/kernel_benchmark.hpp"
#include "dotpe/likelihood/single_detector_kernel.hpp"
#include "dotpe/likelihood/summary_weights.hpp"

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

// A long event as the extrinsic stage sees it: df = 1/128 Hz up to 1600 Hz (whitening zero below
// 15 Hz), the reference's 378 nodes, 4 m-groups, 3 detectors, the default proposal grid of 1147
// times at 8192 Hz around t_coarse = 64 s.
struct TimeGridInputs {
  std::vector<double> frequencies, whitening, times;
  std::vector<Complex> strain, h0_f, h0_b;
  SplineBasis basis{dotpe::bank::default_fbin()};
  double df = 1.0 / 128.0;
  std::size_t n_d = 3;
  std::vector<int> m_values = {2, 1, 3, 4};

  TimeGridInputs() {
    const auto n_f = static_cast<std::size_t>(1600.0 / df) + 1;
    const auto reference = [](int m, double f) {
      if (f < 10.0) return Complex(0.0);
      const double x = std::numbers::pi * 25.0 * 4.925491e-6 * (2.0 * f / m);
      const double phase =
          2.0 * std::numbers::pi * f * 0.01 + 3.0 / 128.0 * std::pow(x, -5.0 / 3.0);
      return std::pow(f / 100.0, -7.0 / 6.0) * std::polar(1.0 / m, -0.5 * m * phase);
    };
    dotpe::RngStream rng(3, dotpe::rng_stream::tests, 0);
    for (std::size_t k = 0; k < n_f; ++k) frequencies.push_back(df * static_cast<double>(k));
    for (std::size_t d = 0; d < n_d; ++d) {
      for (const double f : frequencies) {
        const double asd = 1e-2 * std::sqrt(std::pow(std::max(f, 1.0) / 60.0, -4.0) + 1.0);
        whitening.push_back(f >= 15.0 ? 1.0 / asd : 0.0);
        strain.push_back(0.3 * reference(2, f) +
                         asd / std::sqrt(4.0 * df) * Complex(rng.normal(), rng.normal()));
      }
    }
    for (const int m : m_values) {
      for (const double f : frequencies) h0_f.push_back(reference(m, f));
      for (const double f : basis.nodes()) h0_b.push_back(reference(m, f));
    }
    for (std::size_t t = 0; t < 1147; ++t) times.push_back(64.0 - 0.07 + (t + 0.5) / 8192.0);
  }

  TimeGridWeights compute(TimeGridMethod method) const {
    return compute_time_grid_weights(basis, {frequencies, df, n_d, strain, whitening}, m_values,
                                     h0_f, h0_b, times, method);
  }
};

const TimeGridInputs& time_grid_inputs() {
  static const TimeGridInputs inputs;
  return inputs;
}

std::map<std::string, std::vector<double>>& time_grid_runs() {
  static std::map<std::string, std::vector<double>> runs;
  return runs;
}

std::map<std::string, TimeGridWeights>& time_grid_results() {
  static std::map<std::string, TimeGridWeights> results;
  return results;
}

void BM_time_grid_weights(benchmark::State& state, TimeGridMethod method, const char* name) {
  const TimeGridInputs& inputs = time_grid_inputs();
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    TimeGridWeights weights = inputs.compute(method);
    const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    state.SetIterationTime(elapsed);
    time_grid_runs()[name].push_back(elapsed);
    time_grid_runs()[std::string(name) + "_cpu"].push_back(cpu);
    time_grid_results()[name] = std::move(weights);
  }
}

// dh at a few times with e^{2πi f τ} reduced modulo one cycle including the product's rounding
// error (the direct evaluation rounds 2π f τ ≈ 6·10⁵ rad at the 1e-10 level): the reference
// for both methods' accuracy. Returns max over (m, d) of max_{t,b} |w − reference| / max |ref|.
double error_against_accurate(const TimeGridInputs& inputs, const TimeGridWeights& w) {
  const std::size_t n_f = inputs.frequencies.size(), n_b = inputs.basis.size();
  const auto projector = inputs.basis.projector(inputs.frequencies);
  std::vector<Complex> integrand(n_f), summary(n_b);
  double worst = 0.0;
  for (std::size_t m = 0; m < w.n_modes; ++m) {
    for (std::size_t d = 0; d < w.n_detectors; ++d) {
      double difference = 0.0, scale = 0.0;
      for (const std::size_t t : {0ul, 331ul, 573ul, 574ul, 1000ul, 1146ul}) {
        for (std::size_t k = 0; k < n_f; ++k) {
          const double f = inputs.frequencies[k], tau = inputs.times[t];
          const double cycles = f * tau, rounding = std::fma(f, tau, -cycles);
          const double phase = 2.0 * std::numbers::pi * ((cycles - std::floor(cycles)) + rounding);
          integrand[k] = 4.0 * inputs.df * std::pow(inputs.whitening[d * n_f + k], 2) *
                         inputs.strain[d * n_f + k] * std::conj(inputs.h0_f[m * n_f + k]) *
                         std::polar(1.0, phase);
        }
        projector.project(integrand, summary);
        for (std::size_t b = 0; b < n_b; ++b) {
          const Complex node = std::conj(inputs.h0_b[m * n_b + b]);
          const Complex reference = node == 0.0 ? Complex(0.0) : summary[b] / node;
          difference = std::max(difference, std::abs(w.dh[w.dh_index(m, t, d, b)] - reference));
          scale = std::max(scale, std::abs(reference));
        }
      }
      worst = std::max(worst, difference / scale);
    }
  }
  return worst;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// max over (m, d) of max_{t,b} |a − b| / max_{t,b} |b|.
double time_grid_difference(const TimeGridWeights& a, const TimeGridWeights& b) {
  double worst = 0.0;
  for (std::size_t m = 0; m < a.n_modes; ++m) {
    for (std::size_t d = 0; d < a.n_detectors; ++d) {
      double difference = 0.0, scale = 0.0;
      for (std::size_t t = 0; t < a.n_times; ++t) {
        for (std::size_t node = 0; node < a.n_nodes; ++node) {
          const std::size_t i = a.dh_index(m, t, d, node);
          difference = std::max(difference, std::abs(a.dh[i] - b.dh[i]));
          scale = std::max(scale, std::abs(b.dh[i]));
        }
      }
      worst = std::max(worst, difference / scale);
    }
  }
  return worst;
}

}  // namespace

BENCHMARK_CAPTURE(BM_time_grid_weights, direct, TimeGridMethod::direct, "direct")
    ->UseManualTime()
    ->Iterations(1)
    ->Repetitions(3)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_time_grid_weights, expansion, TimeGridMethod::expansion, "expansion")
    ->UseManualTime()
    ->Iterations(1)
    ->Repetitions(7)
    ->Unit(benchmark::kMillisecond);
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
  auto& runs = time_grid_runs();
  if (runs.count("direct") && runs.count("expansion")) {
    const double direct = median(runs["direct"]), expansion = median(runs["expansion"]);
    const double direct_cpu = median(runs["direct_cpu"]),
                 expansion_cpu = median(runs["expansion_cpu"]);
    std::printf("Time-grid weights (128 s x 15-1600 Hz, 378 nodes, 1147 times, n_d 3, n_m 4):\n");
    std::printf("  direct median (wall, CPU)                : %.3f s, %.3f s (%zu runs)\n", direct,
                direct_cpu, runs["direct"].size());
    std::printf("  expansion median (wall, CPU)             : %.3f s, %.3f s (%zu runs)\n",
                expansion, expansion_cpu, runs["expansion"].size());
    std::printf("  direct / expansion time (wall, CPU)      : %.1f, %.1f\n", direct / expansion,
                direct_cpu / expansion_cpu);
    const auto& inputs = time_grid_inputs();
    const auto& results = time_grid_results();
    std::printf("  max |dh difference| / max |dh| per (m,d) : %.2e  (expansion vs direct)\n",
                time_grid_difference(results.at("expansion"), results.at("direct")));
    std::printf("  same against accurate phases, 6 times    : %.2e expansion, %.2e direct\n",
                error_against_accurate(inputs, results.at("expansion")),
                error_against_accurate(inputs, results.at("direct")));
  }
  return 0;
}
