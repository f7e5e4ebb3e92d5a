"""Builds a small bank folder in the layout of the reference package dot-PE.

Usage: python make_dotpe_bank.py OUTDIR [legacy]
Values are formulas the C++ test recomputes: for row i, mode-group m, polarisation p, node b:
amplitude = (1 + i) * 1e-21 / (1 + b + 10 m + 100 p), phase = 0.01 i b - 0.5 m + p.
"""
import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

out = Path(sys.argv[1])
legacy = len(sys.argv) > 2 and sys.argv[2] == "legacy"
(out / "waveforms").mkdir(parents=True, exist_ok=True)
bank_size, blocksize = 10, 4
fbin = [20.0, 30.0, 45.0, 70.0, 110.0, 170.0]
config = {"q_min": 0.2, "min_mchirp": 20.0, "max_mchirp": 30.0, "f_ref": 50.0, "fbin": fbin,
          "seed": None, "bank_size": bank_size, "inc_faceon_factor": 1.0,
          "approximant": "IMRPhenomXODE", "m_arr": [2, 1, 3, 4], "blocksize": blocksize}
if not legacy:
    config["harmonic_modes"] = [[2, 2], [2, 1], [3, 3], [3, 2], [4, 4]]
(out / "bank_config.json").write_text(json.dumps(config))

i = np.arange(bank_size, dtype=float)
columns = {"m1": 30 + i, "m2": 20 + 0.5 * i, "s1z": 0.01 * i, "s1x_n": 0 * i, "s1y_n": 0 * i,
           "s2z": -0.02 * i, "s2x_n": 0 * i, "s2y_n": 0 * i, "iota": 0.1 * i,
           "log_prior_weights": -0.3 * i}
feather.write_feather(pa.table(columns), out / "intrinsic_sample_bank.feather")

rows, m, p, b = np.meshgrid(np.arange(bank_size), np.arange(4), np.arange(2), np.arange(len(fbin)),
                            indexing="ij")
amplitude = (1 + rows) * 1e-21 / (1 + b + 10 * m + 100 * p)
phase = 0.01 * rows * b - 0.5 * m + p
for k in range(0, (bank_size + blocksize - 1) // blocksize):
    rows_k = slice(k * blocksize, min((k + 1) * blocksize, bank_size))
    np.save(out / "waveforms" / f"amplitudes_block_{k}.npy", amplitude[rows_k])
    np.save(out / "waveforms" / f"phase_block_{k}.npy", phase[rows_k])
