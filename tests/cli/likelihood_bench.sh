#!/usr/bin/env bash
# `dotpe bench`: runs the kernels on small synthetic shapes and prints one JSON object each.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_likelihood_bench
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"
python=${DOTPE_PYTHON:-python3}

check "bench kernel" 0 "$dotpe" bench kernel --n-i 16 --n-e 16 --n-phi 8 --repetitions 1 --quiet
"$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["seconds_per_block"] > 0 and d["zgemm_seconds"] > 0, d' "$work/out" ||
  { echo "FAIL: bench kernel did not print the expected JSON"; cat "$work/out"; failures=$((failures + 1)); }
check "bench single-detector" 0 "$dotpe" bench single-detector --n-i 16 --n-t 16 --n-phi 8 --repetitions 1 --quiet
"$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["seconds_per_block"] > 0, d' "$work/out" ||
  { echo "FAIL: bench single-detector did not print the expected JSON"; cat "$work/out"; failures=$((failures + 1)); }
check "bench with an unknown kernel" 1 "$dotpe" bench frobnicate
finish likelihood_bench
