// Elementary functions for the waveform loops (internal to the waveform module): written without
// calls, branches or real-integer conversions, and always inlined, so that GCC vectorises the
// loops that use them (glibc's scalar sin, cos, cbrt, log, atan and exp cost 5-40 ns each, are
// called per mode and frequency, and std::sqrt may set errno, which also stops vectorisation).
//
// Accuracy against long double (tests/waveform/fast_math_test.cpp): sin and cos within 2.3e-16
// absolute of glibc for |x| < 2^30 (larger arguments are passed to glibc by the callers); cbrt
// < 1 ulp (glibc's: up to 3.3 ulp), x^{−1/3} < 2 ulp, sqrt correctly rounded, log and exp < 1
// ulp, atan < 2 ulp, for positive normal numbers (cbrt, sqrt, log), |x| < 708 (exp) and finite x
// (atan).
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace dotpe::waveform::fast {

// Conversions between integers and doubles through the bits of 2^52 + n: GCC does not
// if-convert real conversions (they may raise floating-point exceptions), so a loop that uses
// one in a selected-away branch would not be vectorised.
namespace detail {
constexpr double kTwo52 = 0x1p52;
// The integer n = bits >> 52 (sign and exponent, 0 ≤ n < 4096) as a double.
[[gnu::always_inline]] inline double high_bits_as_double(std::uint64_t bits) {
  return std::bit_cast<double>((bits >> 52) | 0x4330000000000000ULL) - kTwo52;
}
// 2^n for an integer-valued double n in [−1022, 1023].
[[gnu::always_inline]] inline double power_of_two(double n) {
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(n + (kTwo52 + 1023.0)) << 52);
}
}  // namespace detail

// Positive normal numbers.
[[gnu::always_inline]] inline bool cbrt_core_valid(double x) {
  return (x >= 0x1p-1022) & (x <= 0x1.fffffffffffffp+1023);  // & rather than &&: no branch
}

// x^{1/3} and x^{−1/3} where cbrt_core_valid(x) (elsewhere values of no meaning; every input
// is safe). The exponent is divided by 3 exactly (x = 2^{3q} z, z in [1, 8)); r = z^{−1/3}
// starts from a quartic of the mantissa (4.5e-5) and takes two Newton steps
// r ← r + r (1 − z r³)/3 (1e-16), then y = z r² gets one Newton correction
// y ← y − (y³ − z) r²/3 with the residual from a fused multiply-add. No division: divisions are
// the slowest vector instructions.
[[gnu::always_inline]] inline void cbrt_and_inverse_core(double x, double& root,
                                                         double& inverse_root) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const double exponent = detail::high_bits_as_double(bits) - 1023.0;
  // exponent = 3q + r, r in {0, 1, 2}: q is the integer nearest to (exponent − 1)/3, found by
  // adding and subtracting 1.5·2^52 (std::floor would not vectorise).
  const double shifter = 0x1.8p52;
  const double q = ((exponent - 1.0) * (1.0 / 3.0) + shifter) - shifter;
  const double r = exponent - 3.0 * q;
  // Mantissa m in [1, 2), z = 2^r m in [1, 8).
  const double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  const double z = m * (r == 0.0 ? 1.0 : (r == 1.0 ? 2.0 : 4.0));
  // m^{−1/3} on [1, 2) (Chebyshev interpolant), times 2^{−r/3}.
  double inverse =
      1.6662787377307344 +
      m * (-1.1623973573073125 +
           m * (0.684652707731717 + m * (-0.21636185469221342 + m * 0.027782801018546195)));
  inverse *= r == 0.0 ? 1.0 : (r == 1.0 ? 0.7937005259840998 : 0.6299605249474366);
  // (written out: loops inside the callers' loops may be left rolled, which stops vectorisation)
  inverse += inverse * std::fma(-z, inverse * inverse * inverse, 1.0) * (1.0 / 3.0);
  inverse += inverse * std::fma(-z, inverse * inverse * inverse, 1.0) * (1.0 / 3.0);
  const double inverse2 = inverse * inverse;
  double y = z * inverse2;
  y -= std::fma(y * y, y, -z) * inverse2 * (1.0 / 3.0);
  // 2^{±q}: q is within ±342 for normal x.
  root = y * detail::power_of_two(q);
  inverse_root = inverse * detail::power_of_two(-q);
}

[[gnu::always_inline]] inline double cbrt_core(double x) {
  double root = 0.0;
  double inverse_root = 0.0;
  cbrt_and_inverse_core(x, root, inverse_root);
  return root;
}

inline double cbrt(double x) {
  return cbrt_core_valid(x) ? cbrt_core(x) : std::cbrt(x);
}

