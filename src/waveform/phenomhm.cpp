// IMRPhenomHM: London et al. 2018 (arXiv:1708.00404), as implemented in LALSimulation
// (LALSimIMRPhenomHM.c): every mode is IMRPhenomD's (2,2) model evaluated at a mapped frequency,
// its amplitude rescaled by ratios of post-Newtonian mode amplitudes and its merger-ringdown
// phase widened by ρ_lm = f_RD,22/f_RD,lm and τ_lm = f_damp,lm/f_damp,22. The mode's own ringdown
// frequencies come from fits to the Kerr quasi-normal modes (London & Fauchon-Jones 2019,
// arXiv:1810.03550); the (2,2) backbone uses IMRPhenomD's QNM table, as LAL does.
#include "phenomhm.hpp"

#include <array>
#include <cmath>
#include <numbers>
#include <optional>

#include "dotpe/core/error.hpp"
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

// PN mode amplitude |H_lm| times the leading frequency dependence, in units of the total mass
// (LAL's IMRPhenomHMOnePointFiveSpinPN, London 2017): used only through ratios.
double pn_mode_amplitude(double mf, int l, int m, double eta, double chi1, double chi2) {
  const double delta = std::sqrt(1.0 - 4.0 * eta);
  const double chi_s = 0.5 * (chi1 + chi2);
  const double chi_a = 0.5 * (chi1 - chi2);
  const double v = std::cbrt(2.0 * kPi * mf / m);
  const double v2 = v * v;
  const double v3 = v2 * v;
  double magnitude = 0.0;  // |H_lm|
  if (l == 2 && m == 2) {
    magnitude = 1.0;
  } else if (l == 2 && m == 1) {
    const double v4 = v3 * v;
    const std::complex<double> h =
        (std::sqrt(2.0) / 3.0) *
        (v * delta - v2 * 1.5 * (chi_a + delta * chi_s) +
         v3 * delta * (335.0 / 672.0 + eta * 117.0 / 56.0) +
         v4 * (chi_a * (3427.0 / 1344.0 - eta * 2101.0 / 336.0) +
               delta * chi_s * (3427.0 / 1344.0 - eta * 965.0 / 336.0) +
               delta * std::complex<double>(-kPi, -0.5 - 2.0 * 0.69314718056)));
    magnitude = std::abs(h);
  } else if (l == 3 && m == 3) {
    magnitude = std::abs(0.75 * std::sqrt(5.0 / 7.0) * v * delta);
  } else if (l == 3 && m == 2) {
    magnitude = std::abs((1.0 / 3.0) * std::sqrt(5.0 / 7.0) * v2 * (1.0 - 3.0 * eta));
  } else if (l == 4 && m == 4) {
    magnitude = std::abs((4.0 / 9.0) * std::sqrt(10.0 / 7.0) * v2 * (1.0 - 3.0 * eta));
  } else if (l == 4 && m == 3) {
    magnitude = std::abs(0.75 * std::sqrt(3.0 / 35.0) * v3 * delta * (1.0 - 2.0 * eta));
  }
  // v^{−7/2} as 1/(v³ √v): cheaper than pow.
  return kPi * std::sqrt(eta * 2.0 / 3.0) / (v3 * std::sqrt(v)) * magnitude;
}

// The piecewise-linear frequency map of a mode onto the (2,2) model (LAL
// IMRPhenomHMFreqDomainMapParams): slope and intercept in each of the three regions.
struct FrequencyMap {
  double fi = 0.0;  // inspiral end of the mode
  double fr = 0.0;  // ringdown frequency of the mode
  double a[3] = {};
  double b[3] = {};
  int region(double mf) const { return mf > fi ? (mf > fr ? 2 : 1) : 0; }
  double operator()(double mf) const {
    const int r = region(mf);
    return a[r] * mf + b[r];
  }
};

