#!/usr/bin/env bash
# Smoke version of the P-P test (scripts/pp_test, docs/validation.md): 5 injections from the
# priors with a small bank; checks that the tool runs end to end and that its outputs make sense
# (percentiles in [0, 1], a plot, p-values). The real test (100 injections) runs outside CI.
set -uo pipefail
python=${DOTPE_PYTHON:-python3}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_pp_smoke
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"
script="$DOTPE_TEST_SOURCE_DIR/../scripts/pp_test"
check "5 injections" 0 "$python" "$script" --n 5 --out "$work" --bank-size 2048 --n-ext 128 \
  --n-phi 16 --ranks 3 --dotpe "$DOTPE_EXE"
expect_output "p-values printed" "combined (Fisher) p-value"
check "outputs" 0 "$python" - "$work" <<'PY'
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
table = json.loads((out / "pp_table.json").read_text())
result = json.loads((out / "pp_result.json").read_text())
assert len(table) == 5 and result["n"] == 5
for row in table:
    assert 10 <= row["truth"]["network_snr"] <= 25
    assert all(0.0 <= p <= 1.0 for p in row["percentiles"].values()), row
assert (out / "pp_plot.png").stat().st_size > 1000
assert 0.0 <= result["combined_p_value"] <= 1.0
PY
finish pp_smoke
