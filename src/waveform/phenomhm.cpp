// IMRPhenomHM: London et al. 2018 (arXiv:1708.00404), as implemented in LALSimulation
// (LALSimIMRPhenomHM.c): every mode is IMRPhenomD's (2,2) model evaluated at a mapped frequency,
// its amplitude rescaled by ratios of post-Newtonian mode amplitudes and its merger-ringdown
// phase widened by ρ_lm = f_RD,22/f_RD,lm and τ_lm = f_damp,lm/f_damp,22. The mode's own ringdown
// frequencies come from fits to the Kerr quasi-normal modes (London & Fauchon-Jones 2019,
// arXiv:1810.03550); the (2,2) backbone uses IMRPhenomD's QNM table, as LAL does.
#include "phenomhm.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "fast_math.hpp"
#include "phenomd.hpp"

namespace dotpe::waveform {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kAmplitudeJoin22 = 0.014;  // PhenomD's inspiral end, amplitude (Mf)
constexpr double kPhaseJoin22 = 0.018;      // PhenomD's inspiral end, phase (Mf)
constexpr double kCutoff = 0.2;

// Leading-order complex amplitude phases of the modes (Blanchet, arXiv:1310.1528 §9.5), by m.
constexpr std::array<double, 5> kModePhaseShift = {0.0, kPi / 2, 0.0, -kPi / 2, kPi};

// Σ_k c_k e^{i θ_k} κ^k of one fit (zero-damped modes carry an extra constant and factor κ).
struct QnmFit {
  int l;
  int m;
  double constant;   // l/2 for zero-damped modes; 0 otherwise
  bool times_kappa;  // the sum is multiplied by κ
  std::array<double, 7> magnitude;
  std::array<double, 7> phase;
  int terms;
};

// LAL's SimRingdownCW_CW07102016 coefficients (n = 0 overtones).
const std::array<QnmFit, 6> kQnmFits = {{
    {2,
     2,
     1.0,
     true,
     {1.557847, 1.95097051, 2.09971716, 1.41094660, 0.41063923},
     {2.903124, 5.920970, 2.760585, 5.914340, 2.795235},
     5},
    {2,
     1,
     0.0,
     false,
     {0.589113, 0.18896353, 1.15012965, 6.04585476, 11.12627777, 9.34711461, 3.03838318},
     {0.043525, 2.289868, 5.810057, 2.741967, 5.844130, 2.669372, 5.791518},
     7},
    {3,
     3,
     1.5,
     true,
     {2.095657, 2.46964352, 2.66552551, 1.75836443, 0.49905688},
     {2.964973, 5.996734, 2.817591, 5.932693, 2.781658},
     5},
    {3,
     2,
     0.0,
     false,
     {1.022464, 0.24731213, 1.70468239, 0.94604882, 1.53189884, 2.28052668, 0.92150314},
     {0.004870, 0.665292, 3.138283, 0.163247, 5.703573, 2.685231, 5.841704},
     7},
    {4,
     4,
     2.0,
     true,
     {2.658908, 2.97825567, 3.21842350, 2.12764967, 0.60338186},
     {3.002787, 6.050955, 2.877514, 5.989669, 2.830031},
     5},
    {4,
     3,
     1.5,
     true,
     {0.205046, 3.10333396, 4.23612166, 3.02890198, 0.90843949},
     {0.595328, 3.016200, 6.038842, 2.826239, 5.915164},
     5},
}};

}  // namespace

namespace {

// The fits' complex coefficients c_k e^{i θ_k}, computed once per process.
const std::array<std::array<std::complex<double>, 7>, 6>& qnm_coefficients() {
  static const auto coefficients = [] {
    std::array<std::array<std::complex<double>, 7>, 6> values{};
    for (std::size_t f = 0; f < kQnmFits.size(); ++f) {
      for (int k = 0; k < kQnmFits[f].terms; ++k) {
        const auto kk = static_cast<std::size_t>(k);
        values[f][kk] = std::polar(kQnmFits[f].magnitude[kk], kQnmFits[f].phase[kk]);
      }
    }
    return values;
  }();
  return coefficients;
}

// The frequency map of a mode (LAL IMRPhenomHMFreqDomainMapParams), for the amplitude (inspiral
// end at PhenomD's amplitude join, ringdown shifted by f_RD,22 − f_RD,lm) or for the phase
// (inspiral end at the phase join, ringdown scaled by ρ).
template <class Map>
Map make_map(int m, double rho, double f_rd_lm, double f_rd_22, bool amplitude) {
  Map map;
  map.fi = (amplitude ? kAmplitudeJoin22 : kPhaseJoin22) / rho;
  map.fr = f_rd_lm;
  map.a[0] = 2.0 / m;
  map.b[0] = 0.0;
  const double inspiral_end = 2.0 * map.fi / m;
  const double ringdown_start = amplitude ? f_rd_22 : rho * map.fr;
  map.a[1] = (ringdown_start - inspiral_end) / (map.fr - map.fi);
  map.b[1] = inspiral_end - map.fi * map.a[1];
  map.a[2] = amplitude ? 1.0 : rho;
  map.b[2] = amplitude ? f_rd_22 - f_rd_lm : 0.0;
  return map;
}

}  // namespace

