#include "dotpe/extrinsic/sky_dictionary.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "dotpe/core/rng.hpp"

namespace dotpe::extrinsic {
namespace {

// The dictionary's points come from the extrinsic stream at indices above every sample index,
// so that they never share numbers with the draws (which use indices 0 … n_ext − 1).
constexpr std::uint64_t kSkyStreamIndex = std::uint64_t{1} << 63;

// Beyond this many dense delay bins the key grid would not fit comfortably in memory (three
// detectors at 8 kHz need about 10⁵).
constexpr std::size_t kMaxDenseBins = std::size_t{1} << 26;

double detectability(const std::vector<physics::Detector>& detectors, double lat, double lon) {
  double norm_sq = 0.0;
  for (const auto& site : detectors) {
    const auto pattern = physics::antenna_pattern(site, lat, lon, 0.0);
    norm_sq += pattern.plus * pattern.plus + pattern.cross * pattern.cross;
  }
  return norm_sq * std::sqrt(norm_sq);
}

}  // namespace

SkyDictionary::SkyDictionary(std::vector<physics::Detector> detectors, double sampling_rate,
                             std::size_t n_sky, std::uint64_t seed)
    : detectors_(std::move(detectors)), sampling_rate_(sampling_rate) {
  require(!detectors_.empty(), "sky dictionary: no detectors; the event must name at least one");
  require(std::isfinite(sampling_rate_) && sampling_rate_ > 0.0,
          "sky dictionary: sampling rate {} Hz must be positive (the default is 8192 Hz)",
          sampling_rate_);
  require(n_sky > 0, "sky dictionary: n_sky must be at least 1 (the default is 2^20)");
  const std::size_t n_axes = detectors_.size() - 1;

  // Isotropic points and their keys.
  std::vector<double> lat(n_sky), lon(n_sky), first_delay(n_sky), weight(n_sky);
  std::vector<long> keys(n_sky * n_axes);
  RngStream rng(seed, rng_stream::extrinsic, kSkyStreamIndex);
  for (std::size_t s = 0; s < n_sky; ++s) {
    lat[s] = std::asin(2.0 * rng.uniform() - 1.0);
    lon[s] = 2.0 * std::numbers::pi * rng.uniform();
    first_delay[s] = physics::geocenter_delay(detectors_[0], lat[s], lon[s]);
    for (std::size_t j = 0; j < n_axes; ++j) {
      const double relative =
          physics::geocenter_delay(detectors_[j + 1], lat[s], lon[s]) - first_delay[s];
      keys[s * n_axes + j] = std::lround(relative * sampling_rate_);
    }
    weight[s] = detectability(detectors_, lat[s], lon[s]);
  }

  // Dense key grid over the bounds, row-major.
  low_.assign(n_axes, 0);
  high_.assign(n_axes, 0);
  for (std::size_t j = 0; j < n_axes; ++j) {
    long low = keys[j], high = keys[j];
    for (std::size_t s = 0; s < n_sky; ++s) {
      low = std::min(low, keys[s * n_axes + j]);
      high = std::max(high, keys[s * n_axes + j]);
    }
    low_[j] = low;
    high_[j] = high;
  }
  stride_.assign(n_axes, 1);
  std::size_t n_bins = 1;
  for (std::size_t j = n_axes; j-- > 0;) {
    stride_[j] = n_bins;
    n_bins *= static_cast<std::size_t>(high_[j] - low_[j] + 1);
    require(n_bins <= kMaxDenseBins,
            "sky dictionary: {} detectors at {} Hz need more than {} delay bins; use fewer "
            "detectors or a lower sampling rate",
            detectors_.size(), sampling_rate_, kMaxDenseBins);
  }

  // Counting sort of the points by bin (stable: points keep their draw order within a bin).
  std::vector<std::size_t> point_bin(n_sky);
  bin_offset_.assign(n_bins + 1, 0);
  bin_detectability_.assign(n_bins, 0.0);
  for (std::size_t s = 0; s < n_sky; ++s) {
    point_bin[s] = flat_index(std::span(keys).subspan(s * n_axes, n_axes));
    ++bin_offset_[point_bin[s] + 1];
    bin_detectability_[point_bin[s]] += weight[s];
  }
  for (std::size_t bin = 0; bin < n_bins; ++bin) bin_offset_[bin + 1] += bin_offset_[bin];
  std::vector<std::size_t> next(bin_offset_.begin(), bin_offset_.end() - 1);
  lat_.resize(n_sky);
  lon_.resize(n_sky);
  first_delay_.resize(n_sky);
  for (std::size_t s = 0; s < n_sky; ++s) {
    const std::size_t slot = next[point_bin[s]]++;
    lat_[slot] = lat[s];
    lon_[slot] = lon[s];
    first_delay_[slot] = first_delay[s];
  }
}

std::size_t SkyDictionary::flat_index(std::span<const long> key) const {
  std::size_t flat = 0;
  for (std::size_t j = 0; j < key.size(); ++j) {
    flat += static_cast<std::size_t>(key[j] - low_[j]) * stride_[j];
  }
  return flat;
}

std::vector<long> SkyDictionary::key_of_flat(std::size_t flat) const {
  std::vector<long> key(stride_.size());
  for (std::size_t j = 0; j < stride_.size(); ++j) {
    key[j] = low_[j] + static_cast<long>(flat / stride_[j]);
    flat %= stride_[j];
  }
  return key;
}

SkyDictionary::Bin SkyDictionary::bin(std::span<const long> key) const {
  require(key.size() + 1 == detectors_.size(),
          "sky dictionary: a delay key has {} values, expected n_detectors − 1 = {}", key.size(),
          detectors_.size() - 1);
  for (std::size_t j = 0; j < key.size(); ++j) {
    if (key[j] < low_[j] || key[j] > high_[j]) return {};
  }
  const std::size_t flat = flat_index(key);
  return {bin_offset_[flat], bin_offset_[flat + 1] - bin_offset_[flat]};
}

double SkyDictionary::bin_prior(const Bin& bin) const {
  return static_cast<double>(bin.count) / (static_cast<double>(n_sky()) * sampling_rate_);
}

DelayHistogram SkyDictionary::detectability_weighted_delays(
    std::span<const std::size_t> order) const {
  require(order.size() >= 2 && order.size() <= detectors_.size(),
          "sky dictionary: a delay histogram needs 2 to {} detectors, got {}", detectors_.size(),
          order.size());
  for (std::size_t j = 0; j < order.size(); ++j) {
    require(order[j] < detectors_.size() && std::count(order.begin(), order.end(), order[j]) == 1,
            "sky dictionary: delay-histogram detector indices must be distinct and below {}",
            detectors_.size());
  }
  // k_d − k_0 of every detector (0 for detector 0) from a bin's key.
  const auto relative_to_first = [](const std::vector<long>& key, std::size_t d) {
    return d == 0 ? 0L : key[d - 1];
  };
  const std::size_t n_axes = order.size() - 1;
  DelayHistogram histogram;
  histogram.low.assign(n_axes, 0);
  histogram.high.assign(n_axes, 0);
  bool first = true;
  const std::size_t n_bins = bin_detectability_.size();
  for (std::size_t flat = 0; flat < n_bins; ++flat) {
    if (bin_offset_[flat + 1] == bin_offset_[flat]) continue;
    const auto key = key_of_flat(flat);
    for (std::size_t j = 0; j < n_axes; ++j) {
      const long delay = relative_to_first(key, order[j + 1]) - relative_to_first(key, order[0]);
      histogram.low[j] = first ? delay : std::min(histogram.low[j], delay);
      histogram.high[j] = first ? delay : std::max(histogram.high[j], delay);
    }
    first = false;
  }
  std::size_t size = 1;
  for (std::size_t j = 0; j < n_axes; ++j) size *= histogram.axis_size(j);
  histogram.probability.assign(size, 0.0);
  double total = 0.0;
  for (std::size_t flat = 0; flat < n_bins; ++flat) {
    if (bin_offset_[flat + 1] == bin_offset_[flat]) continue;
    const auto key = key_of_flat(flat);
    std::size_t cell = 0;
    for (std::size_t j = 0; j < n_axes; ++j) {
      const long delay = relative_to_first(key, order[j + 1]) - relative_to_first(key, order[0]);
      cell = cell * histogram.axis_size(j) + static_cast<std::size_t>(delay - histogram.low[j]);
    }
    histogram.probability[cell] += bin_detectability_[flat];
    total += bin_detectability_[flat];
  }
  for (double& value : histogram.probability) value /= total;
  return histogram;
}

}  // namespace dotpe::extrinsic
