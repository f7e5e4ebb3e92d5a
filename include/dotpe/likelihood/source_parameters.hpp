// The full parameter set of one source, "par_dic" in the reference package (numerics.md §6.1):
// intrinsic parameters (masses, spins, inclination, f_ref) plus the fast ones (sky position,
// polarisation, arrival time, orbital phase, distance). Used for the reference waveform par0 of
// relative binning, for injections and for find-reference's output.
//
// Conventions (DESIGN.md §7): t_geocenter is relative to the event's tgps; (ra, dec) are
// equatorial; distance in Mpc.
#pragma once

#include <nlohmann/json.hpp>

#include "dotpe/waveform/waveform.hpp"

namespace dotpe::likelihood {

struct SourceParameters {
  waveform::BinaryParameters intrinsic;  // includes f_ref, distance and phi_ref
  double ra = 0.0;
  double dec = 0.0;
  double psi = 0.0;
  double t_geocenter = 0.0;  // s, relative to tgps

  // The reference's par_dic keys: m1, m2, s1z, s2z, s1x_n, s1y_n, s2x_n, s2y_n, iota, ra, dec,
  // psi, t_geocenter, phi_ref, d_luminosity, f_ref, l1, l2.
  nlohmann::json to_par_dic() const;

  // Reads a par_dic (missing in-plane spins and tides default to 0; any other missing key is
  // an error naming `source` and the key).
  static SourceParameters from_par_dic(const nlohmann::json& par_dic, const std::string& source);
};

}  // namespace dotpe::likelihood
