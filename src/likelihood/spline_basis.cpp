#include "dotpe/likelihood/spline_basis.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "dotpe/core/error.hpp"

namespace dotpe::likelihood {
namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void validate_nodes(const std::vector<double>& nodes, const std::string& source) {
  require(nodes.size() >= 4,
          "{}: a cubic spline basis needs at least 4 frequency nodes, got {}; use a denser "
          "node set",
          source, nodes.size());
  for (std::size_t b = 0; b < nodes.size(); ++b) {
    require(std::isfinite(nodes[b]) && nodes[b] >= 0.0,
            "{}: node {} is {}, but nodes must be finite non-negative frequencies in Hz", source, b,
            nodes[b]);
    require(b == 0 || nodes[b] > nodes[b - 1],
            "{}: nodes must be strictly increasing, but node {} ({} Hz) follows {} Hz", source, b,
            nodes[b], b == 0 ? 0.0 : nodes[b - 1]);
  }
}

// C with M = C·y for the not-a-knot cubic spline in second-derivative form: interior rows are
// the usual continuity of the first derivative, the first and last rows ask for a continuous
// third derivative at the second and the second-to-last node.
RowMatrix not_a_knot_second_derivative_map(const std::vector<double>& x) {
  const auto n = static_cast<Eigen::Index>(x.size());
  RowMatrix system = RowMatrix::Zero(n, n);
  RowMatrix rhs = RowMatrix::Zero(n, n);
  const auto width = [&x](Eigen::Index j) {
    return x[static_cast<std::size_t>(j + 1)] - x[static_cast<std::size_t>(j)];
  };
  system(0, 0) = -1.0 / width(0);
  system(0, 1) = 1.0 / width(0) + 1.0 / width(1);
  system(0, 2) = -1.0 / width(1);
  for (Eigen::Index j = 1; j + 1 < n; ++j) {
    const double left = width(j - 1);
    const double right = width(j);
    system(j, j - 1) = left / 6.0;
    system(j, j) = (left + right) / 3.0;
    system(j, j + 1) = right / 6.0;
    rhs(j, j + 1) = 1.0 / right;
    rhs(j, j) = -1.0 / right - 1.0 / left;
    rhs(j, j - 1) = 1.0 / left;
  }
  system(n - 1, n - 3) = -1.0 / width(n - 3);
  system(n - 1, n - 2) = 1.0 / width(n - 3) + 1.0 / width(n - 2);
  system(n - 1, n - 1) = -1.0 / width(n - 2);
  return system.partialPivLu().solve(rhs);
}

}  // namespace

SplineBasis::SplineBasis(std::vector<double> nodes, const std::string& source)
    : nodes_(std::move(nodes)) {
  validate_nodes(nodes_, source);
  const RowMatrix map = not_a_knot_second_derivative_map(nodes_);
  second_derivative_map_.assign(map.data(), map.data() + map.size());
}

std::ptrdiff_t SplineBasis::interval_of(double f) const {
  if (!(f >= nodes_.front() && f <= nodes_.back())) return -1;
  const auto upper = std::upper_bound(nodes_.begin(), nodes_.end(), f);
  const auto index = static_cast<std::ptrdiff_t>(upper - nodes_.begin()) - 1;
  return std::min(index, static_cast<std::ptrdiff_t>(nodes_.size()) - 2);
}

std::array<double, 4> SplineBasis::coefficients(std::size_t j, double f) const {
  const double h = nodes_[j + 1] - nodes_[j];
  const double t = (f - nodes_[j]) / h;
  const double a = 1.0 - t;
  return {a, t, (a * a * a - a) * h * h / 6.0, (t * t * t - t) * h * h / 6.0};
}

double SplineBasis::cardinal(std::size_t b, double f) const {
  std::vector<double> delta(nodes_.size(), 0.0);
  delta.at(b) = 1.0;
  return interpolate(delta, f);
}

double SplineBasis::interpolate(std::span<const double> values, double f) const {
  require(values.size() == nodes_.size(),
          "spline interpolation: got {} values for {} nodes; pass one value per node",
          values.size(), nodes_.size());
  const std::ptrdiff_t interval = interval_of(f);
  if (interval < 0) return 0.0;
  const auto j = static_cast<std::size_t>(interval);
  const std::size_t n = nodes_.size();
  double second_j = 0.0;
  double second_next = 0.0;
  for (std::size_t b = 0; b < n; ++b) {
    second_j += second_derivative_map_[j * n + b] * values[b];
    second_next += second_derivative_map_[(j + 1) * n + b] * values[b];
  }
  const auto c = coefficients(j, f);
  return c[0] * values[j] + c[1] * values[j + 1] + c[2] * second_j + c[3] * second_next;
}

SplineBasis::Projector SplineBasis::projector(std::span<const double> frequencies) const {
  Projector result;
  result.basis_ = this;
  result.interval_.resize(frequencies.size());
  result.coef_.resize(4 * frequencies.size());
  for (std::size_t k = 0; k < frequencies.size(); ++k) {
    const std::ptrdiff_t interval = interval_of(frequencies[k]);
    result.interval_[k] = interval;
    if (interval < 0) continue;
    const auto c = coefficients(static_cast<std::size_t>(interval), frequencies[k]);
    std::copy(c.begin(), c.end(), result.coef_.begin() + static_cast<std::ptrdiff_t>(4 * k));
  }
  return result;
}

void SplineBasis::Projector::project(std::span<const std::complex<double>> samples,
                                     std::span<std::complex<double>> summary) const {
  const std::size_t n = basis_->size();
  require(samples.size() == interval_.size() && summary.size() == n,
          "spline projection: got {} samples for {} frequencies and an output of {} for {} "
          "nodes; the arrays must match the projector",
          samples.size(), interval_.size(), summary.size(), n);
  // Σ_k g_k L_b(f_k) = Σ_k g_k (a_k δ_bj + t_k δ_b,j+1 + c_k C[j,b] + d_k C[j+1,b]).
  std::vector<std::complex<double>> value_part(n, 0.0);
  std::vector<std::complex<double>> curvature_part(n, 0.0);
  for (std::size_t k = 0; k < interval_.size(); ++k) {
    if (interval_[k] < 0) continue;
    const auto j = static_cast<std::size_t>(interval_[k]);
    const double* c = coef_.data() + 4 * k;
    value_part[j] += c[0] * samples[k];
    value_part[j + 1] += c[1] * samples[k];
    curvature_part[j] += c[2] * samples[k];
    curvature_part[j + 1] += c[3] * samples[k];
  }
  const std::vector<double>& map = basis_->second_derivative_map_;
  std::copy(value_part.begin(), value_part.end(), summary.begin());
  for (std::size_t j = 0; j < n; ++j) {
    const std::complex<double> e = curvature_part[j];
    if (e == 0.0) continue;
    const double* row = map.data() + j * n;
    for (std::size_t b = 0; b < n; ++b) summary[b] += e * row[b];
  }
}

}  // namespace dotpe::likelihood
