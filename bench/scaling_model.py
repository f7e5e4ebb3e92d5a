#!/usr/bin/env python3
"""Wall time of `dotpe run` against the number of workers, from one measured run.

The model (docs/performance.md, "Scaling"):

  T(W) = T_serial + Σ_farm-stages T_stage(W)
  T_stage(W) = max( N c / W + c ,  N (δ + m / B) )

* T_serial: the stages every rank runs alike or rank 0 runs alone (setup, cross-bank
  selection, extrinsic sampling, aggregation), and the part of each farmed stage outside its
  farm (per-rank set-up, rank 0's final selection), measured;
* N, c: tasks of the farmed stage and their mean cost (busy seconds / tasks of the workers);
  N c / W is the work spread evenly, + c the last task still running when the others are done
  (dynamic dispatch bounds the imbalance by one task);
* δ: the coordinator's dispatch cost per task (bench/taskfarm_bench), m the result bytes per
  task, B the coordinator's receive bandwidth: the coordinator saturates when N (δ + m/B)
  exceeds the spread work.

`--bank-scale k` projects a bank k times larger: stage-2 tasks scale by k; stage-5 tasks by k
as well (the templates surviving stage 3 are a fixed fraction of the bank, to first order);
the serial stages stay (reading the bank's sample table grows, but is a fraction of a second
for 2^20 templates). Usage:

  bench/scaling_model.py RUNDIR [--measured RUNDIR_W2 ...] [--workers 1,2,32,64,128]
                         [--bank-scale 16] [--dispatch-rate 112000] [--bandwidth 5e9]
"""
import argparse
import json
from pathlib import Path

FARM_STAGES = {"incoherent": "incoherent", "coherent": "coherent"}
SERIAL_STAGES = ["setup", "cross_bank", "extrinsic", "aggregate"]


def farm_tasks(profile, prefix):
    """(tasks, mean task seconds, result bytes per task, farm wall seconds) of the farm stages
    named prefix*."""
    tasks, busy, received, wall = 0, 0.0, 0.0, 0.0
    for stage in profile.get("task_farm", []):
        if not stage["stage"].startswith(prefix):
            continue
        tasks += stage["tasks"]
        for rank in stage["ranks"]:
            if rank["rank"] == 0:
                received += rank["bytes_received"]
                wall += rank["wall_seconds"]
            else:
                busy += rank["busy_seconds"]
    if tasks == 0:
        return 0, 0.0, 0.0, 0.0
    return tasks, busy / tasks, received / tasks, wall


def in_stage_serial(profile, name, prefix):
    """Seconds of a farmed stage spent outside its farm (set-up on every rank, rank 0's final
    selection): they do not shrink with more workers."""
    return max(0.0, profile["stage_seconds"].get(name, 0.0) - farm_tasks(profile, prefix)[3])


def model(profile, workers, bank_scale, dispatch_seconds, bandwidth):
    stages = profile["stage_seconds"]
    serial = sum(stages.get(s, 0.0) for s in SERIAL_STAGES)
    serial += sum(in_stage_serial(profile, name, prefix) for name, prefix in FARM_STAGES.items())
    rows = {}
    for name, prefix in FARM_STAGES.items():
        n, cost, message, _ = farm_tasks(profile, prefix)
        n = n * bank_scale
        if n == 0:
            rows[name] = 0.0
            continue
        spread = n * cost / workers + cost
        coordinator = n * (dispatch_seconds + message / bandwidth)
        rows[name] = max(spread, coordinator)
    return serial, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rundir", type=Path, help="a run with --profile (1 worker is best)")
    parser.add_argument("--measured", type=Path, nargs="*", default=[],
                        help="runs with more workers, to check the model against")
    parser.add_argument("--workers", default="1,2,8,32,64,128")
    parser.add_argument("--bank-scale", type=float, default=1.0)
    parser.add_argument("--dispatch-rate", type=float, default=112000.0,
                        help="coordinator tasks/s (bench/taskfarm_bench)")
    parser.add_argument("--bandwidth", type=float, default=5e9,
                        help="coordinator receive bandwidth (bytes/s)")
    args = parser.parse_args()
    profile = json.loads((args.rundir / "profile.json").read_text())
    dispatch = 1.0 / args.dispatch_rate
    one_serial, one = model(profile, 1, args.bank_scale, dispatch, args.bandwidth)
    t1 = one_serial + sum(one.values())
    print(f"model from {args.rundir} (bank x{args.bank_scale:g}); serial stages "
          f"{one_serial:.2f} s = {100 * one_serial / t1:.1f}% of the 1-worker time")
    for name, prefix in FARM_STAGES.items():
        n, cost, message, _ = farm_tasks(profile, prefix)
        print(f"  {name}: {n * args.bank_scale:.0f} tasks x {cost * 1e3:.1f} ms, "
              f"{message / 1e3:.1f} kB per result, "
              f"{in_stage_serial(profile, name, prefix):.2f} s outside the farm")
    print(f"\n{'workers':>8} {'serial [s]':>11} {'incoherent':>11} {'coherent':>9} "
          f"{'total [s]':>10} {'speed-up':>9} {'efficiency':>11}")
    for w in [int(x) for x in args.workers.split(",")]:
        serial, rows = model(profile, w, args.bank_scale, dispatch, args.bandwidth)
        total = serial + sum(rows.values())
        print(f"{w:8d} {serial:11.2f} {rows['incoherent']:11.2f} {rows['coherent']:9.2f} "
              f"{total:10.2f} {t1 / total:9.2f} {t1 / total / w:11.2f}")
    for rundir in args.measured:
        measured = json.loads((rundir / "profile.json").read_text())
        w = measured["world_size"] - 1
        serial, rows = model(profile, w, args.bank_scale, dispatch, args.bandwidth)
        stages = measured["stage_seconds"]
        print(f"\ncheck against {rundir} ({w} workers): predicted / measured")
        for name, prefix in FARM_STAGES.items():
            predicted = rows[name] + in_stage_serial(profile, name, prefix)
            print(f"  {name:>10}: {predicted:7.2f} / {stages[name]:7.2f} s")
        print(f"  {'total':>10}: {serial + sum(rows.values()):7.2f} / {stages['total']:7.2f} s")


if __name__ == "__main__":
    main()
