#include "dotpe/likelihood/single_detector_kernel.hpp"

#include <cmath>
#include <limits>
#include <numbers>

#include "dotpe/core/error.hpp"

namespace dotpe::likelihood {
namespace {

Eigen::Index as_index(std::size_t n) {
  return static_cast<Eigen::Index>(n);
}

}  // namespace

double polarisation_fit_lnlike(double dh_plus, double dh_cross, double a, double b, double c) {
  const double det = a * c - b * b;
  // Relative test: a numerically rank-one hh (h× ≡ 0, or h× ∝ h+) has det ≈ 0 at rounding level.
  if (a > 0.0 && c > 0.0 && det > 1e-10 * a * c) {
    return 0.5 * (c * dh_plus * dh_plus - 2.0 * b * dh_plus * dh_cross + a * dh_cross * dh_cross) /
           det;
  }
  // Bad input (a NaN waveform) stays visible as NaN; the callers' maxima skip NaN.
  if (std::isnan(dh_plus + dh_cross + a + b + c)) return std::numeric_limits<double>::quiet_NaN();
  double best = 0.0;
  if (a > 0.0) best = std::max(best, 0.5 * dh_plus * dh_plus / a);
  if (c > 0.0) best = std::max(best, 0.5 * dh_cross * dh_cross / c);
  return best;
}

std::vector<Complex> time_grid_phasors(std::span<const double> fbin,
                                       std::span<const double> times) {
  std::vector<Complex> phasors(fbin.size() * times.size());
  for (std::size_t b = 0; b < fbin.size(); ++b) {
    for (std::size_t t = 0; t < times.size(); ++t) {
      phasors[b * times.size() + t] = std::polar(1.0, -2.0 * std::numbers::pi * fbin[b] * times[t]);
    }
  }
  return phasors;
}

SingleDetectorKernel::SingleDetectorKernel(const SummaryWeights& weights, double asd_drift,
                                           std::size_t n_phi)
    : n_m_(weights.n_modes),
      n_mm_(weights.n_mode_pairs()),
      n_b_(weights.n_nodes),
      n_phi_(n_phi),
      pairs_(mode_pairs(weights.n_modes)) {
  require(weights.n_detectors == 1,
          "single-detector kernel: the summary weights hold {} detectors; pass "
          "SummaryWeights::single_detector(d)",
          weights.n_detectors);
  require(std::isfinite(asd_drift) && asd_drift > 0.0,
          "single-detector kernel: ASD drift {} is not a positive number", asd_drift);
  require(n_phi >= 1, "single-detector kernel: n_phi must be at least 1, got {}", n_phi);
  require(weights.dh.size() == n_m_ * 2 * n_b_ && weights.hh.size() == n_mm_ * 4 * n_b_ &&
              weights.m_values.size() == n_m_,
          "single-detector kernel: summary weight arrays do not match their declared shape");
  const double inverse_sq = 1.0 / (asd_drift * asd_drift);
  for (const Complex w : weights.dh) dh_weights_.push_back(w * inverse_sq);
  for (const Complex w : weights.hh) hh_weights_.push_back(w * inverse_sq);
  dh_phase_.resize(as_index(n_phi), as_index(2 * n_m_));
  hh_phase_.resize(as_index(n_phi), as_index(2 * n_mm_));
  for (std::size_t o = 0; o < n_phi; ++o) {
    const double phi = 2.0 * std::numbers::pi * static_cast<double>(o) / static_cast<double>(n_phi);
    for (std::size_t m = 0; m < n_m_; ++m) {
      dh_phase_(as_index(o), as_index(m)) = std::cos(weights.m_values[m] * phi);
      dh_phase_(as_index(o), as_index(n_m_ + m)) = std::sin(weights.m_values[m] * phi);
    }
    for (std::size_t pair = 0; pair < n_mm_; ++pair) {
      const int delta =
          weights.m_values[pairs_[pair].first] - weights.m_values[pairs_[pair].second];
      hh_phase_(as_index(o), as_index(pair)) = std::cos(delta * phi);
      hh_phase_(as_index(o), as_index(n_mm_ + pair)) = -std::sin(delta * phi);
    }
  }
}

void SingleDetectorKernel::check(std::size_t n_i, std::span<const Complex> h, std::size_t n_t,
                                 std::span<const Complex> timeshift) const {
  require(h.size() == n_i * n_m_ * 2 * n_b_,
          "single-detector kernel: {} waveform values, expected n_i·n_m·2·n_b = {}·{}·2·{}",
          h.size(), n_i, n_m_, n_b_);
  require(n_t > 0 && timeshift.size() == n_b_ * n_t,
          "single-detector kernel: {} time-shift values, expected n_b·n_t = {}·{} (n_t > 0)",
          timeshift.size(), n_b_, n_t);
}

ComplexRowMatrix SingleDetectorKernel::time_grid_product(std::size_t n_i,
                                                         std::span<const Complex> h,
                                                         std::size_t n_t,
                                                         std::span<const Complex> timeshift) const {
  check(n_i, h, n_t, timeshift);
  const std::size_t rows = n_i * n_m_ * 2;
  ComplexRowMatrix left(as_index(rows), as_index(n_b_));
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t mp = r % (n_m_ * 2);
    for (std::size_t b = 0; b < n_b_; ++b) {
      left(as_index(r), as_index(b)) = dh_weights_[mp * n_b_ + b] * std::conj(h[r * n_b_ + b]);
    }
  }
  const Eigen::Map<const ComplexRowMatrix> phasors(timeshift.data(), as_index(n_b_), as_index(n_t));
  ComplexRowMatrix product(as_index(rows), as_index(n_t));
  product.noalias() = left * phasors.conjugate();
  return product;
}

