"""Oracle for dotpe's spline basis: scipy's not-a-knot CubicSpline.

Usage: likelihood_spline_oracle.py NODES.txt VALUES.txt POINTS.txt OUT.txt
Writes the not-a-knot cubic spline through (nodes, values), evaluated at the points (0 outside
[nodes[0], nodes[-1]]), one number per line with 17 significant digits.
"""
import sys

import numpy as np
from scipy.interpolate import CubicSpline


def main(nodes_path, values_path, points_path, out_path):
    nodes = np.loadtxt(nodes_path)
    values = np.loadtxt(values_path)
    points = np.loadtxt(points_path)
    spline = CubicSpline(nodes, values, bc_type="not-a-knot")
    inside = (points >= nodes[0]) & (points <= nodes[-1])
    result = np.where(inside, spline(points), 0.0)
    np.savetxt(out_path, result, fmt="%.17g")


if __name__ == "__main__":
    main(*sys.argv[1:5])
