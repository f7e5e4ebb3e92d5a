"""h5py side of dotpe's HDF5 interoperability test.

write OUT.h5      -- writes arrays, a complex array, a table and attributes with h5py/numpy
check IN.h5 OUT.json -- reads the file dotpe wrote and reports what h5py sees, as JSON
"""
import json
import sys

import h5py
import numpy as np


def write(path):
    with h5py.File(path, "w") as f:
        f["real"] = np.arange(12, dtype=np.float64).reshape(3, 4) / 8
        f["cplx"] = (np.arange(6) - 2.5j * np.arange(6)).reshape(2, 3)
        f["ints"] = np.array([5, -6, 7], dtype=np.int64)
        table = np.zeros(3, dtype=[("m1", "f8"), ("index", "i8"), ("m2", "f8")])
        table["m1"] = [30.0, 31.0, 32.0]
        table["index"] = [10, 11, 12]
        table["m2"] = [20.0, 21.0, 22.0]
        f["table"] = table
        f["names"] = np.array([b"H1", b"L1"], dtype="S2")
        g = f.create_group("group")
        g.attrs["f_ref"] = 50.0
        g.attrs["approximant"] = "IMRPhenomHM"
        g.attrs["m_arr"] = np.array([2.0, 1.0, 3.0, 4.0])
        g.attrs["count"] = np.int64(17)


def check(path, out):
    with h5py.File(path, "r") as f:
        cplx = f["nested/cplx"][()]
        table = f["table"][()]
        report = {
            "cplx_dtype": str(cplx.dtype),
            "cplx_shape": list(cplx.shape),
            "cplx_sum": [float(cplx.sum().real), float(cplx.sum().imag)],
            "table_fields": list(table.dtype.names),
            "table_m1": table["m1"].tolist(),
            "table_index": table["index"].tolist(),
            "attr_name": f["nested"].attrs["name"] if isinstance(f["nested"].attrs["name"], str)
            else f["nested"].attrs["name"].decode(),
            "attr_values": f["nested"].attrs["values"].tolist(),
            "scalar": float(f["scalar"][()]),
            "text": f["text"][()].decode() if isinstance(f["text"][()], bytes) else f["text"][()],
        }
    with open(out, "w") as handle:
        json.dump(report, handle)


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3])
