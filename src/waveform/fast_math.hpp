// Elementary functions for the waveform loops (internal to the waveform module): written without
// calls or branches so that the compiler vectorises the loops that use them (glibc's scalar sin,
// cos and cbrt cost 20-40 ns each and are called once or more per mode and frequency).
//
// Accuracy (tests/waveform/fast_math_test.cpp): sin and cos within 2.3e-16 absolute of glibc for
// |x| < 2^30 (larger arguments are passed to glibc); cbrt within 1 ulp of glibc for positive
// normal numbers (anything else is passed to glibc).
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace dotpe::waveform::fast {

// Positive normal numbers.
inline bool cbrt_core_valid(double x) {
  return (x >= 0x1p-1022) & (x <= 0x1.fffffffffffffp+1023);  // & rather than &&: no branch
}

// x^{1/3} where cbrt_core_valid(x) (elsewhere a value of no meaning; every input is safe: the
// integer conversions below stay in range). The exponent is divided by 3 exactly, a cubic of the
// mantissa starts two Halley steps y ← y + y (z − y³)/(2y³ + z) (cubic convergence:
// 1e-4 → 1e-12 → rounding).
inline double cbrt_core(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const double exponent = static_cast<double>(static_cast<std::int64_t>(bits >> 52) - 1023);
  // exponent = 3q + r, r in {0, 1, 2}: q is the integer nearest to (exponent − 1)/3, found by
  // adding and subtracting 1.5·2^52 (std::floor would not vectorise).
  const double shifter = 0x1.8p52;
  const double q = ((exponent - 1.0) * (1.0 / 3.0) + shifter) - shifter;
  const double r = exponent - 3.0 * q;
  // Mantissa in [1, 2), then z = 2^r mantissa in [1, 8).
  const double mantissa =
      std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  const double z = mantissa * (r == 0.0 ? 1.0 : (r == 1.0 ? 2.0 : 4.0));
  // cbrt(mantissa) on [1, 2) to ~1e-4 (Chebyshev interpolant), times cbrt(2^r).
  const double m = mantissa;
  double y = 0.5557909602691409 +
             m * (0.5808263911380914 + m * (-0.15866246005318851 + m * 0.022148699208244693));
  y *= r == 0.0 ? 1.0 : (r == 1.0 ? 1.2599210498948732 : 1.5874010519681994);
  for (int step = 0; step < 2; ++step) {
    const double y3 = y * y * y;
    y += y * (z - y3) / (2.0 * y3 + z);
  }
  // 2^q: q is within ±342 for normal x, within [−341, 1024] for any bits.
  const auto scale_bits = static_cast<std::uint64_t>(static_cast<std::int64_t>(q) + 1023) << 52;
  return y * std::bit_cast<double>(scale_bits);
}

inline double cbrt(double x) {
  return cbrt_core_valid(x) ? cbrt_core(x) : std::cbrt(x);
}

namespace detail {
// π/2 = kHalfPi1 + kHalfPi2 + kHalfPi3 to ~1e-49.
constexpr double kHalfPi1 = 0x1.921fb54442d18p+0;
constexpr double kHalfPi2 = 0x1.1a62633145c07p-54;
constexpr double kHalfPi3 = -0x1.f1976b7ed8fbcp-110;
constexpr double kTwoOverPi = 0.6366197723675814;
constexpr double kLargeArgument = 0x1p30;
}  // namespace detail

inline bool sincos_core_valid(double x) {
  return std::abs(x) < detail::kLargeArgument;
}

// sin x and cos x where sincos_core_valid(x) (elsewhere finite values of no meaning):
// x = q π/2 + r (Cody-Waite with fused multiply-adds), Taylor polynomials of sin r and cos r on
// |r| ≤ π/4 (truncation below 1e-19), swapped and negated by the quadrant q mod 4.
inline void sincos_core(double x_in, double& sine, double& cosine) {
  const double x = sincos_core_valid(x_in) ? x_in : 0.0;
  const double shifter = 0x1.8p52;  // adding it rounds to an integer (|x 2/π| < 2^51)
  const double q = (x * detail::kTwoOverPi + shifter) - shifter;
  double r = std::fma(-q, detail::kHalfPi1, x);
  r = std::fma(-q, detail::kHalfPi2, r);
  r = std::fma(-q, detail::kHalfPi3, r);
  const double r2 = r * r;
  // sin r = r + r³ (−1/3! + r² (1/5! − ...)), through r^17.
  const double sin_poly =
      -1.0 / 6.0 +
      r2 * (1.0 / 120.0 +
            r2 * (-1.0 / 5040.0 +
                  r2 * (1.0 / 362880.0 +
                        r2 * (-1.0 / 39916800.0 +
                              r2 * (1.0 / 6227020800.0 + r2 * (-1.0 / 1307674368000.0 +
                                                               r2 * (1.0 / 355687428096000.0)))))));
  const double sin_r = r + r * r2 * sin_poly;
  // cos r = 1 − r²/2 + r⁴ (1/4! − ...), through r^16.
  const double cos_poly =
      1.0 / 24.0 +
      r2 * (-1.0 / 720.0 +
            r2 * (1.0 / 40320.0 +
                  r2 * (-1.0 / 3628800.0 +
                        r2 * (1.0 / 479001600.0 +
                              r2 * (-1.0 / 87178291200.0 + r2 * (1.0 / 20922789888000.0))))));
  const double cos_r = 1.0 - 0.5 * r2 + r2 * r2 * cos_poly;
  const auto quadrant = static_cast<std::int64_t>(q);
  const bool swap = (quadrant & 1) != 0;
  const double s = swap ? cos_r : sin_r;
  const double c = swap ? sin_r : cos_r;
  sine = (quadrant & 2) != 0 ? -s : s;
  cosine = ((quadrant + 1) & 2) != 0 ? -c : c;
}

}  // namespace dotpe::waveform::fast
