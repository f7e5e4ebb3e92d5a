// TaylorF2: the stationary-phase approximation to a post-Newtonian inspiral.
// Phase to 3.5PN with aligned-spin terms: non-spinning terms from Buonanno et al. 2009
// (arXiv:0907.0700, eq. 3.18); spin-orbit terms to 3.5PN from Bohé et al. 2013
// (arXiv:1303.7412, eqs. 3.15-16) in the variables SL and δΣL of its eq. 3.9; 2PN spin-spin,
// quadrupole-monopole (κ = 1, black holes) and self-spin terms from arXiv:0810.5336 eq. 6.24;
// the 3PN spin-orbit and spin-spin terms as in LALSimulation (XLALSimInspiralPNPhasing_F2).
// Newtonian
// ("restricted") amplitude. Conventions match LALSimulation's TaylorF2 (phase reference at f_ref,
// h̃ = A e^{−i(Ψ − π/4)} with a negative A), so the (2,2) mode is h22 = √(16π/5) h̃.
#include "taylorf2.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "fast_math.hpp"
#include "mode_kernels.hpp"

namespace dotpe::waveform {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kEulerGamma = 0.57721566490153286060651209;

}  // namespace

PnPhasing pn_phasing(double m1, double m2, double chi1, double chi2, bool with_3pn_spin_spin) {
  const double total = m1 + m2;
  const double eta = m1 * m2 / (total * total);
  const double delta = (m1 - m2) / total;
  const double m1_fraction = m1 / total;
  const double m2_fraction = m2 / total;
  const double spin_l = m1_fraction * m1_fraction * chi1 + m2_fraction * m2_fraction * chi2;
  const double delta_sigma_l = delta * (m2_fraction * chi2 - m1_fraction * chi1);
  const double newtonian = 3.0 / (128.0 * eta);

  PnPhasing p;
  p.coefficient[0] = 1.0;
  p.coefficient[2] = 5.0 * (743.0 / 84.0 + 11.0 * eta) / 9.0;
  p.coefficient[3] = -16.0 * kPi + 188.0 * spin_l / 3.0 + 25.0 * delta_sigma_l;

  // 2PN spin-spin terms with κ = 1 (black holes); for aligned spins |χ|² = χ_z².
  double sigma = eta * (721.0 / 48.0 * chi1 * chi2 - 247.0 / 48.0 * chi1 * chi2);
  sigma += (720.0 - 1.0) / 96.0 * m1_fraction * m1_fraction * chi1 * chi1;
  sigma += (720.0 - 1.0) / 96.0 * m2_fraction * m2_fraction * chi2 * chi2;
  sigma -= (240.0 - 7.0) / 96.0 * m1_fraction * m1_fraction * chi1 * chi1;
  sigma -= (240.0 - 7.0) / 96.0 * m2_fraction * m2_fraction * chi2 * chi2;
  p.coefficient[4] =
      5.0 * (3058.673 / 7.056 + 5429.0 / 7.0 * eta + 617.0 * eta * eta) / 72.0 - 10.0 * sigma;

  const double gamma = (554345.0 / 1134.0 + 110.0 * eta / 9.0) * spin_l +
                       (13915.0 / 84.0 - 10.0 * eta / 3.0) * delta_sigma_l;
  p.coefficient[5] = 5.0 / 9.0 * (7729.0 / 84.0 - 13.0 * eta) * kPi - gamma;
  p.log_coefficient[5] = 5.0 / 3.0 * (7729.0 / 84.0 - 13.0 * eta) * kPi - 3.0 * gamma;

  p.coefficient[6] =
      (11583.231236531 / 4.694215680 - 640.0 / 3.0 * kPi * kPi - 6848.0 / 21.0 * kEulerGamma) +
      eta * (-15737.765635 / 3.048192 + 2255.0 / 12.0 * kPi * kPi) + eta * eta * 76055.0 / 1728.0 -
      eta * eta * eta * 127825.0 / 1296.0 + (-6848.0 / 21.0) * std::log(4.0) +
      kPi * (3760.0 * spin_l + 1490.0 * delta_sigma_l) / 3.0;
  // 3PN spin-spin, quadrupole-monopole and self-spin terms (Bohé et al. 2015, arXiv:1501.01529,
  // as LALSimulation includes them), κ = 1.
  const auto self_spin_3pn = [](double mass_fraction) {
    return (4703.5 / 8.4 + 2935.0 / 6.0 * mass_fraction - 120.0 * mass_fraction * mass_fraction) +
           (-4108.25 / 6.72 - 108.5 / 1.2 * mass_fraction +
            125.5 / 3.6 * mass_fraction * mass_fraction);
  };
  if (with_3pn_spin_spin) {
    p.coefficient[6] += (326.75 / 1.12 + 557.5 / 1.8 * eta) * eta * chi1 * chi2 +
                        self_spin_3pn(m1_fraction) * m1_fraction * m1_fraction * chi1 * chi1 +
                        self_spin_3pn(m2_fraction) * m2_fraction * m2_fraction * chi2 * chi2;
  }
  p.log_coefficient[6] = -6848.0 / 21.0;

  p.coefficient[7] =
      kPi * (77096675.0 / 254016.0 + 378515.0 / 1512.0 * eta - 74045.0 / 756.0 * eta * eta) +
      (-8980424995.0 / 762048.0 + 6586595.0 * eta / 756.0 - 305.0 * eta * eta / 36.0) * spin_l -
      (170978035.0 / 48384.0 - 2876425.0 * eta / 672.0 - 4735.0 * eta * eta / 144.0) *
          delta_sigma_l;

  for (int k = 0; k < 8; ++k) {
    p.coefficient[k] *= newtonian;
    p.log_coefficient[k] *= newtonian;
  }
  return p;
}

