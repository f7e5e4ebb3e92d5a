// IMRPhenomD (internal to the waveform module): the (2,2) mode of aligned-spin binaries.
#pragma once

#include <complex>
#include <numbers>
#include <span>

#include "dotpe/waveform/waveform.hpp"
#include "fast_math.hpp"
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
  PhenomD() = default;  // an empty model, to be assigned

  // Amplitude a(Mf)·amp0Func·(Mf)^{−7/6} and phase φ_IMR(Mf) of arXiv:1508.07253 §VIII, before
  // the physical scale and the time/phase reference.
  double amplitude(double mf) const;
  double phase(double mf) const;
  double phase_derivative(double mf) const;

  // The same model for an IMRPhenomHM mode: the merger-ringdown phase widened by ρ_lm and τ_lm
  // and joined again (C¹) to the intermediate phase; everything else is shared.
  PhenomD widened(double rho, double tau) const;

  // Pieces of amplitude() and phase() for the per-frequency loops, which compute x^{1/3},
  // x^{−1/3} and ln x once and share them (inline below, without branches, divisions where
  // avoidable, or library calls, so that the loops are vectorised: every region is computed and
  // the right one selected):
  //   amplitude(x) = amplitude_scale() · amplitude_shape(x, x^{1/3}) · x^{−7/6};
  //   phase(y) = phase(y, y^{1/3}, y^{−1/3}, ln y).
  double amplitude_scale() const { return amplitude_scale_; }
  double amplitude_shape(double x, double third) const;
  double phase(double y, double third, double inverse_third, double log_y) const;
  // The regions alone, for loops over points known to lie in one region (the selecting
  // functions above use the same ones, so both give the same bits): inspiral (amplitude below
  // Mf = 0.014, phase below 0.018), intermediate, merger-ringdown (amplitude from the peak,
  // phase from f_RD/2).
  double inspiral_amplitude(double mf, double third) const;
  double intermediate_amplitude(double mf) const;
  double ringdown_amplitude(double mf) const;
  double inspiral_phase(double mf, double third, double inverse_third, double log_mf) const;
  double intermediate_phase_at(double mf, double inverse_mf, double log_mf) const;
  double ringdown_phase_at(double mf, double inverse_mf) const;
  double peak_amplitude_frequency() const { return peak_frequency_; }
  double ringdown_phase_start() const { return 0.5 * ringdown_.ringdown; }

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

  // The same as h22 = A e^{−iΦ} on a block of frequencies: amplitude[k] = A, phase[k] = Φ (both
  // 0 outside 0 < Mf < 0.2). `reference` = reference_22(parameters), set up once per binary.
  struct Reference22 {
    double scale = 0.0;  // A = scale · amplitude(Mf)
    double mf_reference = 0.0;
    double phase = 0.0;  // phase(Mf_ref)
    double t0 = 0.0;
  };
  Reference22 reference_22(const BinaryParameters& parameters) const;
  void amplitude_phase_22(const Reference22& reference, std::span<const double> frequencies,
                          double* amplitude, double* phase) const;

  // Final spin (Husa et al. eq. 3.6) and radiated energy / M (eqs. 3.7-3.8).
  static double final_spin(double eta, double chi1, double chi2);
  static double radiated_energy(double eta, double chi1, double chi2);
  // The QNM table read with a natural cubic spline, as LAL does.
  static RingdownFrequencies table_ringdown(double eta, double chi1, double chi2);

 private:
  void join_ringdown_phase();
  double ringdown_phase(double mf) const;
  double ringdown_phase_slope(double mf, double rho, double tau) const;
  double inspiral_amplitude_derivative(double mf) const;
  double ringdown_amplitude_ansatz(double mf) const;
  double ringdown_amplitude_derivative(double mf) const;
  double inspiral_phase_derivative(double mf) const;
  double intermediate_phase_raw(double mf, double log_mf) const;  // without c1 + c2 mf
  double intermediate_phase(double mf, double log_mf) const;
  double intermediate_phase_slope(double mf) const;

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
  // Reciprocals for the per-frequency loops (a multiplication costs far less than a division):
  double inverse_eta_ = 0.0;
  double ringdown_decay_ = 0.0;  // γ2 / (f_damp γ3)
  double atan_scale_ = 0.0;      // 1 / (ρ f_damp τ)
  PnPhasing pn_;
};

// π^{1/3} (the value glibc's std::cbrt gives, as the model always used) and ln π.
inline constexpr double kCbrtPi = 0x1.76ef7e73104b7p+0;
inline constexpr double kLogPi = 0x1.250d048e7a1bdp+0;

// Where the phase and amplitude regions of arXiv:1508.07253 §VIII join (Mf), and the model's end.
inline constexpr double kPhenomDAmplitudeInspiralJoin = 0.014;
inline constexpr double kPhenomDPhaseInspiralJoin = 0.018;
inline constexpr double kPhenomDCutoff = 0.2;

[[gnu::always_inline]] inline double PhenomD::inspiral_amplitude(double x, double third) const {
  return 1.0 + amplitude_pn_[0] * third * third + amplitude_pn_[1] * x +
         amplitude_pn_[2] * x * third + amplitude_pn_[3] * x * third * third +
         amplitude_pn_[4] * x * x +
         (rho_[0] * x * x * third + rho_[1] * x * x * third * third + rho_[2] * x * x * x);
}

