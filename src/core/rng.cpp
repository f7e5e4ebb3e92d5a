#include "dotpe/core/rng.hpp"

#include <cmath>
#include <numbers>

namespace dotpe {

RngStream::RngStream(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  key_ = {{seed, stream}};
  counter_ = {{index, 0, 0, 0}};
}

std::uint64_t RngStream::next_u64() {
  if (position_ == 4) {
    const auto out = Generator()(counter_, key_);
    for (int k = 0; k < 4; ++k) block_[k] = out[k];
    ++counter_[1];
    position_ = 0;
  }
  return block_[position_++];
}

double RngStream::uniform() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double RngStream::uniform_open() {
  return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53;
}

double RngStream::normal() {
  if (has_cached_normal_) {
    has_cached_normal_ = false;
    return cached_normal_;
  }
  const double radius = std::sqrt(-2.0 * std::log(uniform_open()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  cached_normal_ = radius * std::sin(angle);
  has_cached_normal_ = true;
  return radius * std::cos(angle);
}

}  // namespace dotpe
