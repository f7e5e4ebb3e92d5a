#!/usr/bin/env bash
# Bad inputs to `dotpe run`, table-driven: each gets one clear message naming the input, a
# non-zero exit code, and leaves no run directory behind.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
python=${DOTPE_PYTHON:-python3}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_run_bad_inputs
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"

bank_options=(--size 256 --blocksize 64 --mchirp-min 18 --mchirp-max 22 --q-min 0.5 --seed 3 --quiet)
check "bank" 0 "$dotpe" bank --out "$work/bank.h5" "${bank_options[@]}" --approximant IMRPhenomD
check "bank with other modes" 0 "$dotpe" bank --out "$work/bank_hm.h5" "${bank_options[@]}" \
  --approximant IMRPhenomHM --modes 22,33
check "bank with another f_ref" 0 "$dotpe" bank --out "$work/bank_fref.h5" "${bank_options[@]}" \
  --approximant IMRPhenomD --f-ref 40
check "injection" 0 "$dotpe" inject --out "$work/event.h5" --approximant IMRPhenomD --m1 24 \
  --m2 20 --distance 1500 --duration 8 --fmin 20 --fmax 512 --seed 2 --quiet
# Damaged copies of the inputs, made with h5py and numpy.
check "damaged inputs" 0 "$python" - "$work" <<'PY'
import shutil, sys
import h5py, numpy as np
w = sys.argv[1]
def copy(src, dst):
    shutil.copy(f"{w}/{src}", f"{w}/{dst}")
    return h5py.File(f"{w}/{dst}", "r+")
with copy("event.h5", "event_nan.h5") as f:
    f["strain"][0, 1000] = np.nan
with copy("event.h5", "event_negative.h5") as f:
    f["whitening_filter"][1, 1000] = -1.0
with copy("event.h5", "event_detector.h5") as f:
    del f["detector_names"]
    f["detector_names"] = np.array([b"H1", b"X7", b"V1"], dtype=h5py.string_dtype())
with copy("event.h5", "event_shape.h5") as f:
    strain = f["strain"][()]
    del f["strain"]
    f["strain"] = strain[:, :100]
with copy("bank.h5", "bank_nan.h5") as f:
    waveforms = f["waveforms"]
    waveforms[17, 0, 0, 5] = np.nan
with copy("bank.h5", "bank_far.h5") as f:
    fbin = f["fbin"][()]
    f["fbin"][...] = 2000.0 + fbin  # nodes above the event's 512 Hz
data = open(f"{w}/event.h5", "rb").read()
open(f"{w}/event_truncated.h5", "wb").write(data[: len(data) // 2])
open(f"{w}/event_text.h5", "w").write("this is not HDF5\n")
data = open(f"{w}/bank.h5", "rb").read()
open(f"{w}/bank_truncated.h5", "wb").write(data[: len(data) // 3])
np.save(f"{w}/inds_out_of_range.npy", np.array([3, 9999]))
np.save(f"{w}/inds_duplicated.npy", np.array([3, 5, 3]))
PY

base=(--n-ext 16 --n-phi 8 --n-t 16 --blocksize 32 --seed 1)
# name | expected message fragment | arguments (event, bank and options)
cases=(
  "missing event|no_such.h5|--event $work/no_such.h5 --bank $work/bank.h5"
  "event not HDF5|event_text.h5|--event $work/event_text.h5 --bank $work/bank.h5"
  "truncated event|event_truncated.h5|--event $work/event_truncated.h5 --bank $work/bank.h5"
  "NaN in strain|not finite|--event $work/event_nan.h5 --bank $work/bank.h5"
  "negative whitening|negative|--event $work/event_negative.h5 --bank $work/bank.h5"
  "unknown detector|X7|--event $work/event_detector.h5 --bank $work/bank.h5"
  "wrong strain shape|strain|--event $work/event_shape.h5 --bank $work/bank.h5"
  "missing bank|no_bank.h5|--event $work/event.h5 --bank $work/no_bank.h5"
  "truncated bank|bank_truncated.h5|--event $work/event.h5 --bank $work/bank_truncated.h5"
  "NaN in a waveform|template 17|--event $work/event.h5 --bank $work/bank_nan.h5"
  "fbin outside the band|do not overlap|--event $work/event.h5 --bank $work/bank_far.h5"
  "banks with other modes|harmonic modes|--event $work/event.h5 --bank $work/bank.h5,$work/bank_hm.h5"
  "banks with another f_ref|f_ref|--event $work/event.h5 --bank $work/bank.h5 --bank $work/bank_fref.h5"
  "n_int larger than the bank|256 samples|--event $work/event.h5 --bank $work/bank.h5 --n-int 300"
  "preselected index out of range|9999|--event $work/event.h5 --bank $work/bank.h5 --preselected-indices $work/inds_out_of_range.npy"
  "preselected index twice|twice|--event $work/event.h5 --bank $work/bank.h5 --preselected-indices $work/inds_duplicated.npy"
)
for n in 0 -3; do
  for option in n-ext n-phi n-t blocksize; do
    cases+=("--$option $n|$option|--event $work/event.h5 --bank $work/bank.h5 --$option $n")
  done
done
cases+=("absurd n_phi|absurdly large|--event $work/event.h5 --bank $work/bank.h5 --n-phi 100000000")

index=0
for case in "${cases[@]}"; do
  IFS='|' read -r name fragment arguments <<<"$case"
  index=$((index + 1))
  rundir="$work/run_$index"
  sizes=()  # the base sizes, except an option the case sets itself
  for ((k = 0; k < ${#base[@]}; k += 2)); do
    [[ " $arguments " == *" ${base[k]} "* ]] || sizes+=("${base[k]}" "${base[k + 1]}")
  done
  # shellcheck disable=SC2086
  check "$name" 1 "$dotpe" run $arguments "${sizes[@]}" --rundir "$rundir"
  expect_output "$name: message names the input" "$fragment"
  [[ $(grep -c "error" "$work/out") -eq 1 ]] ||
    { echo "FAIL: $name: expected one error line"; cat "$work/out"; failures=$((failures + 1)); }
  expect_no_file "$name: no run directory left" "$rundir"
done
# The same refusal under MPI is reported once, and every rank exits non-zero.
check "NaN waveform under mpirun -n 3" 1 mpiexec -n 3 --oversubscribe "$dotpe" run --event "$work/event.h5" \
  --bank "$work/bank_nan.h5" "${base[@]}" --rundir "$work/run_mpi"
expect_output "MPI: message names the template" "template 17"
expect_no_file "MPI: no run directory left" "$work/run_mpi"
finish run_bad_inputs
