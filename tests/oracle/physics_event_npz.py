"""EventData .npz files for dotpe's import tests, written with numpy the way the reference
package (cogwheel's EventData.to_npz, numerics.md §1) writes them, plus broken variants.

Usage: python physics_event_npz.py OUT_DIR
Writes OUT_DIR/<case>.npz for each case below, and OUT_DIR/expected_wht_filter.npy: the
whitening filter the deprecated layout (psd + fd_filter) stands for, fd_filter / sqrt(psd).
"""
import json
import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
n_f, df = 33, 0.5
frequencies = np.arange(n_f) * df
band = (frequencies >= 4.0)


def base(n_det=3):
    strain = rng.normal(size=(n_det, n_f)) + 1j * rng.normal(size=(n_det, n_f))
    wht = np.where(band, rng.uniform(0.5, 2.0, size=(n_det, n_f)), 0.0)
    return dict(eventname="toy_event", frequencies=frequencies, strain=strain, wht_filter=wht,
                detector_names=np.array(("H", "L", "V")[:n_det]), tgps=1e9 + 0.25,
                tcoarse=1.0)


# New-style file: detector names as a <U1 array, injection as JSON text.
good = base()
good["injection"] = json.dumps({"par_dic": {"m1": 30.0, "m2": 20.0}, "approximant": "IMRPhenomD",
                                "d_h": [1.0, 2.0, 3.0], "h_h": [1.0, 4.0, 9.0]})
np.savez(f"{out}/new_style.npz", **good)
np.save(f"{out}/new_style_strain.npy", good["strain"])

# Old-style file: detector names as one string, no injection, deprecated psd + fd_filter.
old = base(2)
old["detector_names"] = "HL"
psd = np.where(band, rng.uniform(1.0, 3.0, size=(2, n_f)), 0.0)
fd_filter = np.where(band, rng.uniform(0.1, 1.0, size=(2, n_f)), 0.0)
del old["wht_filter"]
np.savez(f"{out}/deprecated.npz", psd=psd, fd_filter=fd_filter, **old)
with np.errstate(divide="ignore", invalid="ignore"):
    np.save(f"{out}/expected_wht_filter.npy", np.where(psd > 0, fd_filter / np.sqrt(psd), 0.0))

broken = base()
del broken["tcoarse"]
np.savez(f"{out}/missing_tcoarse.npz", **broken)

broken = base()
broken["strain"] = broken["strain"][:, :-1]
np.savez(f"{out}/short_strain.npz", **broken)

broken = base()
broken["strain"][1, 20] = np.nan
np.savez(f"{out}/nan_in_band.npz", **broken)

broken = base()
broken["strain"][1, 2] = np.nan  # below the band: the reference never looks at it
np.savez(f"{out}/nan_outside_band.npz", **broken)

broken = base()
broken["detector_names"] = np.array(("H", "X", "V"))
np.savez(f"{out}/unknown_detector.npz", **broken)

broken = base()
broken["frequencies"] = frequencies.copy()
broken["frequencies"][10] += 0.1
np.savez(f"{out}/nonuniform.npz", **broken)

broken = base()
broken["wht_filter"] = broken["wht_filter"].T.copy()  # (n_f, n_d): right size, wrong shape
np.savez(f"{out}/transposed_filter.npz", **broken)