namespace {

// κ = (ln(2 − a) / ln 3)^{1/(2 + l − m)} of the fits.
double qnm_kappa(int l, int m, double spin) {
  return std::pow(std::log(2.0 - spin) / std::log(3.0), 1.0 / (2.0 + l - m));
}

// The fit of kQnmFits[f] at κ.
std::complex<double> qnm_fit(std::size_t f, double kappa) {
  const QnmFit& fit = kQnmFits[f];
  std::complex<double> sum = 0.0;
  double power = 1.0;
  for (int k = 0; k < fit.terms; ++k) {
    sum += qnm_coefficients()[f][static_cast<std::size_t>(k)] * power;
    power *= kappa;
  }
  return fit.constant + (fit.times_kappa ? kappa : 1.0) * sum;
}

std::size_t qnm_fit_index(int l, int m) {
  for (std::size_t f = 0; f < kQnmFits.size(); ++f) {
    if (kQnmFits[f].l == l && kQnmFits[f].m == m) return f;
  }
  throw Error("no quasi-normal-mode fit for (l, m) = ({}, {})", l, m);
}

// Constants of the modes that depend on m alone, computed once per process: (2/m)^{1/3},
// (m/2)^{1/3}, (m/2)^{1/6}, ln(2/m), and π^{p/3} for p = 0..3.
struct MConstants {
  double third_scale[5] = {};
  double inverse_third_scale[5] = {};
  double inverse_sixth_scale[5] = {};
  double log_scale[5] = {};
  double pi_power[4] = {};
};
const MConstants& m_constants() {
  static const MConstants constants = [] {
    MConstants c;
    for (int m = 1; m <= 4; ++m) {
      const auto i = static_cast<std::size_t>(m);
      c.third_scale[i] = std::cbrt(2.0 / m);
      c.inverse_third_scale[i] = std::cbrt(m / 2.0);
      c.inverse_sixth_scale[i] = std::sqrt(c.inverse_third_scale[i]);
      c.log_scale[i] = std::log(2.0 / m);
    }
    for (int p = 0; p < 4; ++p) c.pi_power[static_cast<std::size_t>(p)] = std::pow(kPi, p / 3.0);
    return c;
  }();
  return constants;
}

// harmonic_modes(IMRPhenomHM), without allocating.
constexpr std::array<Mode, 6> kHmModes = {{{2, 2}, {2, 1}, {3, 3}, {3, 2}, {4, 4}, {4, 3}}};

}  // namespace

std::complex<double> kerr_qnm_frequency(int l, int m, double spin) {
  return qnm_fit(qnm_fit_index(l, m), qnm_kappa(l, m, spin));
}