// Rows (i, M): columns [Re ++, Re ××, Re +×, Im ++, Im ××, Im +×]; +× symmetrised (halved sum).
RealRowMatrix SingleDetectorKernel::polarisation_matrices(std::size_t n_i,
                                                          std::span<const Complex> h) const {
  RealRowMatrix result(as_index(n_i * n_mm_), 6);
  for (std::size_t i = 0; i < n_i; ++i) {
    for (std::size_t pair = 0; pair < n_mm_; ++pair) {
      const auto [m, mm] = pairs_[pair];
      Complex sums[2][2] = {{0.0, 0.0}, {0.0, 0.0}};
      for (std::size_t p = 0; p < 2; ++p) {
        for (std::size_t pp = 0; pp < 2; ++pp) {
          // Eigen's packet arithmetic: std::complex products in a plain loop go through the
          // C99 NaN-checked multiply and do not vectorise.
          const Eigen::Map<const Eigen::ArrayXcd> w(
              hh_weights_.data() + ((pair * 2 + p) * 2 + pp) * n_b_, as_index(n_b_));
          const Eigen::Map<const Eigen::ArrayXcd> left(h.data() + ((i * n_m_ + m) * 2 + p) * n_b_,
                                                       as_index(n_b_));
          const Eigen::Map<const Eigen::ArrayXcd> right(
              h.data() + ((i * n_m_ + mm) * 2 + pp) * n_b_, as_index(n_b_));
          sums[p][pp] = (w * left * right.conjugate()).sum();
        }
      }
      const Complex parts[3] = {sums[0][0], sums[1][1], 0.5 * (sums[0][1] + sums[1][0])};
      for (std::size_t k = 0; k < 3; ++k) {
        result(as_index(i * n_mm_ + pair), as_index(k)) = parts[k].real();
        result(as_index(i * n_mm_ + pair), as_index(3 + k)) = parts[k].imag();
      }
    }
  }
  return result;
}

// Per-template phase grids from the GEMM output: dh (o × (t, p)) and hh (o × 3).
struct SingleDetectorKernel::Scratch {
  RealRowMatrix components, grid, pair_components, pair_grid;
};

