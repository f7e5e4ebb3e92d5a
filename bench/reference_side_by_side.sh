#!/usr/bin/env bash
# Issue #13: run the Python reference dot-PE and dotpe side by side on this machine, on the same
# event and the same bank, and print the wall time per stage of both, their ratios and ln Z.
#
# Usage: bench/reference_side_by_side.sh REF_CHECKOUT REF_VENV [OUTDIR (default runs/side_by_side)]
#   REF_CHECKOUT  a checkout of https://github.com/JonathanMushkin/dot-PE (put on PYTHONPATH)
#   REF_VENV      a Python venv with cogwheel-pe, lalsuite, pyarrow, pandas, h5py, tqdm,
#                 numpy<=2.2 (e.g. python -m venv V && V/bin/pip install cogwheel-pe lalsuite
#                 pyarrow pandas h5py tqdm "numpy<=2.2"); both live outside the project tree.
# Nothing is fetched at run time.
#
# Environment (defaults = the standard workload of issue #13):
#   BANK_SIZE=65536 N_EXT=1024 N_PHI=50 N_T=128   workload (the bank: IMRPhenomHM, Mc 15-30,
#                                                 q 0.2-1, 4 harmonic groups, the 378 default nodes)
#   REPEAT=1          rounds of the four timed runs (dotpe 1 worker, reference serial, dotpe 2
#                     workers, reference mp 2 workers), back to back in that order
#   EXTRA_SEEDS="2 3 4"  further dotpe runs (2 workers) with these --seed values, for the
#                     Monte-Carlo scatter of ln Z
#   REF_EXTRA_SEEDS=""  further reference mp runs (2 workers) with these seeds (the reference's
#                     seed permutes the stage-4 candidate pool, hence other extrinsic samples)
#   SKIP_REF_SERIAL=1 leave out the (slow) serial reference
#   FIRST_ROUND=1     start at this round (add rounds to an OUTDIR that has the earlier ones)
#   TABLE_ONLY=1      only print the table of the runs already in OUTDIR
#   DOTPE=build/dotpe
#
# The event: the HLV O3 injection of bench/standard_workload.sh (Mc 20, q 0.7, network SNR 15.1),
# but 120 s long with the band 15-1600 Hz instead of 16 s and 15-1024 Hz. The reference snaps the
# bank's nodes onto the event's frequency grid (cogwheel's fbin setter, searchsorted) and needs
# every node on it: the default nodes lie on the 1/120 Hz grid and reach 1600 Hz (a 16 s, 1024 Hz
# event makes it drop nodes and fail). The bundled O3 ASDs end at 1599.97 Hz; they are extended
# flat to 2048 Hz. The reference's own tutorial event is also 120 s, fmax 1600 Hz.
# Serial reference: OMP/OpenBLAS/MKL threads = 1 (one core, as dotpe's one worker);
# mp_inference sets the same itself.
set -euo pipefail
if [[ $# -lt 2 ]]; then
  sed -n 2,30p "$0"
  exit 2
fi
ref_checkout=$(realpath "$1")
ref_venv=$(realpath "$2")
cd "$(dirname "$0")/.."
out=${3:-runs/side_by_side}
dotpe=${DOTPE:-build/dotpe}
bank_size=${BANK_SIZE:-65536}
n_ext=${N_EXT:-1024}
n_phi=${N_PHI:-50}
n_t=${N_T:-128}
repeat=${REPEAT:-1}
extra_seeds=${EXTRA_SEEDS-"2 3 4"}
ref_extra_seeds=${REF_EXTRA_SEEDS:-}
py="$ref_venv/bin/python"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMEXPR_NUM_THREADS=1
export PYTHONPATH="$ref_checkout${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$out"
loads="$out/loads.txt"
"$py" -c "import cogwheel, lal, pyarrow, h5py, dot_pe.inference, dot_pe.mp_inference" ||
  { echo "the venv $ref_venv cannot import cogwheel/lal/pyarrow/h5py/dot_pe"; exit 1; }
echo "reference: $(git -C "$ref_checkout" rev-parse --short HEAD 2>/dev/null || echo "$ref_checkout")," \
  "cogwheel $("$py" -c 'import importlib.metadata as m; print(m.version("cogwheel-pe"))')," \
  "lalsuite $("$py" -c 'import importlib.metadata as m; print(m.version("lalsuite"))')" | tee "$out/versions.txt"

# --- inputs, made by dotpe -----------------------------------------------------------------
if [[ ! -f $out/event.h5 ]]; then
  "$py" - "$out" <<'PY'
import sys, numpy as np
for d in ("H1", "L1", "V1"):
    a = np.load(f"data/asd/asd_{d}_O3.npy")
    np.save(f"{sys.argv[1]}/asd_{d}.npy", np.concatenate([a, [[2048.0], [a[1, -1]]]], axis=1))
PY
  # Mc 20, q 0.7: m1 = Mc (1+q)^(1/5) q^(-3/5), m2 = q m1 (as bench/standard_workload.sh).
  "$dotpe" inject --out "$out/event.h5" --asd "H1=$out/asd_H1.npy,L1=$out/asd_L1.npy,V1=$out/asd_V1.npy" \
    --approximant IMRPhenomHM --m1 27.55 --m2 19.29 --s1z 0.2 --s2z -0.1 --distance 1050 \
    --ra 3.45 --dec -0.41 --psi 0.6 --iota 0.9 --duration 120 --fmin 15 --fmax 1600 --seed 1 \
    2>&1 | grep "network optimal SNR"
fi
if [[ $bank_size == 65536 ]]; then
  mkdir -p runs/cache
  bank=runs/cache/bank_IMRPhenomHM_65536_mc15-30_q0.2.h5   # shared with standard_workload.sh
else
  bank=$out/bank_IMRPhenomHM_${bank_size}_mc15-30_q0.2.h5
fi
if [[ ! -f $bank ]]; then
  echo "== building the $bank_size-template IMRPhenomHM bank (2 workers)"
  mpirun -n 3 --oversubscribe "$dotpe" bank --out "$bank" --size "$bank_size" --blocksize 4096 \
    --mchirp-min 15 --mchirp-max 30 --q-min 0.2 --approximant IMRPhenomHM --seed 1 --quiet
fi

# --- the same inputs in the reference's formats --------------------------------------------
[[ -f $out/event.npz ]] || "$py" bench/export_to_reference_format.py event "$out/event.h5" "$out/event.npz"
ref_bank=$out/bank_ref_$bank_size
if [[ ! -f $ref_bank/done ]]; then
  echo "== exporting $bank to $ref_bank (float64 amplitude and phase blocks)"
  rm -rf "$ref_bank"
  "$py" bench/export_to_reference_format.py bank "$bank" "$ref_bank" --check 16
  touch "$ref_bank/done"
fi

# --- the runs --------------------------------------------------------------------------------
note_load() { echo "$1 $(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)" >>"$loads"; }
run_dotpe() {  # workers seed rundir
  rm -rf "$3"
  note_load "start $3"
  /usr/bin/time -f "%e %U %S" -o "$3.time" \
    mpirun -n "$(($1 + 1))" --oversubscribe --bind-to none "$dotpe" run --event "$out/event.h5" \
    --bank "$bank" --n-ext "$n_ext" --n-phi "$n_phi" --n-t "$n_t" --seed "$2" --rundir "$3" \
    --quiet >"$3.log" 2>&1
  note_load "end   $3"
}
run_ref() {  # serial|mp rundir [seed]
  rm -rf "$2"
  note_load "start $2"
  "$py" bench/run_reference.py "$1" "$out/event.npz" "$ref_bank" "$2" --n-ext "$n_ext" \
    --n-phi "$n_phi" --n-t "$n_t" --seed "${3:-1}" --n-workers 2 >"$2.log" 2>&1
  note_load "end   $2"
}
first_round=${FIRST_ROUND:-1}
[[ -n ${TABLE_ONLY:-} ]] && repeat_runs=0 || repeat_runs=$repeat
[[ -n ${TABLE_ONLY:-} ]] && { extra_run_seeds=""; ref_extra_run_seeds=""; } ||
  { extra_run_seeds=$extra_seeds; ref_extra_run_seeds=$ref_extra_seeds; }
for k in $(seq "$first_round" "$repeat_runs"); do
  echo "== round $k: dotpe 1 worker"; run_dotpe 1 1 "$out/dotpe_w1_r$k"
  if [[ -z ${SKIP_REF_SERIAL:-} ]]; then
    echo "== round $k: reference serial"; run_ref serial "$out/ref_serial_r$k"
  fi
  echo "== round $k: dotpe 2 workers"; run_dotpe 2 1 "$out/dotpe_w2_r$k"
  echo "== round $k: reference mp_inference, 2 workers"; run_ref mp "$out/ref_mp2_r$k"
done
for s in $extra_run_seeds; do
  echo "== dotpe 2 workers, seed $s"; run_dotpe 2 "$s" "$out/dotpe_w2_seed$s"
done
for s in $ref_extra_run_seeds; do
  echo "== reference mp 2 workers, seed $s"; run_ref mp "$out/ref_mp2_seed$s" "$s"
done

# --- the table -------------------------------------------------------------------------------
"$py" - "$out" "$repeat" "$extra_seeds" "$ref_extra_seeds" <<'PY'
import glob, json, statistics, sys
out, repeat, seeds, ref_seeds = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(), sys.argv[4].split()
stages = [("setup", "setup"), ("incoherent", "incoherent"), ("cross_bank", "cross-bank"),
          ("extrinsic", "extrinsic"), ("coherent", "coherent"), ("aggregate", "postprocess"),
          ("total", "total")]
def dotpe(run):
    p = json.load(open(f"{run}/profile.json"))["stage_seconds"]
    s = json.load(open(f"{run}/summary.json"))
    t = {k: p[k] for k, _ in stages}
    try:  # user + system seconds of mpirun and every rank (/usr/bin/time)
        w, u, sy = open(f"{run}.time").read().split()[-3:]
        t["cpu"] = float(u) + float(sy)
    except (OSError, ValueError):
        t["cpu"] = float("nan")
    return t, s
def ref(run):
    r = json.load(open(f"{run}/stage_times.json"))
    t = {k: r["stage_seconds"].get(v, float("nan")) for k, v in stages[:-1]}
    t["cpu"] = r.get("cpu_seconds", float("nan"))  # the process and its pool workers
    t["total"] = r["stage_seconds"].get("total")
    if t["total"] is None:  # older stage_times.json: the reference's line in the log
        import re
        m = re.search(r"Total wall-clock time: ([0-9.]+) s", open(f"{run}.log").read())
        t["total"] = float(m.group(1)) if m else r["wall_seconds"]
    return t, r
cols = {}
for name, pattern, load in [("dotpe 1w", "dotpe_w1_r[0-9]*", dotpe), ("ref serial", "ref_serial_r[0-9]*", ref),
                            ("dotpe 2w", "dotpe_w2_r[0-9]*", dotpe), ("ref mp 2w", "ref_mp2_r[0-9]*", ref)]:
    runs = sorted(glob.glob(f"{out}/{pattern}"))
    runs = [r for r in runs if not r.endswith((".log", ".time"))]
    if runs:
        loaded = [load(r) for r in runs]
        def med(values):
            values = [v for v in values if v == v]  # runs without CPU times are left out
            return statistics.median(values) if values else float("nan")
        cols[name] = ({k: med(l[0][k] for l in loaded) for k in [k for k, _ in stages] + ["cpu"]},
                      [l[1] for l in loaded])
head = f"{'stage':<12}" + "".join(f"{c + ' [s]':>16}" for c in cols)
pairs = [("ref serial", "dotpe 1w"), ("ref mp 2w", "dotpe 2w")]
pairs = [p for p in pairs if p[0] in cols and p[1] in cols]
head += "".join(f"{a.split()[1] + '/' + b.split()[1]:>14}" for a, b in pairs)
print(f"\nmedian over {repeat} round(s); ratio = reference / dotpe")
print(head)
for k, _ in stages:
    row = f"{k:<12}" + "".join(f"{cols[c][0][k]:>16.2f}" for c in cols)
    for a, b in pairs:
        tb = cols[b][0][k]
        row += f"{cols[a][0][k] / tb if tb > 0 else float('nan'):>14.1f}"
    print(row)
row = f"{'cpu (u+s)':<12}" + "".join(f"{cols[c][0]['cpu']:>16.2f}" for c in cols)
for a, b in pairs:
    tb = cols[b][0]["cpu"]
    row += f"{cols[a][0]['cpu'] / tb if tb > 0 else float('nan'):>14.1f}"
print(row)
print("\nln Z and n_effective per run:")
lnz_dotpe, lnz_ref = {}, {}
for c, (_, sums) in cols.items():
    for s in sums:
        print(f"  {c:<11} ln Z = {s['ln_evidence']:.4f}  n_effective = {s['n_effective']:.1f}"
              f"  intrinsic samples after stage 3 = {s['n_i_inds_used']}"
              f"  ln Z_discarded = {s.get('ln_evidence_discarded', float('nan')):.3f}")
        # seed 1: every round and worker count give the same ln Z (dotpe: bit for bit)
        (lnz_dotpe if c.startswith("dotpe") else lnz_ref).setdefault("1", s["ln_evidence"])
for label, run_seeds, load, prefix, lnz in (("dotpe", seeds, dotpe, "dotpe_w2_seed", lnz_dotpe),
                                            ("ref", ref_seeds, ref, "ref_mp2_seed", lnz_ref)):
    for sd in run_seeds:
        try:
            _, s = load(f"{out}/{prefix}{sd}")
        except FileNotFoundError:
            continue
        print(f"  {label} seed {sd:<3} ln Z = {s['ln_evidence']:.4f}  "
              f"n_effective = {s['n_effective']:.1f}")
        lnz[sd] = s["ln_evidence"]
for name, d in (("dotpe", lnz_dotpe), ("reference", lnz_ref)):
    if len(d) > 1:
        v = list(d.values())
        print(f"{name} ln Z over seeds {','.join(d)}: mean {statistics.mean(v):.4f}, "
              f"std {statistics.stdev(v):.4f}")
print("\nmachine load (1/5/15-min averages) at the start and end of each run:")
print(open(f"{out}/loads.txt").read())
PY