inline void cbrt_and_inverse(double x, double& root, double& inverse_root) {
  if (cbrt_core_valid(x)) {
    cbrt_and_inverse_core(x, root, inverse_root);
  } else {
    root = std::cbrt(x);
    inverse_root = 1.0 / root;
  }
}

// sqrt_core and log_core below take positive normal numbers too.
[[gnu::always_inline]] inline bool positive_normal(double x) {
  return cbrt_core_valid(x);
}

// √x of a positive normal x or of 0 (elsewhere a value of no meaning): an estimate of 1/√x
// from the exponent bits (3.5%), three Newton steps (1e-11) and one correction of √x from the
// exact residual x − s² (a fused multiply-add). std::sqrt may set errno, which keeps loops that
// call it from being vectorised.
[[gnu::always_inline]] inline double sqrt_core(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  double r = std::bit_cast<double>(0x5fe6eb50c7b537a9ULL - (bits >> 1));
  const double half_x = 0.5 * x;
  r *= 1.5 - half_x * r * r;
  r *= 1.5 - half_x * r * r;
  r *= 1.5 - half_x * r * r;
  const double s = x * r;
  return s + 0.5 * r * std::fma(-s, s, x);
}

namespace detail {
// ln 2 = kLn2High + kLn2Low, kLn2High with 32 significant bits (k kLn2High is exact).
constexpr double kLn2High = 0x1.62e42fee00000p-1;
constexpr double kLn2Low = 0x1.a39ef35793c76p-33;
}  // namespace detail

// ln x of a positive normal x (elsewhere a value of no meaning): x = 2^e m with m in [√½, √2),
// ln m = 2 atanh(s) = 2s + s R(s²), s = (m − 1)/(m + 1), R the Taylor series through s^22
// (truncation below 1e-18), assembled as e ln 2 + f − (f²/2 − s (f²/2 + R)), f = m − 1.
[[gnu::always_inline]] inline double log_core(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  double exponent = detail::high_bits_as_double(bits) - 1023.0;
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  const bool high = m > 0x1.6a09e667f3bcdp+0;  // √2
  m = high ? 0.5 * m : m;
  exponent = high ? exponent + 1.0 : exponent;
  const double f = m - 1.0;  // exact
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double series =
      z *
      (2.0 / 3.0 +
       z * (2.0 / 5.0 +
            z * (2.0 / 7.0 +
                 z * (2.0 / 9.0 +
                      z * (2.0 / 11.0 +
                           z * (2.0 / 13.0 +
                                z * (2.0 / 15.0 +
                                     z * (2.0 / 17.0 + z * (2.0 / 19.0 + z * (2.0 / 21.0))))))))));
  const double half_f2 = 0.5 * f * f;
  return exponent * detail::kLn2High +
         (f - (half_f2 - (s * (half_f2 + series) + exponent * detail::kLn2Low)));
}

inline double log(double x) {
  return positive_normal(x) ? log_core(x) : std::log(x);
}

// e^x for |x| < 708 (elsewhere a value of no meaning): x = k ln 2 + r, |r| ≤ ln2/2, Taylor
// polynomial of e^r through r^13 (truncation below 1e-17), times 2^k from its bits.
[[gnu::always_inline]] inline double exp_core(double x_in) {
  const double x = std::abs(x_in) < 708.0 ? x_in : 0.0;
  const double shifter = 0x1.8p52;
  const double k = (x * 1.4426950408889634 + shifter) - shifter;  // nearest to x / ln 2
  double r = std::fma(-k, detail::kLn2High, x);
  r = std::fma(-k, detail::kLn2Low, r);
  const double p =
      1.0 +
      r * (1.0 +
           r * (0.5 +
                r * (1.0 / 6.0 +
                     r * (1.0 / 24.0 +
                          r * (1.0 / 120.0 +
                               r * (1.0 / 720.0 +
                                    r * (1.0 / 5040.0 +
                                         r * (1.0 / 40320.0 +
                                              r * (1.0 / 362880.0 +
                                                   r * (1.0 / 3628800.0 +
                                                        r * (1.0 / 39916800.0 +
                                                             r * (1.0 / 479001600.0 +
                                                                  r / 6227020800.0))))))))))));
  return p * detail::power_of_two(k);  // |k| ≤ 1022
}

