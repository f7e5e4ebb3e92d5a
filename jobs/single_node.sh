#!/usr/bin/env bash
# dotpe run on one many-core node with mpirun: N_PROCS workers + 1 coordinator (rank 0).
#
#   jobs/single_node.sh RUN.ini            (RUN.ini: options of `dotpe run`, see run.ini.example)
#   N_PROCS=63 jobs/single_node.sh RUN.ini
#
# Parameters (environment variables; defaults in brackets):
#   DOTPE        the dotpe executable                      [build/dotpe beside jobs/]
#   RUN_CONFIG   the run's INI file                        [first argument]
#   N_PROCS      worker ranks                              [the autotuned n_procs cached for this
#                                                           machine (dotpe autotune), else the cores]
#   BIND         rank binding: core | numa | none          [core]
#   MPIRUN_ARGS  extra mpirun options                      []
#   DOTPE_ARGS   extra `dotpe run` options, e.g. --profile []
# i_batch and batches_per_task come from RUN.ini, else from the autotune cache, else defaults.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dotpe=${DOTPE:-$here/../build/dotpe}
config=${RUN_CONFIG:-${1:?usage: jobs/single_node.sh RUN.ini (or RUN_CONFIG=RUN.ini)}}
cores=$(nproc --all)
n_procs=${N_PROCS:-$("$dotpe" autotune --get n_procs --quiet 2>/dev/null || true)}
[[ -z $n_procs || $n_procs == 0 ]] && n_procs=$cores
ranks=$((n_procs + 1))

# Every rank is single-threaded: BLAS and OpenMP must not start threads of their own.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
[[ $(id -u) -eq 0 ]] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# Binding. One rank per core, consecutive ranks spread over the NUMA domains so that workers
# share memory bandwidth evenly; with N_PROCS = cores the coordinator (which sleeps while it
# waits) shares core 0 with the last worker, hence overload-allowed.
case ${BIND:-core} in
  core) binding=(--map-by numa --bind-to core:overload-allowed) ;;
  numa) binding=(--map-by numa --bind-to numa) ;;
  none) binding=(--bind-to none) ;;
  *) echo "single_node.sh: BIND must be core, numa or none, got '$BIND'" >&2; exit 64 ;;
esac
((ranks > cores)) && binding+=(--oversubscribe)

echo "single_node.sh: $n_procs workers + 1 coordinator on $cores cores (${binding[*]})"
# shellcheck disable=SC2086  # MPIRUN_ARGS and DOTPE_ARGS are word lists on purpose
exec mpirun -n "$ranks" "${binding[@]}" ${MPIRUN_ARGS:-} \
  -x OMP_NUM_THREADS -x OPENBLAS_NUM_THREADS -x MKL_NUM_THREADS \
  "$dotpe" run --config "$config" ${DOTPE_ARGS:-}
