#!/usr/bin/env bash
# One node, many cores: `jobs/run_mpirun.sh run.ini [workers]`.
# Rank 0 coordinates and the other ranks work, so it starts workers + 1 ranks; the default uses
# every core of the node for a worker (the coordinator sleeps while it waits and costs ~nothing).
set -euo pipefail
config=${1:?usage: jobs/run_mpirun.sh RUN.ini [WORKERS]}
workers=${2:-$(nproc)}
dotpe=${DOTPE:-$(dirname "$0")/../build/dotpe}
if [[ $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Single-threaded ranks: BLAS and OpenMP must not start threads of their own.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
exec mpirun -n "$((workers + 1))" --oversubscribe --bind-to none "$dotpe" run --config "$config"
