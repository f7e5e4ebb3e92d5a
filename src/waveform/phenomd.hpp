// IMRPhenomD (internal to the waveform module): the (2,2) mode of aligned-spin binaries.
#pragma once

#include <complex>
#include <span>

#include "dotpe/waveform/waveform.hpp"
#include "taylorf2.hpp"

namespace dotpe::waveform {

// Ringdown and damping frequencies in units of the total mass (M f).
struct RingdownFrequencies {
  double ringdown = 0.0;
  double damping = 0.0;
};

class PhenomD {
 public:
  // m1 >= m2 is not required: the bodies are ordered internally. rho and tau (IMRPhenomHM's
  // ρ_lm = f_RD,22/f_RD,lm and τ_lm = f_damp,lm/f_damp,22) widen the merger-ringdown phase
  // ansatz for a higher mode, as LALSimulation's PhenomHM does; 1 and 1 give IMRPhenomD.
  explicit PhenomD(const BinaryParameters& parameters, double rho = 1.0, double tau = 1.0);

  // Amplitude a(Mf)·amp0Func·(Mf)^{−7/6} and phase φ_IMR(Mf) of arXiv:1508.07253 §VIII, before
  // the physical scale and the time/phase reference.
  double amplitude(double mf) const;
  double phase(double mf) const;
  double phase_derivative(double mf) const;

  double total_mass_seconds() const { return total_mass_seconds_; }
  double eta() const { return eta_; }
  double peak_frequency() const { return peak_frequency_; }
  const RingdownFrequencies& ringdown() const { return ringdown_; }
  // t0: the time shift that puts the amplitude peak near t = 0. As in LAL it is the slope of the
  // (2,2) merger-ringdown ansatz at the peak without the join constant C2.
  double peak_time() const { return ringdown_phase_slope(peak_frequency_, 1.0, 1.0); }

  // The (2,2) mode h22 = √(16π/5)·h̃ with LAL's normalisation and reference conventions:
  // phase zero at f_ref and the peak at t ≈ 0; zero at and above Mf = 0.2.
  void mode_22(const BinaryParameters& parameters, std::span<const double> frequencies,
               std::span<std::complex<double>> out) const;

  // Final spin (Husa et al. eq. 3.6) and radiated energy / M (eqs. 3.7-3.8).
  static double final_spin(double eta, double chi1, double chi2);
  static double radiated_energy(double eta, double chi1, double chi2);
  // The QNM table read with a natural cubic spline, as LAL does.
  static RingdownFrequencies table_ringdown(double eta, double chi1, double chi2);

 private:
  double ringdown_phase(double mf) const;
  double ringdown_phase_slope(double mf, double rho, double tau) const;
  double inspiral_amplitude_ansatz(double mf) const;
  double inspiral_amplitude_derivative(double mf) const;
  double ringdown_amplitude_ansatz(double mf) const;
  double ringdown_amplitude_derivative(double mf) const;
  double inspiral_phase(double mf) const;
  double inspiral_phase_derivative(double mf) const;

  double chi1_ = 0.0;  // spin of the heavier body
  double chi2_ = 0.0;
  double eta_ = 0.0;
  double total_mass_seconds_ = 0.0;
  double amplitude_scale_ = 0.0;  // amp0Func(η) = √(2η/3) π^{−1/6}
  RingdownFrequencies ringdown_;
  double rho_[3] = {};
  double gamma_[3] = {};
  double sigma_[4] = {};
  double beta_[3] = {};
  double alpha_[5] = {};
  double amplitude_pn_[6] = {};  // coefficients of Mf^{2/3}, Mf, Mf^{4/3}, Mf^{5/3}, Mf^2 ...
  double delta_[5] = {};
  double peak_frequency_ = 0.0;
  double c1_intermediate_ = 0.0;
  double c2_intermediate_ = 0.0;
  double c1_ringdown_ = 0.0;
  double c2_ringdown_ = 0.0;
  double mode_rho_ = 1.0;  // ρ_lm, τ_lm of the PhenomHM mode this phase serves
  double mode_tau_ = 1.0;
  PnPhasing pn_;
};

}  // namespace dotpe::waveform
