#!/usr/bin/env bash
# The Slurm templates really run: a temporary single-host Slurm (scripts/slurm_single_host:
# munged + slurmctld + slurmd in a work directory) runs jobs/autotune.sbatch, then
# jobs/multi_node.sbatch on one node with mpirun and with srun; the second finds the
# configuration the first cached. Skipped (exit 0, "SKIPPED") only when Slurm cannot start here.
set -uo pipefail
dotpe=${DOTPE_EXE:?DOTPE_EXE is set by CTest}
source_dir=$(cd "${DOTPE_TEST_SOURCE_DIR:?set by CTest}/.." && pwd)
work=${DOTPE_TEST_WORK_DIR:-/tmp}/cli_jobs_slurm
rm -rf "$work" && mkdir -p "$work"
source "$source_dir/tests/support/cli_checks.sh"
slurm=$work/slurm

started=$("$source_dir/scripts/slurm_single_host" start "$slurm" 2>"$work/slurm_start.err")
case $? in
  0) eval "$started" ;;
  2) echo "SKIPPED: $(head -1 "$work/slurm_start.err")"; cat "$work/slurm_start.err"; exit 0 ;;
  *) echo "FAIL: scripts/slurm_single_host start"; cat "$work/slurm_start.err"; exit 1 ;;
esac
trap '"$source_dir/scripts/slurm_single_host" stop "$slurm"' EXIT

# Waits for a job to end (at most $2 seconds); prints its final state.
wait_for_job() {
  local job=$1 limit=$2 state=""
  for _ in $(seq $((limit * 2))); do
    state=$(scontrol show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
    case $state in
      COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL) break ;;
    esac
    sleep 0.5
  done
  if [[ $state != COMPLETED && $state != FAILED && $state != CANCELLED && $state != TIMEOUT ]]; then
    scancel "$job" 2>/dev/null
    state="NOT_DONE_AFTER_${limit}s(${state:-unknown})"
  fi
  echo "$state"
}
# expect_job NAME JOB OUTFILE PATTERN...: the job completed and its output has every pattern.
expect_job() {
  local name=$1 job=$2 out=$3 state
  shift 3
  state=$(wait_for_job "$job" 120)
  cp "$out" "$work/out" 2>/dev/null || echo "(no output file $out)" >"$work/out"
  if [[ $state != COMPLETED ]]; then
    echo "FAIL: $name: job $job ended $state"; cat "$work/out"; tail -5 "$slurm/slurmctld.log"
    failures=$((failures + 1))
    return
  fi
  for pattern in "$@"; do expect_output "$name" "$pattern"; done
}

check "bank" 0 "$dotpe" bank --out "$work/bank.h5" --size 256 --blocksize 64 --mchirp-min 18 \
  --mchirp-max 22 --q-min 0.5 --approximant IMRPhenomHM --seed 3 --quiet
check "injection" 0 "$dotpe" inject --out "$work/event.h5" --approximant IMRPhenomHM --m1 24 \
  --m2 20 --s1z 0.1 --distance 1500 --ra 1.2 --dec 0.4 --psi 0.3 --iota 0.6 --duration 8 \
  --fmin 20 --fmax 512 --seed 2
for launcher in mpirun srun; do
  write_run_ini "$work/run_$launcher.ini" "$work/event.h5" "$work/bank.h5" "$work/run_$launcher"
done

# Jobs inherit this environment (sbatch --export=ALL): the cache, the executable, root MPI.
export XDG_CACHE_HOME=$work/cache DOTPE=$dotpe
export AUTOTUNE_ARGS="--i-batch 64,128 --batches-per-task 1,2 --blocksize 64 --n-t 32 --n-phi 8"
cd "$work" || exit 1
resources=(--nodes=1 --ntasks-per-node=2 --mem-per-cpu=1G --time=5 --exclusive)
autotune_job=$(sbatch --parsable "${resources[@]}" --output="$work/autotune-%j.out" \
  "$source_dir/jobs/autotune.sbatch" "$work/event.h5" "$work/bank.h5")
run_job=$(sbatch --parsable "${resources[@]}" --dependency=afterok:"$autotune_job" \
  --output="$work/multi-%j.out" "$source_dir/jobs/multi_node.sbatch" "$work/run_mpirun.ini")
srun_job=$(LAUNCHER=srun sbatch --parsable "${resources[@]}" --dependency=afterok:"$run_job" \
  --output="$work/multi-srun-%j.out" "$source_dir/jobs/multi_node.sbatch" "$work/run_srun.ini")

expect_job "autotune.sbatch" "$autotune_job" "$work/autotune-$autotune_job.out" \
  "with 2 tasks" "chosen: n_procs 1," "cached: $XDG_CACHE_HOME/dotpe/hpc_config_" '"hpc_config"'
expect_job "multi_node.sbatch (mpirun)" "$run_job" "$work/multi-$run_job.out" \
  "1 workers + 1 coordinator, launcher mpirun" \
  "using the autotuned HPC configuration of this machine" "ln Z ="
expect_job "multi_node.sbatch (srun)" "$srun_job" "$work/multi-srun-$srun_job.out" \
  "launcher srun" "ln Z ="
for launcher in mpirun srun; do
  [[ -s $work/run_$launcher/summary.json ]] ||
    { echo "FAIL: no summary.json from the $launcher run"; failures=$((failures + 1)); }
done
cmp -s "$work/run_mpirun/summary.json" "$work/run_srun/summary.json" ||
  { echo "FAIL: mpirun and srun runs differ"; failures=$((failures + 1)); }
finish jobs_slurm
