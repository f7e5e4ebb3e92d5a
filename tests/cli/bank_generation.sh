#!/usr/bin/env bash
# `dotpe bank`: generation serially and under mpirun gives the same file; resume and bad input.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_bank_generation
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"
options=(--size 300 --blocksize 32 --mchirp-min 5 --mchirp-max 8 --seed 4)

check "serial generation" 0 "$dotpe" bank --out "$work/serial.h5" "${options[@]}"
check "generation under mpirun -n 3" 0 mpiexec -n 3 --oversubscribe "$dotpe" bank --out "$work/mpi.h5" "${options[@]}"
cmp -s "$work/serial.h5" "$work/mpi.h5" ||
  { echo "FAIL: serial and MPI banks differ"; failures=$((failures + 1)); }
check "a bank with chosen modes" 0 "$dotpe" bank --out "$work/modes.h5" "${options[@]}" --approximant IMRPhenomHM --modes 22,33,21
check "info on the chosen-modes bank" 0 "$dotpe" info "$work/modes.h5"
expect_output "modes and m-groups" "(2,2) (3,3) (2,1) -> m_arr 2,3,1"
check "info on the bank" 0 "$dotpe" info "$work/serial.h5"
expect_output "bank info shows the size" "300 in 10 blocks of 32 (10 complete)"
check "an existing output is not overwritten" 1 "$dotpe" bank --out "$work/serial.h5" "${options[@]}"
expect_output "the existing file is named" "exists already"
check "resume without an interrupted bank" 1 "$dotpe" bank --out "$work/other.h5" "${options[@]}" --resume
expect_output "resume explains" "no interrupted bank"
check "unknown approximant" 1 "$dotpe" bank --out "$work/x.h5" "${options[@]}" --approximant SEOBNRv9
expect_output "approximant named" "SEOBNRv9"
expect_no_file "no partial output after a refused approximant" "$work/x.h5.partial"
check "bad mass range" 1 "$dotpe" bank --out "$work/y.h5" --size 10 --mchirp-min 8 --mchirp-max 5
expect_output "mass range explained" "chirp-mass upper bound"
check "--n-procs that does not fit the job" 1 mpiexec -n 3 --oversubscribe "$dotpe" bank --out "$work/z.h5" \
  "${options[@]}" --n-procs 4
[[ $(grep -c "asks for 4 workers" "$work/out") -eq 1 ]] ||
  { echo "FAIL: the --n-procs error should be printed once"; cat "$work/out"; failures=$((failures + 1)); }
check "IMRPhenomD bank with a profile, tasks of 2 blocks" 0 mpiexec -n 3 --oversubscribe "$dotpe" bank \
  --out "$work/phenomd.h5" "${options[@]}" --approximant IMRPhenomD --batches-per-task 2 --profile
expect_output "profile table" "busy s"
# Kill -9 during generation, resume, and compare with an uninterrupted build byte for byte.
kill_options=(--size 4096 --blocksize 128 --mchirp-min 20 --mchirp-max 30 --approximant IMRPhenomHM --seed 9 --quiet)
"$dotpe" bank --out "$work/killed.h5" "${kill_options[@]}" &
pid=$!
for _ in $(seq 200); do  # wait until a few blocks are on disk (at most 10 s)
  size=$(stat -c %s "$work/killed.h5.partial" 2>/dev/null || echo 0)
  [[ $size -gt 3000000 ]] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [[ -e $work/killed.h5.partial ]]; then
  check "resume after kill -9" 0 "$dotpe" bank --out "$work/killed.h5" "${kill_options[@]}" --resume
fi
check "uninterrupted reference build" 0 "$dotpe" bank --out "$work/uninterrupted.h5" "${kill_options[@]}"
cmp -s "$work/killed.h5" "$work/uninterrupted.h5" ||
  { echo "FAIL: the resumed bank differs from an uninterrupted one"; failures=$((failures + 1)); }
finish bank_generation
