#!/usr/bin/env bash
# `dotpe run` recovers a noise-free IMRPhenomHM injection (network SNR ~16, HLV) with a 2^14-template
# IMRPhenomHM bank around it: every injected intrinsic parameter inside its 90% credible interval,
# the sky position inside the 90% credible area, the found best fit within a few of the injection's.
# Without noise the posterior is centred on the truth, so a miss means a bias in the pipeline.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
python=${DOTPE_PYTHON:-python3}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_run_injection_recovery
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"

check "bank of 2^14 templates" 0 mpiexec -n 3 --oversubscribe "$dotpe" bank --out "$work/bank.h5" \
  --size 16384 --blocksize 1024 --mchirp-min 18 --mchirp-max 22.5 --q-min 0.3 \
  --approximant IMRPhenomHM --seed 1 --quiet
check "noise-free injection" 0 "$dotpe" inject --out "$work/event.h5" --approximant IMRPhenomHM \
  --m1 27.55 --m2 19.29 --s1z 0.2 --s2z -0.1 --distance 1000 --ra 3.45 --dec -0.41 --psi 0.6 \
  --iota 0.9 --duration 16 --fmin 15 --fmax 1024 --zero-noise
check "inference" 0 mpiexec -n 3 --oversubscribe "$dotpe" run --event "$work/event.h5" \
  --bank "$work/bank.h5" --n-ext 1024 --n-phi 50 --n-t 128 --seed 1 --rundir "$work/run"
check "truth inside the 90% intervals and area" 0 "$python" - "$work/run" <<'PY'
import json, sys
import h5py, numpy as np
rundir = sys.argv[1]
summary = json.load(open(f"{rundir}/summary.json"))
failures = []
for name in ("chirp_mass", "mass_ratio", "chi_eff"):
    entry = summary["posterior"][name]
    inside = entry["lower_5"] <= entry["injected"] <= entry["upper_95"]
    print(f"{name}: {entry['lower_5']:.4f} .. {entry['upper_95']:.4f}, injected {entry['injected']:.4f}")
    if not inside:
        failures.append(name)
# Sky: searched probability on an equal-area grid (uniform in sin(dec) and ra).
with h5py.File(f"{rundir}/posterior.h5", "r") as f:
    samples = f["dotpe/posterior_samples"][()]
ra_bins, z_bins = 36, 18
counts, _, _ = np.histogram2d(samples["ra"] % (2 * np.pi), np.sin(samples["dec"]),
                              bins=[ra_bins, z_bins], range=[[0, 2 * np.pi], [-1, 1]])
truth_ra = summary["posterior"]["ra"]["injected"] % (2 * np.pi)
truth_z = np.sin(summary["posterior"]["dec"]["injected"])
truth_count = counts[int(truth_ra / (2 * np.pi) * ra_bins), int((truth_z + 1) / 2 * z_bins)]
searched = counts[counts > truth_count].sum() / counts.sum()
print(f"sky: searched probability {searched:.3f} ({len(samples)} samples)")
if searched > 0.9:
    failures.append("sky")
gap = summary["injection"]["bestfit_lnlike"] - summary["bestfit_lnlike_max"]
print(f"best fit: injection {summary['injection']['bestfit_lnlike']:.2f}, found {summary['bestfit_lnlike_max']:.2f}")
if gap > 3:
    failures.append("bestfit")
print("n_effective", summary["n_effective"], "ln Z", summary["ln_evidence"])
if failures:
    sys.exit(f"outside: {failures}")
PY
cat "$work/out"
finish run_injection_recovery
