#!/usr/bin/env bash
# `dotpe inject --zero-noise` against LAL: the detector strain of an injection equals the
# reference's formula evaluated with lalsimulation waveforms, LAL antenna patterns and LAL delays
# (tests/oracle/physics_inject_lal.py). Needs the oracle environment (scripts/python-env).
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
python=${DOTPE_PYTHON:?DOTPE_PYTHON is set by CTest}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_physics_inject_lal
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"
oracle=$DOTPE_TEST_SOURCE_DIR/oracle/physics_inject_lal.py

source_options=(--m1 36 --m2 29 --s1z 0.3 --s2z -0.2 --iota 1.0 --ra 2.1 --dec -0.6 --psi 0.8
  --distance 700 --duration 8 --tgps 1187008882.4 --geocent-time 1187008882.45 --zero-noise)
check "IMRPhenomD injection" 0 "$dotpe" inject --out "$work/d.h5" --approximant IMRPhenomD \
  --phi-ref 0.7 "${source_options[@]}"
check "IMRPhenomD strain equals LAL's" 0 "$python" "$oracle" "$work/d.h5" 1e-10
check "IMRPhenomHM injection" 0 "$dotpe" inject --out "$work/hm.h5" --approximant IMRPhenomHM \
  "${source_options[@]}"
check "IMRPhenomHM strain equals LAL's" 0 "$python" "$oracle" "$work/hm.h5" 1e-10
cat "$work/out"
finish physics_inject_lal
