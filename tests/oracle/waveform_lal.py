"""LALSimulation reference waveforms for dotpe's model tests.

Usage: python waveform_lal.py OUT.h5 APPROXIMANT N_SETS SEED
Draws N_SETS aligned-spin binaries (total mass, mass ratio and spins over the bank ranges the
model supports) and stores LAL's h+ and h× (1 Mpc, phi_ref = 0) on a frequency grid, plus the
spin-weight -2 spherical harmonics for l = 2..4 at a few angles.
"""
import sys

import h5py
import lal
import lalsimulation as lalsim
import numpy as np

out, approximant_name, count, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = np.random.default_rng(seed)
approximant = lalsim.GetApproximantFromString(approximant_name)
frequencies = np.arange(20.0, 1024.0, 0.25)
total_range = (5.0, 100.0) if approximant_name == "TaylorF2" else (5.0, 300.0)

with h5py.File(out, "w") as f:
    f["frequencies"] = frequencies
    for k in range(count):
        total = np.exp(rng.uniform(np.log(total_range[0]), np.log(total_range[1])))
        q = np.exp(rng.uniform(0.0, np.log(10.0)))  # m1/m2 >= 1
        m1, m2 = total * q / (1 + q), total / (1 + q)
        s1z, s2z = rng.uniform(-0.95, 0.95, 2)
        iota = np.arccos(rng.uniform(-1, 1))
        f_ref = 50.0
        params = lal.CreateDict()
        seq = lal.CreateREAL8Sequence(len(frequencies))
        seq.data = frequencies
        hp, hc = lalsim.SimInspiralChooseFDWaveformSequence(
            0.0, m1 * lal.MSUN_SI, m2 * lal.MSUN_SI, 0.0, 0.0, s1z, 0.0, 0.0, s2z, f_ref,
            1e6 * lal.PC_SI, iota, params, approximant, seq)
        g = f.create_group(f"set{k}")
        g.attrs["m1"], g.attrs["m2"], g.attrs["s1z"], g.attrs["s2z"] = m1, m2, s1z, s2z
        g.attrs["iota"], g.attrs["f_ref"] = iota, f_ref
        g["hplus"] = hp.data.data
        g["hcross"] = hc.data.data
        if approximant_name == "IMRPhenomHM":
            for l, m in [(2, 2), (2, 1), (3, 3), (3, 2), (4, 4), (4, 3)]:
                single = lal.CreateDict()
                modes = lalsim.SimInspiralCreateModeArray()
                lalsim.SimInspiralModeArrayActivateMode(modes, l, m)
                lalsim.SimInspiralWaveformParamsInsertModeArray(single, modes)
                hp_lm, hc_lm = lalsim.SimInspiralChooseFDWaveformSequence(
                    0.0, m1 * lal.MSUN_SI, m2 * lal.MSUN_SI, 0.0, 0.0, s1z, 0.0, 0.0, s2z, f_ref,
                    1e6 * lal.PC_SI, iota, single, approximant, seq)
                g[f"hplus_{l}{m}"] = hp_lm.data.data
                g[f"hcross_{l}{m}"] = hc_lm.data.data
    angles = np.array([0.0, 0.3, 1.0, np.pi / 2, 2.5, np.pi])
    f["harmonic_angles"] = angles
    for l in range(2, 5):
        for m in range(-l, l + 1):
            f[f"harmonic_{l}_{m}"] = np.array(
                [lal.SpinWeightedSphericalHarmonic(a, 0.0, -2, l, m).real for a in angles])