FrequencyMap make_map(int m, double rho, double f_rd_lm, double f_rd_22, bool amplitude) {
  FrequencyMap map;
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

std::complex<double> kerr_qnm_frequency(int l, int m, double spin) {
  for (const QnmFit& fit : kQnmFits) {
    if (fit.l != l || fit.m != m) continue;
    const double kappa = std::pow(std::log(2.0 - spin) / std::log(3.0), 1.0 / (2.0 + l - m));
    std::complex<double> sum = 0.0;
    double power = 1.0;
    for (int k = 0; k < fit.terms; ++k) {
      sum += std::polar(fit.magnitude[k], fit.phase[k]) * power;
      power *= kappa;
    }
    return fit.constant + (fit.times_kappa ? kappa : 1.0) * sum;
  }
  throw Error("no quasi-normal-mode fit for (l, m) = ({}, {})", l, m);
}

PhenomHM::PhenomHM(const BinaryParameters& parameters)
    : parameters_(parameters), backbone_(parameters) {
  const bool swap = parameters.m2 > parameters.m1;
  const double m1 = swap ? parameters.m2 : parameters.m1;
  const double m2 = swap ? parameters.m1 : parameters.m2;
  chi1_ = swap ? parameters.s2z : parameters.s1z;
  chi2_ = swap ? parameters.s1z : parameters.s2z;
  eta_ = std::min(0.25, m1 * m2 / ((m1 + m2) * (m1 + m2)));
  final_spin_ = PhenomD::final_spin(eta_, chi1_, chi2_);
  final_mass_ = 1.0 - PhenomD::radiated_energy(eta_, chi1_, chi2_);
}

void PhenomHM::mode(Mode lm, std::span<const double> frequencies,
                    std::span<std::complex<double>> out) const {
  const BinaryParameters& parameters = parameters_;
  const double eta = eta_;
  const double chi1 = chi1_;
  const double chi2 = chi2_;
  const double total = parameters.m1 + parameters.m2;
  const auto ringdown = [&](int l, int m) {
    return kerr_qnm_frequency(l, m, final_spin_) / (2.0 * kPi * final_mass_);
  };
  const std::complex<double> qnm_22 = ringdown(2, 2);
  const std::complex<double> qnm_lm = ringdown(lm.l, lm.m);
  const double rho = qnm_22.real() / qnm_lm.real();
  const double tau = qnm_lm.imag() / qnm_22.imag();

  const PhenomD& backbone = backbone_;
  const bool is_22 = lm.l == 2 && lm.m == 2;
  const std::optional<PhenomD> widened =
      is_22 ? std::nullopt : std::optional<PhenomD>(std::in_place, parameters, rho, tau);
  const PhenomD& mode_phase = is_22 ? backbone_ : *widened;
  const FrequencyMap amplitude_map = make_map(lm.m, rho, qnm_lm.real(), qnm_22.real(), true);
  const FrequencyMap phase_map = make_map(lm.m, rho, qnm_lm.real(), qnm_22.real(), false);

  // Constants that make the mapped phase continuous across the map's regions.
  const auto mapped = [&](double mf, int region) {
    return mode_phase.phase(phase_map.a[region] * mf + phase_map.b[region]) / phase_map.a[region];
  };
  const double intermediate_offset = mapped(phase_map.fi, 0) - mapped(phase_map.fi, 1);
  const double ringdown_offset =
      mapped(phase_map.fr, 1) + intermediate_offset - mapped(phase_map.fr, 2);

  const double total_seconds = backbone.total_mass_seconds();
  const double mf_reference = total_seconds * parameters.f_ref;
  const double phi0 = 0.5 * backbone.phase(mf_reference) + parameters.phi_ref * 0.0;
  const double t0 = backbone.peak_time();
  // LAL: amp0 = M² MRSUN MTSUN / distance (FD amplitude prefactor of the Phenom models).
  const double amplitude_scale = total * kSolarMassMetres * total * kSolarMassSeconds /
                                 (parameters.distance * kMegaparsecMetres);
  for (std::size_t k = 0; k < frequencies.size(); ++k) {
    const double mf = total_seconds * frequencies[k];
    const double mf_amplitude = amplitude_map(mf);
    if (mf <= 0.0 || mf_amplitude >= kCutoff) {
      out[k] = 0.0;
      continue;
    }
    const double pn_here = pn_mode_amplitude(mf, lm.l, lm.m, eta, chi1, chi2);
    if (pn_here == 0.0) {  // modes that vanish by symmetry (equal masses and spins)
      out[k] = 0.0;
      continue;
    }
    const double beta = pn_here / pn_mode_amplitude(2.0 * mf / lm.m, lm.l, lm.m, eta, chi1, chi2);
    const double rescale = pn_mode_amplitude(mf_amplitude, lm.l, lm.m, eta, chi1, chi2) /
                           pn_mode_amplitude(mf_amplitude, 2, 2, eta, 0.0, 0.0);
    const double amplitude = amplitude_scale * backbone.amplitude(mf_amplitude) * beta * rescale;

    const int region = phase_map.region(mf);
    double phase = kModePhaseShift[static_cast<std::size_t>(lm.m)] + mapped(mf, region);
    if (region == 1) phase += intermediate_offset;
    if (region == 2) phase += ringdown_offset;
    const double total_phase = -t0 * (mf - mf_reference) + phase - lm.m * phi0;
    out[k] = amplitude * std::polar(1.0, -total_phase);
  }
}

}  // namespace dotpe::waveform
