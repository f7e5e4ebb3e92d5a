#!/usr/bin/env bash
# The dotpe command: help texts, exit codes, config files, unknown input.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_app_basics
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"

check "top-level help" 0 "$dotpe" --help
for command in run bank inject import-event waveform autotune info version; do
  expect_output "top-level help lists $command" "  $command "
done
check "no arguments is a usage error" 2 "$dotpe"
check "unknown command" 2 "$dotpe" frobnicate
expect_output "unknown command names it" "unknown command 'frobnicate'"

check "run --help" 0 "$dotpe" run --help
for option in --event --bank --n-ext --n-phi --n-t --n-int --blocksize --single-detector-blocksize \
    --seed --size-limit --rundir --event-dir --max-incoherent-lnlike-drop --max-bestfit-lnlike-diff \
    --mchirp-guess --n-procs --i-batch --batches-per-task --profile --config; do
  expect_output "run --help lists $option" -- "$option"
done
expect_output "run --help shows defaults" "(=512)"

check "unknown option is refused" 1 "$dotpe" run --n-exts 5
expect_output "unknown option is named" "n-exts"
check "bad option value is refused" 1 "$dotpe" run --n-ext many
expect_output "bad value names the option" "n-ext"

check "run without an output directory" 1 "$dotpe" run --event e.h5 --bank b.h5 --n-ext 8 --n-phi 4 --n-t 8
expect_output "missing rundir is explained" "--rundir"
check "run with n-int for the wrong number of banks" 1 "$dotpe" run --event e.h5 --bank a.h5,b.h5 \
  --n-ext 8 --n-phi 4 --n-t 8 --rundir "$work/run" --n-int 1,2,3
expect_output "n-int mismatch is explained" "one per bank"

printf 'n-ext = many\n' >"$work/bad.ini"
check "bad value in a config file is refused" 1 "$dotpe" run --config "$work/bad.ini"
check "missing config file is refused" 1 "$dotpe" run --config "$work/absent.ini"
expect_output "missing config file is named" "absent.ini"

check "version" 0 "$dotpe" version
expect_output "version names HDF5" "HDF5"
check "info on the bundled event" 0 "$dotpe" info "${DOTPE_DATA_DIR}/events/GW170104.npz"
expect_output "info lists the strain" "strain"
check "info on a missing file" 1 "$dotpe" info "$work/absent.h5"
expect_output "info names the missing file" "absent.h5"

finish app_basics
