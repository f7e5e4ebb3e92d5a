#!/usr/bin/env bash
# Checkpoint and resume of `dotpe run`: a job killed (SIGKILL) at a random point of stage 2 or of
# stage 5 and resumed with another number of ranks gives outputs byte-identical to an
# uninterrupted run; a truncated last record is dropped; changed options and another bank at the
# same path are refused by name;
# a run directory with an interrupted or finished run is not reused silently.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_run_resume
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"

check "bank" 0 "$dotpe" bank --out "$work/bank.h5" --size 4096 --blocksize 512 --mchirp-min 18 \
  --mchirp-max 22 --q-min 0.5 --approximant IMRPhenomHM --seed 3 --quiet
check "injection" 0 "$dotpe" inject --out "$work/event.h5" --approximant IMRPhenomHM --m1 24 --m2 20 \
  --s1z 0.1 --distance 1500 --ra 1.2 --dec 0.4 --psi 0.3 --iota 0.6 --duration 8 --fmin 20 \
  --fmax 512 --seed 2 --quiet
# Every bank sample survives stage 3, so that stage 5 has many units (64 x 4) to interrupt.
run=(run --event "$work/event.h5" --bank "$work/bank.h5" --n-ext 256 --n-phi 16 --n-t 32
  --blocksize 64 --single-detector-blocksize 32 --seed 11 --max-incoherent-lnlike-drop 1e9 --quiet)
check "uninterrupted run" 0 "$dotpe" "${run[@]}" --rundir "$work/reference"

same_outputs() {  # DESCRIPTION RUNDIR
  for name in results.h5 summary.json posterior.h5; do
    cmp -s "$work/reference/$name" "$2/$name" ||
      { echo "FAIL: $1: $name differs from the uninterrupted run"; failures=$((failures + 1)); }
  done
}

# Stage 2 has 128 units, stage 5 has 256: kill rank 0 right after a random unit of each.
kill_stage2=$((1 + RANDOM % 120))
kill_stage5=$((1 + RANDOM % 250))
echo "killing after unit $kill_stage2 of stage 2 and after unit $kill_stage5 of stage 5"
DOTPE_FAULT_KILL_AFTER="incoherent:$kill_stage2" check "killed in stage 2" 137 \
  mpiexec -n 3 --oversubscribe "$dotpe" "${run[@]}" --rundir "$work/stage2"
expect_no_file "no summary after the kill" "$work/stage2/summary.json"
check "a new run may not reuse the interrupted directory" 1 "$dotpe" "${run[@]}" --rundir "$work/stage2"
expect_output "resume suggested" "--resume"
changed=("${run[@]}")
changed[8]=8  # --n-phi 16 -> 8
check "resume with other options is refused" 1 "$dotpe" "${changed[@]}" --resume "$work/stage2"
expect_output "the option is named" "n_phi"
# The same path holding another bank (other samples): refused, naming the bank.
mv "$work/bank.h5" "$work/bank_original.h5"
check "other bank" 0 "$dotpe" bank --out "$work/bank.h5" --size 4096 --blocksize 512 --mchirp-min 18 \
  --mchirp-max 22 --q-min 0.5 --approximant IMRPhenomHM --seed 4 --quiet
check "resume with another bank at the same path is refused" 1 "$dotpe" "${run[@]}" --resume "$work/stage2"
expect_output "the bank is named" "bank_fingerprint"
mv "$work/bank_original.h5" "$work/bank.h5"
check "resume with 2 ranks" 0 mpiexec -n 2 --oversubscribe "$dotpe" "${run[@]}" --resume "$work/stage2"
same_outputs "stage-2 kill, resumed on 2 ranks" "$work/stage2"
expect_no_file "checkpoint removed after success" "$work/stage2/checkpoint.dotpe"

DOTPE_FAULT_KILL_AFTER="coherent:$kill_stage5" check "killed in stage 5" 137 \
  mpiexec -n 2 --oversubscribe "$dotpe" "${run[@]}" --rundir "$work/stage5"
# A record cut short by the kill: the resume must drop it, not fail.
truncate -s -7 "$work/stage5/checkpoint.dotpe"
check "resume serially after a truncated record" 0 "$dotpe" "${run[@]/--quiet/--verbose}" --resume "$work/stage5"
expect_output "the damaged record is reported" "dropping a truncated or corrupt last record"
same_outputs "stage-5 kill, resumed serially" "$work/stage5"
check "resume of a finished run is refused" 1 "$dotpe" "${run[@]}" --resume "$work/stage5"
expect_output "finished run named" "finished already"

# An external SIGKILL to the whole job at a random moment (it may also land after the end).
setsid mpiexec -n 3 --oversubscribe "$dotpe" "${run[@]}" --rundir "$work/external" >"$work/external.log" 2>&1 &
job=$!
sleep "0.$((3 + RANDOM % 7))"
kill -9 -- "-$job" 2>/dev/null
wait "$job" 2>/dev/null
if [[ -f $work/external/summary.json ]]; then
  echo "note: the external kill came after the run had finished"
elif [[ ! -s $work/external/checkpoint.dotpe ]]; then
  # Killed during start-up, before the checkpoint existed: nothing to resume, start afresh.
  echo "note: the external kill came before the checkpoint was written"
  check "restart after an early kill" 0 "$dotpe" "${run[@]}" --rundir "$work/external" --overwrite
  same_outputs "external early kill, restarted" "$work/external"
else
  check "resume after an external kill" 0 mpiexec -n 2 --oversubscribe "$dotpe" "${run[@]}" \
    --resume "$work/external"
  same_outputs "external kill, resumed" "$work/external"
fi
finish run_resume
