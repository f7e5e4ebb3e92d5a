"""LAL reference values for dotpe's detector geometry tests.

Usage: python physics_lal.py OUT.h5 [N]
Draws N random (GPS time, ra, dec, psi) and stores LAL's GMST, antenna patterns and geocentre
delays for H1, L1, V1, using LAL's cached detectors (as the reference package does).
"""
import sys

import h5py
import lal
import numpy as np

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
rng = np.random.default_rng(20261125)
gps = rng.uniform(630763213.0, 1400000000.0, count)
gps[:3] = [1167559936.6, 1186741861.5, 1187529256.5]
ra = rng.uniform(0, 2 * np.pi, count)
dec = np.arcsin(rng.uniform(-1, 1, count))
psi = rng.uniform(0, np.pi, count)
names = {"H1": lal.LHO_4K_DETECTOR, "L1": lal.LLO_4K_DETECTOR, "V1": lal.VIRGO_DETECTOR}

with h5py.File(out, "w") as f:
    f["gps"] = gps
    f["ra"] = ra
    f["dec"] = dec
    f["psi"] = psi
    gmst = np.array([lal.GreenwichMeanSiderealTime(lal.LIGOTimeGPS(t)) for t in gps])
    f["gmst"] = gmst
    for name, index in names.items():
        detector = lal.CachedDetectors[index]
        responses = np.array([lal.ComputeDetAMResponse(detector.response, a, d, p, g)
                              for a, d, p, g in zip(ra, dec, psi, gmst)])
        f[f"{name}/fplus"] = responses[:, 0]
        f[f"{name}/fcross"] = responses[:, 1]
        f[f"{name}/delay"] = np.array([
            lal.TimeDelayFromEarthCenter(detector.location, a, d, lal.LIGOTimeGPS(t))
            for a, d, t in zip(ra, dec, gps)])
        f[f"{name}/response"] = np.array(detector.response, dtype=np.float64)
        f[f"{name}/location"] = np.array(detector.location, dtype=np.float64)
