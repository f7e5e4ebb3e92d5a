#include "dotpe/likelihood/distance_marginalization.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

#include "dotpe/core/error.hpp"

namespace dotpe::likelihood {
namespace {

constexpr double kMinusInf = -std::numeric_limits<double>::infinity();

// Table grid: q = ln s1 + s1 (logarithmic for faint templates, linear for loud ones, where the
// integrand's lower cut moves through a Gaussian of unit width in s), and z = dh/‖h‖.
constexpr double kQMin = -12.0;
constexpr double kQMax = 23.0;
constexpr std::size_t kNq = 701;
constexpr double kZMin = -20.0;
constexpr double kZMax = 120.0;
constexpr std::size_t kNz = 2801;
constexpr double kQStep = (kQMax - kQMin) / static_cast<double>(kNq - 1);
constexpr double kZStep = (kZMax - kZMin) / static_cast<double>(kNz - 1);

// Beyond max(s, z) + kTail the integrand has fallen by more than e^-800: nothing is lost.
constexpr double kTail = 40.0;
// Sub-panel limits: a Gaussian of unit width in s is resolved by 8 nodes per 0.25 in s.
constexpr double kMaxPanelLog = 0.1;
constexpr double kMaxPanelWidth = 0.25;

// 8-point Gauss-Legendre on [-1, 1].
constexpr std::array<double, 4> kGaussNodes = {0.1834346424956498, 0.5255324099163290,
                                               0.7966664774136267, 0.9602898564975363};
constexpr std::array<double, 4> kGaussWeights = {0.3626837833783620, 0.3137066458778873,
                                                 0.2223810344533745, 0.1012285362903763};

double log_add(double a, double b) {
  if (a == kMinusInf) return b;
  if (b == kMinusInf) return a;
  const double high = std::max(a, b);
  return high + std::log1p(std::exp(-std::abs(a - b)));
}

// ln of the integrand of K in the variable ξ = ln s: z s − s²/2 − 3 ln s.
double log_integrand(double log_s, double z) {
  const double s = std::exp(log_s);
  return z * s - 0.5 * s * s - 3.0 * log_s;
}

// ln ∫_{log_a}^{log_b} exp(log_integrand) dξ on one sub-panel (8-point Gauss-Legendre).
double log_gauss_panel(double log_a, double log_b, double z) {
  const double half = 0.5 * (log_b - log_a);
  const double mid = 0.5 * (log_b + log_a);
  std::array<double, 8> terms{};
  for (std::size_t k = 0; k < 4; ++k) {
    const double log_w = std::log(kGaussWeights[k] * half);
    terms[2 * k] = log_w + log_integrand(mid - half * kGaussNodes[k], z);
    terms[2 * k + 1] = log_w + log_integrand(mid + half * kGaussNodes[k], z);
  }
  const double high = *std::max_element(terms.begin(), terms.end());
  if (high == kMinusInf) return kMinusInf;
  double sum = 0.0;
  for (const double term : terms) sum += std::exp(term - high);
  return high + std::log(sum);
}

std::size_t sub_panel_count(double a, double b) {
  const double log_width = std::log(b / a);
  const double count = std::max(log_width / kMaxPanelLog, b * log_width / kMaxPanelWidth);
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(count)));
}

// ln ∫_a^b s⁻⁴ exp(z s − s²/2) ds for 0 < a < b.
double log_integral(double a, double b, double z) {
  const std::size_t count = sub_panel_count(a, b);
  const double log_a = std::log(a);
  const double step = (std::log(b) - log_a) / static_cast<double>(count);
  double total = kMinusInf;
  for (std::size_t k = 0; k < count; ++k) {
    const double lo = log_a + step * static_cast<double>(k);
    total = log_add(total, log_gauss_panel(lo, lo + step, z));
  }
  return total;
}

double upper_limit(double s1, double z) {
  return std::max(s1, z) + kTail;
}

// For a loud template (z > 60) everything below z − kTail is negligible: the peak mass is
// ≈ e^{z²/2}/z⁴ ≥ e^{1780}, while the faint-template mass near s1 is ≈ s1⁻³/3 ≤ e^{1150} for
// any s1 = √hh/Dmax with hh a positive double (hh ≥ 5e-324), and the integrand in between is
// below e^-800 of the peak. Skipping it keeps the direct quadrature O(1) in z.
double lower_limit(double s1, double z) {
  return z > 60.0 && z - kTail > s1 ? z - kTail : s1;
}

