#include "dotpe/waveform/waveform.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "mode_kernels.hpp"
#include "phenomd.hpp"
#include "phenomhm.hpp"
#include "taylorf2.hpp"

namespace dotpe::waveform {

Approximant parse_approximant(std::string_view name) {
  if (name == "TaylorF2") return Approximant::TaylorF2;
  if (name == "IMRPhenomD") return Approximant::IMRPhenomD;
  if (name == "IMRPhenomHM") return Approximant::IMRPhenomHM;
  throw Error(
      "unknown or unsupported approximant '{}': dotpe provides TaylorF2, IMRPhenomD and "
      "IMRPhenomHM",
      name);
}

std::string approximant_name(Approximant approximant) {
  switch (approximant) {
    case Approximant::TaylorF2:
      return "TaylorF2";
    case Approximant::IMRPhenomD:
      return "IMRPhenomD";
    case Approximant::IMRPhenomHM:
      return "IMRPhenomHM";
  }
  return "unknown";
}

std::vector<Mode> harmonic_modes(Approximant approximant) {
  switch (approximant) {
    case Approximant::TaylorF2:
    case Approximant::IMRPhenomD:
      return {{2, 2}};
    case Approximant::IMRPhenomHM:
      return {{2, 2}, {2, 1}, {3, 3}, {3, 2}, {4, 4}, {4, 3}};  // LAL's order
  }
  return {};
}

std::vector<int> m_arr(const std::vector<Mode>& modes) {
  std::vector<int> values;
  for (const Mode& lm : modes) {
    if (std::find(values.begin(), values.end(), lm.m) == values.end()) values.push_back(lm.m);
  }
  return values;
}

std::vector<Mode> parse_modes(std::string_view text, Approximant approximant) {
  const auto available = harmonic_modes(approximant);
  if (text.empty() || text == "all") return available;
  std::vector<Mode> modes;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    require(item.size() == 2 && std::isdigit(static_cast<unsigned char>(item[0])) != 0 &&
                std::isdigit(static_cast<unsigned char>(item[1])) != 0,
            "mode '{}' should be written lm, e.g. 22 or 33", item);
    const Mode mode{item[0] - '0', item[1] - '0'};
    require(std::find(available.begin(), available.end(), mode) != available.end(),
            "{} has no ({}, {}) mode", approximant_name(approximant), mode.l, mode.m);
    require(std::find(modes.begin(), modes.end(), mode) == modes.end(), "mode {} is listed twice",
            item);
    modes.push_back(mode);
    start = comma + 1;
  }
  require(!modes.empty(), "no harmonic modes given");
  return modes;
}

void BinaryParameters::validate() const {
  require(std::isfinite(m1) && m1 > 0.0 && std::isfinite(m2) && m2 > 0.0,
          "masses must be positive, got m1 = {}, m2 = {}", m1, m2);
  for (const double spin : {s1z, s2z}) {
    require(std::abs(spin) <= 1.0, "aligned spins must lie in [-1, 1], got {}", spin);
  }
  require(s1x == 0.0 && s1y == 0.0 && s2x == 0.0 && s2y == 0.0,
          "the waveform models of dotpe are aligned-spin: in-plane spins must be 0 (got s1 = "
          "({}, {}), s2 = ({}, {}))",
          s1x, s1y, s2x, s2y);
  require(f_ref > 0.0, "f_ref must be positive, got {}", f_ref);
  require(distance > 0.0, "distance must be positive, got {} Mpc", distance);
}

