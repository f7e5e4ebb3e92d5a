#!/usr/bin/env bash
# Small version of the evidence-accuracy check (scripts/evidence_check, docs/validation.md): an
# IMRPhenomD injection and an 8-template bank; ln Z from `dotpe run` (4 seeds, n_ext 1024) must
# match an independent brute-force integral over time, sky, psi, phase and distance (LALSimulation
# waveforms, LAL antenna patterns, FFT time series, quadrature) within 3 standard errors of the
# mean plus 0.02. The full table (32 templates, n_ext up to 16384, 12 seeds) runs outside CI.
set -uo pipefail
python=${DOTPE_PYTHON:-python3}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_evidence_smoke
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"
script="$DOTPE_TEST_SOURCE_DIR/../scripts/evidence_check"
check "dotpe ln Z against brute force" 0 "$python" "$script" --out "$work" --bank-size 8 \
  --n-ext 1024 --seeds 4 --n-sky 16384 --ranks 3 --dotpe "$DOTPE_EXE"
expect_output "brute-force value printed" "brute force: ln Z"
check "outputs" 0 "$python" - "$work" <<'PY'
import json, math, sys
from pathlib import Path
result = json.loads((Path(sys.argv[1]) / "evidence_check.json").read_text())
assert math.isfinite(result["ln_z_brute_force"]) and result["ln_z_brute_force"] > 50, result
runs = result["runs"]["1024"]
assert len(runs["ln_evidence"]) == 4 and all(0 < e < 1 for e in runs["error_extrinsic"]), runs
PY
finish evidence_smoke
