#!/usr/bin/env bash
# Events from the command line: import of the bundled GW170104, dotpe info, noise injection.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_physics_events
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"

check "import GW170104" 0 "$dotpe" import-event "$DOTPE_DATA_DIR/events/GW170104.npz" "$work/gw170104.h5"
check "info on the imported event" 0 "$dotpe" info "$work/gw170104.h5"
for text in "GW170104" "H1, L1" "1167559936.600" "duration   128 s" "15.000 - 512.000 Hz" \
    "whitened strain RMS in band, H1: 0.9"; do
  expect_output "event info shows $text" "$text"
done
check "import of a missing file" 1 "$dotpe" import-event "$work/absent.npz" "$work/x.h5"
expect_no_file "a failed import leaves no output" "$work/x.h5"
check "import of a non-event npz" 1 "$dotpe" import-event "$DOTPE_DATA_DIR/asd/asd_H1_O3.npy" "$work/y.h5"
expect_no_file "a failed import leaves no output" "$work/y.h5"

check "inject --help" 0 "$dotpe" inject --help
for option in --out --detectors --asd --duration --fmin --fmax --seed --approximant --m1 --m2 \
    --s1z --s2z --iota --ra --dec --psi --geocent-time --phi-ref --distance --f-ref --zero-noise --tgps; do
  expect_output "inject --help documents $option" -- "$option"
done
check "noise injection" 0 "$dotpe" inject --out "$work/a.h5" --seed 11 --duration 8
check "same seed again" 0 "$dotpe" inject --out "$work/b.h5" --seed 11 --duration 8
check "another seed" 0 "$dotpe" inject --out "$work/c.h5" --seed 12 --duration 8
cmp -s "$work/a.h5" "$work/b.h5" || { echo "FAIL: the same seed gave different files"; failures=$((failures + 1)); }
cmp -s "$work/a.h5" "$work/c.h5" && { echo "FAIL: different seeds gave the same file"; failures=$((failures + 1)); }
check "info on the injection" 0 "$dotpe" info "$work/a.h5"
expect_output "three detectors" "H1, L1, V1"
check "fmin below the ASD" 1 "$dotpe" inject --out "$work/d.h5" --fmin 5
expect_output "ASD range explained" "covers"
expect_no_file "a failed injection leaves no output" "$work/d.h5"
check "unknown detector" 1 "$dotpe" inject --out "$work/e.h5" --detectors H1,X1
expect_output "unknown detector named" "X1"

check "signal injection" 0 "$dotpe" inject --out "$work/signal.h5" --approximant TaylorF2 --m1 1.5 \
  --m2 1.3 --distance 100 --ra 1 --dec 0.3 --iota 0.4 --seed 2 --duration 64
expect_output "per-detector SNR is reported" "optimal SNR in L1"
expect_output "network SNR is reported" "network optimal SNR"
check "info shows the injection" 0 "$dotpe" info "$work/signal.h5"
expect_output "injection model recorded" "injection  TaylorF2"
expect_output "injection parameters recorded" '"m1":1.5'
expect_output "optimal SNR from the record" "optimal SNR H1"
check "HM injection into O3 noise" 0 "$dotpe" inject --out "$work/hm1.h5" --approximant IMRPhenomHM \
  --m1 40 --m2 25 --iota 1.1 --ra 2 --dec -0.4 --psi 0.5 --phi-ref 0.3 --distance 900 --seed 5 --duration 8
check "the same HM injection again" 0 "$dotpe" inject --out "$work/hm2.h5" --approximant IMRPhenomHM \
  --m1 40 --m2 25 --iota 1.1 --ra 2 --dec -0.4 --psi 0.5 --phi-ref 0.3 --distance 900 --seed 5 --duration 8
cmp -s "$work/hm1.h5" "$work/hm2.h5" || { echo "FAIL: an injection is not reproducible by seed"; failures=$((failures + 1)); }
check "arrival outside the segment" 1 "$dotpe" inject --out "$work/g.h5" --approximant IMRPhenomD \
  --m1 30 --m2 20 --geocent-time 5
expect_output "segment explained" "outside the segment"
expect_no_file "no output for a bad arrival time" "$work/g.h5"
check "a signal needs masses" 1 "$dotpe" inject --out "$work/f.h5" --approximant TaylorF2
expect_output "missing masses explained" "--m1 and --m2"
expect_no_file "no output without masses" "$work/f.h5"
finish physics_events