// arctan x for any finite x: with a = |x| or, above 1, a = 1/|x| (result π/2 − arctan a),
//   a ≤ 7/16:          arctan a
//   7/16 < a ≤ 11/16:  arctan(1/2) + arctan((2a − 1)/(2 + a))
//   a > 11/16:         π/4 + arctan((a − 1)/(a + 1))
// (the split points keep the sums free of cancellation; with a = 1/b the quotients are taken as
// (2 − b)/(2b + 1) and (1 − b)/(1 + b): one division), arctan u = u + u³ P(u²) on |u| ≤ 7/16 with P
// a degree-10 Chebyshev interpolant of (arctan u − u)/u³ (relative error below 1e-16). Within
// 2 ulp.
[[gnu::always_inline]] inline double atan_core(double x) {
  const double b = std::abs(x);
  const bool inverted = b > 1.0;
  // a = inverted ? 1/b : b, compared without dividing: a > 7/16 ⟺ b < 16/7 and so on (bitwise
  // operators and plain selects: GCC if-converts these into vector code).
  const bool middle = (inverted & (b < 16.0 / 7.0)) | (!inverted & (b > 7.0 / 16.0));
  const bool upper = (inverted & (b < 16.0 / 11.0)) | (!inverted & (b > 11.0 / 16.0));
  const double numerator_inverted = upper ? 1.0 - b : (middle ? 2.0 - b : 1.0);
  const double numerator_direct = upper ? b - 1.0 : (middle ? 2.0 * b - 1.0 : b);
  const double denominator_inverted = upper ? 1.0 + b : (middle ? 2.0 * b + 1.0 : b);
  const double denominator_direct = upper ? 1.0 + b : (middle ? 2.0 + b : 1.0);
  const double u = (inverted ? numerator_inverted : numerator_direct) /
                   (inverted ? denominator_inverted : denominator_direct);
  const double z = u * u;
  const double poly =
      -0.33333333333333276 +
      z * (0.1999999999995501 +
           z * (-0.1428571427858599 +
                z * (0.11111110632248107 +
                     z * (-0.09090891801934653 +
                          z * (0.07691932217377692 +
                               z * (-0.06661462105573293 +
                                    z * (0.058349712599234854 +
                                         z * (-0.049781710195145615 +
                                              z * (0.036466778964410446 +
                                                   z * -0.016134748644953574)))))))));
  // arctan(1/2), π/4 and π/2 as high + low parts.
  constexpr double kAtanHalfHigh = 0x1.dac670561bb4fp-2;
  constexpr double kAtanHalfLow = 0x1.a2b7f222f65e2p-56;
  constexpr double kQuarterPiHigh = 0x1.921fb54442d18p-1;
  constexpr double kQuarterPiLow = 0x1.1a62633145c07p-55;
  constexpr double kHalfPiHigh = 0x1.921fb54442d18p+0;
  constexpr double kHalfPiLow = 0x1.1a62633145c07p-54;
  const double atan_u = u + u * z * poly;
  const double base_high = upper ? kQuarterPiHigh : (middle ? kAtanHalfHigh : 0.0);
  const double base_low = upper ? kQuarterPiLow : (middle ? kAtanHalfLow : 0.0);
  const double atan_a = base_high + (atan_u + base_low);  // in [0, π/4]
  const double result = inverted ? kHalfPiHigh - (atan_a - kHalfPiLow) : atan_a;
  return x < 0.0 ? -result : result;
}

namespace detail {
// π/2 = kHalfPi1 + kHalfPi2 + kHalfPi3 to ~1e-49.
constexpr double kHalfPi1 = 0x1.921fb54442d18p+0;
constexpr double kHalfPi2 = 0x1.1a62633145c07p-54;
constexpr double kHalfPi3 = -0x1.f1976b7ed8fbcp-110;
constexpr double kTwoOverPi = 0.6366197723675814;
constexpr double kLargeArgument = 0x1p30;
}  // namespace detail

[[gnu::always_inline]] inline bool sincos_core_valid(double x) {
  return std::abs(x) < detail::kLargeArgument;
}

// sin x and cos x where sincos_core_valid(x) (elsewhere finite values of no meaning):
// x = q π/2 + r (Cody-Waite with fused multiply-adds), Taylor polynomials of sin r and cos r on
// |r| ≤ π/4 (truncation below 1e-19), swapped and negated by the quadrant q mod 4.
[[gnu::always_inline]] inline void sincos_core(double x_in, double& sine, double& cosine) {
  const double x = sincos_core_valid(x_in) ? x_in : 0.0;
  // Adding 1.5·2^52 rounds to an integer (|x 2/π| < 2^51), whose low bits are those of q.
  const double shifter = 0x1.8p52;
  const double q_shifted = x * detail::kTwoOverPi + shifter;
  const double q = q_shifted - shifter;
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
  const auto quadrant = std::bit_cast<std::uint64_t>(q_shifted);  // q mod 4 in the low bits
  const bool swap = (quadrant & 1) != 0;
  const double s = swap ? cos_r : sin_r;
  const double c = swap ? sin_r : cos_r;
  sine = (quadrant & 2) != 0 ? -s : s;
  cosine = ((quadrant + 1) & 2) != 0 ? -c : c;
}

}  // namespace dotpe::waveform::fast
