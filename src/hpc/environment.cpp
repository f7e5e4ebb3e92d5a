#include "dotpe/hpc/environment.hpp"

#include <cblas.h>
#include <fmt/format.h>
#include <mpi.h>

#include <Eigen/Core>
#include <boost/mpi/environment.hpp>
#include <cstdlib>

#include "dotpe/core/log.hpp"

namespace dotpe::hpc {

struct Environment::Impl {
  Impl(int& argc, char**& argv) : mpi(argc, argv, boost::mpi::threading::single) {}
  boost::mpi::environment mpi;
};

Environment::Environment(int& argc, char**& argv) : impl_(std::make_unique<Impl>(argc, argv)) {
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  log::set_rank(rank_, size_);
  const std::string pinned = pin_math_threads_to_one();
  if (size_ > 1) log::debug("{}", pinned);
}

Environment::~Environment() = default;

void Environment::abort(int exit_code) const {
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::exit(exit_code);
}

std::string pin_math_threads_to_one() {
  const char* requested = std::getenv("OMP_NUM_THREADS");
  const int openblas_before = openblas_get_num_threads();
  setenv("OMP_NUM_THREADS", "1", 1);
  openblas_set_num_threads(1);
  Eigen::setNbThreads(1);
  return fmt::format("math threads: OpenBLAS {} -> {}, Eigen -> {}, OMP_NUM_THREADS {} -> 1",
                     openblas_before, openblas_get_num_threads(), Eigen::nbThreads(),
                     requested != nullptr ? requested : "unset");
}

}  // namespace dotpe::hpc