[[gnu::always_inline]] inline double PhenomD::ringdown_amplitude_ansatz(double mf) const {
  const double width = ringdown_.damping * gamma_[2];
  const double offset = mf - ringdown_.ringdown;
  return fast::exp_core(-offset * ringdown_decay_) * width * gamma_[0] /
         (offset * offset + width * width);
}

[[gnu::always_inline]] inline double PhenomD::ringdown_amplitude(double mf) const {
  return ringdown_amplitude_ansatz(mf);
}

[[gnu::always_inline]] inline double PhenomD::intermediate_amplitude(double x) const {
  return delta_[0] + x * (delta_[1] + x * (delta_[2] + x * (delta_[3] + x * delta_[4])));
}

[[gnu::always_inline]] inline double PhenomD::amplitude_shape(double x, double third) const {
  const double inspiral = inspiral_amplitude(x, third);
  const double intermediate = intermediate_amplitude(x);
  const double ringdown = ringdown_amplitude_ansatz(x);
  return x < kPhenomDAmplitudeInspiralJoin ? inspiral
                                           : (x >= peak_frequency_ ? ringdown : intermediate);
}

// TaylorF2 + (σ0 Mf + ¾σ1 Mf^{4/3} + ⅗σ2 Mf^{5/3} + ½σ3 Mf²)/η, v = (π Mf)^{1/3},
// ln v = (ln π + ln Mf)/3.
[[gnu::always_inline]] inline double PhenomD::inspiral_phase(double mf, double third,
                                                             double inverse_third,
                                                             double log_mf) const {
  const double v = kCbrtPi * third;
  const double inverse_v = (1.0 / kCbrtPi) * inverse_third;
  const double log_v = (kLogPi + log_mf) * (1.0 / 3.0);
  return pn_phase(pn_, v, inverse_v, log_v) - std::numbers::pi / 4.0 +
         (sigma_[0] * mf + 0.75 * sigma_[1] * mf * third + 0.6 * sigma_[2] * mf * third * third +
          0.5 * sigma_[3] * mf * mf) *
             inverse_eta_;
}

// C1 + C2 Mf + (β0 Mf − β2/(3 Mf³) + β1 ln Mf)/η
[[gnu::always_inline]] inline double PhenomD::intermediate_phase_at(double mf, double inverse_mf,
                                                                    double log_mf) const {
  return (c1_intermediate_ + c2_intermediate_ * mf) +
         (beta_[0] * mf - beta_[2] * (1.0 / 3.0) * inverse_mf * inverse_mf * inverse_mf +
          beta_[1] * log_mf) *
             inverse_eta_;
}

// C1 + C2 Mf + (−α1/Mf + 4/3 α2 Mf^{3/4} + α0 Mf + α3 ρ arctan((Mf − α4 f_RD)/(ρ f_damp τ)))/η
[[gnu::always_inline]] inline double PhenomD::ringdown_phase_at(double mf,
                                                                double inverse_mf) const {
  return (c1_ringdown_ + c2_ringdown_ * mf) +
         (-alpha_[1] * inverse_mf +
          4.0 / 3.0 * alpha_[2] * fast::sqrt_core(mf * fast::sqrt_core(mf)) + alpha_[0] * mf +
          alpha_[3] * mode_rho_ *
              fast::atan_core((mf - alpha_[4] * ringdown_.ringdown) * atan_scale_)) *
             inverse_eta_;
}

[[gnu::always_inline]] inline double PhenomD::intermediate_phase_raw(double mf,
                                                                     double log_mf) const {
  return (beta_[0] * mf - beta_[2] / (3.0 * mf * mf * mf) + beta_[1] * log_mf) / eta_;
}

[[gnu::always_inline]] inline double PhenomD::intermediate_phase(double mf, double log_mf) const {
  return intermediate_phase_raw(mf, log_mf) + c1_intermediate_ + c2_intermediate_ * mf;
}

// Merger-ringdown ansatz (arXiv:1508.07253 eq. 14) without the join constants; PhenomHM widens
// its arctangent by ρ and τ (used to set up the joins).
[[gnu::always_inline]] inline double PhenomD::ringdown_phase(double mf) const {
  return (-alpha_[1] / mf + 4.0 / 3.0 * alpha_[2] * fast::sqrt_core(mf * fast::sqrt_core(mf)) +
          alpha_[0] * mf +
          alpha_[3] * mode_rho_ *
              fast::atan_core((mf - alpha_[4] * ringdown_.ringdown) * atan_scale_)) /
         eta_;
}

// The three regions, selected (1/y divided once; the inspiral's negative powers come from
// y^{−1/3}).
[[gnu::always_inline]] inline double PhenomD::phase(double y, double third, double inverse_third,
                                                    double log_y) const {
  const double inverse_y = 1.0 / y;
  const double inspiral = inspiral_phase(y, third, inverse_third, log_y);
  const double intermediate = intermediate_phase_at(y, inverse_y, log_y);
  const double ringdown = ringdown_phase_at(y, inverse_y);
  return y < kPhenomDPhaseInspiralJoin ? inspiral
                                       : (y >= 0.5 * ringdown_.ringdown ? ringdown : intermediate);
}

}  // namespace dotpe::waveform
