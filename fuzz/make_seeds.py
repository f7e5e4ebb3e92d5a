"""Seed corpora of dotpe's reader fuzzers: small .npy, .npz (EventData) and Feather files.

Usage: make_seeds.py REPO_ROOT OUT_DIR (run by fuzz/build_and_run.sh seeds with build/venv's
Python, which has numpy and pyarrow). The .npz events are cut from data/events/GW170104.npz.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
from numpy.lib import format as npy_format

root, out = Path(sys.argv[1]), Path(sys.argv[2])
npy, npz, arrow = out / "npy_fuzzer", out / "npz_fuzzer", out / "feather_fuzzer"
for folder in (npy, npz, arrow):
    folder.mkdir(parents=True, exist_ok=True)

# .npy: every dtype the reader converts, shapes 0-d to 2-d, format versions 1 to 3.
source = np.load(root / "data/events/GW170104.npz")
n = 33
strain = source["strain"][:, 3000 : 3000 + n].copy()
arrays = {
    "f8": np.linspace(0, 1, 5),
    "f4": np.ones(3, np.float32),
    "i8": np.arange(3, dtype=np.int64),
    "i4": np.arange(4, dtype=np.int32).reshape(2, 2),
    "u8": np.arange(3, dtype=np.uint64),
    "u1": np.arange(3, dtype=np.uint8),
    "b1": np.array([True, False]),
    "c16": strain[0, :3],
    "c8": np.ones(2, np.complex64),
    "U": np.array(["H", "LV"]),
    "S": np.array([b"xy"]),
    "scalar": np.float64(3.5),
}
for name, array in arrays.items():
    np.save(npy / f"{name}.npy", array)
for version in ((2, 0), (3, 0)):
    with open(npy / f"v{version[0]}.npy", "wb") as handle:
        npy_format.write_array(handle, np.arange(3.0), version=version)

# .npz: EventData in both layouts of the reference, stored and deflated, plus a mixed archive.
frequencies = np.arange(n) * 0.25
whitening = source["wht_filter"][:, 3000 : 3000 + n].copy()
whitening[:, :2] = 0
event = dict(
    eventname=source["eventname"],
    frequencies=frequencies,
    strain=strain,
    wht_filter=whitening,
    detector_names=source["detector_names"],
    tgps=source["tgps"],
    tcoarse=np.float64(2.0),
)
np.savez(npz / "event.npz", **event)
np.savez_compressed(npz / "event_compressed.npz", **event)
old = dict(event)
del old["wht_filter"]
old.update(
    fd_filter=whitening,
    psd=np.full_like(whitening, 2.0),
    detector_names=np.array(["H", "L"]),
    injection=np.array(json.dumps({"m1": 30.0, "m2": 20.0})),
)
np.savez(npz / "event_old_layout.npz", **old)
negative = whitening[:1].copy()
negative[0, 5] *= -1
single = dict(
    event,
    strain=strain[:1].astype(np.complex64),
    frequencies=frequencies.astype(np.float32),
    wht_filter=negative.astype(np.float32),
    detector_names=np.array("H"),
)
np.savez(npz / "event_single_precision.npz", **single)
np.savez(
    npz / "mixed.npz",
    a=np.arange(5, dtype=np.int32),
    b=np.array([b"ab", b"cd"]),
    c=np.zeros((2, 3), dtype=np.uint8),
)

# Feather: a 3-column table (float64, float32, int64), LZ4 and uncompressed, one and two batches.
table = pa.table(
    {
        "m1": np.linspace(10, 40, 6),
        "m2": np.linspace(5, 20, 6).astype(np.float32),
        "n": np.arange(6, dtype=np.int64),
    }
)
feather.write_feather(table, arrow / "lz4.feather", compression="lz4")
feather.write_feather(table, arrow / "uncompressed.feather", compression="uncompressed")
small = pa.table({"a": np.arange(4, dtype=np.int32), "b": np.ones(4)})
feather.write_feather(small, arrow / "batches_lz4.feather", compression="lz4", chunksize=2)
feather.write_feather(
    small, arrow / "batches_uncompressed.feather", compression="uncompressed", chunksize=2
)

# Frequency nodes of the small seed banks.
np.save(out / "fbin.npy", np.array([15.0, 20, 30, 45, 64, 90, 128, 180, 256, 512]))
