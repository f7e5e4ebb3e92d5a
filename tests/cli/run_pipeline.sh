#!/usr/bin/env bash
# `dotpe run` end to end on a small injection: 1, 2 and 3 ranks (and tasks of 2 units) give
# bitwise-identical results; the outputs open with h5py (and PESummary when installed); bad
# inputs get one clear message, a non-zero exit and no outputs.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
python=${DOTPE_PYTHON:-python3}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_run_pipeline
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"

check "bank" 0 "$dotpe" bank --out "$work/bank.h5" --size 512 --blocksize 128 --mchirp-min 18 \
  --mchirp-max 22 --q-min 0.5 --approximant IMRPhenomHM --seed 3 --quiet
check "injection" 0 "$dotpe" inject --out "$work/event.h5" --approximant IMRPhenomHM --m1 24 \
  --m2 20 --s1z 0.1 --s2z 0.0 --distance 1500 --ra 1.2 --dec 0.4 --psi 0.3 --iota 0.6 \
  --duration 8 --fmin 20 --fmax 512 --seed 2
run=(run --event "$work/event.h5" --bank "$work/bank.h5" --n-ext 128 --n-phi 16 --n-t 32
  --blocksize 64 --single-detector-blocksize 128 --seed 11)
check "serial run with a corner plot" 0 "$dotpe" "${run[@]}" --rundir "$work/np1" --plot
expect_output "evidence printed" "ln Z ="
[[ -s $work/np1/posterior.png ]] || { echo "FAIL: --plot wrote no posterior.png"; cat "$work/out"; failures=$((failures + 1)); }
check "run with 2 ranks" 0 mpiexec -n 2 --oversubscribe "$dotpe" "${run[@]}" --rundir "$work/np2"
check "run with 3 ranks, tasks of 2 units" 0 mpiexec -n 3 --oversubscribe "$dotpe" "${run[@]}" \
  --rundir "$work/np3" --batches-per-task 2
for name in results.h5 summary.json posterior.h5; do
  for ranks in 2 3; do
    cmp -s "$work/np1/$name" "$work/np$ranks/$name" ||
      { echo "FAIL: $name differs between 1 and $ranks ranks"; failures=$((failures + 1)); }
  done
done
check "posterior and results read with h5py" 0 "$python" - "$work/np1" <<'PY'
import json, sys
import h5py, numpy as np
rundir = sys.argv[1]
with h5py.File(f"{rundir}/posterior.h5", "r") as f:
    samples = f["dotpe/posterior_samples"][()]
for name in ("chirp_mass", "mass_ratio", "ra", "dec", "luminosity_distance", "geocent_time"):
    assert name in samples.dtype.names, name
    assert np.all(np.isfinite(samples[name])), name
assert np.all(samples["mass_ratio"] <= 1)
summary = json.load(open(f"{rundir}/summary.json"))
assert np.isfinite(summary["ln_evidence"]) and summary["n_effective"] > 1
with h5py.File(f"{rundir}/results.h5", "r") as f:
    rows = f["prob_samples"][()]
    assert abs(rows["weights"].sum() - 1) < 1e-9
    assert len(f["extrinsic_samples"][()]) == 128
print("ok", len(samples), summary["ln_evidence"])
PY
if "$python" -c "import pesummary" 2>/dev/null; then
  check "posterior opens with PESummary" 0 "$python" -c "
import sys
from pesummary.io import read
f = read('$work/np1/posterior.h5')
assert 'chirp_mass' in f.samples_dict.keys(), f.samples_dict.keys()
print('pesummary ok', len(f.samples_dict['chirp_mass']))"
fi

check "no run directory" 1 "$dotpe" run --event "$work/event.h5" --bank "$work/bank.h5" --n-ext 8 --n-phi 4 --n-t 8
expect_output "both options named" "event-dir"
check "missing event" 1 "$dotpe" run --event "$work/none.h5" --bank "$work/bank.h5" --n-ext 8 \
  --n-phi 4 --n-t 8 --rundir "$work/bad1"
expect_output "event named" "none.h5"
expect_no_file "no summary after a missing event" "$work/bad1/summary.json"
check "a run directory with another run's outputs" 1 "$dotpe" "${run[@]}" --rundir "$work/np1"
expect_output "existing outputs named" "another run"
check "n_int larger than the bank" 1 "$dotpe" "${run[@]}" --rundir "$work/bad2" --n-int 600
expect_output "bank size named" "512 samples"
expect_no_file "no results after a refused n_int" "$work/bad2/results.h5"
finish run_pipeline
