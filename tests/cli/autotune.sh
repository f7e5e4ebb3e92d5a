#!/usr/bin/env bash
# `dotpe autotune` on a tiny event and bank: the table and the choice, the cache under
# XDG_CACHE_HOME (--show, --get, --clear), candidates larger than the job skipped with a message,
# the memory cap, `dotpe run` using the cache (and explicit options winning), a corrupt cache
# file ignored with a warning and re-tuned.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_autotune
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"
export XDG_CACHE_HOME=$work/cache

check "bank" 0 "$dotpe" bank --out "$work/bank.h5" --size 256 --blocksize 64 --mchirp-min 18 \
  --mchirp-max 22 --q-min 0.5 --approximant IMRPhenomHM --seed 3 --quiet
check "injection" 0 "$dotpe" inject --out "$work/event.h5" --approximant IMRPhenomHM --m1 24 \
  --m2 20 --s1z 0.1 --distance 1500 --ra 1.2 --dec 0.4 --psi 0.3 --iota 0.6 --duration 8 \
  --fmin 20 --fmax 512 --seed 2
tiny=(--i-batch 64,128 --batches-per-task 1,2 --blocksize 64 --n-t 32 --n-phi 8)

check "--show without a cache" 1 "$dotpe" autotune --show
expect_output "what to do" "run 'dotpe autotune EVENT BANK'"
check "autotune on one rank" 0 "$dotpe" autotune "$work/event.h5" "$work/bank.h5" "${tiny[@]}"
expect_output "table header" "stage2 tmpl/s"
expect_output "one rank: n_procs not tuned" "n_procs is not tuned"
expect_output "choice" "chosen: n_procs 0, i_batch"
expect_output "cache written" "cached: $XDG_CACHE_HOME/dotpe/hpc_config_"
[[ $(grep -c " measured$" "$work/out") -eq 4 ]] || { echo "FAIL: 4 measured rows expected"; cat "$work/out"; failures=$((failures + 1)); }
check "--show" 0 "$dotpe" autotune --show
expect_output "cached record" '"hpc_config"'
check "--get i_batch" 0 "$dotpe" autotune --get i_batch
grep -qxE "64|128" "$work/out" || { echo "FAIL: --get i_batch printed"; cat "$work/out"; failures=$((failures + 1)); }

check "autotune on 3 ranks" 0 mpiexec -n 3 --oversubscribe "$dotpe" autotune "$work/event.h5" \
  "$work/bank.h5" "${tiny[@]}" --n-procs 1,2,4
expect_output "larger candidate skipped" "skipped: needs 5 ranks, the job has 3"
expect_output "skip explained" "n_procs 4 skipped"
grep -qE "chosen: n_procs [12]," "$work/out" || { echo "FAIL: chosen n_procs 1 or 2"; cat "$work/out"; failures=$((failures + 1)); }
check "a memory cap nothing fits" 1 "$dotpe" autotune "$work/event.h5" "$work/bank.h5" "${tiny[@]}" \
  --max-memory-per-worker 0.001 --no-cache
expect_output "cap named" "max-memory-per-worker"
check "a bad candidate list" 1 "$dotpe" autotune "$work/event.h5" "$work/bank.h5" --i-batch 64,x
expect_output "option named" "\-\-i-batch: 'x'"
check "missing bank" 1 "$dotpe" autotune "$work/event.h5" "$work/none.h5" "${tiny[@]}"
expect_output "bank named" "none.h5"

run=(run --event "$work/event.h5" --bank "$work/bank.h5" --n-ext 64 --n-phi 8 --n-t 16
  --blocksize 64 --seed 1)
check "run uses the cache" 0 "$dotpe" "${run[@]}" --rundir "$work/run1"
expect_output "says so" "using the autotuned HPC configuration of this machine"
check "explicit options win" 0 "$dotpe" "${run[@]}" --rundir "$work/run2" --i-batch 32 \
  --batches-per-task 1
if grep -q "autotuned" "$work/out"; then echo "FAIL: explicit options should bypass the cache"; failures=$((failures + 1)); fi
grep -q '"single_detector_blocksize": 32' "$work/run2/run_config.json" ||
  { echo "FAIL: --i-batch 32 not used"; failures=$((failures + 1)); }

cache_file=$(ls "$XDG_CACHE_HOME"/dotpe/hpc_config_*.json)
echo '{"format": "dotpe-hpc-config", truncated' >"$cache_file"
check "run with a corrupt cache" 0 "$dotpe" "${run[@]}" --rundir "$work/run3"
expect_output "warning names the file" "ignoring the cached HPC configuration $cache_file"
check "--show with a corrupt cache" 1 "$dotpe" autotune --show
check "re-tune over a corrupt cache" 0 "$dotpe" autotune "$work/event.h5" "$work/bank.h5" \
  --i-batch 64 --batches-per-task 1 --blocksize 64 --n-t 32 --n-phi 8
expect_output "warned first" "ignoring the cached HPC configuration"
check "--show after re-tuning" 0 "$dotpe" autotune --show
check "--clear" 0 "$dotpe" autotune --clear
expect_output "removed" "removed $cache_file"
expect_no_file "cache removed" "$cache_file"
finish autotune
