#!/usr/bin/env bash
# The standard workload of issue #13 (the reference's tutorial configuration): a 2^16-template
# IMRPhenomHM bank (Mc 15-30, q 0.2-1, 4 harmonic groups, 378 nodes), an HLV O3 injection
# (Mc 20, q 0.7, network SNR ~15), n_ext 1024, n_phi 50, n_t 128, everything else default.
# Builds the bank once (cached), then runs dotpe with 1 worker and with every core, REPEAT times
# each, and prints per stage: the median wall time, the (i, e, o) rate per core, the GEMM FLOPs
# and the time they take at this machine's measured zgemm rate (the FLOP-bound minimum).
# Usage: bench/standard_workload.sh [OUTDIR (default runs/standard_workload)] [REPEAT (default 3)]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/standard_workload}
repeat=${2:-3}
dotpe=${DOTPE:-build/dotpe}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
mkdir -p "$out" runs/cache
cores=$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc)
bank=runs/cache/bank_IMRPhenomHM_65536_mc15-30_q0.2.h5
if [[ ! -f $bank ]]; then
  echo "== building the 2^16-template IMRPhenomHM bank on $cores cores (once; cached in $bank)"
  mpirun -n "$((cores + 1))" --oversubscribe "$dotpe" bank --out "$bank" --size 65536 \
    --blocksize 4096 --mchirp-min 15 --mchirp-max 30 --q-min 0.2 --approximant IMRPhenomHM \
    --seed 1 --quiet
fi
# Mc 20, q 0.7: m1 = Mc (1+q)^(1/5) q^(-3/5), m2 = q m1.
"$dotpe" inject --out "$out/event.h5" --approximant IMRPhenomHM --m1 27.55 --m2 19.29 --s1z 0.2 \
  --s2z -0.1 --distance 1050 --ra 3.45 --dec -0.41 --psi 0.6 --iota 0.9 --duration 16 --fmin 15 \
  --fmax 1024 --seed 1 2>&1 | grep "network optimal SNR"
"$dotpe" bench kernel --n-phi 50 --repetitions 3 >"$out/kernel_bench.json"

for workers in 1 "$cores"; do
  for k in $(seq "$repeat"); do
    rundir="$out/w${workers}_run$k"
    rm -rf "$rundir"
    mpirun -n "$((workers + 1))" --oversubscribe --bind-to none "$dotpe" run --event "$out/event.h5" \
      --bank "$bank" --n-ext 1024 --n-phi 50 --n-t 128 --seed 1 --rundir "$rundir" --quiet >/dev/null
  done
done

python3 - "$out" "$repeat" "$cores" <<'PY'
import json, statistics, sys
out, repeat, cores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bench = json.load(open(f"{out}/kernel_bench.json"))
n_d, n_b, n_m = bench["n_det"], bench["n_bins"], bench["n_modes"]
x = 2 * n_d * n_b
# Complex GEMM FLOPs (8 per complex multiply-add) of the measured zgemm: (n_i n_m x X)(X x n_e).
zgemm_rate = 8.0 * bench["n_i"] * n_m * bench["n_e"] * x / bench["zgemm_seconds"]
print(f"machine zgemm rate (Eigen, one core): {zgemm_rate / 1e9:.1f} GFLOP/s")
stages = ["setup", "incoherent", "cross_bank", "extrinsic", "coherent", "aggregate", "total"]
rows = {}
for workers in (1, cores):
    times = {s: [] for s in stages}
    for k in range(1, repeat + 1):
        profile = json.load(open(f"{out}/w{workers}_run{k}/profile.json"))
        for s in stages:
            times[s].append(profile["stage_seconds"][s])
    rows[workers] = {s: statistics.median(v) for s, v in times.items()}
summary = json.load(open(f"{out}/w1_run1/summary.json"))
config = json.load(open(f"{out}/w1_run1/run_config.json"))
n_sel = summary["n_i_inds_used"]
n_ext, n_phi, n_t = config["n_ext"], config["n_phi"], config["n_t"]
n_bank = list(summary["per_bank_results"].values())[0]["N_k"] / (n_ext * n_phi)
flops_coherent = 8.0 * n_m * x * n_sel * n_ext
flops_incoherent = 8.0 * n_d * (n_bank * n_m * 2) * n_b * n_t
ieo = n_sel * n_ext * n_phi
print(f"bank {n_bank:.0f} templates, {n_sel} after stage 3; n_ext {n_ext}, n_phi {n_phi}, n_t {n_t}")
print(f"ln Z = {summary['ln_evidence']:.3f}, n_effective = {summary['n_effective']:.1f}")
print(f"\n{'stage':<12}" + "".join(f"{f'{w} worker(s) [s]':>20}" for w in rows) + f"{'efficiency':>12}")
for s in stages:
    t1, tn = rows[1][s], rows[cores][s]
    eff = t1 / (cores * tn) if tn > 0 else float("nan")
    print(f"{s:<12}{t1:>20.2f}{tn:>20.2f}{eff:>12.2f}")
for workers in rows:
    print(f"\n{workers} worker(s): coherent (i,e,o) per second per core: "
          f"{ieo / rows[workers]['coherent'] / workers:.3g}")
floor_coh = flops_coherent / zgemm_rate
floor_inc = flops_incoherent / zgemm_rate
print(f"GEMM FLOPs: stage 2 {flops_incoherent:.3g}, stage 5 {flops_coherent:.3g}")
print(f"FLOP-bound minimum on one core: stage 2 {floor_inc:.2f} s, stage 5 {floor_coh:.2f} s, "
      f"total {floor_inc + floor_coh:.2f} s")
print(f"1 worker: total {rows[1]['total']:.2f} s = {rows[1]['total'] / (floor_inc + floor_coh):.2f} x "
      f"the FLOP-bound minimum")
PY
