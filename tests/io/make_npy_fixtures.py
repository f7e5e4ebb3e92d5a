"""Writes .npy/.npz fixtures with numpy for dotpe's reader tests, plus expected values as JSON.

Usage: python make_npy_fixtures.py OUTDIR EVENT_NPZ
The values are simple formulas that the C++ test recomputes on its own side.
"""
import json
import sys
from pathlib import Path

import numpy as np

out = Path(sys.argv[1])
event_path = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)

real = np.arange(6, dtype=np.float64).reshape(2, 3) * 0.5 - 1.0
cplx = (np.arange(4) + 1j * np.arange(4)[::-1]) * 0.25
np.save(out / "f8_2x3.npy", real)
np.save(out / "f4.npy", np.array([1.5, -2.25], dtype=np.float32))
np.save(out / "i8.npy", np.array([-3, 0, 7], dtype=np.int64))
np.save(out / "i4_3d.npy", np.arange(24, dtype=np.int32).reshape(2, 3, 4))
np.save(out / "c16.npy", cplx)
np.save(out / "u_scalar.npy", np.array("HLV"))
np.save(out / "u_array.npy", np.array(["H", "L", "V"]))
np.save(out / "f8_scalar.npy", np.array(1167559936.6))
with open(out / "v2.npy", "wb") as handle:
    np.lib.format.write_array(handle, real, version=(2, 0))
np.save(out / "fortran.npy", np.asfortranarray(real))
np.savez(out / "stored.npz", real=real, cplx=cplx, name=np.array("GW0"))
np.savez_compressed(out / "deflated.npz", real=real, cplx=cplx, name=np.array("GW0"))
(out / "not_npy.npy").write_bytes(b"hello, not an array")
(out / "truncated.npy").write_bytes((out / "f8_2x3.npy").read_bytes()[:-8])

event = np.load(event_path)
expected = {
    "strain_shape": list(event["strain"].shape),
    "strain_dtype": str(event["strain"].dtype),
    "frequencies_shape": list(event["frequencies"].shape),
    "frequencies_1": float(event["frequencies"][1]),
    "frequencies_last": float(event["frequencies"][-1]),
    "strain_0_1000": [float(event["strain"][0, 1000].real), float(event["strain"][0, 1000].imag)],
    "strain_1_40000": [float(event["strain"][1, 40000].real),
                       float(event["strain"][1, 40000].imag)],
    "wht_filter_1_5000": float(event["wht_filter"][1, 5000]),
    "wht_filter_sum": float(event["wht_filter"].sum()),
    "detector_names": "".join(np.atleast_1d(event["detector_names"]).tolist()),
    "tgps": float(event["tgps"]),
    "tcoarse": float(event["tcoarse"]),
}
(out / "event_expected.json").write_text(json.dumps(expected, indent=1))