// K(s1, z) by direct quadrature.
double log_k_exact(double s1, double z) {
  return log_integral(lower_limit(s1, z), upper_limit(s1, z), z);
}

// Solves ξ + e^ξ = q (Newton from the right: the function is convex and increasing).
double log_s1_from_q(double q) {
  double log_s = q;
  for (int iteration = 0; iteration < 200; ++iteration) {
    const double e = std::exp(log_s);
    const double update = (log_s + e - q) / (1.0 + e);
    log_s -= update;
    if (std::abs(update) < 1e-15 * std::max(1.0, std::abs(log_s))) break;
  }
  return log_s;
}

struct Magnitudes {
  double norm_h;  // ‖h‖ = √hh
  double z;       // dh/‖h‖
  double s1;      // ‖h‖/Dmax
};

Magnitudes magnitudes(double dh, double hh, double max_distance, const char* caller) {
  require(std::isfinite(dh) && std::isfinite(hh),
          "distance marginalisation ({}): inner products must be finite, got dh={} hh={}; "
          "check the summary weights and waveforms for NaN/inf",
          caller, dh, hh);
  require(hh > 0.0,
          "distance marginalisation ({}): hh must be positive, got {} (dh={}); a template with "
          "zero norm carries no distance information",
          caller, hh, dh);
  const double norm_h = std::sqrt(hh);
  return {norm_h, dh / norm_h, norm_h / max_distance};
}

// Cubic Lagrange weights for the 4 nodes at offsets -1, 0, 1, 2 from the cell start, at
// fractional position t in [0, 1] (or beyond at the table edges).
std::array<double, 4> cubic_weights(double t) {
  return {-t * (t - 1.0) * (t - 2.0) / 6.0, (t + 1.0) * (t - 1.0) * (t - 2.0) / 2.0,
          -(t + 1.0) * t * (t - 2.0) / 2.0, (t + 1.0) * t * (t - 1.0) / 6.0};
}

// First node of the 4-point stencil around `position` (in units of the step) and the
// fractional offset from the stencil's second node.
std::pair<std::size_t, double> stencil(double position, std::size_t count) {
  const auto cell = static_cast<std::ptrdiff_t>(std::floor(position));
  const std::ptrdiff_t first =
      std::clamp<std::ptrdiff_t>(cell - 1, 0, static_cast<std::ptrdiff_t>(count) - 4);
  return {static_cast<std::size_t>(first), position - static_cast<double>(first + 1)};
}

// The Gauss-Legendre nodes of log_integral(a, b, ·) for one interval, which do not depend on z:
// s, and ln(weight) + ln s (the Jacobian of ξ = ln s) − 3 ln s, so that the integrand's log is
// z·s − s²/2 + offset. Built once; each z then costs one exp per node.
struct PanelNodes {
  std::vector<double> s;
  std::vector<double> offset;
};

PanelNodes panel_nodes(double a, double b) {
  PanelNodes nodes;
  const std::size_t count = sub_panel_count(a, b);
  const double log_a = std::log(a);
  const double step = (std::log(b) - log_a) / static_cast<double>(count);
  for (std::size_t k = 0; k < count; ++k) {
    const double mid = log_a + step * (static_cast<double>(k) + 0.5);
    for (std::size_t g = 0; g < 4; ++g) {
      for (const double sign : {-1.0, 1.0}) {
        const double log_s = mid + sign * 0.5 * step * kGaussNodes[g];
        nodes.s.push_back(std::exp(log_s));
        nodes.offset.push_back(std::log(kGaussWeights[g] * 0.5 * step) - 3.0 * log_s);
      }
    }
  }
  return nodes;
}

double log_integral(const PanelNodes& nodes, double z, std::vector<double>& scratch) {
  scratch.resize(nodes.s.size());
  double high = kMinusInf;
  for (std::size_t j = 0; j < nodes.s.size(); ++j) {
    const double s = nodes.s[j];
    scratch[j] = z * s - 0.5 * s * s + nodes.offset[j];
    high = std::max(high, scratch[j]);
  }
  if (high == kMinusInf) return kMinusInf;
  double sum = 0.0;
  for (const double term : scratch) sum += std::exp(term - high);
  return high + std::log(sum);
}

}  // namespace

