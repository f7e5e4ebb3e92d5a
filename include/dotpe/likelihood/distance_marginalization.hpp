// Distance marginalisation of the likelihood (numerics.md §4; cogwheel LookupTable).
//
// For inner products of a 1-Mpc template, dh = Re(d|h) and hh = (h|h), with a Euclidean prior
// π(D) = 3D²/Dmax³ on (0, Dmax]:
//   lnL_marg(dh, hh) = ln ∫_0^Dmax π(D) exp(dh/D − hh/(2D²)) dD.
// With ‖h‖ = √hh, z = dh/‖h‖ and s = ‖h‖/D this is
//   lnL_marg = ln 3 + 3 ln s1 + K(s1, z),  K(s1, z) = ln ∫_{s1}^∞ s⁻⁴ exp(z s − s²/2) ds,
// with s1 = ‖h‖/Dmax. K is tabulated once per process on a grid uniform in (ln s1 + s1, z) by a
// cumulative Gauss-Legendre integration in ln s (one sweep per z), in two parts split at
// s1 + 1 (each smooth on the grid), read with local bicubic (4×4 Lagrange) interpolation and
// recombined exactly. Memory: 2 × 701 × 2801 doubles = 31 MB per process. Outside the table the
// integral is computed directly, so no query is ever clamped to the table edge (unlike the
// reference, pipeline.md §8 E10).
#pragma once

#include <span>
#include <vector>

#include "dotpe/core/rng.hpp"

namespace dotpe::likelihood {

class DistanceMarginalization {
 public:
  static constexpr double default_max_distance_mpc = 1.5e4;

  explicit DistanceMarginalization(double max_distance_mpc = default_max_distance_mpc);

  // ln L marginalised over distance, from the table (direct quadrature outside it).
  // hh must be > 0 and both finite; hh = dh = 0 gives 0 (a template with no signal).
  double lnlike_marginalized(double dh, double hh) const;

  // Element-wise over arrays of equal length (out may not alias the inputs).
  void lnlike_marginalized(std::span<const double> dh, std::span<const double> hh,
                           std::span<double> out) const;

  // The same by direct quadrature (slow: about 10⁴ exponentials per call).
  double lnlike_marginalized_exact(double dh, double hh) const;

  // A luminosity distance (Mpc) drawn from the posterior π(D)·exp(dh/D − hh/(2D²)) on (0, Dmax]
  // by inverse CDF (panel masses, then bisection inside the chosen panel).
  double sample_distance(double dh, double hh, RngStream& rng) const;

  double max_distance() const { return max_distance_; }

  // True when (dh, hh) is inside the tabulated region (diagnostics and tests).
  bool in_table(double dh, double hh) const;

 private:
  double interpolate(double log_s1_plus_s1, double z) const;

  double max_distance_;
  // ln ∫ over [s1, s1 + 1] and over [s1 + 1, ∞), at [z node][q node], q = ln s1 + s1.
  std::vector<double> low_table_;
  std::vector<double> high_table_;
};

// The process-wide table for the default prior (built on first use, about half a second).
const DistanceMarginalization& default_distance_marginalization();

// The table-free parts, for callers that need no table (rank 0's post-processing): the direct
// quadrature and the distance sampler of the class above, for a prior up to max_distance_mpc.
double lnlike_marginalized_exact(
    double dh, double hh,
    double max_distance_mpc = DistanceMarginalization::default_max_distance_mpc);
double sample_luminosity_distance(
    double dh, double hh, RngStream& rng,
    double max_distance_mpc = DistanceMarginalization::default_max_distance_mpc);

}  // namespace dotpe::likelihood
