#!/usr/bin/env bash
# --max-memory-per-worker lowers the block sizes so that the measured peak RSS of every worker
# stays within the budget, and rank 0 stays bounded by --size-limit rows, in the worst case where
# every (i, e, o) passes the cuts; the outputs stay identical for 2 and 3 ranks.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
python=${DOTPE_PYTHON:-python3}
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_run_memory_budget
rm -rf "$work" && mkdir -p "$work"
source "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/support/cli_checks.sh"

check "bank" 0 "$dotpe" bank --out "$work/bank.h5" --size 1024 --blocksize 256 --mchirp-min 18 \
  --mchirp-max 22 --q-min 0.5 --approximant IMRPhenomHM --seed 3 --quiet
check "injection" 0 "$dotpe" inject --out "$work/event.h5" --approximant IMRPhenomHM --m1 24 --m2 20 \
  --distance 1500 --duration 8 --fmin 20 --fmax 512 --seed 2 --quiet
run=(run --event "$work/event.h5" --bank "$work/bank.h5" --n-ext 256 --n-phi 16 --n-t 32 --seed 1
  --max-incoherent-lnlike-drop 1e9 --max-bestfit-lnlike-diff 1e9 --size-limit 20000
  --max-memory-per-worker 0.2)
check "run within 0.2 GB per worker, 2 ranks" 0 mpiexec -n 2 --oversubscribe "$dotpe" "${run[@]}" --rundir "$work/np2"
expect_output "the block size is lowered" "blocksize 512 ->"
check "the same with 3 ranks" 0 mpiexec -n 3 --oversubscribe "$dotpe" "${run[@]}" --rundir "$work/np3"
for name in results.h5 summary.json; do
  cmp -s "$work/np2/$name" "$work/np3/$name" ||
    { echo "FAIL: $name differs between 2 and 3 ranks"; failures=$((failures + 1)); }
done
check "measured peak RSS" 0 "$python" - "$work/np3/profile.json" <<'PY'
import json, sys
profile = json.load(open(sys.argv[1]))
for stage in profile["task_farm"]:
    peaks = [rank["peak_rss_bytes"] / 1e9 for rank in stage["ranks"]]
    print(stage["stage"], "peak RSS per rank (GB):", [round(p, 3) for p in peaks])
    assert all(p <= 0.2 for p in peaks[1:]), "a worker exceeded the 0.2 GB budget"
    # 20000 rows of 64 bytes are kept, up to 2x before a prune, plus one task's results.
    assert peaks[0] <= 0.4, "rank 0 is not bounded by the size limit"
PY
cat "$work/out"
finish run_memory_budget
