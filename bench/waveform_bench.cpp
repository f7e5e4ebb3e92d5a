// Waveform evaluation cost: (a) the 378 relative-binning nodes of a bank, (b) a full 1/128 Hz
// grid from 15 to 1024 Hz (129,153 points), (c) a single frequency (the per-waveform set-up).
// Reports time per waveform (h+ and h× of every m-group, as the bank and the likelihood use
// them) and per frequency point, and, as a reference measured in the same run, the cost of one
// complex exponential per point with std::polar. The binary is 36 + 29 Msun (detector frame),
// spins 0.3 / -0.1, inclination 0.7: IMRPhenomD and the (2,2) mode end at 625 Hz, TaylorF2 at
// the ISCO, 68 Hz. The machine may be shared: quote medians,
//   build/bench/waveform_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <complex>
#include <vector>

#include "dotpe/bank/fbin.hpp"
#include "dotpe/waveform/waveform.hpp"

namespace {

using dotpe::waveform::Approximant;

std::vector<double> full_grid() {
  std::vector<double> frequencies;
  for (double f = 15.0; f <= 1024.0; f += 1.0 / 128.0) frequencies.push_back(f);
  return frequencies;
}

// Seconds per frequency point (shown in ns), from the iterations and the grid size.
benchmark::Counter time_per_point(const benchmark::State& state, std::size_t points) {
  return benchmark::Counter(static_cast<double>(state.iterations() * points),
                            benchmark::Counter::kIsRate | benchmark::Counter::kInvert,
                            benchmark::Counter::kIs1000);
}

void evaluate(benchmark::State& state, Approximant approximant, const std::vector<double>& grid) {
  dotpe::waveform::BinaryParameters parameters{36.0, 29.0, 0.3, -0.1};
  parameters.iota = 0.7;
  const auto modes = dotpe::waveform::harmonic_modes(approximant);
  std::vector<std::complex<double>> out(dotpe::waveform::m_arr(modes).size() * 2 * grid.size());
  for (auto _ : state) {
    dotpe::waveform::polarizations_by_m(approximant, parameters, modes, grid, out);
    benchmark::DoNotOptimize(out.data());
    parameters.m1 += 1e-9;  // a new template every iteration
  }
  state.counters["ns_per_point"] = time_per_point(state, grid.size());
  state.counters["points"] = static_cast<double>(grid.size());
}

// One IMRPhenomHM mode (or a subset) through the same entry point.
void evaluate_modes(benchmark::State& state, std::vector<dotpe::waveform::Mode> modes,
                    const std::vector<double>& grid) {
  dotpe::waveform::BinaryParameters parameters{36.0, 29.0, 0.3, -0.1};
  parameters.iota = 0.7;
  std::vector<std::complex<double>> out(dotpe::waveform::m_arr(modes).size() * 2 * grid.size());
  for (auto _ : state) {
    dotpe::waveform::polarizations_by_m(Approximant::IMRPhenomHM, parameters, modes, grid, out);
    benchmark::DoNotOptimize(out.data());
    parameters.m1 += 1e-9;
  }
  state.counters["ns_per_point"] = time_per_point(state, grid.size());
}

void exponential_floor(benchmark::State& state, const std::vector<double>& grid) {
  std::vector<std::complex<double>> out(grid.size());
  double phase = 0.1;
  for (auto _ : state) {
    for (std::size_t k = 0; k < grid.size(); ++k) out[k] = std::polar(1.0, phase * grid[k]);
    benchmark::DoNotOptimize(out.data());
    phase += 1e-9;
  }
  state.counters["ns_per_point"] = time_per_point(state, grid.size());
}

const std::vector<double> kNodes = dotpe::bank::default_fbin();
const std::vector<double> kFullGrid = full_grid();
const std::vector<double> kOneFrequency = {100.0};

}  // namespace

BENCHMARK_CAPTURE(exponential_floor, nodes_378, kNodes)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluate, TaylorF2_nodes_378, Approximant::TaylorF2, kNodes)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluate, IMRPhenomD_nodes_378, Approximant::IMRPhenomD, kNodes)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluate, IMRPhenomHM_nodes_378, Approximant::IMRPhenomHM, kNodes)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluate_modes, IMRPhenomHM_22_nodes_378,
                  std::vector<dotpe::waveform::Mode>{{2, 2}}, kNodes)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluate_modes, IMRPhenomHM_21_nodes_378,
                  std::vector<dotpe::waveform::Mode>{{2, 1}}, kNodes)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(exponential_floor, full_grid, kFullGrid)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluate, TaylorF2_full_grid, Approximant::TaylorF2, kFullGrid)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluate, IMRPhenomD_full_grid, Approximant::IMRPhenomD, kFullGrid)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluate, IMRPhenomHM_full_grid, Approximant::IMRPhenomHM, kFullGrid)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluate, TaylorF2_one_frequency, Approximant::TaylorF2, kOneFrequency)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluate, IMRPhenomD_one_frequency, Approximant::IMRPhenomD, kOneFrequency)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(evaluate, IMRPhenomHM_one_frequency, Approximant::IMRPhenomHM, kOneFrequency)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
