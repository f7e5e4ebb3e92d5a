// `dotpe bench kernel|single-detector`: times a likelihood kernel on synthetic inputs of a given
// shape on one core and prints one JSON object, with the machine's complex GEMM on the same
// shape measured in the same run as the reference.
#include <fmt/format.h>

#include <iostream>
#include <string>

#include "dotpe/app/options.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/likelihood/kernel_benchmark.hpp"
#include "subcommands.hpp"

namespace dotpe::app {
namespace {

std::string to_json(const std::string& kernel, const std::string& precision,
                    const likelihood::KernelShape& shape, const likelihood::KernelTiming& t) {
  return fmt::format(
      "{{\"kernel\": \"{}\", \"precision\": \"{}\", \"n_i\": {}, \"n_e\": {}, \"n_t\": {}, "
      "\"n_phi\": {}, \"n_det\": {}, \"n_bins\": {}, \"n_modes\": {}, "
      "\"seconds_per_block\": {}, \"prepare_seconds\": {}, \"ieo_per_second\": {}, "
      "\"gemm_seconds\": {}, \"zgemm_seconds\": {}, \"zgemm_reference\": \"{}\", "
      "\"eigen_zgemm_seconds\": {}, \"openblas_zgemm_seconds\": {}, "
      "\"gemm_fraction_of_zgemm\": {}, \"kernel_over_zgemm\": {}}}",
      kernel, precision, shape.n_i, kernel == "kernel" ? shape.n_e : 0,
      kernel == "single-detector" ? shape.n_t : 0, shape.n_phi, kernel == "kernel" ? shape.n_d : 1,
      shape.n_b, shape.n_m, t.seconds_per_block, t.prepare_seconds, t.ieo_per_second,
      t.gemm_seconds, t.zgemm_seconds, t.zgemm_reference, t.eigen_zgemm_seconds,
      t.openblas_zgemm_seconds, t.gemm_fraction_of_zgemm, t.kernel_over_zgemm);
}

}  // namespace

int bench_command(const Arguments& arguments) {
  CommandLine command("bench", "dotpe bench kernel|single-detector [options]",
                      "Time a likelihood kernel on synthetic inputs on one core; prints JSON.\n"
                      "  kernel           the coherent stage-5 kernel on an (n_i, n_e) block "
                      "pair\n"
                      "  single-detector  the stage-2 kernel on n_i templates × n_t times");
  // clang-format off
  command.options().add_options()
    ("what", po::value<std::string>()->value_name("KERNEL"), "kernel | single-detector")
    ("n-i", po::value<std::size_t>()->default_value(512), "intrinsic samples per block")
    ("n-e", po::value<std::size_t>()->default_value(512), "extrinsic samples per block (kernel)")
    ("n-t", po::value<std::size_t>()->default_value(128), "time-grid points (single-detector)")
    ("n-phi", po::value<std::size_t>()->default_value(100), "orbital-phase grid points")
    ("n-det", po::value<std::size_t>()->default_value(3), "detectors (kernel)")
    ("n-bins", po::value<std::size_t>()->default_value(378), "relative-binning nodes")
    ("n-modes", po::value<std::size_t>()->default_value(4), "harmonic groups")
    ("repetitions", po::value<int>()->default_value(3), "timed repetitions (minimum reported)")
    ("precision", po::value<std::string>()->default_value("double"),
     "GEMM precision of the coherent kernel: double | single");
  // clang-format on
  command.add_positional("what");
  const auto values = command.parse(arguments);
  if (!values) return 0;
  require(values->count("what") != 0U,
          "dotpe bench: say which kernel to time: 'dotpe bench kernel' or 'dotpe bench "
          "single-detector'");
  const auto what = (*values)["what"].as<std::string>();
  require(what == "kernel" || what == "single-detector",
          "dotpe bench: unknown kernel '{}'; use 'kernel' or 'single-detector'", what);
  const auto precision = (*values)["precision"].as<std::string>();
  require(precision == "double" || precision == "single",
          "dotpe bench: --precision must be 'double' or 'single', got '{}'", precision);
  require(precision == "double" || what == "kernel",
          "dotpe bench: --precision single exists for the coherent kernel only; drop it for "
          "single-detector");
  likelihood::KernelShape shape;
  shape.n_i = (*values)["n-i"].as<std::size_t>();
  shape.n_e = (*values)["n-e"].as<std::size_t>();
  shape.n_t = (*values)["n-t"].as<std::size_t>();
  shape.n_phi = (*values)["n-phi"].as<std::size_t>();
  shape.n_d = (*values)["n-det"].as<std::size_t>();
  shape.n_b = (*values)["n-bins"].as<std::size_t>();
  shape.n_m = (*values)["n-modes"].as<std::size_t>();
  shape.repetitions = (*values)["repetitions"].as<int>();
  require(shape.repetitions >= 1, "dotpe bench: --repetitions must be at least 1, got {}",
          shape.repetitions);
  shape.single_precision = precision == "single";
  const likelihood::KernelTiming timing = what == "kernel"
                                              ? likelihood::time_coherent_kernel(shape)
                                              : likelihood::time_single_detector_kernel(shape);
  std::cout << to_json(what, precision, shape, timing) << std::endl;
  return 0;
}

}  // namespace dotpe::app
