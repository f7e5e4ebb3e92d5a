// ASD drift: stationary Gaussian noise coloured by the PSD the whitening filter assumes gives
// ξ ≈ 1; noise 1.3 times louder gives ξ ≈ 1.3; a loud signal at the reference time is rejected
// as an outlier; the robust std ignores holes and glitches.
#include "dotpe/likelihood/asd_drift.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "dotpe/core/error.hpp"
#include "dotpe/core/rng.hpp"
#include "synthetic_waveforms.hpp"

namespace dotpe::likelihood {
namespace {

using namespace dotpe::likelihood::testing;

std::vector<double> drift_of(double noise_scale, double signal_amplitude, std::uint64_t seed,
                             const AsdDriftOptions& options = {}) {
  ChirpParameters signal;
  signal.amplitude = signal_amplitude;
  const std::vector<Projection> truth = {{0.6, -0.3, 0.0, 0.0}, {-0.45, 0.5, 0.0, 0.0}};
  const SyntheticEvent event =
      make_event(1.0 / 16.0, 520.0, 20.0, 500.0, signal, truth, noise_scale, seed);
  ChirpParameters reference;
  reference.amplitude = 1.0;
  std::vector<Complex> h;
  for (std::size_t d = 0; d < 2; ++d)
    for (const double f : event.frequencies) h.push_back(detector_strain(reference, truth[d], f));
  return compute_asd_drift({event.frequencies, event.df, 2, event.strain, event.whitening}, h,
                           options);
}

TEST(AsdDrift, StationaryNoiseGivesOne) {
  const auto drift = drift_of(1.0, 0.0, 41);
  for (const double xi : drift) EXPECT_NEAR(xi, 1.0, 0.06);
}

TEST(AsdDrift, LouderNoiseScalesDrift) {
  const auto drift = drift_of(1.3, 0.0, 42);
  for (const double xi : drift) EXPECT_NEAR(xi, 1.3, 0.08);
}

TEST(AsdDrift, LoudSignalIsRejected) {
  // Network SNR ≈ 40 at the reference time. A coarser tolerance keeps fewer lags, so the signal
  // would weigh more without outlier rejection. (Much louder signals raise ξ through the
  // template's autocorrelation sidelobes, which are not outliers; the reference does the same.)
  AsdDriftOptions options;
  options.tolerance = 0.05;
  const auto drift = drift_of(1.0, 0.1, 43, options);
  // Control: with the outlier threshold pushed to infinity the signal inflates ξ.
  options.expected_high = 1e-300;
  const auto inflated = drift_of(1.0, 0.1, 43, options);
  for (std::size_t d = 0; d < 2; ++d) {
    EXPECT_NEAR(drift[d], 1.0, 0.12);
    EXPECT_GT(inflated[d], drift[d] + 0.1) << d;
  }
}

TEST(AsdDrift, SafeStdIgnoresHolesAndGlitches) {
  RngStream rng(44, rng_stream::tests, 0);
  std::vector<double> values(40000);
  for (double& v : values) v = 1.7 * rng.normal();
  for (std::size_t k = 10000; k < 10600; ++k) values[k] = 0.0;            // a gated hole
  for (const std::size_t k : {3000u, 25000u, 33000u}) values[k] = 500.0;  // glitches
  const double robust = safe_std(values, 50, 1.0, 100);
  EXPECT_NEAR(robust, 1.7, 0.05);
  double naive = 0.0;
  for (const double v : values) naive += v * v;
  EXPECT_GT(std::sqrt(naive / values.size()), 3.0);  // the glitches would dominate a plain std
}

TEST(AsdDrift, RejectsGridNotStartingAtZero) {
  const std::vector<double> f = {1.0, 2.0, 3.0, 4.0};
  const std::vector<Complex> s(4, 1.0);
  const std::vector<double> w(4, 1.0);
  EXPECT_THROW(compute_asd_drift({f, 1.0, 1, s, w}, s), Error);
}

}  // namespace
}  // namespace dotpe::likelihood
