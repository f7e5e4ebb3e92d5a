#include "dotpe/bank/halton.hpp"

#include <cmath>
#include <numeric>

#include "dotpe/core/error.hpp"
#include "dotpe/core/rng.hpp"

namespace dotpe::bank {
namespace {

std::vector<int> first_primes(int count) {
  std::vector<int> primes;
  for (int candidate = 2; static_cast<int>(primes.size()) < count; ++candidate) {
    bool is_prime = true;
    for (const int prime : primes) {
      if (prime * prime > candidate) break;
      if (candidate % prime == 0) {
        is_prime = false;
        break;
      }
    }
    if (is_prime) primes.push_back(candidate);
  }
  return primes;
}

// Fisher-Yates shuffle of 0..base-1 driven by a counter-based stream.
std::vector<int> random_permutation(int base, RngStream& rng) {
  std::vector<int> permutation(static_cast<std::size_t>(base));
  std::iota(permutation.begin(), permutation.end(), 0);
  for (int k = base - 1; k > 0; --k) {
    const auto pick = static_cast<int>(rng.next_u64() % static_cast<std::uint64_t>(k + 1));
    std::swap(permutation[static_cast<std::size_t>(k)],
              permutation[static_cast<std::size_t>(pick)]);
  }
  return permutation;
}

}  // namespace

ScrambledHalton::ScrambledHalton(int dimension, std::uint64_t seed, bool scramble) {
  require(dimension >= 1 && dimension <= 1000, "Halton dimension must be in 1..1000, got {}",
          dimension);
  bases_ = first_primes(dimension);
  for (int j = 0; j < dimension; ++j) {
    const int base = bases_[static_cast<std::size_t>(j)];
    const int digits = static_cast<int>(std::ceil(53.0 * std::log(2.0) / std::log(base)));
    digits_.push_back(digits);
    std::vector<int> table(static_cast<std::size_t>(digits * base));
    // One stream per dimension; its draws give the permutations of successive digit positions.
    RngStream rng(seed, rng_stream::bank_samples, static_cast<std::uint64_t>(j));
    for (int k = 0; k < digits; ++k) {
      std::vector<int> permutation(static_cast<std::size_t>(base));
      if (scramble) {
        permutation = random_permutation(base, rng);
      } else {
        std::iota(permutation.begin(), permutation.end(), 0);
      }
      std::copy(permutation.begin(), permutation.end(), table.begin() + k * base);
    }
    permutations_.push_back(std::move(table));
  }
}

double ScrambledHalton::coordinate(int dimension_index, std::uint64_t index) const {
  const auto j = static_cast<std::size_t>(dimension_index);
  const int base = bases_[j];
  const auto& permutation = permutations_[j];
  // Sum from the least significant position upwards, with trailing zero digits also permuted,
  // so that a scrambled point is not biased towards zero.
  double value = 0.0;
  double scale = 1.0 / base;
  std::uint64_t remaining = index;
  for (int k = 0; k < digits_[j]; ++k) {
    const auto digit = static_cast<int>(remaining % static_cast<std::uint64_t>(base));
    remaining /= static_cast<std::uint64_t>(base);
    value += permutation[static_cast<std::size_t>(k * base + digit)] * scale;
    scale /= base;
  }
  // Rounding can reach exactly 1 only in the last ulp; keep the half-open interval.
  return value < 1.0 ? value : std::nextafter(1.0, 0.0);
}

void ScrambledHalton::point(std::uint64_t index, std::span<double> point) const {
  require(point.size() == bases_.size(), "internal error: Halton point buffer of size {} for {}",
          point.size(), bases_.size());
  for (std::size_t j = 0; j < bases_.size(); ++j) {
    point[j] = coordinate(static_cast<int>(j), index);
  }
}

std::vector<double> ScrambledHalton::point(std::uint64_t index) const {
  std::vector<double> values(bases_.size());
  point(index, values);
  return values;
}

}  // namespace dotpe::bank