PhenomHM::PhenomHM(const BinaryParameters& parameters) : backbone_(parameters) {
  const bool swap = parameters.m2 > parameters.m1;
  const double m1 = swap ? parameters.m2 : parameters.m1;
  const double m2 = swap ? parameters.m1 : parameters.m2;
  const double chi1 = swap ? parameters.s2z : parameters.s1z;
  const double chi2 = swap ? parameters.s1z : parameters.s2z;
  const double eta = std::min(0.25, m1 * m2 / ((m1 + m2) * (m1 + m2)));
  const double final_spin = PhenomD::final_spin(eta, chi1, chi2);
  const double final_mass = 1.0 - PhenomD::radiated_energy(eta, chi1, chi2);
  const double total = parameters.m1 + parameters.m2;

  total_mass_seconds_ = backbone_.total_mass_seconds();
  // LAL: amp0 = M² MRSUN MTSUN / distance (FD amplitude prefactor of the Phenom models), times
  // PhenomD's amp0Func(η).
  amplitude_scale_ = total * kSolarMassMetres * total * kSolarMassSeconds /
                     (parameters.distance * kMegaparsecMetres) * backbone_.amplitude_scale();
  mf_reference_ = total_mass_seconds_ * parameters.f_ref;
  phi0_ = 0.5 * backbone_.phase(mf_reference_);
  t0_ = backbone_.peak_time();

  // κ depends on l − m only (0 or 1 here): two powers instead of one per mode.
  const double kappa[2] = {qnm_kappa(2, 2, final_spin), qnm_kappa(2, 1, final_spin)};
  const auto ringdown = [&](int l, int m) {
    return qnm_fit(qnm_fit_index(l, m), kappa[l - m]) / (2.0 * kPi * final_mass);
  };
  const std::complex<double> qnm_22 = ringdown(2, 2);

  // PN mode amplitudes (LAL's IMRPhenomHMOnePointFiveSpinPN, London 2017) enter as the ratios
  //   β = |h_lm(Mf)| / |h_lm(2Mf/m)| and |h_lm(x)| / |h_22(x)|_{no spin}
  // of |h_lm(Mf)| ∝ v^{−7/2} |H_lm(v)|, v = (2π Mf/m)^{1/3}, x the amplitude-mapped frequency.
  // Where |H_lm| = c v^p, both are powers of the frequency ratios and the product reduces to
  // c (π x)^{p/3}; the (2,1) mode's |H_21| is a complex polynomial, evaluated per frequency.
  const double delta = std::sqrt(1.0 - 4.0 * eta);
  const double chi_s = 0.5 * (chi1 + chi2);
  const double chi_a = 0.5 * (chi1 - chi2);
  const MConstants& constants = m_constants();
  for (std::size_t i = 0; i < kHmModes.size(); ++i) {
    ModeModel& mode = modes_[i];
    const Mode lm = kHmModes[i];
    const auto mi = static_cast<std::size_t>(lm.m);
    mode.lm = lm;
    const std::complex<double> qnm_lm = ringdown(lm.l, lm.m);
    const double rho = qnm_22.real() / qnm_lm.real();
    const double tau = qnm_lm.imag() / qnm_22.imag();
    const bool is_22 = lm.l == 2 && lm.m == 2;
    mode.phase_model = is_22 ? backbone_ : backbone_.widened(rho, tau);
    mode.amplitude_map = make_map<FrequencyMap>(lm.m, rho, qnm_lm.real(), qnm_22.real(), true);
    mode.phase_map = make_map<FrequencyMap>(lm.m, rho, qnm_lm.real(), qnm_22.real(), false);
    for (std::size_t r = 0; r < 3; ++r) mode.phase_inverse_slope[r] = 1.0 / mode.phase_map.a[r];
    mode.third_scale = constants.third_scale[mi];
    mode.inverse_third_scale = constants.inverse_third_scale[mi];
    mode.inverse_sixth_scale = constants.inverse_sixth_scale[mi];
    mode.log_scale = constants.log_scale[mi];

    double coefficient = 1.0;
    if (lm.l == 2 && lm.m == 1) {
      mode.h21[0] = delta;
      mode.h21[1] = 1.5 * (chi_a + delta * chi_s);
      mode.h21[2] = delta * (335.0 / 672.0 + eta * 117.0 / 56.0);
      mode.h21[3] = chi_a * (3427.0 / 1344.0 - eta * 2101.0 / 336.0) +
                    delta * chi_s * (3427.0 / 1344.0 - eta * 965.0 / 336.0) - delta * kPi;
      mode.h21[4] = delta * (-0.5 - 2.0 * 0.69314718056);
      coefficient = (delta == 0.0 && chi_a == 0.0) ? 0.0 : 1.0;
    } else if (lm.l == 3 && lm.m == 3) {
      mode.power = 1;
      coefficient = std::abs(0.75 * std::sqrt(5.0 / 7.0) * delta);
    } else if (lm.l == 3 && lm.m == 2) {
      mode.power = 2;
      coefficient = std::abs((1.0 / 3.0) * std::sqrt(5.0 / 7.0) * (1.0 - 3.0 * eta));
    } else if (lm.l == 4 && lm.m == 4) {
      mode.power = 2;
      coefficient = std::abs((4.0 / 9.0) * std::sqrt(10.0 / 7.0) * (1.0 - 3.0 * eta));
    } else if (lm.l == 4 && lm.m == 3) {
      mode.power = 3;
      coefficient = std::abs(0.75 * std::sqrt(3.0 / 35.0) * delta * (1.0 - 2.0 * eta));
    }
    mode.vanishes = coefficient == 0.0;
    mode.amplitude_constant =
        amplitude_scale_ * coefficient * constants.pi_power[static_cast<std::size_t>(mode.power)];

    // Constants that make the mapped phase continuous across the map's regions.
    const FrequencyMap& map = mode.phase_map;
    const auto mapped = [&](double mf, int region) {
      const auto r = static_cast<std::size_t>(region);
      return mode.phase_model.phase(map.a[r] * mf + map.b[r]) / map.a[r];
    };
    mode.intermediate_offset = mapped(map.fi, 0) - mapped(map.fi, 1);
    mode.ringdown_offset = mapped(map.fr, 1) + mode.intermediate_offset - mapped(map.fr, 2);
    mode.phase_constant = kModePhaseShift[static_cast<std::size_t>(lm.m)];
  }
}

