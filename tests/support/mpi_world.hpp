// This process's place in MPI_COMM_WORLD, for MPI tests (which run under mpirun with several
// world sizes and check results on rank 0 only).
#pragma once

#include <mpi.h>

namespace dotpe::testing {

inline int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

inline int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

}  // namespace dotpe::testing
