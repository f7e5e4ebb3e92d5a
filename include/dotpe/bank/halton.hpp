// Scrambled Halton sequence: the quasi-random points from which banks draw intrinsic samples
// (the reference uses scipy.stats.qmc.Halton(d, scramble=True, seed)).
//
// Dimension j uses the j-th prime as base; its radical inverse is scrambled with one random
// permutation of the digits {0..base-1} per digit position (Owen-type "random digit
// permutation" scrambling, as in Owen 2017, arXiv:1706.02808 §3 and scipy's implementation).
// The permutations come from RngStream(seed, rng_stream::bank_samples, ...), so point n is a pure
// function of (seed, n): any rank can compute any point, in any order.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace dotpe::bank {

class ScrambledHalton {
 public:
  // scramble = false gives the plain Halton sequence (radical inverses, starting at index 0 = 0).
  ScrambledHalton(int dimension, std::uint64_t seed, bool scramble = true);

  int dimension() const { return static_cast<int>(bases_.size()); }
  // Writes point `index` (coordinates in [0, 1)) into `point` (size dimension()).
  void point(std::uint64_t index, std::span<double> point) const;
  std::vector<double> point(std::uint64_t index) const;

 private:
  double coordinate(int dimension_index, std::uint64_t index) const;

  std::vector<int> bases_;
  std::vector<int> digits_;  // digit positions used per dimension (53 bits of resolution)
  // permutations_[j][k * base + d]: scrambled digit d at position k of dimension j.
  std::vector<std::vector<int>> permutations_;
};

}  // namespace dotpe::bank