DistanceMarginalization::DistanceMarginalization(double max_distance_mpc)
    : max_distance_(max_distance_mpc) {
  require(std::isfinite(max_distance_mpc) && max_distance_mpc > 0.0,
          "distance marginalisation: the maximum distance must be a positive number of Mpc, "
          "got {}",
          max_distance_mpc);
  // The integral is split at s1 + 1: the faint-template mass near s1 (∝ s1⁻³) and the peak
  // near s = z can both dominate, and ln of their sum changes on a scale of 1/z in z, far
  // too fast for the grid; each part alone is smooth on the grid and their ⊕ is exact.
  std::vector<double> points(2 * kNq);  // s1 nodes, then s1 + 1
  for (std::size_t iq = 0; iq < kNq; ++iq) {
    points[iq] = std::exp(log_s1_from_q(kQMin + kQStep * static_cast<double>(iq)));
    points[kNq + iq] = points[iq] + 1.0;
  }
  std::vector<std::size_t> order(points.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::sort(order.begin(), order.end(),
            [&points](std::size_t a, std::size_t b) { return points[a] < points[b]; });
  // Quadrature nodes of every interval between consecutive points, shared by all z.
  std::vector<PanelNodes> intervals(order.size() - 1);
  for (std::size_t k = 0; k + 1 < order.size(); ++k) {
    const double lo = points[order[k]];
    const double hi = points[order[k + 1]];
    if (hi > lo) intervals[k] = panel_nodes(lo, hi);
  }
  std::vector<double> log_above(points.size());  // ln ∫_{point}^∞
  std::vector<double> scratch;
  low_table_.resize(kNq * kNz);
  high_table_.resize(kNq * kNz);
  for (std::size_t iz = 0; iz < kNz; ++iz) {
    const double z = kZMin + kZStep * static_cast<double>(iz);
    const double top = points[order.back()];
    double cumulative = log_integral(top, upper_limit(top, z), z);
    log_above[order.back()] = cumulative;
    for (std::size_t k = order.size() - 1; k-- > 0;) {
      if (!intervals[k].s.empty()) {
        cumulative = log_add(cumulative, log_integral(intervals[k], z, scratch));
      }
      log_above[order[k]] = cumulative;
    }
    for (std::size_t iq = 0; iq < kNq; ++iq) {
      const double all = log_above[iq];
      const double high = log_above[kNq + iq];
      // ln(e^all − e^high); when the peak holds all but a rounding error of the mass, the low
      // part is floored far below it (its share of the total is then below 1e-16 anyway).
      const double ratio = std::exp(high - all);
      high_table_[iz * kNq + iq] = high;
      low_table_[iz * kNq + iq] = ratio < 1.0 - 1e-15 ? all + std::log1p(-ratio) : all - 36.0;
    }
  }
}

bool DistanceMarginalization::in_table(double dh, double hh) const {
  if (!(hh > 0.0) || !std::isfinite(dh) || !std::isfinite(hh)) return false;
  const double norm_h = std::sqrt(hh);
  const double z = dh / norm_h;
  const double s1 = norm_h / max_distance_;
  const double q = std::log(s1) + s1;
  return q >= kQMin && q <= kQMax && z >= kZMin && z <= kZMax;
}

double DistanceMarginalization::interpolate(double q, double z) const {
  const auto [q_first, q_offset] = stencil((q - kQMin) / kQStep, kNq);
  const auto [z_first, z_offset] = stencil((z - kZMin) / kZStep, kNz);
  const std::array<double, 4> q_weights = cubic_weights(q_offset);
  const std::array<double, 4> z_weights = cubic_weights(z_offset);
  double low = 0.0;
  double high = 0.0;
  for (std::size_t a = 0; a < 4; ++a) {
    const std::size_t offset = (z_first + a) * kNq + q_first;
    const double* low_row = low_table_.data() + offset;
    const double* high_row = high_table_.data() + offset;
    double low_along_q = 0.0;
    double high_along_q = 0.0;
    for (std::size_t b = 0; b < 4; ++b) {
      low_along_q += q_weights[b] * low_row[b];
      high_along_q += q_weights[b] * high_row[b];
    }
    low += z_weights[a] * low_along_q;
    high += z_weights[a] * high_along_q;
  }
  return log_add(low, high);
}

double DistanceMarginalization::lnlike_marginalized(double dh, double hh) const {
  if (dh == 0.0 && hh == 0.0) return 0.0;
  const Magnitudes mag = magnitudes(dh, hh, max_distance_, "lnlike_marginalized");
  const double log_s1 = std::log(mag.s1);
  const double q = log_s1 + mag.s1;
  const bool inside = q >= kQMin && q <= kQMax && mag.z >= kZMin && mag.z <= kZMax;
  const double log_k = inside ? interpolate(q, mag.z) : log_k_exact(mag.s1, mag.z);
  return std::log(3.0) + 3.0 * log_s1 + log_k;
}

void DistanceMarginalization::lnlike_marginalized(std::span<const double> dh,
                                                  std::span<const double> hh,
                                                  std::span<double> out) const {
  require(dh.size() == hh.size() && out.size() == dh.size(),
          "distance marginalisation: dh, hh and the output have {}, {} and {} values; they "
          "must have the same length",
          dh.size(), hh.size(), out.size());
  for (std::size_t k = 0; k < dh.size(); ++k) out[k] = lnlike_marginalized(dh[k], hh[k]);
}

double DistanceMarginalization::lnlike_marginalized_exact(double dh, double hh) const {
  return likelihood::lnlike_marginalized_exact(dh, hh, max_distance_);
}

double DistanceMarginalization::sample_distance(double dh, double hh, RngStream& rng) const {
  return sample_luminosity_distance(dh, hh, rng, max_distance_);
}

double lnlike_marginalized_exact(double dh, double hh, double max_distance_mpc) {
  if (dh == 0.0 && hh == 0.0) return 0.0;
  const Magnitudes mag = magnitudes(dh, hh, max_distance_mpc, "lnlike_marginalized_exact");
  return std::log(3.0) + 3.0 * std::log(mag.s1) + log_k_exact(mag.s1, mag.z);
}

double sample_luminosity_distance(double dh, double hh, RngStream& rng, double max_distance_mpc) {
  const Magnitudes mag = magnitudes(dh, hh, max_distance_mpc, "sample_distance");
  // Panels in s = ‖h‖/D with their log masses; then the inverse CDF.
  const double top = upper_limit(mag.s1, mag.z);
  const double bottom = lower_limit(mag.s1, mag.z);
  const std::size_t count = sub_panel_count(bottom, top);
  const double log_a = std::log(bottom);
  const double step = (std::log(top) - log_a) / static_cast<double>(count);
  std::vector<double> log_cumulative(count);
  double total = kMinusInf;
  for (std::size_t k = 0; k < count; ++k) {
    const double lo = log_a + step * static_cast<double>(k);
    total = log_add(total, log_gauss_panel(lo, lo + step, mag.z));
    log_cumulative[k] = total;
  }
  // Target mass U·total, located from the top so that masses far below the peak keep accuracy.
  const double log_target = total + std::log(rng.uniform_open());
  const auto panel = static_cast<std::size_t>(
      std::lower_bound(log_cumulative.begin(), log_cumulative.end(), log_target) -
      log_cumulative.begin());
  const std::size_t k = std::min(panel, count - 1);
  const double lo = log_a + step * static_cast<double>(k);
  const double below = k == 0 ? kMinusInf : log_cumulative[k - 1];
  // Bisection on the partial panel mass: mass(lo, x) solves below ⊕ mass = target.
  double left = lo;
  double right = lo + step;
  for (int iteration = 0; iteration < 60 && right - left > 1e-14 * std::abs(right) + 1e-300;
       ++iteration) {
    const double middle = 0.5 * (left + right);
    const double mass = log_add(below, log_gauss_panel(lo, middle, mag.z));
    (mass < log_target ? left : right) = middle;
  }
  const double s = std::exp(0.5 * (left + right));
  return std::min(mag.norm_h / s, max_distance_mpc);
}

const DistanceMarginalization& default_distance_marginalization() {
  static const DistanceMarginalization table;
  return table;
}

}  // namespace dotpe::likelihood
