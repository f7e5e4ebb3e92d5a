#!/usr/bin/env python3
"""Run the Python reference dot-PE on an exported event and bank (bench/reference_side_by_side.sh).

  run_reference.py serial|mp EVENT.npz BANK_FOLDER RUNDIR --n-ext N --n-phi N --n-t N
                   [--seed S] [--n-workers W] [--blocksize B]

serial: dot_pe.inference.run_timed (the stages of inference.run, timed with perf_counter);
mp:     dot_pe.mp_inference.run(n_workers=W) (fork pool for stages 2 and 5).
Both print "Stage k (name)  X s" and "Total wall-clock time"; this script also writes
RUNDIR/stage_times.json with the stage times parsed from the reference's own table (0.1 s
resolution; "total" is its "Total wall-clock time"), the wall time of the call measured here, and
the summary_results.json values.

dot-PE must be importable (pip install -e CHECKOUT, or PYTHONPATH=CHECKOUT). Before the run the
bank's approximant is registered with cogwheel if it is missing (cogwheel 1.x does not register
IMRPhenomHM); nothing installed is modified.
"""
import argparse
import contextlib
import io
import json
import os
import re
import resource
import sys
import time


class Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, s):
        for st in self.streams:
            st.write(s)
            st.flush()
        return len(s)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["serial", "mp"])
    p.add_argument("event")
    p.add_argument("bank")
    p.add_argument("rundir")
    p.add_argument("--n-ext", type=int, required=True)
    p.add_argument("--n-phi", type=int, required=True)
    p.add_argument("--n-t", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--n-workers", type=int, default=2)
    p.add_argument("--blocksize", type=int, default=512)
    p.add_argument("--extrinsic-samples", default=None,
                   help="an extrinsic_samples.feather to load in stage 4 instead of drawing")
    a = p.parse_args()

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from export_to_reference_format import register_approximant

    with open(os.path.join(a.bank, "bank_config.json"), encoding="utf-8") as fp:
        config = json.load(fp)
    register_approximant(config["approximant"], config["harmonic_modes"])

    kwargs = dict(event=a.event, bank_folder=a.bank, n_ext=a.n_ext, n_phi=a.n_phi, n_t=a.n_t,
                  seed=a.seed, rundir=a.rundir, blocksize=a.blocksize,
                  single_detector_blocksize=a.blocksize, extrinsic_samples=a.extrinsic_samples)
    from dot_pe import inference, mp_inference  # imported before the clock starts
    buf = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(Tee(sys.stdout, buf)):
        if a.mode == "serial":
            inference.run_timed(**kwargs)
        else:
            mp_inference.run(**kwargs, n_workers=a.n_workers)
    wall = time.perf_counter() - t0
    cpu = sum(getattr(resource.getrusage(who), f) for who in
              (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))

    stages = {}
    for m in re.finditer(r"Stage (\d) \(([^)]*)\)\s+([0-9.]+) s", buf.getvalue()):
        stages[m.group(2)] = float(m.group(3))
    total = re.search(r"Total wall-clock time: ([0-9.]+) s", buf.getvalue())
    if total:
        stages["total"] = float(total.group(1))
    with open(os.path.join(a.rundir, "summary_results.json"), encoding="utf-8") as fp:
        summary = json.load(fp)
    out = {"mode": a.mode, "n_workers": a.n_workers if a.mode == "mp" else 1,
           "stage_seconds": stages, "wall_seconds": wall,
           "cpu_seconds": cpu,  # this process and its (pool) children, user + system
           "ln_evidence": summary["ln_evidence"], "n_effective": summary["n_effective"],
           "n_i_inds_used": summary["n_i_inds_used"],
           "n_distance_marginalizations": summary["n_distance_marginalizations"],
           "ln_evidence_discarded": summary.get("ln_evidence_discarded")}
    with open(os.path.join(a.rundir, "stage_times.json"), "w", encoding="utf-8") as fp:
        json.dump(out, fp, indent=2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
