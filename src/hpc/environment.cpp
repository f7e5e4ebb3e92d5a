#include "dotpe/hpc/environment.hpp"

#include <cblas.h>
#include <fmt/format.h>
#include <mpi.h>

#include <Eigen/Core>
#include <cstdlib>

#include "dotpe/core/log.hpp"

namespace dotpe::hpc {

// Plain MPI_Init/MPI_Finalize rather than boost::mpi::environment, whose destructor calls
// MPI_Abort while an exception unwinds: dotpe reports errors itself, and every rank leaves
// through the same error path (hpc::FarmAborted), so finalising is always safe.
struct Environment::Impl {
  Impl(int& argc, char**& argv) { initialise(&argc, &argv); }
  Impl() { initialise(nullptr, nullptr); }
  ~Impl() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owns_mpi && finalized == 0) MPI_Finalize();
  }
  void initialise(int* argc, char*** argv) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized != 0) return;
    MPI_Init(argc, argv);
    owns_mpi = true;
  }
  bool owns_mpi = false;
};

Environment::Environment(int& argc, char**& argv) : impl_(std::make_unique<Impl>(argc, argv)) {
  set_up();
}

Environment::Environment() : impl_(std::make_unique<Impl>()) {
  set_up();
}

void Environment::set_up() {
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