const PhenomHM::ModeModel& PhenomHM::model(Mode lm) const {
  for (const ModeModel& mode : modes_) {
    if (mode.lm == lm) return mode;
  }
  throw Error("IMRPhenomHM has no ({}, {}) mode", lm.l, lm.m);
}

void PhenomHM::prepare(std::span<const double> frequencies, Block& block) const {
  block.count = frequencies.size();
  for (std::size_t k = 0; k < block.count; ++k) block.mf[k] = total_mass_seconds_ * frequencies[k];
  cube_roots({block.mf, block.count}, block.third, block.inverse_third);
  for (std::size_t k = 0; k < block.count; ++k) {
    block.inverse_sixth[k] = fast::sqrt_core(block.inverse_third[k]);
  }
  logarithms({block.mf, block.count}, block.log_mf);
}

namespace {

// (√2/3)^{-2} |H_21(v)|² / v² of the (2,1) PN amplitude, h21 = {δ, c1, c2, c3, c4}.
inline double h21_squared(const double* h21, double v) {
  const double real = h21[0] + v * (-h21[1] + v * (h21[2] + v * h21[3]));
  const double imaginary = h21[4] * v * v * v;
  return real * real + imaginary * imaginary;
}

// v1 = (2π Mf)^{1/3} = kV1Scale Mf^{1/3}, v2 = (4π Mf)^{1/3} = kV2Scale Mf^{1/3}.
const double kV1Scale = std::cbrt(2.0 * kPi);
const double kV2Scale = std::cbrt(4.0 * kPi);

}  // namespace

