#!/usr/bin/env bash
# jobs/single_node.sh runs `dotpe run` under mpirun: N_PROCS workers + 1 coordinator (also more
# ranks than cores), bound to cores, threads pinned to 1; without N_PROCS it takes the cached
# autotuned n_procs. The results equal a serial run's.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
source_dir=$(cd "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/.." && pwd)
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_jobs_single_node
rm -rf "$work" && mkdir -p "$work"
source "$source_dir/tests/support/cli_checks.sh"
export XDG_CACHE_HOME=$work/cache DOTPE=$dotpe

check "bank" 0 "$dotpe" bank --out "$work/bank.h5" --size 256 --blocksize 64 --mchirp-min 18 \
  --mchirp-max 22 --q-min 0.5 --approximant IMRPhenomHM --seed 3 --quiet
check "injection" 0 "$dotpe" inject --out "$work/event.h5" --approximant IMRPhenomHM --m1 24 \
  --m2 20 --s1z 0.1 --distance 1500 --ra 1.2 --dec 0.4 --psi 0.3 --iota 0.6 --duration 8 \
  --fmin 20 --fmax 512 --seed 2
for name in serial three_workers cached; do
  write_run_ini "$work/$name.ini" "$work/event.h5" "$work/bank.h5" "$work/$name" \
    "single-detector-blocksize = 64"
done
check "serial reference" 0 "$dotpe" run --config "$work/serial.ini"
check "3 workers on $(nproc) cores" 0 env N_PROCS=3 DOTPE_ARGS=--verbose "$source_dir/jobs/single_node.sh" "$work/three_workers.ini"
expect_output "layout" "3 workers + 1 coordinator"
expect_output "binding" "bind-to core"
expect_output "threads pinned" "math threads: OpenBLAS"
check "tune on 3 ranks" 0 mpiexec -n 3 --oversubscribe "$dotpe" autotune "$work/event.h5" \
  "$work/bank.h5" --n-procs 2 --i-batch 64 --batches-per-task 1 --blocksize 64 --n-t 16 --n-phi 8
check "workers from the cache" 0 "$source_dir/jobs/single_node.sh" "$work/cached.ini"
expect_output "cached n_procs used" "2 workers + 1 coordinator"
for name in three_workers cached; do
  cmp -s "$work/serial/summary.json" "$work/$name/summary.json" ||
    { echo "FAIL: $name differs from the serial run"; failures=$((failures + 1)); }
done
finish jobs_single_node
