// The coherent likelihood kernel of stage 5 (pipeline.md §3.4–3.5).
//
//   dh[i,e,m] = Σ_{d,p,b} W_dh[d,m,p,b] conj(h[i,m,p,b]) · F[d,p,e] ξ_d⁻² conj(T[d,b,e])
//   hh[i,e,M] = Σ_{d,p,P} (Σ_b W_hh[d,M,p,P,b] h[i,m,p,b] conj(h[i,m',P,b])) F[d,p,e] F[d,P,e]
//   ξ_d⁻² dh[i,e,o] = Re Σ_m dh[i,e,m] e^{−i m φ_o},  hh[i,e,o] = Re Σ_M hh[i,e,M] e^{+i(m−m')φ_o}
//   bestfit[i,e,o] = ½ dh²/hh if dh > 0 (and hh > 0), else 0;   φ_o = 2πo/n_phi.
// dh[i,e,m] is one complex GEMM (n_i·n_m × X)(X × n_e), X = n_d·2·n_b: the left operand
// W_dh⊙conj(h) is built once per intrinsic block, the right one F ξ⁻² conj(T) once per
// extrinsic block. hh[i,e,M] is a real GEMM over (d, symmetrised p P) after a per-i
// contraction over b; for the phase grid the pairs are first summed by k = |m − m'| (Re(a e^{-ikφ})
// = Re(conj(a) e^{ikφ})), which cuts its inner dimension from 2·n_M to 2·n_k. The phase grid is
// two small real GEMMs per i.
#pragma once

#include <Eigen/Dense>
#include <complex>
#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "dotpe/likelihood/summary_weights.hpp"

namespace dotpe::likelihood {

using Complex = std::complex<double>;
using ComplexRowMatrix = Eigen::Matrix<Complex, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ComplexColMatrix = Eigen::Matrix<Complex, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
using RealRowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ComplexFloat = std::complex<float>;
using ComplexFloatRowMatrix =
    Eigen::Matrix<ComplexFloat, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ComplexFloatColMatrix =
    Eigen::Matrix<ComplexFloat, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

// Precision of the one big GEMM. Operands are always formed in double (summary weights reach
// 1e48, beyond float) and only their product W⊙conj(h) (of order the SNR) is rounded to float;
// everything after the GEMM is double.
enum class GemmPrecision { double_precision, single_precision };

// Operands that depend on the intrinsic block only.
struct CoherentIntrinsicBlock {
  std::size_t n_i = 0;
  ComplexRowMatrix dh_left;              // (i, m) × (d, p, b); empty in single precision
  ComplexFloatRowMatrix dh_left_single;  // the same rounded to float (single precision only)
  RealRowMatrix hh_pairs;  // (i, M, re|im) × (d, pp), pp = ++, ××, +×(symmetrised)
  // The same summed over mode pairs with equal |m − m'| (conjugated for m < m'), which is all
  // the phase grid needs: (i, k, re|im) × (d, pp) for the distinct k = |Δm|.
  RealRowMatrix hh_left;
};

// Operands that depend on the extrinsic block only.
struct CoherentExtrinsicBlock {
  std::size_t n_e = 0;
  ComplexColMatrix dh_right;  // (d, p, b) × e; empty in single precision
  ComplexFloatColMatrix dh_right_single;
  RealRowMatrix hh_right;  // (d, pp) × e
};

// One intrinsic sample's phase grid, row-major (e, o); valid during the callback only.
struct PhaseGridView {
  std::size_t i = 0;
  std::size_t n_e = 0;
  std::size_t n_phi = 0;
  std::span<const double> dh, hh, bestfit_lnlike;
};

// All of a block pair, index (i·n_e + e)·n_phi + o.
struct CoherentResult {
  std::size_t n_i = 0, n_e = 0, n_phi = 0;
  std::vector<double> dh, hh, bestfit_lnlike;
  std::size_t index(std::size_t i, std::size_t e, std::size_t o) const {
    return (i * n_e + e) * n_phi + o;
  }
};

class CoherentKernel {
 public:
  // `asd_drift`: ξ_d per detector (all 1 for none). `n_phi` ≥ 1 orbital-phase grid points.
  CoherentKernel(const SummaryWeights& weights, std::span<const double> asd_drift,
                 std::size_t n_phi, GemmPrecision precision = GemmPrecision::double_precision);

  // h[((i·n_m + m)·2 + p)·n_b + b]: bank waveforms at 1 Mpc, phi_ref 0, linear-free aligned.
  CoherentIntrinsicBlock prepare_intrinsic(std::size_t n_i, std::span<const Complex> h) const;

  // response[(d·2 + p)·n_e + e] (F with ψ applied) and timeshift[(d·n_b + b)·n_e + e] = T.
  CoherentExtrinsicBlock prepare_extrinsic(std::size_t n_e, std::span<const double> response,
                                           std::span<const Complex> timeshift) const;

  // Mode-level inner products: dh[(i·n_e + e)·n_m + m], hh[(i·n_e + e)·n_M + M].
  void mode_inner_products(const CoherentIntrinsicBlock& intrinsic,
                           const CoherentExtrinsicBlock& extrinsic, std::vector<Complex>& dh,
                           std::vector<Complex>& hh) const;

  // The phase grid, handed over one intrinsic sample at a time (stays in cache; no storage of
  // the whole block). Scratch is owned by the call; nothing is allocated per element.
  void evaluate(const CoherentIntrinsicBlock& intrinsic, const CoherentExtrinsicBlock& extrinsic,
                const std::function<void(const PhaseGridView&)>& consume) const;

  // The same, stored (resizes `result` only when the shape changes).
  void evaluate(const CoherentIntrinsicBlock& intrinsic, const CoherentExtrinsicBlock& extrinsic,
                CoherentResult& result) const;

  std::size_t n_phi() const { return n_phi_; }
  std::size_t n_modes() const { return n_m_; }
  std::size_t n_mode_pairs() const { return n_mm_; }
  std::size_t n_phase_orders() const { return phase_orders_.size(); }

 private:
  // dh[(i, m), e], the big GEMM, in the kernel's precision.
  ComplexRowMatrix dh_product(const CoherentIntrinsicBlock& intrinsic,
                              const CoherentExtrinsicBlock& extrinsic) const;

  std::size_t n_d_, n_m_, n_mm_, n_b_, n_phi_;
  GemmPrecision precision_;
  std::vector<int> m_values_;
  std::vector<double> inverse_drift_sq_;
  ComplexRowMatrix dh_weights_;      // m × (d, p, b)
  std::vector<Complex> hh_weights_;  // as SummaryWeights::hh
  std::vector<std::pair<std::size_t, std::size_t>> pairs_;
  RealRowMatrix dh_phase_;               // (re|im, m) × o: [cos mφ; sin mφ]
  std::vector<int> phase_orders_;        // distinct |m − m'|, ascending
  std::vector<std::size_t> pair_order_;  // index into phase_orders_ per mode pair
  RealRowMatrix hh_phase_;               // (re|im, k) × o: [cos kφ; −sin kφ]
};

}  // namespace dotpe::likelihood