double pn_phase(const PnPhasing& p, double v) {
  return pn_phase(p, v, 1.0 / v, std::log(v));
}

double pn_phase_derivative(const PnPhasing& p, double v) {
  const double log_v = std::log(v);
  double sum = 0.0;
  const double v3 = v * v * v;
  double power = 1.0 / (v3 * v3);  // v^{k−6} for k = 0
  for (int k = 0; k < 8; ++k) {
    sum += ((k - 5) * (p.coefficient[k] + p.log_coefficient[k] * log_v) + p.log_coefficient[k]) *
           power;
    power *= v;
  }
  return sum;
}

double isco_frequency(double total_mass) {
  return 1.0 / (std::pow(6.0, 1.5) * kPi * total_mass * kSolarMassSeconds);
}

TaylorF2::TaylorF2(const BinaryParameters& parameters) {
  const double m1 = parameters.m1;
  const double m2 = parameters.m2;
  const double total = m1 + m2;
  const double eta = m1 * m2 / (total * total);
  pi_m_ = kPi * total * kSolarMassSeconds;
  phasing_ = pn_phasing(m1, m2, parameters.s1z, parameters.s2z, true);
  reference_phase_ = pn_phase(phasing_, fast::cbrt(pi_m_ * parameters.f_ref));
  f_isco_ = isco_frequency(total);
  // LAL: amp0 = −4 m1 m2 / r · MRSUN · MTSUN · √(π/12), times √(−E'(v)/F(v)) v at Newtonian
  // order = √(5/(32η)) v^{−7/2}; the (2,2) mode is √(16π/5) times it.
  const double distance_metres = parameters.distance * kMegaparsecMetres;
  amplitude_0_ = -4.0 * m1 * m2 / distance_metres * kSolarMassMetres * kSolarMassSeconds *
                 std::sqrt(kPi / 12.0) * std::sqrt(5.0 / (32.0 * eta)) *
                 std::sqrt(16.0 * kPi / 5.0);
}

void TaylorF2::amplitude_phase_22(std::span<const double> frequencies, double* amplitude,
                                  double* phase) const {
  const std::size_t n = frequencies.size();
  double x[kBlock];
  double v[kBlock];
  double inverse_v[kBlock];
  double log_x[kBlock];
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t count = std::min(kBlock, n - start);
    // Skip blocks that lie wholly outside 0 < f ≤ f_ISCO (most of a uniform grid).
    std::size_t inside = 0;
    for (std::size_t k = 0; k < count; ++k) {
      const double f = frequencies[start + k];
      inside += ((f > 0.0) & (f <= f_isco_)) ? 1 : 0;
    }
    if (inside == 0) {
      std::fill(amplitude + start, amplitude + start + count, 0.0);
      std::fill(phase + start, phase + start + count, 0.0);
      continue;
    }
    for (std::size_t k = 0; k < count; ++k) x[k] = pi_m_ * frequencies[start + k];
    cube_roots({x, count}, v, inverse_v);
    logarithms({x, count}, log_x);
    const PnPhasing phasing = phasing_;  // local: see PhenomHM::general_amplitude_phase
    const double reference_phase = reference_phase_;
    const double f_isco = f_isco_;
    const double amplitude_0 = amplitude_0_;
    double* __restrict amplitude_block = amplitude + start;
    double* __restrict phase_block = phase + start;
    // No branches or calls: vectorised.
    for (std::size_t k = 0; k < count; ++k) {
      const double f = frequencies[start + k];
      // h = A e^{−i(Ψ − π/4)}, A ∝ v^{−7/2}, v = (π M f)^{1/3}.
      const double iv = inverse_v[k];
      const double psi = pn_phase(phasing, v[k], iv, log_x[k] * (1.0 / 3.0)) - reference_phase;
      const bool zero = (f <= 0.0) | (f > f_isco);
      phase_block[k] = zero ? 0.0 : psi - kPi / 4.0;
      amplitude_block[k] = zero ? 0.0 : amplitude_0 * (iv * iv * iv * fast::sqrt_core(iv));
    }
  }
}

void taylorf2_mode_22(const BinaryParameters& parameters, std::span<const double> frequencies,
                      std::span<std::complex<double>> out) {
  const TaylorF2 model(parameters);
  double amplitude[kBlock];
  double phase[kBlock];
  for (std::size_t start = 0; start < frequencies.size(); start += kBlock) {
    const std::size_t count = std::min(kBlock, frequencies.size() - start);
    model.amplitude_phase_22(frequencies.subspan(start, count), amplitude, phase);
    store_mode({amplitude, count}, {phase, count}, out.subspan(start, count));
  }
}

}  // namespace dotpe::waveform
