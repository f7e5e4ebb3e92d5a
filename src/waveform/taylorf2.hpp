// TaylorF2 (internal to the waveform module).
#pragma once

#include <complex>
#include <span>

#include "dotpe/waveform/waveform.hpp"

namespace dotpe::waveform {

// Physical constants as in LAL (lal/std/LALConstants.h), so that templates agree with
// LALSimulation's to rounding.
inline constexpr double kSolarMassSeconds = 4.925490947641267e-6;  // LAL_MTSUN_SI
inline constexpr double kSolarMassMetres = 1476.6250380501247;     // LAL_MRSUN_SI = G Msun / c²
inline constexpr double kMegaparsecMetres = 3.085677581491367e22;  // 1e6 LAL_PC_SI

// The (2,2) mode h22(f) of TaylorF2 at distance and phi_ref = 0 (phi_ref is applied by the
// caller per m-group).
void taylorf2_mode_22(const BinaryParameters& parameters, std::span<const double> frequencies,
                      std::span<std::complex<double>> out);

// TaylorF2 phase coefficients Ψ(v) = Σ_k (c_k + l_k ln v) v^{k−5} (already times 3/(128η)).
struct PnPhasing {
  double coefficient[8] = {};
  double log_coefficient[8] = {};
};
// `with_3pn_spin_spin` = false gives the series IMRPhenomD was calibrated with.
PnPhasing pn_phasing(double m1, double m2, double chi1, double chi2, bool with_3pn_spin_spin);
double pn_phase(const PnPhasing& phasing, double v);
// dΨ/dv.
double pn_phase_derivative(const PnPhasing& phasing, double v);

// Schwarzschild ISCO gravitational-wave frequency 1/(6^{3/2} π M) (Hz), M = m1 + m2 in Msun.
double isco_frequency(double total_mass);

}  // namespace dotpe::waveform