// One mode at some points of a block, beyond the inspiral: without branches or library calls, so
// that GCC vectorises the loop, the regions of the frequency maps (and, for Region::kAny, of
// PhenomD) are all computed and the right ones selected. kAmplitude and kPhase name PhenomD's
// region when every point lies in it: then only that region's formula is computed (the
// selecting functions use the same ones, so the values do not depend on the grouping). In the
// maps' inspiral region x = y = 2 Mf/m, whose cube and sixth roots and logarithm follow from the
// block's; elsewhere they are computed per mode.
template <bool kIs21, PhenomHM::Region kAmplitude, PhenomHM::Region kPhase>
void PhenomHM::general_amplitude_phase(
    const ModeModel& mode, std::size_t count, const double* __restrict mf_values,
    const double* __restrict third, const double* __restrict inverse_third,
    const double* __restrict inverse_sixth, const double* __restrict log_mf,
    double* __restrict amplitude, double* __restrict phase) const {
  // A local copy of the model: GCC computes each region's formula only where it is selected
  // (masked), and loads from a local object may be done unconditionally and hoisted, while
  // masked loads of the coefficients through a pointer would stop the vectoriser.
  const PhenomD model = mode.phase_model;  // its amplitude is the backbone's
  // The maps' constants as locals: selecting between them then needs no (conditional) loads.
  const FrequencyMap amplitude_map = mode.amplitude_map;
  const FrequencyMap phase_map = mode.phase_map;
  const double third_scale = mode.third_scale;
  const double inverse_third_scale = mode.inverse_third_scale;
  const double inverse_sixth_scale = mode.inverse_sixth_scale;
  const double log_scale = mode.log_scale;
  const double intermediate_offset = mode.intermediate_offset;
  const double ringdown_offset = mode.ringdown_offset;
  const double m_phi0 = mode.lm.m * phi0_;
  const double t0 = t0_;
  const double mf_reference = mf_reference_;
  const double amplitude_scale = amplitude_scale_;
  const double amplitude_constant = mode.amplitude_constant;
  const double phase_constant = mode.phase_constant;
  const double inverse_slopes[3] = {mode.phase_inverse_slope[0], mode.phase_inverse_slope[1],
                                    mode.phase_inverse_slope[2]};
  double h21[5];
  std::copy(std::begin(mode.h21), std::end(mode.h21), h21);
  // s^p as a product of three factors that are s or 1 (exactly)
  const double e1 = mode.power >= 1 ? 1.0 : 0.0;
  const double e2 = mode.power >= 2 ? 1.0 : 0.0;
  const double e3 = mode.power >= 3 ? 1.0 : 0.0;
  for (std::size_t k = 0; k < count; ++k) {
    const double mf = mf_values[k];
    const double t = third[k];

    // Amplitude at the amplitude-mapped x: amp0Func x^{−7/6} a(x) times the PN factor.
    const bool amplitude_beyond_inspiral = mf > amplitude_map.fi;
    const bool amplitude_ringdown = mf > amplitude_map.fr;
    const double x = (amplitude_ringdown
                          ? amplitude_map.a[2]
                          : (amplitude_beyond_inspiral ? amplitude_map.a[1] : amplitude_map.a[0])) *
                         mf +
                     (amplitude_ringdown
                          ? amplitude_map.b[2]
                          : (amplitude_beyond_inspiral ? amplitude_map.b[1] : amplitude_map.b[0]));
    // x^{1/3}, x^{−1/3}, x^{−1/6}: in the inspiral region x = 2 Mf/m.
    double s_own = 0.0;
    double inverse_s_own = 0.0;
    fast::cbrt_and_inverse_core(x, s_own, inverse_s_own);
    const double s = amplitude_beyond_inspiral ? s_own : third_scale * t;
    const double inverse_s =
        amplitude_beyond_inspiral ? inverse_s_own : inverse_third_scale * inverse_third[k];
    const double inverse_x_sixth = amplitude_beyond_inspiral
                                       ? fast::sqrt_core(inverse_s_own)
                                       : inverse_sixth_scale * inverse_sixth[k];
    double region_shape = 0.0;
    if constexpr (kAmplitude == Region::kAny) {
      region_shape = model.amplitude_shape(x, s);
    } else if constexpr (kAmplitude == Region::kIntermediate) {
      region_shape = model.intermediate_amplitude(x);
    } else {
      region_shape = model.ringdown_amplitude(x);
    }
    const double shape = region_shape * (inverse_s * inverse_s * inverse_s * inverse_x_sixth);
    double value = 0.0;
    if constexpr (kIs21) {
      // β |h_21(x)|/|h_22(x)| = |H(v1)| |H(v3)| / |H(v2)|, v1 = (2π Mf)^{1/3},
      // v2 = (4π Mf)^{1/3}, v3 = (2π x)^{1/3}; zero where |H(v1)| is. v1 v3 / v2 = c s.
      const double v1 = kV1Scale * t;
      const double v2 = kV2Scale * t;
      const double v3 = kV1Scale * s;
      const double g1 = h21_squared(h21, v1);
      const double ratio = (std::sqrt(2.0) / 3.0) * (kV1Scale * kV1Scale / kV2Scale * s) *
                           fast::sqrt_core(g1 * h21_squared(h21, v3) / h21_squared(h21, v2));
      value = g1 == 0.0 ? 0.0 : amplitude_scale * ratio * shape;
    } else {
      const double s_power = (e1 * s + (1.0 - e1)) * (e2 * s + (1.0 - e2)) * (e3 * s + (1.0 - e3));
      value = amplitude_constant * s_power * shape;
    }

    // Phase: PhenomD's (widened) phase at the phase-mapped y, divided by the map's slope, made
    // continuous across the map's regions.
    const bool phase_beyond_inspiral = mf > phase_map.fi;
    const bool phase_ringdown = mf > phase_map.fr;
    const double slope =
        phase_ringdown ? phase_map.a[2] : (phase_beyond_inspiral ? phase_map.a[1] : phase_map.a[0]);
    const double inverse_slope =
        phase_ringdown ? inverse_slopes[2]
                       : (phase_beyond_inspiral ? inverse_slopes[1] : inverse_slopes[0]);
    const double y =
        slope * mf + (phase_ringdown ? phase_map.b[2]
                                     : (phase_beyond_inspiral ? phase_map.b[1] : phase_map.b[0]));
    double region_phase = 0.0;
    if constexpr (kPhase == Region::kRingdown) {
      region_phase = model.ringdown_phase_at(y, 1.0 / y);
    } else {
      const double log_y = phase_beyond_inspiral ? fast::log_core(y) : log_scale + log_mf[k];
      if constexpr (kPhase == Region::kIntermediate) {
        region_phase = model.intermediate_phase_at(y, 1.0 / y, log_y);
      } else {
        double y_third_own = 0.0;
        double inverse_y_third_own = 0.0;
        fast::cbrt_and_inverse_core(y, y_third_own, inverse_y_third_own);
        const double y_third = phase_beyond_inspiral ? y_third_own : third_scale * t;
        const double inverse_y_third =
            phase_beyond_inspiral ? inverse_y_third_own : inverse_third_scale * inverse_third[k];
        region_phase = model.phase(y, y_third, inverse_y_third, log_y);
      }
    }
    const double mapped = region_phase * inverse_slope;
    const double offset =
        phase_ringdown ? ringdown_offset : (phase_beyond_inspiral ? intermediate_offset : 0.0);
    const double mode_phase = (phase_constant + mapped) + offset;
    const double total_phase = -t0 * (mf - mf_reference) + mode_phase - m_phi0;

    // Zero at and below Mf = 0 and where x reaches PhenomD's end.
    const bool zero = (mf <= 0.0) | (x >= kCutoff);
    amplitude[k] = zero ? 0.0 : value;
    phase[k] = zero ? 0.0 : total_phase;
  }
}

