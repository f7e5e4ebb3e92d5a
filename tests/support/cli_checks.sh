# Shared helpers of the command-line tests (tests/cli/*.sh); source it after setting $work.
# check DESCRIPTION EXPECTED_STATUS COMMAND...  runs COMMAND, output to $work/out
# expect_output DESCRIPTION PATTERN             the last output contains PATTERN
# expect_no_file DESCRIPTION PATH               PATH does not exist (no partial output)
# finish NAME                                   prints the summary and exits with the status
failures=0
check() {
  local description=$1 expected=$2
  shift 2
  "$@" >"$work/out" 2>&1
  local status=$?
  if [[ $status -ne $expected ]]; then
    echo "FAIL: $description: exit $status, expected $expected"; cat "$work/out"
    failures=$((failures + 1))
  fi
}
expect_output() {
  if ! grep -q -- "$2" "$work/out"; then
    echo "FAIL: $1: output lacks '$2'"; cat "$work/out"; failures=$((failures + 1))
  fi
}
expect_no_file() {
  if [[ -e $2 ]]; then echo "FAIL: $1: $2 exists"; failures=$((failures + 1)); fi
}
finish() {
  if [[ $failures -eq 0 ]]; then echo "$1: all checks passed"; exit 0; fi
  echo "$1: $failures checks failed"; exit 1
}
# A small `dotpe run` configuration (INI) for EVENT and BANK writing to RUNDIR, for the job tests;
# extra "option = value" lines may follow as arguments.
write_run_ini() {  # FILE EVENT BANK RUNDIR [LINE ...]
  local file=$1 event=$2 bank=$3 rundir=$4
  shift 4
  {
    printf '%s\n' "event = $event" "bank = $bank" "n-ext = 64" "n-phi = 8" "n-t = 16" \
      "blocksize = 64" "seed = 1" "rundir = $rundir"
    for line in "$@"; do printf '%s\n' "$line"; done
  } >"$file"
}
