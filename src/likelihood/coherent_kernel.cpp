#include "dotpe/likelihood/coherent_kernel.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"

namespace dotpe::likelihood {
namespace {

// Symmetrised polarisation pairs: ++, ××, and +× together with ×+ (F_p F_P is symmetric).
constexpr std::size_t kPolarisationPairs = 3;

Eigen::Index as_index(std::size_t n) {
  return static_cast<Eigen::Index>(n);
}

}  // namespace

CoherentKernel::CoherentKernel(const SummaryWeights& weights, std::span<const double> asd_drift,
                               std::size_t n_phi, GemmPrecision precision)
    : n_d_(weights.n_detectors),
      n_m_(weights.n_modes),
      n_mm_(weights.n_mode_pairs()),
      n_b_(weights.n_nodes),
      n_phi_(n_phi),
      precision_(precision),
      m_values_(weights.m_values),
      hh_weights_(weights.hh),
      pairs_(mode_pairs(weights.n_modes)) {
  require(n_d_ > 0 && n_m_ > 0 && n_b_ > 0,
          "coherent kernel: summary weights are empty ({} detectors, {} modes, {} nodes)", n_d_,
          n_m_, n_b_);
  require(weights.dh.size() == n_d_ * n_m_ * 2 * n_b_ &&
              weights.hh.size() == n_d_ * n_mm_ * 4 * n_b_ && weights.m_values.size() == n_m_,
          "coherent kernel: summary weight arrays do not match their declared shape");
  require(asd_drift.size() == n_d_,
          "coherent kernel: got {} ASD-drift values for {} detectors; pass one per detector (1 "
          "for none)",
          asd_drift.size(), n_d_);
  require(n_phi >= 1, "coherent kernel: n_phi must be at least 1, got {}", n_phi);
  for (const double xi : asd_drift) {
    require(std::isfinite(xi) && xi > 0.0,
            "coherent kernel: ASD drift {} is not a positive number; check the event's noise "
            "estimate",
            xi);
    inverse_drift_sq_.push_back(1.0 / (xi * xi));
  }
  const std::size_t x_size = n_d_ * 2 * n_b_;
  dh_weights_.resize(as_index(n_m_), as_index(x_size));
  for (std::size_t d = 0; d < n_d_; ++d)
    for (std::size_t m = 0; m < n_m_; ++m)
      for (std::size_t p = 0; p < 2; ++p)
        for (std::size_t b = 0; b < n_b_; ++b)
          dh_weights_(as_index(m), as_index((d * 2 + p) * n_b_ + b)) =
              weights.dh[weights.dh_index(d, m, p, b)];

  for (const auto& [m, mm] : pairs_) {
    const int order = std::abs(weights.m_values[m] - weights.m_values[mm]);
    auto found = std::find(phase_orders_.begin(), phase_orders_.end(), order);
    if (found == phase_orders_.end()) {
      phase_orders_.push_back(order);
      found = phase_orders_.end() - 1;
    }
    pair_order_.push_back(static_cast<std::size_t>(found - phase_orders_.begin()));
  }
  const std::size_t n_k = phase_orders_.size();
  dh_phase_.resize(as_index(2 * n_m_), as_index(n_phi));
  hh_phase_.resize(as_index(2 * n_k), as_index(n_phi));
  for (std::size_t o = 0; o < n_phi; ++o) {
    const double phi = 2.0 * std::numbers::pi * static_cast<double>(o) / static_cast<double>(n_phi);
    for (std::size_t m = 0; m < n_m_; ++m) {
      const double angle = weights.m_values[m] * phi;
      dh_phase_(as_index(m), as_index(o)) = std::cos(angle);
      dh_phase_(as_index(n_m_ + m), as_index(o)) = std::sin(angle);
    }
    for (std::size_t k = 0; k < n_k; ++k) {
      const double angle = phase_orders_[k] * phi;
      hh_phase_(as_index(k), as_index(o)) = std::cos(angle);
      hh_phase_(as_index(n_k + k), as_index(o)) = -std::sin(angle);
    }
  }
}

CoherentIntrinsicBlock CoherentKernel::prepare_intrinsic(std::size_t n_i,
                                                         std::span<const Complex> h) const {
  require(h.size() == n_i * n_m_ * 2 * n_b_,
          "coherent kernel: intrinsic block has {} waveform values, expected n_i·n_m·2·n_b = "
          "{}·{}·2·{}",
          h.size(), n_i, n_m_, n_b_);
  CoherentIntrinsicBlock block;
  block.n_i = n_i;
  const std::size_t x_size = n_d_ * 2 * n_b_;
  block.dh_left.resize(as_index(n_i * n_m_), as_index(x_size));
  for (std::size_t i = 0; i < n_i; ++i) {
    for (std::size_t m = 0; m < n_m_; ++m) {
      const Complex* wave = h.data() + (i * n_m_ + m) * 2 * n_b_;
      Complex* row = block.dh_left.data() + (i * n_m_ + m) * x_size;
      const Complex* weight = dh_weights_.data() + m * x_size;
      for (std::size_t d = 0; d < n_d_; ++d) {
        const std::size_t offset = d * 2 * n_b_;
        for (std::size_t pb = 0; pb < 2 * n_b_; ++pb) {
          row[offset + pb] = weight[offset + pb] * std::conj(wave[pb]);
        }
      }
    }
  }
  if (precision_ == GemmPrecision::single_precision) {
    block.dh_left_single = block.dh_left.cast<ComplexFloat>();
    block.dh_left.resize(0, 0);
  }
  // Σ_b W_hh h conj(h) per (i, d, M, symmetrised p P), split into real and imaginary rows.
  block.hh_pairs.resize(as_index(n_i * n_mm_ * 2), as_index(n_d_ * kPolarisationPairs));
  for (std::size_t i = 0; i < n_i; ++i) {
    for (std::size_t pair = 0; pair < n_mm_; ++pair) {
      const auto [m, mm] = pairs_[pair];
      const Complex* left[2] = {h.data() + ((i * n_m_ + m) * 2) * n_b_,
                                h.data() + ((i * n_m_ + m) * 2 + 1) * n_b_};
      const Complex* right[2] = {h.data() + ((i * n_m_ + mm) * 2) * n_b_,
                                 h.data() + ((i * n_m_ + mm) * 2 + 1) * n_b_};
      for (std::size_t d = 0; d < n_d_; ++d) {
        Complex sums[2][2] = {{0.0, 0.0}, {0.0, 0.0}};
        for (std::size_t p = 0; p < 2; ++p) {
          for (std::size_t pp = 0; pp < 2; ++pp) {
            const Complex* w = hh_weights_.data() + (((d * n_mm_ + pair) * 2 + p) * 2 + pp) * n_b_;
            Complex sum = 0.0;
            for (std::size_t b = 0; b < n_b_; ++b)
              sum += w[b] * left[p][b] * std::conj(right[pp][b]);
            sums[p][pp] = sum;
          }
        }
        const Complex combined[kPolarisationPairs] = {sums[0][0], sums[1][1],
                                                      sums[0][1] + sums[1][0]};
        for (std::size_t c = 0; c < kPolarisationPairs; ++c) {
          const auto column = as_index(d * kPolarisationPairs + c);
          block.hh_pairs(as_index((i * n_mm_ + pair) * 2), column) = combined[c].real();
          block.hh_pairs(as_index((i * n_mm_ + pair) * 2 + 1), column) = combined[c].imag();
        }
      }
    }
  }
  // Group by k = |Δm|: Re(a e^{iΔmφ}) = Re(a' e^{ikφ}) with a' = a for Δm ≥ 0, conj(a) otherwise.
  const std::size_t n_k = phase_orders_.size();
  block.hh_left = RealRowMatrix::Zero(as_index(n_i * n_k * 2), block.hh_pairs.cols());
  for (std::size_t i = 0; i < n_i; ++i) {
    for (std::size_t pair = 0; pair < n_mm_; ++pair) {
      const auto [m, mm] = pairs_[pair];
      const double imag_sign = m_values_[m] >= m_values_[mm] ? 1.0 : -1.0;
      const auto source = as_index((i * n_mm_ + pair) * 2);
      const auto target = as_index((i * n_k + pair_order_[pair]) * 2);
      block.hh_left.row(target) += block.hh_pairs.row(source);
      block.hh_left.row(target + 1) += imag_sign * block.hh_pairs.row(source + 1);
    }
  }
  return block;
}

CoherentExtrinsicBlock CoherentKernel::prepare_extrinsic(std::size_t n_e,
                                                         std::span<const double> response,
                                                         std::span<const Complex> timeshift) const {
  require(response.size() == n_d_ * 2 * n_e && timeshift.size() == n_d_ * n_b_ * n_e,
          "coherent kernel: extrinsic block has {} response and {} time-shift values, expected "
          "n_d·2·n_e = {} and n_d·n_b·n_e = {}",
          response.size(), timeshift.size(), n_d_ * 2 * n_e, n_d_ * n_b_ * n_e);
  CoherentExtrinsicBlock block;
  block.n_e = n_e;
  block.dh_right.resize(as_index(n_d_ * 2 * n_b_), as_index(n_e));
  block.hh_right.resize(as_index(n_d_ * kPolarisationPairs), as_index(n_e));
  for (std::size_t e = 0; e < n_e; ++e) {
    Complex* column = block.dh_right.data() + e * n_d_ * 2 * n_b_;
    for (std::size_t d = 0; d < n_d_; ++d) {
      const double f_plus = response[(d * 2) * n_e + e] * inverse_drift_sq_[d];
      const double f_cross = response[(d * 2 + 1) * n_e + e] * inverse_drift_sq_[d];
      for (std::size_t b = 0; b < n_b_; ++b) {
        const Complex shift = std::conj(timeshift[(d * n_b_ + b) * n_e + e]);
        column[(d * 2) * n_b_ + b] = f_plus * shift;
        column[(d * 2 + 1) * n_b_ + b] = f_cross * shift;
      }
      const double raw_plus = response[(d * 2) * n_e + e];
      const double raw_cross = response[(d * 2 + 1) * n_e + e];
      block.hh_right(as_index(d * kPolarisationPairs), as_index(e)) = raw_plus * f_plus;
      block.hh_right(as_index(d * kPolarisationPairs + 1), as_index(e)) = raw_cross * f_cross;
      block.hh_right(as_index(d * kPolarisationPairs + 2), as_index(e)) = raw_plus * f_cross;
    }
  }
  if (precision_ == GemmPrecision::single_precision) {
    block.dh_right_single = block.dh_right.cast<ComplexFloat>();
    block.dh_right.resize(0, 0);
  }
  return block;
}

ComplexRowMatrix CoherentKernel::dh_product(const CoherentIntrinsicBlock& intrinsic,
                                            const CoherentExtrinsicBlock& extrinsic) const {
  if (precision_ == GemmPrecision::single_precision) {
    require(intrinsic.dh_left_single.cols() == extrinsic.dh_right_single.rows() &&
                intrinsic.dh_left_single.size() > 0,
            "coherent kernel: the intrinsic and extrinsic blocks were prepared for a different "
            "kernel (precision or shape)");
    ComplexFloatRowMatrix product(intrinsic.dh_left_single.rows(),
                                  extrinsic.dh_right_single.cols());
    product.noalias() = intrinsic.dh_left_single * extrinsic.dh_right_single;
    return product.cast<Complex>();
  }
  require(intrinsic.dh_left.cols() == extrinsic.dh_right.rows() && intrinsic.dh_left.size() > 0,
          "coherent kernel: the intrinsic and extrinsic blocks were prepared for a different "
          "kernel (precision or shape)");
  ComplexRowMatrix product(intrinsic.dh_left.rows(), extrinsic.dh_right.cols());
  product.noalias() = intrinsic.dh_left * extrinsic.dh_right;
  return product;
}

void CoherentKernel::mode_inner_products(const CoherentIntrinsicBlock& intrinsic,
                                         const CoherentExtrinsicBlock& extrinsic,
                                         std::vector<Complex>& dh, std::vector<Complex>& hh) const {
  const ComplexRowMatrix dh_modes = dh_product(intrinsic, extrinsic);
  const RealRowMatrix hh_parts = intrinsic.hh_pairs * extrinsic.hh_right;
  const std::size_t n_i = intrinsic.n_i;
  const std::size_t n_e = extrinsic.n_e;
  dh.assign(n_i * n_e * n_m_, 0.0);
  hh.assign(n_i * n_e * n_mm_, 0.0);
  for (std::size_t i = 0; i < n_i; ++i) {
    for (std::size_t e = 0; e < n_e; ++e) {
      for (std::size_t m = 0; m < n_m_; ++m) {
        dh[(i * n_e + e) * n_m_ + m] = dh_modes(as_index(i * n_m_ + m), as_index(e));
      }
      for (std::size_t pair = 0; pair < n_mm_; ++pair) {
        const auto row = as_index((i * n_mm_ + pair) * 2);
        hh[(i * n_e + e) * n_mm_ + pair] =
            Complex(hh_parts(row, as_index(e)), hh_parts(row + 1, as_index(e)));
      }
    }
  }
}

void CoherentKernel::evaluate(const CoherentIntrinsicBlock& intrinsic,
                              const CoherentExtrinsicBlock& extrinsic,
                              const std::function<void(const PhaseGridView&)>& consume) const {
  const std::size_t n_i = intrinsic.n_i;
  const std::size_t n_e = extrinsic.n_e;
  require(intrinsic.hh_left.cols() == extrinsic.hh_right.rows(),
          "coherent kernel: the intrinsic and extrinsic blocks were prepared for different "
          "kernels");
  // The one big product: dh[(i, m), e].
  const ComplexRowMatrix dh_modes = dh_product(intrinsic, extrinsic);
  const std::size_t n_k = phase_orders_.size();
  RealRowMatrix hh_parts(as_index(n_i * n_k * 2), as_index(n_e));
  hh_parts.noalias() = intrinsic.hh_left * extrinsic.hh_right;

  RealRowMatrix dh_components(as_index(n_e), as_index(2 * n_m_));
  RealRowMatrix hh_components(as_index(n_e), as_index(2 * n_k));
  RealRowMatrix dh_grid(as_index(n_e), as_index(n_phi_));
  RealRowMatrix hh_grid(as_index(n_e), as_index(n_phi_));
  std::vector<double> bestfit(n_e * n_phi_);
  for (std::size_t i = 0; i < n_i; ++i) {
    for (std::size_t m = 0; m < n_m_; ++m) {
      const Complex* row = dh_modes.data() + (i * n_m_ + m) * n_e;
      for (std::size_t e = 0; e < n_e; ++e) {
        dh_components(as_index(e), as_index(m)) = row[e].real();
        dh_components(as_index(e), as_index(n_m_ + m)) = row[e].imag();
      }
    }
    for (std::size_t k = 0; k < n_k; ++k) {
      const double* real_row = hh_parts.data() + ((i * n_k + k) * 2) * n_e;
      const double* imag_row = real_row + n_e;
      for (std::size_t e = 0; e < n_e; ++e) {
        hh_components(as_index(e), as_index(k)) = real_row[e];
        hh_components(as_index(e), as_index(n_k + k)) = imag_row[e];
      }
    }
    dh_grid.noalias() = dh_components * dh_phase_;
    hh_grid.noalias() = hh_components * hh_phase_;
    const double* dh_values = dh_grid.data();
    const double* hh_values = hh_grid.data();
    for (std::size_t k = 0; k < n_e * n_phi_; ++k) {
      const double dh = dh_values[k];
      // hh > 0 for any non-zero template; the guard keeps a degenerate one from giving inf.
      bestfit[k] = dh > 0.0 && hh_values[k] > 0.0 ? 0.5 * dh * dh / hh_values[k] : 0.0;
    }
    consume(PhaseGridView{i, n_e, n_phi_, std::span<const double>(dh_values, n_e * n_phi_),
                          std::span<const double>(hh_values, n_e * n_phi_), bestfit});
  }
}

void CoherentKernel::evaluate(const CoherentIntrinsicBlock& intrinsic,
                              const CoherentExtrinsicBlock& extrinsic,
                              CoherentResult& result) const {
  result.n_i = intrinsic.n_i;
  result.n_e = extrinsic.n_e;
  result.n_phi = n_phi_;
  const std::size_t size = result.n_i * result.n_e * n_phi_;
  result.dh.resize(size);
  result.hh.resize(size);
  result.bestfit_lnlike.resize(size);
  evaluate(intrinsic, extrinsic, [&result](const PhaseGridView& view) {
    const auto offset = static_cast<std::ptrdiff_t>(view.i * view.n_e * view.n_phi);
    std::copy(view.dh.begin(), view.dh.end(), result.dh.begin() + offset);
    std::copy(view.hh.begin(), view.hh.end(), result.hh.begin() + offset);
    std::copy(view.bestfit_lnlike.begin(), view.bestfit_lnlike.end(),
              result.bestfit_lnlike.begin() + offset);
  });
}

}  // namespace dotpe::likelihood