// One mode at the points of a block where both its amplitude and its phase are in the
// inspiral: Mf ≤ f_i of the amplitude map, where both maps are x = y = 2 Mf/m, and x below
// PhenomD's amplitude join (then y is below the phase join). Vectorised; the inspiral formulas
// alone cost a fraction of general_amplitude_phase. Writes every point: zeros where the mode is
// zero (Mf ≤ 0, x ≥ 0.2), the inspiral where it applies, values of no meaning elsewhere.
template <bool kIs21>
void PhenomHM::inspiral_amplitude_phase(
    const ModeModel& mode, std::size_t count, const double* __restrict mf_values,
    const double* __restrict third, const double* __restrict inverse_third,
    const double* __restrict inverse_sixth, const double* __restrict log_mf,
    double* __restrict amplitude, double* __restrict phase, double* __restrict group_code) const {
  const PhenomD model = mode.phase_model;  // a local copy: see general_amplitude_phase
  const FrequencyMap amplitude_map = mode.amplitude_map;
  const FrequencyMap phase_map = mode.phase_map;
  const double peak = model.peak_amplitude_frequency();
  const double ringdown_start = model.ringdown_phase_start();
  const double a0 = mode.phase_map.a[0];
  const double inverse_a0 = mode.phase_inverse_slope[0];
  const double third_scale = mode.third_scale;
  const double inverse_third_scale = mode.inverse_third_scale;
  const double inverse_sixth_scale = mode.inverse_sixth_scale;
  const double log_scale = mode.log_scale;
  const double m_phi0 = mode.lm.m * phi0_;
  const double t0 = t0_;
  const double mf_reference = mf_reference_;
  const double amplitude_scale = amplitude_scale_;
  const double amplitude_constant = mode.amplitude_constant;
  const double phase_constant = mode.phase_constant;
  double h21[5];
  std::copy(std::begin(mode.h21), std::end(mode.h21), h21);
  const double e1 = mode.power >= 1 ? 1.0 : 0.0;
  const double e2 = mode.power >= 2 ? 1.0 : 0.0;
  const double e3 = mode.power >= 3 ? 1.0 : 0.0;
  for (std::size_t k = 0; k < count; ++k) {
    const double mf = mf_values[k];
    const double t = third[k];
    const double x = a0 * mf;
    const double s = third_scale * t;
    const double inverse_s = inverse_third_scale * inverse_third[k];
    const double shape =
        model.inspiral_amplitude(x, s) *
        (inverse_s * inverse_s * inverse_s * (inverse_sixth_scale * inverse_sixth[k]));
    double value = 0.0;
    if constexpr (kIs21) {
      // β |h_21(x)|/|h_22(x)| = |H(v1)| |H(v3)| / |H(v2)| reduces to |H(v1)| here (v3 = v2).
      const double v1 = kV1Scale * t;
      value = amplitude_scale * (std::sqrt(2.0) / 3.0) * v1 *
              fast::sqrt_core(h21_squared(h21, v1)) * shape;
    } else {
      const double s_power = (e1 * s + (1.0 - e1)) * (e2 * s + (1.0 - e2)) * (e3 * s + (1.0 - e3));
      value = amplitude_constant * s_power * shape;
    }
    const double mapped = model.inspiral_phase(x, s, inverse_s, log_scale + log_mf[k]) * inverse_a0;
    const double total_phase = -t0 * (mf - mf_reference) + (phase_constant + mapped) - m_phi0;

    // x in the amplitude map's region, selected by 0/1 weights (exact: one term is the value,
    // the others 0): selects here would become branches GCC does not if-convert, as the
    // comparison with 0.2 may raise a floating-point exception.
    const double beyond_inspiral = mf > amplitude_map.fi ? 1.0 : 0.0;
    const double ringdown = mf > amplitude_map.fr ? 1.0 : 0.0;
    const double x_any =
        (1.0 - beyond_inspiral) * x +
        (beyond_inspiral - ringdown) * (amplitude_map.a[1] * mf + amplitude_map.b[1]) +
        ringdown * (amplitude_map.a[2] * mf + amplitude_map.b[2]);
    const bool zero = (mf <= 0.0) | (x_any >= kCutoff);
    amplitude[k] = zero ? 0.0 : value;
    phase[k] = zero ? 0.0 : total_phase;

    // The group of a point beyond the inspiral (general_function), −1 where this is final (as
    // doubles: GCC does not vectorise int or bool stores here); y from the phase map as x.
    const double phase_beyond_inspiral = mf > phase_map.fi ? 1.0 : 0.0;
    const double phase_ringdown = mf > phase_map.fr ? 1.0 : 0.0;
    const double y_any =
        (1.0 - phase_beyond_inspiral) * x +
        (phase_beyond_inspiral - phase_ringdown) * (phase_map.a[1] * mf + phase_map.b[1]) +
        phase_ringdown * (phase_map.a[2] * mf + phase_map.b[2]);
    const double one_region = (x_any >= kPhenomDAmplitudeInspiralJoin ? 1.0 : 0.0) *
                              (y_any >= kPhenomDPhaseInspiralJoin ? 1.0 : 0.0);
    const double region_group = (x_any >= peak ? 2.0 : 0.0) + (y_any >= ringdown_start ? 1.0 : 0.0);
    const double group = one_region * region_group + (1.0 - one_region) * kAnyGroup;
    // 1 where this pass is final (zero, or the inspiral), combined by arithmetic on 0/1 values:
    // GCC does not vectorise selects on combinations of comparisons here.
    const double inspiral =
        (x < kPhenomDAmplitudeInspiralJoin ? 1.0 : 0.0) * (1.0 - beyond_inspiral);
    const double done = zero ? 1.0 : inspiral;
    group_code[k] = (1.0 - done) * group - done;
  }
}