void SingleDetectorKernel::phase_grids(std::size_t i, std::size_t n_t,
                                       const ComplexRowMatrix& product,
                                       const RealRowMatrix& polarisation, Scratch& scratch) const {
  scratch.components.resize(as_index(2 * n_m_), as_index(n_t * 2));
  scratch.pair_components.resize(as_index(2 * n_mm_), 3);
  for (std::size_t m = 0; m < n_m_; ++m) {
    for (std::size_t p = 0; p < 2; ++p) {
      const Complex* row = product.data() + ((i * n_m_ + m) * 2 + p) * n_t;
      for (std::size_t t = 0; t < n_t; ++t) {
        scratch.components(as_index(m), as_index(t * 2 + p)) = row[t].real();
        scratch.components(as_index(n_m_ + m), as_index(t * 2 + p)) = row[t].imag();
      }
    }
  }
  scratch.grid.noalias() = dh_phase_ * scratch.components;
  for (std::size_t pair = 0; pair < n_mm_; ++pair) {
    for (std::size_t k = 0; k < 3; ++k) {
      scratch.pair_components(as_index(pair), as_index(k)) =
          polarisation(as_index(i * n_mm_ + pair), as_index(k));
      scratch.pair_components(as_index(n_mm_ + pair), as_index(k)) =
          polarisation(as_index(i * n_mm_ + pair), as_index(3 + k));
    }
  }
  scratch.pair_grid.noalias() = hh_phase_ * scratch.pair_components;
}

void SingleDetectorKernel::inner_products(std::size_t n_i, std::span<const Complex> h,
                                          std::size_t n_t, std::span<const Complex> timeshift,
                                          std::vector<double>& dh, std::vector<double>& hh) const {
  const ComplexRowMatrix product = time_grid_product(n_i, h, n_t, timeshift);
  const RealRowMatrix polarisation = polarisation_matrices(n_i, h);
  dh.assign(n_i * n_phi_ * n_t * 2, 0.0);
  hh.assign(n_i * n_phi_ * 3, 0.0);
  Scratch scratch;
  for (std::size_t i = 0; i < n_i; ++i) {
    phase_grids(i, n_t, product, polarisation, scratch);
    std::copy(scratch.grid.data(), scratch.grid.data() + scratch.grid.size(),
              dh.begin() + static_cast<std::ptrdiff_t>(i * n_phi_ * n_t * 2));
    std::copy(scratch.pair_grid.data(), scratch.pair_grid.data() + scratch.pair_grid.size(),
              hh.begin() + static_cast<std::ptrdiff_t>(i * n_phi_ * 3));
  }
}

void SingleDetectorKernel::evaluate(std::size_t n_i, std::span<const Complex> h, std::size_t n_t,
                                    std::span<const Complex> timeshift,
                                    SingleDetectorResult& result) const {
  const ComplexRowMatrix product = time_grid_product(n_i, h, n_t, timeshift);
  const RealRowMatrix polarisation = polarisation_matrices(n_i, h);
  Scratch scratch;
  result.lnlike_max.assign(n_i, std::numeric_limits<double>::quiet_NaN());
  result.best_time_index.assign(n_i, 0);
  result.best_phase_index.assign(n_i, 0);
  std::vector<double> row(n_t);
  for (std::size_t i = 0; i < n_i; ++i) {
    phase_grids(i, n_t, product, polarisation, scratch);
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t o = 0; o < n_phi_; ++o) {
      const double* pol = scratch.pair_grid.data() + o * 3;
      const double* values = scratch.grid.data() + o * n_t * 2;
      const double a = pol[0], c = pol[1], b = pol[2];
      const double det = a * c - b * b;
      if (a > 0.0 && c > 0.0 && det > 1e-10 * a * c) {
        // hh does not depend on t: one inverse per (i, o), then a vectorisable quadratic form.
        const double qa = 0.5 * c / det, qb = -b / det, qc = 0.5 * a / det;
        for (std::size_t t = 0; t < n_t; ++t) {
          const double x = values[2 * t], y = values[2 * t + 1];
          row[t] = qa * x * x + qb * x * y + qc * y * y;
        }
      } else {
        for (std::size_t t = 0; t < n_t; ++t) {
          row[t] = polarisation_fit_lnlike(values[2 * t], values[2 * t + 1], a, b, c);
        }
      }
      double row_max = -std::numeric_limits<double>::infinity();
      // NaN entries are skipped (a comparison with NaN is false), as std::fmax would, without
      // a library call per element.
      for (std::size_t t = 0; t < n_t; ++t) row_max = row[t] > row_max ? row[t] : row_max;
      if (row_max > best) {
        best = row_max;
        result.best_phase_index[i] = o;
        for (std::size_t t = 0; t < n_t; ++t) {
          if (row[t] == row_max) {
            result.best_time_index[i] = t;
            break;
          }
        }
      }
    }
    if (best > -std::numeric_limits<double>::infinity()) result.lnlike_max[i] = best;
  }
}

}  // namespace dotpe::likelihood