double spin_weighted_harmonic(int l, int m_requested, double theta) {
  constexpr int s = -2;
  require(l >= 2 && l <= 15 && std::abs(m_requested) <= l,
          "no spin-weight -2 harmonic for (l, m) = ({}, {})", l, m_requested);
  // The Wigner-d sum below is written for the opposite sign of m, and LAL's convention differs
  // from it by (−1)^m.
  const int m = -m_requested;
  const double convention_sign = (m % 2 == 0) ? 1.0 : -1.0;
  // n! for n ≤ 2l ≤ 30 (exact in double up to 22!).
  constexpr auto factorials = [] {
    std::array<double, 31> values{};
    values[0] = 1.0;
    for (std::size_t n = 1; n < values.size(); ++n) {
      values[n] = values[n - 1] * static_cast<double>(n);
    }
    return values;
  }();
  const auto factorial = [&](int n) { return factorials[static_cast<std::size_t>(n)]; };
  // x^n for n ≥ 0 by multiplication.
  const auto power = [](double x, int n) {
    double value = 1.0;
    for (int k = 0; k < n; ++k) value *= x;
    return value;
  };
  // Wigner-d sum: sYlm = (−1)^{l+m} sqrt(...) Σ_k ... (the form LAL's general-l branch uses).
  const double cos_half = std::cos(0.5 * theta);
  const double sin_half = std::sin(0.5 * theta);
  const double prefactor =
      std::sqrt((2 * l + 1) / (4.0 * std::numbers::pi)) *
      std::sqrt(factorial(l + m) * factorial(l - m) * factorial(l + s) * factorial(l - s));
  const int k_min = std::max(0, m - s);
  const int k_max = std::min(l + m, l - s);
  double sum = 0.0;
  for (int k = k_min; k <= k_max; ++k) {
    const double denominator =
        factorial(k) * factorial(l + m - k) * factorial(l - s - k) * factorial(s - m + k);
    const double sign = (k % 2 == 0) ? 1.0 : -1.0;
    sum += sign * power(cos_half, 2 * l + m - s - 2 * k) * power(sin_half, 2 * k + s - m) /
           denominator;
  }
  return convention_sign * prefactor * sum;
}

void mode(Approximant approximant, const BinaryParameters& parameters, Mode lm,
          std::span<const double> frequencies, std::span<std::complex<double>> out) {
  parameters.validate();
  require(out.size() == frequencies.size(), "internal error: output size {} for {} frequencies",
          out.size(), frequencies.size());
  const auto modes = harmonic_modes(approximant);
  require(std::find(modes.begin(), modes.end(), lm) != modes.end(), "{} has no ({}, {}) mode",
          approximant_name(approximant), lm.l, lm.m);
  switch (approximant) {
    case Approximant::TaylorF2:
      taylorf2_mode_22(parameters, frequencies, out);
      return;
    case Approximant::IMRPhenomD:
      PhenomD(parameters).mode_22(parameters, frequencies, out);
      return;
    case Approximant::IMRPhenomHM:
      PhenomHM(parameters).mode(lm, frequencies, out);
      return;
  }
}

namespace {

// One mode's contribution to the polarisations of its m-group.
struct ModeTerm {
  Mode lm;
  std::size_t group = 0;
  std::complex<double> plus_factor;
  std::complex<double> cross_factor;
};

}  // namespace

