"""Writes Feather v2 files with pyarrow for dotpe's reader test.

Usage: python make_feather_fixtures.py OUTDIR
Column values are formulas the C++ test recomputes: x[k] = 0.5 k - 3, n[k] = 7 - k, f[k] = k / 4.
"""
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rows = 1000
k = np.arange(rows)
table = pa.table({
    "x": 0.5 * k - 3.0,
    "n": (7 - k).astype(np.int64),
    "f": (k / 4).astype(np.float32),
    "i32": k.astype(np.int32),
})
feather.write_feather(table, out / "lz4.feather", compression="lz4")
feather.write_feather(table, out / "plain.feather", compression="uncompressed")
feather.write_feather(table, out / "batches.feather", compression="lz4", chunksize=300)
feather.write_feather(table, out / "zstd.feather", compression="zstd")
feather.write_feather(pa.table({"name": ["a", "b"]}), out / "strings.feather")
(out / "not.feather").write_bytes(b"PAR1 this is not arrow")
