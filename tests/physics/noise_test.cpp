#include "dotpe/physics/noise.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"

namespace dotpe::physics {
namespace {

NoiseSettings o3_settings(std::uint64_t seed) {
  NoiseSettings settings;
  settings.detector_names = {"H1", "L1", "V1"};
  for (const auto& name : settings.detector_names) settings.asds.push_back(default_asd(name));
  settings.duration = 16.0;
  settings.fmin = 20.0;
  settings.fmax = 512.0;
  settings.tgps = 1187008882.4;
  settings.seed = seed;
  return settings;
}

// A chirp-like test signal with a smooth amplitude and a PN-like phase.
std::vector<std::complex<double>> test_polarisation(const EventData& event, double phase_offset) {
  std::vector<std::complex<double>> h(event.n_frequencies());
  for (std::size_t k = 1; k < h.size(); ++k) {
    const double f = event.frequencies[k];
    const double phase = 2e3 * std::pow(f, -5.0 / 3.0) * 100.0 + phase_offset;
    h[k] = std::polar(1e-19 * std::pow(f, -7.0 / 6.0), phase);
  }
  return h;
}

TEST(Noise, WhitenedNoiseHasUnitVariancePerBin) {
  // With E|ñ|² = T S / 2 and w = 1/ASD, 4 df |ñ w|² / 2 = 2|ñ|²/(T S) has mean 1 in every bin.
  double total = 0.0;
  double count = 0.0;
  double bin_total = 0.0;  // one fixed bin across seeds
  constexpr int kSeeds = 200;
  for (int seed = 0; seed < kSeeds; ++seed) {
    const EventData event = make_noise_event(o3_settings(static_cast<std::uint64_t>(seed)));
    const std::size_t n_f = event.n_frequencies();
    for (std::size_t d = 0; d < event.n_detectors(); ++d) {
      for (std::size_t k = 0; k < n_f; ++k) {
        const double w = event.whitening_filter[d * n_f + k];
        if (w == 0.0) continue;
        const double power = 2.0 * event.df() * std::norm(event.strain[d * n_f + k] * w);
        total += power;
        count += 1.0;
        if (d == 1 && k == 1000) bin_total += power;
      }
    }
  }
  // The power is exponential (mean 1, sd 1): the standard error is 1/sqrt(count).
  EXPECT_NEAR(total / count, 1.0, 5.0 / std::sqrt(count));
  EXPECT_NEAR(bin_total / kSeeds, 1.0, 5.0 / std::sqrt(kSeeds));
}

TEST(Noise, SameSeedSameEventBitForBit) {
  const EventData first = make_noise_event(o3_settings(7));
  const EventData again = make_noise_event(o3_settings(7));
  const EventData other = make_noise_event(o3_settings(8));
  EXPECT_EQ(first.strain, again.strain);
  EXPECT_NE(first.strain, other.strain);
  // The noise of H1 does not depend on which other detectors are simulated.
  NoiseSettings only_hanford = o3_settings(7);
  only_hanford.detector_names = {"H1"};
  only_hanford.asds.resize(1);
  const EventData hanford = make_noise_event(only_hanford);
  EXPECT_TRUE(std::equal(hanford.strain.begin(), hanford.strain.end(), first.strain.begin()));
}

TEST(Noise, WhiteningIsOneOverAsdInsideTheBand) {
  const EventData event = make_noise_event(o3_settings(1));
  const auto asd = default_asd("L1");
  const std::size_t n_f = event.n_frequencies();
  for (std::size_t k = 0; k < n_f; ++k) {
    const double f = event.frequencies[k];
    const double w = event.whitening_filter[n_f + k];
    if (f < 20.0) {
      EXPECT_EQ(w, 0.0);
    } else {
      EXPECT_NEAR(w * asd.at(f), 1.0, 1e-12);
    }
  }
  EXPECT_EQ(event.tcoarse, 8.0);
}

TEST(Injection, MatchedFilterSnrOfTheSignalAgainstItselfIsTheOptimalSnr) {
  NoiseSettings settings = o3_settings(3);
  settings.zero_noise = true;
  EventData event = make_noise_event(settings);
  const auto hplus = test_polarisation(event, 0.0);
  const auto hcross = test_polarisation(event, -std::numbers::pi / 2);
  const SignalPlacement placement{1.2, -0.4, 0.7, 0.01, 400.0};
  const auto signal = project_signal(event, hplus, hcross, placement);
  for (std::size_t k = 0; k < signal.size(); ++k) event.strain[k] += signal[k];
  const auto optimal = optimal_snr(event, signal);
  const auto matched = matched_filter_snr(event, signal);
  for (std::size_t d = 0; d < 3; ++d) {
    EXPECT_GT(optimal[d], 0.5);
    EXPECT_NEAR(matched[d], optimal[d], 1e-12 * optimal[d]);
  }
  // SNR scales as 1/distance.
  const auto farther =
      optimal_snr(event, project_signal(event, hplus, hcross, {1.2, -0.4, 0.7, 0.01, 800.0}));
  EXPECT_NEAR(farther[0], optimal[0] / 2.0, 1e-12);
}

TEST(Injection, InNoiseTheMatchedFilterSnrScattersByOneAroundTheOptimal) {
  double sum_of_differences = 0.0;
  double sum_of_squares = 0.0;
  constexpr int kSeeds = 400;
  for (int seed = 0; seed < kSeeds; ++seed) {
    EventData event = make_noise_event(o3_settings(static_cast<std::uint64_t>(100 + seed)));
    const auto signal = project_signal(event, test_polarisation(event, 0.0),
                                       test_polarisation(event, 1.0), {0.3, 0.2, 0.1, 0.0, 300.0});
    const auto optimal = optimal_snr(event, signal);
    for (std::size_t k = 0; k < signal.size(); ++k) event.strain[k] += signal[k];
    const double difference = matched_filter_snr(event, signal)[0] - optimal[0];
    sum_of_differences += difference;
    sum_of_squares += difference * difference;
  }
  // Re(n|h)/|h| is standard normal for unit-variance whitened noise.
  // Five standard errors: of a mean (1/sqrt N) and of a chi-square mean (sqrt(2/N)).
  EXPECT_NEAR(sum_of_differences / kSeeds, 0.0, 5.0 / std::sqrt(kSeeds));
  EXPECT_NEAR(sum_of_squares / kSeeds, 1.0, 5.0 * std::sqrt(2.0 / kSeeds));
}

TEST(Injection, ArrivalTimeShiftsThePhaseLinearly) {
  NoiseSettings settings = o3_settings(1);
  settings.zero_noise = true;
  settings.detector_names = {"H1"};
  settings.asds.resize(1);
  const EventData event = make_noise_event(settings);
  const auto h = test_polarisation(event, 0.0);
  const auto early = project_signal(event, h, h, {1.0, 0.5, 0.0, 0.0, 1.0});
  const auto late = project_signal(event, h, h, {1.0, 0.5, 0.0, 0.002, 1.0});
  const std::size_t k = 4000;
  const double expected = -2.0 * std::numbers::pi * event.frequencies[k] * 0.002;
  EXPECT_NEAR(std::remainder(std::arg(late[k] / early[k]) - expected, 2 * std::numbers::pi), 0.0,
              1e-9);
}

TEST(Noise, BadSettingsAreExplained) {
  NoiseSettings settings = o3_settings(1);
  settings.fmin = 5.0;  // below the bundled ASDs (15 Hz)
  EXPECT_THROW(make_noise_event(settings), Error);
  settings = o3_settings(1);
  settings.fmax = 10.0;
  EXPECT_THROW(make_noise_event(settings), Error);
  EXPECT_THROW(read_asd("/nonexistent/asd.txt"), Error);
}

}  // namespace
}  // namespace dotpe::physics
