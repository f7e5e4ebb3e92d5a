#!/usr/bin/env python3
"""Export dotpe's inputs to the formats of the Python reference dot-PE (for the side-by-side
benchmark, bench/reference_side_by_side.sh).

  export_to_reference_format.py event EVENT.h5 OUT.npz
      event.h5 (docs/formats.md) -> cogwheel EventData .npz (numerics.md section 1.1): keys
      eventname, frequencies, strain, wht_filter, detector_names (['H', 'L', 'V']), tgps, tcoarse,
      injection (JSON text, or "null"). The strain and filter are copied bit for bit.

  export_to_reference_format.py bank BANK.h5 OUT_FOLDER [--check N]
      bank.h5 (docs/banks.md) -> a dot-PE bank folder: bank_config.json,
      intrinsic_sample_bank.feather (pyarrow, the /samples columns in the same order) and
      waveforms/{amplitudes,phase}_block_<k>.npy, float64 (blocksize, n_m, 2, n_b) holding |h| and
      np.unwrap(angle(h)) along the frequency axis, h at 1 Mpc and phi_ref = 0 (what
      dot_pe.waveform_banks writes). With --check N and cogwheel importable, the first N templates
      are recomputed with cogwheel's WaveformGenerator(by_m=True) and the largest relative
      difference is printed (a test of dotpe's waveforms against the reference's own).

  export_to_reference_format.py extrinsic RESULTS.h5 OUT.feather
      dotpe's stage-4 table (/extrinsic_samples of a run's results.h5: lat, lon, psi, t_geocenter
      in the linear-free frame, weights, log_prior_weights) -> the reference's
      extrinsic_samples.feather (the same columns plus _phi_ref = 0, which it does not use), to
      run the reference's stages 5-6 on dotpe's extrinsic samples (run_reference.py
      --extrinsic-samples).

Needs numpy, h5py and pyarrow; nothing is fetched.
"""
import argparse
import json
import os
import sys

import h5py
import numpy as np


def export_event(event_h5, out_npz):
    with h5py.File(event_h5, "r") as f:
        if f.attrs.get("format") not in ("dotpe-event", b"dotpe-event"):
            sys.exit(f"{event_h5}: not a dotpe event file")
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f["detector_names"][()]]
        injection = f.attrs.get("injection", "null")
        if isinstance(injection, bytes):
            injection = injection.decode()
        eventname = f.attrs["eventname"]
        if isinstance(eventname, bytes):
            eventname = eventname.decode()
        dic = dict(
            eventname=np.array(str(eventname)),
            frequencies=np.asarray(f["frequencies"][()], dtype=np.float64),
            strain=np.asarray(f["strain"][()], dtype=np.complex128),
            wht_filter=np.asarray(f["whitening_filter"][()], dtype=np.float64),
            # cogwheel's detector names are single letters (H, L, V): 'H1' -> 'H'.
            detector_names=np.array([n[0] for n in names]),
            tgps=np.array(float(f.attrs["tgps"])),
            tcoarse=np.array(float(f.attrs["tcoarse"])),
            injection=np.array(json.dumps(json.loads(injection)) if injection else "null"),
        )
    np.savez(out_npz, **dic)
    print(f"wrote {out_npz}: detectors {''.join(dic['detector_names'])}, "
          f"{dic['frequencies'].size} frequencies, df {dic['frequencies'][1]:.6g} Hz, "
          f"fmax {dic['frequencies'][-1]:.6g} Hz")


def export_extrinsic(results_h5, out_feather):
    import pyarrow as pa
    import pyarrow.feather as feather

    with h5py.File(results_h5, "r") as f:
        table = f["extrinsic_samples"][()]
    cols = {"lat": table["lat"], "lon": table["lon"], "_phi_ref": np.zeros(table.shape[0]),
            "psi": table["psi"], "t_geocenter": table["t_geocenter"],
            "weights": table["weights"], "log_prior_weights": table["log_prior_weights"]}
    feather.write_feather(pa.table({k: np.ascontiguousarray(v, dtype=np.float64)
                                    for k, v in cols.items()}), out_feather)
    print(f"wrote {out_feather}: {table.shape[0]} extrinsic samples")


def _attr(f, key):
    v = f.attrs[key]
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.generic):
        return v.item()
    return v


