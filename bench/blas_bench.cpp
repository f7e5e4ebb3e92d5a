// Complex matrix products on the shapes of the coherent stage (DESIGN.md section 1):
// dh[i,e] = Σ_x L[i,x] R[x,e] with x = (detector, polarisation, bin) ≈ 3·2·378 = 2268.
// Compares Eigen's own GEMM with OpenBLAS zgemm on the same data; this decides whether Eigen
// should hand its products to OpenBLAS (EIGEN_USE_BLAS).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <Eigen/Dense>
#include <complex>

namespace {

using Matrix = Eigen::Matrix<std::complex<double>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr int kInner = 2268;

void set_single_thread() {
  openblas_set_num_threads(1);
}

void BM_eigen_gemm(benchmark::State& state) {
  const auto rows = static_cast<Eigen::Index>(state.range(0));
  const Matrix left = Matrix::Random(rows, kInner);
  const Matrix right = Matrix::Random(kInner, rows);
  Matrix product(rows, rows);
  for (auto _ : state) {
    product.noalias() = left * right;
    benchmark::DoNotOptimize(product.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      8.0 * static_cast<double>(rows * rows * kInner) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void BM_openblas_zgemm(benchmark::State& state) {
  set_single_thread();
  const auto rows = static_cast<Eigen::Index>(state.range(0));
  const Matrix left = Matrix::Random(rows, kInner);
  const Matrix right = Matrix::Random(kInner, rows);
  Matrix product(rows, rows);
  const std::complex<double> one(1.0, 0.0);
  const std::complex<double> zero(0.0, 0.0);
  const auto n = static_cast<int>(rows);
  for (auto _ : state) {
    cblas_zgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, kInner, &one, left.data(), kInner,
                right.data(), n, &zero, product.data(), n);
    benchmark::DoNotOptimize(product.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      8.0 * static_cast<double>(rows * rows * kInner) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

}  // namespace

BENCHMARK(BM_eigen_gemm)->Arg(64)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_openblas_zgemm)->Arg(64)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