// Whether a mode is non-zero anywhere in a block (most of a uniform grid lies beyond the end of
// the modes): 0 < Mf and x < 0.2, x from the amplitude map as in inspiral_amplitude_phase.
bool PhenomHM::any_nonzero(const ModeModel& mode, const Block& block) {
  const FrequencyMap map = mode.amplitude_map;
  std::size_t inside = 0;
  for (std::size_t k = 0; k < block.count; ++k) {
    const double mf = block.mf[k];
    const double beyond_inspiral = mf > map.fi ? 1.0 : 0.0;
    const double ringdown = mf > map.fr ? 1.0 : 0.0;
    const double x = (1.0 - beyond_inspiral) * (map.a[0] * mf) +
                     (beyond_inspiral - ringdown) * (map.a[1] * mf + map.b[1]) +
                     ringdown * (map.a[2] * mf + map.b[2]);
    inside += ((mf > 0.0) & (x < kCutoff)) ? 1 : 0;
  }
  return inside > 0;
}

PhenomHM::Points PhenomHM::points(const Block& block, std::size_t first, std::size_t count) {
  return {count,
          block.mf + first,
          block.third + first,
          block.inverse_third + first,
          block.inverse_sixth + first,
          block.log_mf + first};
}

void PhenomHM::amplitude_phase(Mode lm, const Block& block, double* amplitude,
                               double* phase) const {
  const ModeModel& mode = model(lm);
  const std::size_t n = block.count;
  if (mode.vanishes) {
    std::fill(amplitude, amplitude + n, 0.0);
    std::fill(phase, phase + n, 0.0);
    return;
  }
  if (!any_nonzero(mode, block)) {
    std::fill(amplitude, amplitude + n, 0.0);
    std::fill(phase, phase + n, 0.0);
    return;
  }
  const bool is_21 = lm.l == 2 && lm.m == 1;
  const auto inspiral = is_21 ? &PhenomHM::inspiral_amplitude_phase<true>
                              : &PhenomHM::inspiral_amplitude_phase<false>;
  double group_code[kBlock];
  (this->*inspiral)(mode, n, block.mf, block.third, block.inverse_third, block.inverse_sixth,
                    block.log_mf, amplitude, phase, group_code);
  // The points beyond the inspiral, grouped by PhenomD's regions of their amplitude and phase
  // (anything else, e.g. a mapped phase still in the inspiral, in a group of its own), each
  // group in place when its points are contiguous (sorted frequencies), else gathered.
  // The span of the points left (the inspiral before it, zeros after it for sorted frequencies),
  // then per group a count (vectorised) and its first and last member: a loop that tracked every
  // group at once cost more than the rest of this function.
  std::size_t low = 0;
  while (low < n && group_code[low] < 0.0) ++low;
  if (low == n) return;
  std::size_t high = n - 1;
  while (group_code[high] < 0.0) --high;
  for (int g = 0; g < static_cast<int>(kGroups); ++g) {
    const auto code = static_cast<double>(g);
    std::size_t count = 0;
    for (std::size_t k = low; k <= high; ++k) count += group_code[k] == code ? 1 : 0;
    if (count == 0) continue;
    std::size_t first = low;
    while (group_code[first] != code) ++first;
    std::size_t last = high;
    while (group_code[last] != code) --last;
    const auto general = general_function(is_21, g);
    if (last + 1 - first == count) {
      const Points part = points(block, first, count);
      (this->*general)(mode, part.count, part.mf, part.third, part.inverse_third,
                       part.inverse_sixth, part.log_mf, amplitude + first, phase + first);
      continue;
    }
    Block rest;
    std::size_t index[kBlock];
    std::size_t j = 0;
    for (std::size_t k = first; k <= last; ++k) {
      if (group_code[k] != code) continue;
      index[j] = k;
      rest.mf[j] = block.mf[k];
      rest.third[j] = block.third[k];
      rest.inverse_third[j] = block.inverse_third[k];
      rest.inverse_sixth[j] = block.inverse_sixth[k];
      rest.log_mf[j] = block.log_mf[k];
      ++j;
    }
    double rest_amplitude[kBlock];
    double rest_phase[kBlock];
    (this->*general)(mode, count, rest.mf, rest.third, rest.inverse_third, rest.inverse_sixth,
                     rest.log_mf, rest_amplitude, rest_phase);
    for (j = 0; j < count; ++j) {
      amplitude[index[j]] = rest_amplitude[j];
      phase[index[j]] = rest_phase[j];
    }
  }
}