def export_bank(bank_h5, folder, check=0):
    import pyarrow as pa
    import pyarrow.feather as feather

    os.makedirs(os.path.join(folder, "waveforms"), exist_ok=True)
    with h5py.File(bank_h5, "r") as f:
        if _attr(f, "format") != "dotpe-bank":
            sys.exit(f"{bank_h5}: not a dotpe bank file")
        fbin = np.asarray(f["fbin"][()], dtype=np.float64)
        m_arr = [int(m) for m in f["m_arr"][()]]
        modes = [[int(l), int(m)] for l, m in f["harmonic_modes"][()]]
        blocksize = int(_attr(f, "blocksize"))
        samples = f["samples"][()]
        n = samples.shape[0]
        config = {
            "q_min": float(_attr(f, "q_min")),
            "q_max": float(_attr(f, "q_max")),
            "min_mchirp": float(_attr(f, "min_mchirp")),
            "max_mchirp": float(_attr(f, "max_mchirp")),
            "f_ref": float(_attr(f, "f_ref")),
            "fbin": fbin.tolist(),
            "seed": int(_attr(f, "seed")),
            "bank_size": n,
            "approximant": str(_attr(f, "approximant")),
            "harmonic_modes": modes,
            "m_arr": m_arr,
            "blocksize": blocksize,
        }
        with open(os.path.join(folder, "bank_config.json"), "w", encoding="utf-8") as fp:
            json.dump(config, fp, indent=4)
        table = pa.table({name: np.ascontiguousarray(samples[name], dtype=np.float64)
                          for name in samples.dtype.names})
        feather.write_feather(table, os.path.join(folder, "intrinsic_sample_bank.feather"))
        wf = f["waveforms"]
        for k, start in enumerate(range(0, n, blocksize)):
            h = np.asarray(wf[start:start + blocksize], dtype=np.complex128)
            np.save(os.path.join(folder, "waveforms", f"amplitudes_block_{k}.npy"), np.abs(h))
            np.save(os.path.join(folder, "waveforms", f"phase_block_{k}.npy"),
                    np.unwrap(np.angle(h), axis=-1))
        first = np.asarray(wf[0:check], dtype=np.complex128) if check else None
    print(f"wrote {folder}: {n} templates, {len(range(0, n, blocksize))} blocks of {blocksize}, "
          f"m_arr {m_arr}, {fbin.size} nodes")
    if check:
        check_waveforms(config, samples[:check], first)


def register_approximant(approximant, harmonic_modes):
    """cogwheel registers only some LAL approximants (IMRPhenomD, XAS, XP, XPHM, D_NRTidalv2); the
    reference dot-PE then cannot use a bank of IMRPhenomHM. Register a missing aligned-spin one in
    the running process (nothing installed is modified): LAL's mode-by-mode generation, as
    cogwheel does for IMRPhenomXPHM."""
    from cogwheel import waveform
    if approximant not in waveform.APPROXIMANTS:
        waveform.APPROXIMANTS[approximant] = waveform.Approximant(
            harmonic_modes=[tuple(m) for m in harmonic_modes], aligned_spins=True)


def check_waveforms(config, samples, h_dotpe):
    """Recompute templates with the reference's generator (cogwheel) and compare."""
    try:
        from cogwheel import data, waveform
    except ImportError:
        print("cogwheel not importable: waveform check skipped")
        return
    register_approximant(config["approximant"], config["harmonic_modes"])
    fbin = np.asarray(config["fbin"])
    event = data.EventData.gaussian_noise("", duration=8, detector_names="H",
                                          asd_funcs=["asd_H_O3"], tgps=0.0, fmax=2048.0)
    wfg = waveform.WaveformGenerator.from_event_data(
        event, config["approximant"], harmonic_modes=[tuple(m) for m in config["harmonic_modes"]])
    worst = 0.0
    for row, h in zip(samples, h_dotpe):
        par = {name: float(row[name]) for name in samples.dtype.names if name != "log_prior_weights"}
        par |= {"l1": 0.0, "l2": 0.0, "d_luminosity": 1.0, "phi_ref": 0.0, "f_ref": config["f_ref"]}
        h_ref = wfg.get_hplus_hcross(fbin, par, by_m=True)
        scale = np.abs(h_ref).max()
        worst = max(worst, float(np.abs(h - h_ref).max() / scale))
    print(f"waveform check: {len(samples)} templates, max |h_dotpe - h_cogwheel| / max|h| = {worst:.3g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    e = sub.add_parser("event")
    e.add_argument("event_h5")
    e.add_argument("out_npz")
    b = sub.add_parser("bank")
    b.add_argument("bank_h5")
    b.add_argument("folder")
    b.add_argument("--check", type=int, default=0, metavar="N")
    x = sub.add_parser("extrinsic")
    x.add_argument("results_h5")
    x.add_argument("out_feather")
    args = parser.parse_args()
    if args.what == "event":
        export_event(args.event_h5, args.out_npz)
    elif args.what == "extrinsic":
        export_extrinsic(args.results_h5, args.out_feather)
    else:
        export_bank(args.bank_h5, args.folder, args.check)


if __name__ == "__main__":
    main()
