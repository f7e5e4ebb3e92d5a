#!/usr/bin/env bash
# `dotpe waveform`: HDF5 and CSV outputs readable by numpy/h5py, with the documented layout.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_waveform_command
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"
python=${DOTPE_PYTHON:-python3}

check "face-on TaylorF2 to HDF5" 0 "$dotpe" waveform --m1 1.4 --m2 1.3 --iota 0 --fmin 20 --fmax 200 --df 0.5 --out "$work/w.h5"
"$python" - "$work/w.h5" <<'PY' || { echo "FAIL: HDF5 layout or face-on relation"; failures=$((failures + 1)); }
import sys, h5py, numpy as np
with h5py.File(sys.argv[1]) as f:
    freqs, m_arr, hp, hc = f["frequencies"][()], f["m_arr"][()], f["hplus"][()], f["hcross"][()]
assert hp.dtype == np.complex128 and hp.shape == (1, len(freqs)) and list(m_arr) == [2]
assert np.allclose(hc, -1j * hp, rtol=1e-12, atol=0)
PY
check "CSV output" 0 "$dotpe" waveform --m1 30 --m2 20 --fmin 20 --fmax 21 --df 0.5 --out "$work/w.csv"
[[ $(wc -l <"$work/w.csv") -eq 4 ]] || { echo "FAIL: CSV should have a header and 3 rows"; failures=$((failures + 1)); }
check "IMRPhenomHM with every mode" 0 "$dotpe" waveform --approximant IMRPhenomHM --m1 40 --m2 10 --iota 0.9 --modes all --fmin 20 --fmax 300 --df 1 --out "$work/hm.h5"
"$python" - "$work/hm.h5" <<'PY' || { echo "FAIL: per-mode output inconsistent with the m-groups"; failures=$((failures + 1)); }
import sys, h5py, numpy as np
with h5py.File(sys.argv[1]) as f:
    modes, hlm, hp, m_arr = f["modes"][()], f["hlm"][()], f["hplus"][()], list(f["m_arr"][()])
assert [tuple(x) for x in modes] == [(2, 2), (2, 1), (3, 3), (3, 2), (4, 4), (4, 3)], modes
assert m_arr == [2, 1, 3, 4] and hp.shape[0] == 4 and hlm.shape[0] == 6
# The m = 2 group is the sum of (2,2) and (3,2): both modes contribute, the group is not one mode.
assert np.abs(hlm[3]).max() > 0 and np.abs(hp[0]).max() > 0
PY
check "an unknown mode is refused" 1 "$dotpe" waveform --approximant IMRPhenomHM --m1 40 --m2 10 --modes 22,55 --out "$work/bad.h5"
expect_output "the mode is named" "(5, 5)"
check "missing masses" 1 "$dotpe" waveform --out "$work/x.h5"
expect_no_file "no output without masses" "$work/x.h5"
check "precessing spins are refused" 1 "$dotpe" waveform --m1 30 --m2 20 --s1z 1.5 --out "$work/y.h5"
finish waveform_command
