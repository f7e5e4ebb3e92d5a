// Intrinsic samples of a bank, drawn as the reference package draws them by default
// (dot-PE sample_banks / IntrinsicSamplesGenerator.draw_intrinsic_samples_uniform_in_lnmchrip_lnq):
//
//   u = scrambled Halton point of dimension 9
//   ln Mc = ln Mc_min + u0 ln(Mc_max/Mc_min),  ln q = ln q_min + u1 ln(q_max/q_min)
//   m1 = Mc (1+q)^{1/5} q^{-3/5},  m2 = q m1                     (detector frame, q = m2/m1 <= 1)
//   chi_eff = -1 + 2 u2, and s1z uniform over the range that keeps |s1z|, |s2z| <= 1 (u3)
//   (cogwheel's UniformEffectiveSpinPrior);  cos(iota) = -1 + 2 u4 (isotropic).
//   u5..u8 drive the in-plane spins of precessing models; dotpe's models are aligned-spin, so
//   the in-plane spins are 0 and iota = theta_JN.
//
// The target prior is uniform in the detector-frame component masses over the bank's box; in
// (Mc, ln q) its density is  pi(Mc, ln q) = Mc cosh(ln q / 2)^{2/5} / Norm,  with
//   Norm = (Mc_max^2 - Mc_min^2)/2 * Integral_{ln q_min}^{ln q_max} cosh(x/2)^{2/5} dx,
// and the draw density is 1 / (A Mc), A = ln(Mc_max/Mc_min) ln(q_max/q_min). Hence
//   log_prior_weight = ln pi(Mc, ln q) + ln A + ln Mc.
// Spins and inclination are drawn from the target prior itself and add nothing.
#pragma once

#include <cstdint>
#include <vector>

namespace dotpe::bank {

struct MassRange {
  double mchirp_min = 0.0;  // detector-frame chirp mass, Msun
  double mchirp_max = 0.0;
  double q_min = 0.0;  // mass ratio m2/m1
  double q_max = 1.0;

  // Throws dotpe::Error naming the bound that is wrong.
  void validate() const;
};

struct IntrinsicSample {
  double m1 = 0.0;
  double m2 = 0.0;
  double s1z = 0.0;
  double s2z = 0.0;
  double s1x_n = 0.0;
  double s1y_n = 0.0;
  double s2x_n = 0.0;
  double s2y_n = 0.0;
  double iota = 0.0;
  double log_prior_weight = 0.0;
};

// Dimension of the Halton points used per sample (kept at the reference's 9).
inline constexpr int kHaltonDimension = 9;

// Sample number `index` of the bank drawn with `seed` (pure function of its arguments).
IntrinsicSample draw_intrinsic_sample(const MassRange& range, std::uint64_t seed,
                                      std::uint64_t index);

std::vector<IntrinsicSample> draw_intrinsic_samples(const MassRange& range, std::size_t count,
                                                    std::uint64_t seed);

// ln(target prior / draw density) at (Mc, q), see the header comment.
double log_prior_weight(const MassRange& range, double mchirp, double q);

double chirp_mass(double m1, double m2);

}  // namespace dotpe::bank