// The general evaluation for a group: 0 intermediate amplitude and phase, 1 intermediate
// amplitude and ringdown phase, 2 ringdown amplitude and intermediate phase, 3 both ringdown,
// kAnyGroup every region.
PhenomHM::GeneralFunction PhenomHM::general_function(bool is_21, int group) {
  using R = Region;
  static constexpr GeneralFunction kFunctions[2][kGroups] = {
      {&PhenomHM::general_amplitude_phase<false, R::kIntermediate, R::kIntermediate>,
       &PhenomHM::general_amplitude_phase<false, R::kIntermediate, R::kRingdown>,
       &PhenomHM::general_amplitude_phase<false, R::kRingdown, R::kIntermediate>,
       &PhenomHM::general_amplitude_phase<false, R::kRingdown, R::kRingdown>,
       &PhenomHM::general_amplitude_phase<false, R::kAny, R::kAny>},
      {&PhenomHM::general_amplitude_phase<true, R::kIntermediate, R::kIntermediate>,
       &PhenomHM::general_amplitude_phase<true, R::kIntermediate, R::kRingdown>,
       &PhenomHM::general_amplitude_phase<true, R::kRingdown, R::kIntermediate>,
       &PhenomHM::general_amplitude_phase<true, R::kRingdown, R::kRingdown>,
       &PhenomHM::general_amplitude_phase<true, R::kAny, R::kAny>}};
  return kFunctions[is_21 ? 1 : 0][group];
}

void PhenomHM::mode(Mode lm, std::span<const double> frequencies,
                    std::span<std::complex<double>> out) const {
  model(lm);  // throws for a mode the model does not have
  Block block;
  double amplitude[kBlock];
  double phase[kBlock];
  for (std::size_t start = 0; start < frequencies.size(); start += kBlock) {
    const std::size_t count = std::min(kBlock, frequencies.size() - start);
    prepare(frequencies.subspan(start, count), block);
    amplitude_phase(lm, block, amplitude, phase);
    store_mode({amplitude, count}, {phase, count}, out.subspan(start, count));
  }
}

}  // namespace dotpe::waveform
