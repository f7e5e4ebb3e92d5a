// The single-detector (stage 2) kernel (pipeline.md §4.2): for each template i, the likelihood
// maximised over arrival time t (a grid), orbital phase φ_o and the two polarisation amplitudes
// r_p = F_p/D (free reals, so the antenna pattern is not needed):
//   D[i,m,p,t]  = Σ_b W_dh[m,p,b] ξ⁻² conj(h[i,m,p,b]) conj(T[b,t])     (one complex GEMM)
//   dh[i,o,t,p] = Re Σ_m D[i,m,p,t] e^{−i m φ_o}                        (real GEMM per i)
//   hh[i,o,p,P] = Re Σ_M H[i,M,p,P] e^{+i(m−m')φ_o},  H = Σ_b W_hh ξ⁻² h conj(h), symmetrised in p
//   P lnL[i,o,t]  = ½ dhᵀ hh⁻¹ dh, maximised over (o, t).
// A singular 2×2 hh (e.g. h× ≡ 0) falls back to the best single polarisation, ½ dh_p²/hh_pp;
// the maximum ignores NaN (a NaN template gives NaN only if every entry is NaN).
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

#include "dotpe/likelihood/coherent_kernel.hpp"
#include "dotpe/likelihood/summary_weights.hpp"

namespace dotpe::likelihood {

struct SingleDetectorResult {
  std::vector<double> lnlike_max;  // per template
  std::vector<std::size_t> best_time_index;
  std::vector<std::size_t> best_phase_index;
};

// ½ dhᵀ hh⁻¹ dh for a symmetric 2×2 hh = [[a, b], [b, c]], guarded as described above.
double polarisation_fit_lnlike(double dh_plus, double dh_cross, double a, double b, double c);

// T[b·n_t + t] = exp(−2πi fbin_b τ_t).
std::vector<Complex> time_grid_phasors(std::span<const double> fbin, std::span<const double> times);

class SingleDetectorKernel {
 public:
  // `weights` must hold one detector (SummaryWeights::single_detector); ξ its ASD drift.
  SingleDetectorKernel(const SummaryWeights& weights, double asd_drift, std::size_t n_phi);

  // h as for CoherentKernel ([i][m][p][b]); timeshift[b·n_t + t].
  void evaluate(std::size_t n_i, std::span<const Complex> h, std::size_t n_t,
                std::span<const Complex> timeshift, SingleDetectorResult& result) const;

  // dh[((i·n_o + o)·n_t + t)·2 + p] and hh[((i·n_o + o)·3 + k)], k = (++, ××, +×): the phase
  // and time grids before the polarisation fit (tests, diagnostics).
  void inner_products(std::size_t n_i, std::span<const Complex> h, std::size_t n_t,
                      std::span<const Complex> timeshift, std::vector<double>& dh,
                      std::vector<double>& hh) const;

  // The big GEMM alone (for the benchmark's roofline): D[(i,m,p), t].
  ComplexRowMatrix time_grid_product(std::size_t n_i, std::span<const Complex> h, std::size_t n_t,
                                     std::span<const Complex> timeshift) const;

 private:
  void check(std::size_t n_i, std::span<const Complex> h, std::size_t n_t,
             std::span<const Complex> timeshift) const;
  RealRowMatrix polarisation_matrices(std::size_t n_i, std::span<const Complex> h) const;
  struct Scratch;
  void phase_grids(std::size_t i, std::size_t n_t, const ComplexRowMatrix& product,
                   const RealRowMatrix& polarisation, Scratch& scratch) const;

  std::size_t n_m_, n_mm_, n_b_, n_phi_;
  std::vector<Complex> dh_weights_;  // [m][p][b] · ξ⁻²
  std::vector<Complex> hh_weights_;  // [M][p][P][b] · ξ⁻²
  std::vector<std::pair<std::size_t, std::size_t>> pairs_;
  RealRowMatrix dh_phase_;  // o × (re|im, m): [cos mφ, sin mφ]
  RealRowMatrix hh_phase_;  // o × (re|im, M): [cos Δmφ, −sin Δmφ]
};

}  // namespace dotpe::likelihood
