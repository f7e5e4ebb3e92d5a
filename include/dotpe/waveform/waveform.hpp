// Frequency-domain waveform models, grouped by harmonic m as the reference package uses them
// (numerics.md §6): h[m, p](f) at distance 1 Mpc and orbital phase 0, with
//   h_m(φ_ref, D) = e^{i m φ_ref} h_m(0, 1 Mpc) / D,
// the polarisations built from the (l, m) modes with spin-weight −2 harmonics at (ι, 0):
//   h+ = Σ h_lm ½[Y_lm + (−1)^l Y*_{l,−m}],  h× = Σ h_lm (−i/2)[Y_lm − (−1)^l Y*_{l,−m}],
// and the Fourier convention h̃(f) = ∫ h(t) e^{−2πift} dt (LAL's). Units: detector-frame solar
// masses, Mpc, Hz, rad; strain per Hz.
//
// Models: TaylorF2 (3.5PN phase with aligned-spin terms, Newtonian amplitude, zero above the
// Schwarzschild ISCO frequency) and IMRPhenomD (aligned-spin (2,2) inspiral-merger-ringdown,
// zero at and above Mf = 0.2) and IMRPhenomHM ((2,1) (2,2) (3,2) (3,3) (4,3) (4,4), each zero
// where its amplitude-mapped frequency reaches Mf = 0.2).
#pragma once

#include <complex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dotpe::waveform {

enum class Approximant { TaylorF2, IMRPhenomD, IMRPhenomHM };

// "TaylorF2"; throws dotpe::Error listing the supported models otherwise.
Approximant parse_approximant(std::string_view name);
std::string approximant_name(Approximant approximant);

struct Mode {
  int l = 2;
  int m = 2;
  friend bool operator==(const Mode&, const Mode&) = default;
};

// The (l, m > 0) modes of a model, in its own order, and the distinct m in first-appearance
// order (the order of the m-groups).
std::vector<Mode> harmonic_modes(Approximant approximant);
std::vector<int> m_arr(const std::vector<Mode>& modes);

// Parses "22,21,33" (or "all") into modes of the model, in the given order; throws dotpe::Error
// naming a mode the model does not have.
std::vector<Mode> parse_modes(std::string_view text, Approximant approximant);

struct BinaryParameters {
  double m1 = 0.0;  // detector-frame masses (Msun)
  double m2 = 0.0;
  double s1z = 0.0;  // dimensionless spins along L
  double s2z = 0.0;
  double s1x = 0.0;  // in-plane spins: aligned-spin models require them to be 0
  double s1y = 0.0;
  double s2x = 0.0;
  double s2y = 0.0;
  double iota = 0.0;      // inclination (rad)
  double f_ref = 50.0;    // reference frequency (Hz)
  double distance = 1.0;  // Mpc
  double phi_ref = 0.0;   // orbital phase at f_ref (rad)

  // Throws dotpe::Error naming the parameter that is out of range.
  void validate() const;
};

// Spin-weight −2 spherical harmonic −2Y_lm(θ, φ = 0) (Goldberg et al. 1967, with LAL's sign
// convention, XLALSpinWeightedSphericalHarmonic).
double spin_weighted_harmonic(int l, int m, double theta);

// h_lm(f) of one mode (m > 0) at the given frequencies.
void mode(Approximant approximant, const BinaryParameters& parameters, Mode lm,
          std::span<const double> frequencies, std::span<std::complex<double>> out);

// h+ and h× per m-group: out[(g·2 + p)·n_f + k], g over m_arr(modes), p = 0 plus, 1 cross.
// `modes` defaults to the model's own list; a subset selects which modes are summed.
void polarizations_by_m(Approximant approximant, const BinaryParameters& parameters,
                        const std::vector<Mode>& modes, std::span<const double> frequencies,
                        std::span<std::complex<double>> out);

}  // namespace dotpe::waveform
