#!/usr/bin/env bash
# `dotpe find-reference`: an injection is found (chirp mass, lnL at least the truth's), the same
# par0 for 1 and 3 MPI ranks, the bundled GW170104 is found, and bad input fails cleanly.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_find_reference
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"

# jq prints 1 when the expression holds.
expect_json() {
  if [[ $(jq "$2" "$3") != true ]]; then
    echo "FAIL: $1: '$2' does not hold for $3"; cat "$3"; failures=$((failures + 1))
  fi
}

check "find-reference --help" 0 "$dotpe" find-reference --help
for option in --out --bank --mchirp-range --mchirp-guess --approximant --f-ref --q-min \
    --time-window --min-snr --n-procs; do
  expect_output "find-reference --help documents $option" -- "$option"
done
check "overview lists find-reference" 0 "$dotpe" --help
expect_output "overview lists find-reference" "find-reference"

# IMRPhenomD, Mc 22.31, network SNR ~16 in O3 noise.
check "injection" 0 "$dotpe" inject --out "$work/signal.h5" --approximant IMRPhenomD --m1 30 \
  --m2 22 --s1z 0.2 --s2z 0.2 --iota 0.6 --ra 2.1 --dec -0.4 --psi 0.3 --phi-ref 0.8 \
  --distance 520 --seed 11 --duration 32 --fmin 20
check "find-reference on the injection" 0 "$dotpe" find-reference "$work/signal.h5" \
  --mchirp-range 15,35 --out "$work/par0.json"
expect_output "the result is summarised" "network SNR"
expect_json "Mc within 2% of 22.311" '(.mchirp / 22.311 - 1 | fabs) < 0.02' "$work/par0.json"
expect_json "every key is written" \
  '[.m1, .m2, .s1z, .s2z, .iota, .ra, .dec, .psi, .t_geocenter, .phi_ref, .d_luminosity, .f_ref, .mchirp, .lnl, .snr_by_detector.H1, .snr_by_detector.L1, .snr_by_detector.V1] | all(. != null)' \
  "$work/par0.json"
expect_json "arrival time near the injected one" '(.t_geocenter | fabs) < 0.01' "$work/par0.json"
check "the same under mpirun -n 3" 0 mpiexec -n 3 --oversubscribe "$dotpe" find-reference \
  "$work/signal.h5" --mchirp-range 15,35 --out "$work/par0_mpi.json"
cmp -s "$work/par0.json" "$work/par0_mpi.json" ||
  { echo "FAIL: 1 and 3 ranks gave different par0"; diff "$work/par0.json" "$work/par0_mpi.json"; failures=$((failures + 1)); }
check "with --mchirp-guess alone" 0 "$dotpe" find-reference "$work/signal.h5" --mchirp-guess 21 \
  --out "$work/par0_guess.json"
expect_json "guess: Mc within 2%" '(.mchirp / 22.311 - 1 | fabs) < 0.02' "$work/par0_guess.json"

check "GW170104" 0 "$dotpe" find-reference "$DOTPE_DATA_DIR/events/GW170104.npz" \
  --mchirp-range 10,50 --out "$work/gw170104.json"
expect_json "GW170104: detector-frame Mc in 20-30" '.mchirp > 20 and .mchirp < 30' "$work/gw170104.json"
expect_json "GW170104: network SNR >= 12" '.network_snr >= 12' "$work/gw170104.json"
cat "$work/out"

# Bad input: one clear message, exit 1, no output.
check "noise only" 0 "$dotpe" inject --out "$work/noise.h5" --seed 3 --duration 16 --fmin 20
check "no signal above the threshold" 1 "$dotpe" find-reference "$work/noise.h5" \
  --mchirp-range 20,30 --min-snr 12 --out "$work/none.json"
expect_output "says nothing was found" "reaches network SNR 12"
expect_output "says how to widen the search" "--mchirp-guess"
expect_no_file "no par0 without a detection" "$work/none.json"
check "no search range" 1 "$dotpe" find-reference "$work/signal.h5" --out "$work/x.json"
expect_output "asks for a range" "--mchirp-range LO,HI"
expect_no_file "no output without a range" "$work/x.json"
check "inverted range" 1 "$dotpe" find-reference "$work/signal.h5" --mchirp-range 30,20 \
  --out "$work/y.json"
expect_output "explains the range" "0 < LO < HI"
check "bank and range together" 1 "$dotpe" find-reference "$work/signal.h5" --bank b.h5 \
  --mchirp-range 20,30 --out "$work/z.json"
expect_output "explains the choice" "not both"
check "missing event" 1 "$dotpe" find-reference "$work/absent.h5" --mchirp-range 20,30 \
  --out "$work/w.json"
expect_output "names the file" "absent.h5"
expect_no_file "no output for a missing event" "$work/w.json"
finish find_reference
