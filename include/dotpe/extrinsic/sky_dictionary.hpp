// Sky dictionary of the extrinsic sampler (numerics.md §5.3, docs/extrinsic.md): N_sky isotropic
// Earth-fixed sky points, grouped by their discretised inter-detector delays
//   key(s) = (D_1(s), …, D_{n_d−1}(s)),  D_d(s) = rint((Δt_d(s) − Δt_0(s)) · f_s),
// with detector 0 the first detector. A key's bin holds the points that produce it; its prior
// mass per second of arrival time is N_bin / (N_sky f_s).
//
// The points are iid isotropic draws from a counter-based stream (seeded; the reference uses a
// scrambled Halton sequence, which the extrinsic module does not link): lat = asin(2u₁ − 1),
// lon = 2πu₂. The dictionary *is* the sky prior of the sampler (the empirical distribution of
// its points), exactly as in the reference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dotpe/physics/detectors.hpp"

namespace dotpe::extrinsic {

// A detectability-weighted histogram of discretised delays relative to order[0]: axis j
// (j = 0 … order.size()−2) is k_{order[j+1]} − k_{order[0]} on [low[j], high[j]], row-major, each
// point weighted by ‖F0(s)‖³ (Frobenius norm of the ψ = 0 antenna patterns over all the
// dictionary's detectors and both polarisations, cubed, as the reference), normalised to sum 1.
struct DelayHistogram {
  std::vector<long> low, high;
  std::vector<double> probability;
  std::size_t axis_size(std::size_t j) const {
    return static_cast<std::size_t>(high[j] - low[j] + 1);
  }
};

class SkyDictionary {
 public:
  // A contiguous range of points (in the dictionary's bin order) sharing one delay key.
  struct Bin {
    std::size_t first = 0;
    std::size_t count = 0;
  };

  // `detectors`: one or more, in the event's order; sampling_rate f_s (Hz) > 0; n_sky ≥ 1.
  SkyDictionary(std::vector<physics::Detector> detectors, double sampling_rate, std::size_t n_sky,
                std::uint64_t seed);

  std::size_t n_sky() const { return lat_.size(); }
  std::size_t n_detectors() const { return detectors_.size(); }
  double sampling_rate() const { return sampling_rate_; }
  const std::vector<physics::Detector>& detectors() const { return detectors_; }

  // The bin of a delay key (n_detectors − 1 values, k_d − k_0 for d = 1…); empty (count 0) when
  // no point produces it, including keys outside the bounds.
  Bin bin(std::span<const long> key) const;
  // Prior mass of a bin per second of arrival time: count / (N_sky f_s).
  double bin_prior(const Bin& bin) const;

  // Point s in bin order (0 ≤ s < n_sky).
  double lat(std::size_t s) const { return lat_[s]; }
  double lon(std::size_t s) const { return lon_[s]; }
  double first_detector_delay(std::size_t s) const { return first_delay_[s]; }  // Δt_0(s)

  // Smallest and largest D_d over the points (d ≥ 1).
  long delay_low(std::size_t d) const { return low_[d - 1]; }
  long delay_high(std::size_t d) const { return high_[d - 1]; }

  // Histogram of the delays relative to order[0] over distinct detector indices `order`
  // (2 or more), from the bins (pairwise delays are differences of the keys).
  DelayHistogram detectability_weighted_delays(std::span<const std::size_t> order) const;

 private:
  std::size_t flat_index(std::span<const long> key) const;  // requires the key within bounds
  std::vector<long> key_of_flat(std::size_t flat) const;

  std::vector<physics::Detector> detectors_;
  double sampling_rate_;
  std::vector<double> lat_, lon_, first_delay_;
  std::vector<long> low_, high_;           // per key axis
  std::vector<std::size_t> stride_;        // per key axis, row-major
  std::vector<std::size_t> bin_offset_;    // prefix sums over the dense key grid (size n_bins + 1)
  std::vector<double> bin_detectability_;  // Σ ‖F0‖³ over each bin's points
};

}  // namespace dotpe::extrinsic
