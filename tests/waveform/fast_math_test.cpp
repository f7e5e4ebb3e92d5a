// The waveform loops' own sine, cosine and cube root (src/waveform/fast_math.hpp) against glibc
// and long double, and the block evaluation against single-point evaluation.
#include "fast_math.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <random>
#include <vector>

#include "dotpe/waveform/waveform.hpp"
#include "mode_kernels.hpp"

namespace dotpe::waveform {
namespace {

TEST(FastMath, SineAndCosineAreWithinOneRoundingOfGlibc) {
  std::mt19937_64 generator(7);
  double worst = 0.0;
  for (const double scale : {1.0, 10.0, 1e3, 1e6, 1e9}) {
    std::uniform_real_distribution<double> uniform(-scale, scale);
    for (int k = 0; k < 200000; ++k) {
      const double x = uniform(generator);
      double sine = 0.0;
      double cosine = 0.0;
      fast::sincos_core(x, sine, cosine);
      worst = std::max({worst, std::abs(sine - std::sin(x)), std::abs(cosine - std::cos(x))});
    }
  }
  EXPECT_LE(worst, 2.3e-16);  // absolute: sin and cos are at most 1
  RecordProperty("worst_absolute_error", fmt::format("{:.2e}", worst));
}

// Error of `value` in units of the last place of the exact result.
double ulps(double value, long double exact) {
  const double rounded = static_cast<double>(exact);
  const double ulp = std::nextafter(std::abs(rounded), 1e300) - std::abs(rounded);
  return static_cast<double>(std::abs(static_cast<long double>(value) - exact)) / ulp;
}

TEST(FastMath, CubeRootsAreWithinOneUlp) {
  std::mt19937_64 generator(11);
  std::uniform_real_distribution<double> exponent(-700.0, 700.0);
  double worst_root = 0.0;
  double worst_inverse = 0.0;
  for (int k = 0; k < 400000; ++k) {
    const double x =
        k < 2000 ? std::ldexp(1.0 + k / 2000.0, k % 600 - 300) : std::exp(exponent(generator));
    const long double exact = std::cbrt(static_cast<long double>(x));
    double root = 0.0;
    double inverse = 0.0;
    fast::cbrt_and_inverse_core(x, root, inverse);
    worst_root = std::max({worst_root, ulps(root, exact), ulps(fast::cbrt(x), exact)});
    worst_inverse = std::max(worst_inverse, ulps(inverse, 1.0L / exact));
  }
  EXPECT_LT(worst_root, 1.0);
  EXPECT_LT(worst_inverse, 2.0);
  RecordProperty("worst_ulp", fmt::format("{:.2f}", worst_root));
  RecordProperty("worst_ulp_inverse", fmt::format("{:.2f}", worst_inverse));
}

TEST(FastMath, SqrtLogExpAtanAreWithinTwoUlp) {
  std::mt19937_64 generator(13);
  std::uniform_real_distribution<double> exponent(-700.0, 700.0);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  double worst_sqrt = 0.0, worst_log = 0.0, worst_exp = 0.0, worst_atan = 0.0;
  for (int k = 0; k < 400000; ++k) {
    const double positive = std::exp(exponent(generator));
    const double near_one = 1.0 + 0.5 * uniform(generator);
    const double argument = 707.0 * uniform(generator);
    const double any = std::sinh(30.0 * uniform(generator));
    const double small = uniform(generator);
    const auto x = [](double value) { return static_cast<long double>(value); };
    worst_sqrt = std::max(worst_sqrt, ulps(fast::sqrt_core(positive), std::sqrt(x(positive))));
    worst_log = std::max({worst_log, ulps(fast::log_core(positive), std::log(x(positive))),
                          ulps(fast::log_core(near_one), std::log(x(near_one)))});
    worst_exp = std::max(worst_exp, ulps(fast::exp_core(argument), std::exp(x(argument))));
    worst_atan = std::max({worst_atan, ulps(fast::atan_core(any), std::atan(x(any))),
                           ulps(fast::atan_core(small), std::atan(x(small)))});
  }
  EXPECT_LE(worst_sqrt, 0.5 + 1e-9);
  EXPECT_LT(worst_log, 1.0);
  EXPECT_LT(worst_exp, 1.0);
  EXPECT_LT(worst_atan, 2.0);
  RecordProperty("worst_ulp", fmt::format("sqrt {:.2f}, log {:.2f}, exp {:.2f}, atan {:.2f}",
                                          worst_sqrt, worst_log, worst_exp, worst_atan));
}

TEST(FastMath, BlocksHandleEveryInput) {
  // Cube roots of zero, negative, subnormal, huge and non-finite values; sines of arguments
  // beyond 2^30 (passed to glibc).
  const std::vector<double> mf = {0.0,   -1.0,   1e-310, 1e-305,
                                  1e305, 0.0125, 1.0e30, std::numeric_limits<double>::infinity()};
  std::vector<double> third(mf.size());
  std::vector<double> inverse_third(mf.size());
  std::vector<double> log_mf(mf.size());
  cube_roots(mf, third.data(), inverse_third.data());
  logarithms(mf, log_mf.data());
  for (std::size_t k = 2; k < 7; ++k) {
    EXPECT_NEAR(third[k] * inverse_third[k], 1.0, 1e-15) << k;
    EXPECT_NEAR(log_mf[k] / std::log(mf[k]), 1.0, 1e-15) << k;
  }
  EXPECT_EQ(log_mf[0], 0.0);
  EXPECT_EQ(log_mf[1], 0.0);
  EXPECT_EQ(third[0], 0.0);
  EXPECT_EQ(third[1], 0.0);
  EXPECT_NEAR(third[2] / std::cbrt(1e-310), 1.0, 1e-15);
  EXPECT_NEAR(third[3] / std::cbrt(1e-305), 1.0, 1e-15);
  EXPECT_NEAR(third[4] / std::cbrt(1e305), 1.0, 1e-15);
  EXPECT_NEAR(third[5] / std::cbrt(0.0125), 1.0, 1e-15);
  EXPECT_NEAR(third[6] / 1e10, 1.0, 1e-15);
  EXPECT_EQ(third[7], std::numeric_limits<double>::infinity());

  const std::vector<double> phase = {0.3, 2e9, -3e12, 1e20, 12345.678};
  const std::vector<double> amplitude = {1.0, 2.0, 1.0, 0.5, 0.0};
  std::vector<std::complex<double>> h(phase.size());
  store_mode(amplitude, phase, h);
  for (std::size_t k = 0; k < phase.size(); ++k) {
    const std::complex<double> expected = amplitude[k] * std::polar(1.0, -phase[k]);
    EXPECT_NEAR(std::abs(h[k] - expected), 0.0, 3e-16 * std::max(amplitude[k], 1.0)) << k;
  }
  EXPECT_EQ(h[4].real(), 0.0);
  EXPECT_FALSE(std::signbit(h[4].imag()));  // +0 where the amplitude is 0
}

// Each frequency's value depends on that frequency alone: a shuffled grid and one frequency at
// a time give the same numbers as the whole grid in order (the models evaluate blocks with a
// vectorised pass and a per-point pass for the rest).
TEST(FastMath, ModelsGiveTheSameValuesInAnyOrderAndBlocking) {
  std::vector<double> grid;
  for (double f = 4.0; f < 2048.0; f *= 1.013) grid.push_back(f);
  grid.push_back(0.0);
  grid.push_back(-5.0);
  std::vector<std::size_t> order(grid.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::shuffle(order.begin(), order.end(), std::mt19937_64(3));
  std::vector<double> shuffled(grid.size());
  for (std::size_t k = 0; k < grid.size(); ++k) shuffled[k] = grid[order[k]];

  BinaryParameters binary{31.0, 9.0, 0.6, -0.4};
  binary.iota = 1.1;
  binary.phi_ref = 0.4;
  for (const Approximant approximant :
       {Approximant::TaylorF2, Approximant::IMRPhenomD, Approximant::IMRPhenomHM}) {
    for (const Mode& lm : harmonic_modes(approximant)) {
      std::vector<std::complex<double>> in_order(grid.size()), in_shuffle(grid.size());
      mode(approximant, binary, lm, grid, in_order);
      mode(approximant, binary, lm, shuffled, in_shuffle);
      for (std::size_t k = 0; k < grid.size(); ++k) {
        ASSERT_EQ(in_shuffle[k], in_order[order[k]])
            << approximant_name(approximant) << " (" << lm.l << "," << lm.m << ") f "
            << shuffled[k];
      }
      for (std::size_t k = 0; k < grid.size(); k += 7) {
        std::vector<std::complex<double>> one(1);
        mode(approximant, binary, lm, std::vector<double>{grid[k]}, one);
        ASSERT_EQ(one[0], in_order[k])
            << approximant_name(approximant) << " (" << lm.l << "," << lm.m << ") f " << grid[k];
      }
    }
  }
}

// polarizations_by_m is the sum of the modes with their harmonics, for every subset of modes.
TEST(FastMath, PolarisationsAreTheSumOfTheModes) {
  std::vector<double> grid;
  for (double f = 10.0; f < 1000.0; f *= 1.02) grid.push_back(f);
  const std::size_t n_f = grid.size();
  BinaryParameters binary{50.0, 12.0, -0.3, 0.8};
  binary.iota = 2.0;
  binary.phi_ref = 1.3;
  binary.distance = 250.0;
  const std::vector<Mode> all = harmonic_modes(Approximant::IMRPhenomHM);
  for (const std::vector<Mode>& modes :
       {all, std::vector<Mode>{{3, 3}}, std::vector<Mode>{{4, 4}, {2, 1}, {4, 3}}}) {
    const std::vector<int> groups = m_arr(modes);
    std::vector<std::complex<double>> by_m(groups.size() * 2 * n_f);
    polarizations_by_m(Approximant::IMRPhenomHM, binary, modes, grid, by_m);
    std::vector<std::complex<double>> expected(by_m.size());
    for (const Mode& lm : modes) {
      std::vector<std::complex<double>> h(n_f);
      mode(Approximant::IMRPhenomHM, binary, lm, grid, h);
      const auto g =
          static_cast<std::size_t>(std::find(groups.begin(), groups.end(), lm.m) - groups.begin());
      const double sign = lm.l % 2 == 0 ? 1.0 : -1.0;
      const double y_plus = spin_weighted_harmonic(lm.l, lm.m, binary.iota);
      const double y_minus = spin_weighted_harmonic(lm.l, -lm.m, binary.iota);
      const std::complex<double> rotation = std::polar(1.0, lm.m * binary.phi_ref);
      for (std::size_t k = 0; k < n_f; ++k) {
        expected[(g * 2 + 0) * n_f + k] += 0.5 * (y_plus + sign * y_minus) * rotation * h[k];
        expected[(g * 2 + 1) * n_f + k] +=
            std::complex<double>(0.0, -0.5) * (y_plus - sign * y_minus) * rotation * h[k];
      }
    }
    for (std::size_t q = 0; q < by_m.size(); ++q) {
      EXPECT_NEAR(std::abs(by_m[q] - expected[q]), 0.0, 1e-14 * std::abs(expected[q])) << q;
    }
  }
}

}  // namespace
}  // namespace dotpe::waveform
