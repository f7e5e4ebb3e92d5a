#!/usr/bin/env python3
"""Jensen-Shannon divergence (bits) per parameter between posteriors of dotpe and dot-PE runs.

Each RUN is a dotpe run directory (posterior.h5) or a dot-PE run directory (samples.feather,
equal-weight draws); NAME=RUN labels it. Pairs are given as NAME:NAME. The divergence is
computed on 40-bin histograms over the pooled 0.1-99.9% range; with a few thousand samples its
noise floor is about 0.005, so compare it with the same number for two seeds of one code.

  bench/compare_posteriors.py --event EVENT.h5 a=runs/x/dotpe_w1_r1 b=runs/x/ref_serial_r1 \
      --pairs a:b
"""
import argparse
from pathlib import Path

import h5py
import numpy as np
import pyarrow.feather as feather
from scipy.spatial.distance import jensenshannon

PARAMETERS = ["chirp_mass", "mass_ratio", "chi_eff", "theta_jn", "ra", "dec", "psi",
              "luminosity_distance", "geocent_time"]


def load(path, tgps):
    path = Path(path)
    if (path / "posterior.h5").exists():
        with h5py.File(path / "posterior.h5", "r") as f:
            samples = f["dotpe/posterior_samples"][()]
        columns = {p: samples[p] for p in PARAMETERS}
    else:
        table = feather.read_table(path / "samples.feather").to_pandas()
        columns = {"chirp_mass": table.mchirp.values, "mass_ratio": np.exp(table.lnq.values),
                   "chi_eff": table.chieff.values,
                   "theta_jn": np.arccos(table.costheta_jn.values), "ra": table.ra.values,
                   "dec": table.dec.values, "psi": table.psi.values,
                   "luminosity_distance": table.d_luminosity.values,
                   "geocent_time": table.t_geocenter.values + tgps}
    columns["psi"] = np.mod(columns["psi"], np.pi)  # both codes' ψ range, folded to [0, π)
    return columns


def divergence(a, b, bins=40):
    lo = min(np.quantile(a, 0.001), np.quantile(b, 0.001))
    hi = max(np.quantile(a, 0.999), np.quantile(b, 0.999))
    ha, _ = np.histogram(a, bins, (lo, hi))
    hb, _ = np.histogram(b, bins, (lo, hi))
    return jensenshannon(ha / ha.sum(), hb / hb.sum(), base=2) ** 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", help="NAME=RUNDIR")
    parser.add_argument("--pairs", required=True, help="NAME:NAME,NAME:NAME,...")
    parser.add_argument("--event", required=True, help="the event (for tgps)")
    args = parser.parse_args()
    with h5py.File(args.event, "r") as f:
        tgps = float(f.attrs["tgps"])
    runs = dict(item.split("=", 1) for item in args.runs)
    loaded = {name: load(path, tgps) for name, path in runs.items()}
    print("| pair | " + " | ".join(PARAMETERS) + " |")
    print("|---" * (len(PARAMETERS) + 1) + "|")
    for pair in args.pairs.split(","):
        a, b = pair.split(":")
        values = [divergence(loaded[a][p], loaded[b][p]) for p in PARAMETERS]
        print(f"| {a} vs {b} | " + " | ".join(f"{v:.3f}" for v in values) + " |")


if __name__ == "__main__":
    main()
