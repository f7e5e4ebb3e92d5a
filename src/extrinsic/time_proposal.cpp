#include "dotpe/extrinsic/time_proposal.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "dotpe/core/error.hpp"

namespace dotpe::extrinsic {
namespace {

// Added to the convolved delay prior before its logarithm (the reference's value): keeps the
// proposal of an inconsistent detector finite and flat instead of −∞.
constexpr double kDelayPriorFloor = 1e-10;

// softmax of x, in place.
void softmax(std::span<double> values) {
  const double peak = *std::max_element(values.begin(), values.end());
  double total = 0.0;
  for (double& value : values) {
    value = std::exp(value - peak);
    total += value;
  }
  for (double& value : values) value /= total;
}

std::vector<double> softmax_copy(std::span<const double> values) {
  std::vector<double> out(values.begin(), values.end());
  softmax(out);
  return out;
}

// out[t] = Σ_δ p[t − δ] kernel[δ − low] over the grid (what a bin's distribution becomes after a
// delay δ drawn from the kernel).
std::vector<double> delayed(std::span<const double> p, std::span<const double> kernel, long low) {
  const long n_t = static_cast<long>(p.size());
  std::vector<double> out(p.size(), 0.0);
  for (std::size_t j = 0; j < kernel.size(); ++j) {
    if (kernel[j] == 0.0) continue;
    const long delay = low + static_cast<long>(j);
    for (long t = std::max(0L, delay); t < std::min(n_t, n_t + delay); ++t) {
      out[static_cast<std::size_t>(t)] += p[static_cast<std::size_t>(t - delay)] * kernel[j];
    }
  }
  return out;
}

void add_log_with_floor(std::span<double> ln_p, std::span<const double> prior) {
  for (std::size_t t = 0; t < ln_p.size(); ++t) ln_p[t] += std::log(prior[t] + kDelayPriorFloor);
}

}  // namespace

std::vector<double> TimeGrid::times() const {
  std::vector<double> out(size);
  for (std::size_t k = 0; k < size; ++k) out[k] = time(k);
  return out;
}

TimeGrid TimeGrid::centred(double centre, double half_window, double sampling_rate) {
  require(std::isfinite(centre) && half_window > 0.0 && sampling_rate > 0.0,
          "time grid: centre {} s must be finite, half window {} s and sampling rate {} Hz "
          "positive",
          centre, half_window, sampling_rate);
  // The 1e-9 guards against 2w·f_s landing a rounding error above an integer.
  const auto size = static_cast<std::size_t>(std::ceil(2.0 * half_window * sampling_rate - 1e-9));
  return {centre - half_window, sampling_rate, size};
}

TimeProposal::TimeProposal(TimeGrid grid, std::size_t n_detectors,
                           std::vector<double> probabilities)
    : grid_(grid), n_detectors_(n_detectors), probabilities_(std::move(probabilities)) {
  require(grid_.size > 0 && grid_.sampling_rate > 0.0,
          "time proposal: the time grid needs at least one bin and a positive sampling rate");
  require(probabilities_.size() == n_detectors_ * grid_.size,
          "time proposal: {} probabilities, expected n_detectors · n_times = {} · {}",
          probabilities_.size(), n_detectors_, grid_.size);
  cdf_.resize(probabilities_.size());
  for (std::size_t d = 0; d < n_detectors_; ++d) {
    const auto row = std::span(probabilities_).subspan(d * grid_.size, grid_.size);
    for (std::size_t k = 0; k < row.size(); ++k) {
      require(std::isfinite(row[k]) && row[k] > 0.0,
              "time proposal: detector {} bin {} has probability {}; every bin must be positive "
              "and finite (use a defensive fraction > 0)",
              d, k, row[k]);
    }
    const double total = std::accumulate(row.begin(), row.end(), 0.0);
    for (double& value : row) value /= total;
    const auto cdf = std::span(cdf_).subspan(d * grid_.size, grid_.size);
    std::partial_sum(row.begin(), row.end(), cdf.begin());
    cdf.back() = 1.0;  // u < 1 then always lands in a bin
  }
}

TimeProposal TimeProposal::uniform(TimeGrid grid, std::size_t n_detectors) {
  return TimeProposal(grid, n_detectors, std::vector<double>(n_detectors * grid.size, 1.0));
}

std::size_t TimeProposal::draw(std::size_t d, double u) const {
  const auto cdf = std::span(cdf_).subspan(d * grid_.size, grid_.size);
  // First bin with CDF > u: its probability is CDF(k) − CDF(k−1) > 0.
  const auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
  return std::min(static_cast<std::size_t>(it - cdf.begin()), grid_.size - 1);
}

std::vector<double> incoherent_chi2(const likelihood::TimeGridWeights& weights,
                                    std::span<const double> asd_drift, std::size_t n_templates,
                                    std::span<const std::complex<double>> templates) {
  const std::size_t n_m = weights.n_modes, n_t = weights.n_times, n_d = weights.n_detectors,
                    n_b = weights.n_nodes;
  require(templates.size() == n_templates * n_m * 2 * n_b,
          "time proposal: {} template values, expected n_templates · n_m · 2 · n_b = {} · {} · 2 "
          "· {}",
          templates.size(), n_templates, n_m, n_b);
  require(asd_drift.empty() || asd_drift.size() == n_d,
          "time proposal: {} ASD-drift values for {} detectors", asd_drift.size(), n_d);
  const auto pairs = likelihood::mode_pairs(n_m);
  std::vector<std::size_t> diagonal(n_m);
  for (std::size_t pair = 0; pair < pairs.size(); ++pair) {
    if (pairs[pair].first == pairs[pair].second) diagonal[pairs[pair].first] = pair;
  }
  std::vector<double> inverse_drift_sq(n_d, 1.0);
  for (std::size_t d = 0; d < n_d && !asd_drift.empty(); ++d) {
    inverse_drift_sq[d] = 1.0 / (asd_drift[d] * asd_drift[d]);
  }
  // Σ_{m,p} |dh_{m,p}(t)| and hh per (template, detector); dh for every time and template of
  // one (m, d) is a single complex GEMM (n_t × n_b)·(n_b × 2K): the plain loop with
  // std::complex products neither vectorised nor reused the weights across templates.
  std::vector<double> abs_dh(n_templates * n_d * n_t, 0.0);  // [k][d][t]
  std::vector<double> hh(n_templates * n_d, 0.0);            // [k][d]
  using ComplexMatrix = Eigen::Matrix<std::complex<double>, Eigen::Dynamic, Eigen::Dynamic>;
  using RowMajorComplexMatrix =
      Eigen::Matrix<std::complex<double>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const auto n_columns = static_cast<Eigen::Index>(2 * n_templates);
  ComplexMatrix conj_h(static_cast<Eigen::Index>(n_b), n_columns);
  for (std::size_t m = 0; m < n_m; ++m) {
    for (std::size_t k = 0; k < n_templates; ++k) {
      for (std::size_t p = 0; p < 2; ++p) {
        const auto hmp = templates.subspan(((k * n_m + m) * 2 + p) * n_b, n_b);
        for (std::size_t b = 0; b < n_b; ++b) {
          conj_h(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(2 * k + p)) =
              std::conj(hmp[b]);
        }
      }
    }
    for (std::size_t d = 0; d < n_d; ++d) {
      // Rows t of dh[m, t, d, ·] are n_d·n_b apart.
      const Eigen::Map<const RowMajorComplexMatrix, 0, Eigen::OuterStride<>> dh_weights(
          &weights.dh[weights.dh_index(m, 0, d, 0)], static_cast<Eigen::Index>(n_t),
          static_cast<Eigen::Index>(n_b),
          Eigen::OuterStride<>(static_cast<Eigen::Index>(n_d * n_b)));
      const ComplexMatrix dh = dh_weights * conj_h;
      const auto* hh_weights = &weights.hh[weights.hh_index(diagonal[m], d, 0)];
      for (std::size_t k = 0; k < n_templates; ++k) {
        double* row = &abs_dh[(k * n_d + d) * n_t];
        for (std::size_t p = 0; p < 2; ++p) {
          const auto column = static_cast<Eigen::Index>(2 * k + p);
          for (std::size_t t = 0; t < n_t; ++t) {
            row[t] += std::abs(dh(static_cast<Eigen::Index>(t), column)) * inverse_drift_sq[d];
          }
          for (std::size_t b = 0; b < n_b; ++b) {
            hh[k * n_d + d] +=
                (hh_weights[b] * std::norm(conj_h(static_cast<Eigen::Index>(b), column))).real();
          }
        }
      }
    }
  }
  std::vector<double> chi2(n_templates * n_d * n_t, 0.0);
  for (std::size_t kd = 0; kd < n_templates * n_d; ++kd) {
    const double norm = hh[kd] * inverse_drift_sq[kd % n_d];
    for (std::size_t t = 0; t < n_t; ++t) {
      const double value = abs_dh[kd * n_t + t];
      chi2[kd * n_t + t] = norm > 0.0 ? value * value / norm : 0.0;
    }
  }
  return chi2;
}

void apply_delay_prior(std::span<double> ln_probabilities, std::size_t n_times,
                       const SkyDictionary& sky) {
  const std::size_t n_d = sky.n_detectors();
  require(ln_probabilities.size() == n_d * n_times && n_times > 0,
          "delay prior: {} log-probabilities, expected n_detectors · n_times = {} · {}",
          ln_probabilities.size(), n_d, n_times);
  if (n_d < 2) return;
  const auto row = [&](std::size_t d) { return ln_probabilities.subspan(d * n_times, n_times); };
  std::vector<double> peak(n_d);
  for (std::size_t d = 0; d < n_d; ++d) peak[d] = *std::max_element(row(d).begin(), row(d).end());
  std::vector<std::size_t> order(n_d);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return peak[a] > peak[b]; });

  const auto p0 = softmax_copy(row(order[0]));
  const std::size_t pair_order[2] = {order[0], order[1]};
  const DelayHistogram h01 = sky.detectability_weighted_delays(pair_order);
  add_log_with_floor(row(order[1]), delayed(p0, h01.probability, h01.low[0]));
  if (n_d < 3) return;

  // Lag distribution c(δ01) = Σ_t P0(t) P1(t + δ01) over the dictionary's δ01 range, then the
  // o0→o2 delay prior marginalised over it with the joint histogram.
  const auto p1 = softmax_copy(row(order[1]));
  const std::size_t triple_order[3] = {order[0], order[1], order[2]};
  const DelayHistogram h012 = sky.detectability_weighted_delays(triple_order);
  const std::size_t n01 = h012.axis_size(0), n02 = h012.axis_size(1);
  std::vector<double> prior02(n02, 0.0);
  const long n_t = static_cast<long>(n_times);
  for (std::size_t i = 0; i < n01; ++i) {
    const long lag = h012.low[0] + static_cast<long>(i);
    double c = 0.0;
    for (long t = std::max(0L, -lag); t < std::min(n_t, n_t - lag); ++t) {
      c += p0[static_cast<std::size_t>(t)] * p1[static_cast<std::size_t>(t + lag)];
    }
    for (std::size_t j = 0; j < n02; ++j) prior02[j] += c * h012.probability[i * n02 + j];
  }
  add_log_with_floor(row(order[2]), delayed(p0, prior02, h012.low[1]));
}

