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

// TaylorF2 phase coefficients Ψ(v) = Σ_k (c_k + l_k ln v) v^{k−5} (already times 3/(128η));
// l_k is non-zero only for k = 5 and 6.
struct PnPhasing {
  double coefficient[8] = {};
  double log_coefficient[8] = {};
};

// The TaylorF2 (2,2) mode as h22 = A e^{−iΦ} on a block of frequencies: amplitude[k] = A, Φ
// in phase[k] (both 0 outside 0 < f ≤ f_ISCO). The constructor sets up the binary once.
class TaylorF2 {
 public:
  explicit TaylorF2(const BinaryParameters& parameters);
  void amplitude_phase_22(std::span<const double> frequencies, double* amplitude,
                          double* phase) const;

 private:
  PnPhasing phasing_;
  double pi_m_ = 0.0;  // π M (s)
  double reference_phase_ = 0.0;
  double f_isco_ = 0.0;
  double amplitude_0_ = 0.0;  // times √(16π/5)
};

// `with_3pn_spin_spin` = false gives the series IMRPhenomD was calibrated with.
PnPhasing pn_phasing(double m1, double m2, double chi1, double chi2, bool with_3pn_spin_spin);
double pn_phase(const PnPhasing& phasing, double v);
// The same with 1/v and ln v supplied (inline, for the per-frequency loops: no division), as
// Horner sums in 1/v and v; only l_5 and l_6 are non-zero (pn_phasing).
[[gnu::always_inline]] inline double pn_phase(const PnPhasing& p, double v, double inverse_v,
                                              double log_v) {
  const double* c = p.coefficient;
  const double negative_powers =
      ((((c[0] * inverse_v + c[1]) * inverse_v + c[2]) * inverse_v + c[3]) * inverse_v + c[4]) *
      inverse_v;
  return negative_powers + (c[5] + v * (c[6] + v * c[7])) +
         log_v * (p.log_coefficient[5] + v * p.log_coefficient[6]);
}
// dΨ/dv.
double pn_phase_derivative(const PnPhasing& phasing, double v);

// Schwarzschild ISCO gravitational-wave frequency 1/(6^{3/2} π M) (Hz), M = m1 + m2 in Msun.
double isco_frequency(double total_mass);

}  // namespace dotpe::waveform
