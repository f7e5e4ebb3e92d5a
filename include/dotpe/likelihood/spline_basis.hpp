// Cardinal not-a-knot cubic splines on the relative-binning nodes fbin (numerics.md §3.2).
//
// L_b(f) is the not-a-knot cubic spline through the Kronecker delta δ_bb' on the nodes; any
// not-a-knot spline through values y is Σ_b y_b L_b(f). On [fbin_0, fbin_last] (inclusive: the
// reference's quirk of dropping the bin exactly at fbin_0 is not reproduced) and 0 outside.
// The spline is written in second-derivative form, M = C·y with C (n×n) from the not-a-knot
// system, so that projecting a function onto the basis costs O(n_f) + O(n_b²).
#pragma once

#include <array>
#include <complex>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace dotpe::likelihood {

class SplineBasis {
 public:
  // `nodes`: at least 4, finite, strictly increasing. `source` names them in error messages.
  explicit SplineBasis(std::vector<double> nodes, const std::string& source = "fbin");

  std::size_t size() const { return nodes_.size(); }
  const std::vector<double>& nodes() const { return nodes_; }

  // L_b(f).
  double cardinal(std::size_t b, double f) const;

  // Σ_b values_b L_b(f): the not-a-knot interpolant (0 outside the nodes).
  double interpolate(std::span<const double> values, double f) const;

  // Per-frequency coefficients of the basis on one frequency array, reused for many projections.
  // A projector refers to its basis, which must outlive it.
  class Projector {
   public:
    // S_b = Σ_k g(f_k) L_b(f_k) for complex samples g on the projector's frequencies.
    void project(std::span<const std::complex<double>> samples,
                 std::span<std::complex<double>> summary) const;
    std::size_t frequency_count() const { return interval_.size(); }

   private:
    friend class SplineBasis;
    const SplineBasis* basis_ = nullptr;
    std::vector<std::ptrdiff_t> interval_;  // node interval of f_k, or -1 outside the nodes
    std::vector<double> coef_;              // 4 per frequency: weights of y_j, y_j+1, M_j, M_j+1
  };
  Projector projector(std::span<const double> frequencies) const;

 private:
  std::ptrdiff_t interval_of(double f) const;
  std::array<double, 4> coefficients(std::size_t interval, double f) const;

  std::vector<double> nodes_;
  std::vector<double> second_derivative_map_;  // C, row-major n×n: M_j = Σ_b C[j,b] y_b
};

}  // namespace dotpe::likelihood