TimeProposal make_time_proposal(TimeGrid grid, std::size_t n_detectors, std::size_t n_templates,
                                std::span<const double> chi2, const TimeProposalSettings& settings,
                                const SkyDictionary& sky) {
  const std::size_t n_t = grid.size;
  require(settings.defensive_fraction > 0.0 && settings.defensive_fraction <= 1.0,
          "time proposal: defensive fraction {} must be in (0, 1] so that the proposal covers "
          "the whole time window (the default is 0.05)",
          settings.defensive_fraction);
  require(std::isfinite(settings.beta) && settings.beta >= 0.0,
          "time proposal: beta {} must be finite and non-negative (the default is 0.5)",
          settings.beta);
  require(chi2.size() == n_templates * n_detectors * n_t,
          "time proposal: {} χ² values, expected n_templates · n_detectors · n_times = {} · {} · "
          "{}",
          chi2.size(), n_templates, n_detectors, n_t);
  require(sky.n_detectors() == n_detectors && sky.sampling_rate() == grid.sampling_rate,
          "time proposal: the sky dictionary has {} detectors at {} Hz, the time grid {} at {} "
          "Hz; build both from the same settings",
          sky.n_detectors(), sky.sampling_rate(), n_detectors, grid.sampling_rate);
  const double floor = settings.defensive_fraction / static_cast<double>(n_t);
  std::vector<double> probabilities(n_detectors * n_t,
                                    n_templates == 0 ? 1.0 / static_cast<double>(n_t) : floor);
  if (n_templates == 0) return TimeProposal(grid, n_detectors, std::move(probabilities));
  const double template_share =
      (1.0 - settings.defensive_fraction) / static_cast<double>(n_templates);
  std::vector<double> ln_p(n_detectors * n_t);
  for (std::size_t k = 0; k < n_templates; ++k) {
    const auto chi2_k = chi2.subspan(k * n_detectors * n_t, n_detectors * n_t);
    for (std::size_t i = 0; i < ln_p.size(); ++i) ln_p[i] = 0.5 * settings.beta * chi2_k[i];
    if (settings.apply_delay_prior) apply_delay_prior(ln_p, n_t, sky);
    for (std::size_t d = 0; d < n_detectors; ++d) {
      const auto row = std::span(ln_p).subspan(d * n_t, n_t);
      softmax(row);
      for (std::size_t t = 0; t < n_t; ++t) probabilities[d * n_t + t] += template_share * row[t];
    }
  }
  return TimeProposal(grid, n_detectors, std::move(probabilities));
}

}  // namespace dotpe::extrinsic
