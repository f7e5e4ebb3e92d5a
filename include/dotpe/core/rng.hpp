// Counter-based random streams. A stream is identified by (seed, stream, index): for example
// (run seed, "extrinsic draw", sample number). Its numbers are a pure function of that key, so
// results never depend on which rank draws them or in which order (DESIGN.md section 5).
// The generator is Philox4x64-10 from Random123 (Salmon et al., SC'11).
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cstdint>

namespace dotpe {

// Named stream identifiers, so that two stages never share random numbers by accident.
namespace rng_stream {
inline constexpr std::uint64_t noise = 1;
inline constexpr std::uint64_t bank_samples = 2;
inline constexpr std::uint64_t extrinsic = 3;
inline constexpr std::uint64_t resampling = 4;
inline constexpr std::uint64_t distance = 5;
inline constexpr std::uint64_t discarded = 6;  // stage 5: subsample of rejected rows
inline constexpr std::uint64_t tests = 99;
}  // namespace rng_stream

class RngStream {
 public:
  RngStream(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);

  // Uniform 64-bit integer.
  std::uint64_t next_u64();
  // Uniform on [0, 1), 53 random bits.
  double uniform();
  // Uniform on (0, 1): never exactly zero, safe for logarithms.
  double uniform_open();
  // Standard normal (Box-Muller on two open uniforms; the second value is cached).
  double normal();

 private:
  using Generator = r123::Philox4x64;
  Generator::key_type key_;
  Generator::ctr_type counter_;
  std::array<std::uint64_t, 4> block_{};
  int position_ = 4;
  double cached_normal_ = 0.0;
  bool has_cached_normal_ = false;
};

}  // namespace dotpe