void polarizations_by_m(Approximant approximant, const BinaryParameters& parameters,
                        const std::vector<Mode>& modes, std::span<const double> frequencies,
                        std::span<std::complex<double>> out) {
  parameters.validate();
  // The model's modes without allocating (harmonic_modes returns a vector).
  constexpr std::array<Mode, 6> kHmModes = {{{2, 2}, {2, 1}, {3, 3}, {3, 2}, {4, 4}, {4, 3}}};
  constexpr std::array<Mode, 1> k22 = {{{2, 2}}};
  const std::span<const Mode> available = approximant == Approximant::IMRPhenomHM
                                              ? std::span<const Mode>(kHmModes)
                                              : std::span<const Mode>(k22);
  constexpr std::size_t kMaxModes = 6;
  require(modes.size() <= kMaxModes, "{} modes given; no model has more than {}", modes.size(),
          kMaxModes);
  std::array<ModeTerm, kMaxModes> terms{};
  std::array<int, kMaxModes> groups{};
  std::size_t n_groups = 0;
  for (std::size_t i = 0; i < modes.size(); ++i) {
    const Mode lm = modes[i];
    require(std::find(available.begin(), available.end(), lm) != available.end(),
            "{} has no ({}, {}) mode", approximant_name(approximant), lm.l, lm.m);
    std::size_t g = 0;
    while (g < n_groups && groups[g] != lm.m) ++g;
    if (g == n_groups) groups[n_groups++] = lm.m;
    // h+ = Σ h_lm ½[Y_lm + (−1)^l Y*_{l,−m}], h× = Σ h_lm (−i/2)[Y_lm − (−1)^l Y*_{l,−m}], and
    // h_m(φ_ref, D) = e^{i m φ_ref} h_m(0, D): the modes carry the distance already.
    const double sign = (lm.l % 2 == 0) ? 1.0 : -1.0;
    const double y_plus = spin_weighted_harmonic(lm.l, lm.m, parameters.iota);
    const double y_minus = spin_weighted_harmonic(lm.l, -lm.m, parameters.iota);  // real at φ=0
    const std::complex<double> plus_factor = 0.5 * (y_plus + sign * y_minus);
    const std::complex<double> cross_factor =
        std::complex<double>(0.0, -0.5) * (y_plus - sign * y_minus);
    const std::complex<double> fast = std::polar(1.0, lm.m * parameters.phi_ref);
    terms[i] = {lm, g, plus_factor * fast, cross_factor * fast};
  }
  const std::size_t n_f = frequencies.size();
  require(out.size() == n_groups * 2 * n_f,
          "internal error: output size {} for {} groups x 2 x {} frequencies", out.size(), n_groups,
          n_f);
  std::fill(out.begin(), out.end(), std::complex<double>(0.0, 0.0));
  const std::span<const ModeTerm> used(terms.data(), modes.size());

  // Each model evaluates its modes as A e^{−iΦ} on blocks of frequencies; add_mode sums them.
  double amplitude[kBlock];
  double phase[kBlock];
  const auto add = [&](const ModeTerm& term, std::size_t start, std::size_t count) {
    add_mode({amplitude, count}, {phase, count}, term.plus_factor, term.cross_factor,
             out.data() + (term.group * 2 + 0) * n_f + start,
             out.data() + (term.group * 2 + 1) * n_f + start);
  };
  switch (approximant) {
    case Approximant::TaylorF2: {
      const TaylorF2 model(parameters);
      for (std::size_t start = 0; start < n_f; start += kBlock) {
        const std::size_t count = std::min(kBlock, n_f - start);
        model.amplitude_phase_22(frequencies.subspan(start, count), amplitude, phase);
        for (const ModeTerm& term : used) add(term, start, count);
      }
      return;
    }
    case Approximant::IMRPhenomD: {
      const PhenomD model(parameters);
      const PhenomD::Reference22 reference = model.reference_22(parameters);
      for (std::size_t start = 0; start < n_f; start += kBlock) {
        const std::size_t count = std::min(kBlock, n_f - start);
        model.amplitude_phase_22(reference, frequencies.subspan(start, count), amplitude, phase);
        for (const ModeTerm& term : used) add(term, start, count);
      }
      return;
    }
    case Approximant::IMRPhenomHM: {
      // The backbone and the modes' constants are set up once and shared.
      const PhenomHM model(parameters);
      PhenomHM::Block block;
      for (std::size_t start = 0; start < n_f; start += kBlock) {
        const std::size_t count = std::min(kBlock, n_f - start);
        model.prepare(frequencies.subspan(start, count), block);
        for (const ModeTerm& term : used) {
          model.amplitude_phase(term.lm, block, amplitude, phase);
          add(term, start, count);
        }
      }
      return;
    }
  }
}

}  // namespace dotpe::waveform
