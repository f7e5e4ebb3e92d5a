#include "dotpe/physics/noise.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "test_paths.hpp"

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
  // "Unit variance" in the reference's convention: with E|ñ|² = T S / 2 and w = 1/ASD, the
  // whitened bin x = sqrt(2 df) ñ w (so 4 df |ñ w|² = 2|x|²) is circular complex Gaussian with
  // E|x|² = 1: E Re² = E Im² = ½, E Re·Im = 0, no correlation between neighbouring bins, and
  // E|x|⁴ = 2. Checked over all in-band bins of 200 seeds, and bin by bin across seeds.
  constexpr int kSeeds = 200;
  double count = 0.0;
  double real_squares = 0.0;
  double imag_squares = 0.0;
  double cross = 0.0;
  double neighbours = 0.0;
  double fourth = 0.0;
  std::vector<double> per_bin;  // [d][every 250th bin]: Σ over seeds of |x|²
  for (int seed = 0; seed < kSeeds; ++seed) {
    const EventData event = make_noise_event(o3_settings(static_cast<std::uint64_t>(seed)));
    const std::size_t n_f = event.n_frequencies();
    const auto [first, end] = event.band();
    per_bin.resize(event.n_detectors() * ((end - first + 249) / 250));
    std::size_t slot = 0;
    for (std::size_t d = 0; d < event.n_detectors(); ++d) {
      std::complex<double> previous = 0.0;
      for (std::size_t k = first; k < end; ++k) {
        const double w = event.whitening_filter[d * n_f + k];
        const std::complex<double> x = std::sqrt(2.0 * event.df()) * w * event.strain[d * n_f + k];
        count += 1.0;
        real_squares += x.real() * x.real();
        imag_squares += x.imag() * x.imag();
        cross += x.real() * x.imag();
        fourth += std::norm(x) * std::norm(x);
        if (k > first) neighbours += (x * std::conj(previous)).real();
        previous = x;
        if ((k - first) % 250 == 0) per_bin[slot++] += std::norm(x);
      }
    }
  }
  // Standard errors: Re² has variance ½ (2σ⁴ with σ² = ½), Re·Im and Re(x x'*) ¼ and ½, |x|⁴ 20.
  const double tolerance = 5.0 / std::sqrt(count);
  EXPECT_NEAR(real_squares / count, 0.5, tolerance * std::sqrt(0.5));
  EXPECT_NEAR(imag_squares / count, 0.5, tolerance * std::sqrt(0.5));
  EXPECT_NEAR(cross / count, 0.0, tolerance * 0.5);
  EXPECT_NEAR(neighbours / count, 0.0, tolerance * std::sqrt(0.5));
  EXPECT_NEAR(fourth / count, 2.0, tolerance * std::sqrt(20.0));
  // |x|² is exponential (mean 1, sd 1) in every bin.
  for (std::size_t slot = 0; slot < per_bin.size(); ++slot) {
    EXPECT_NEAR(per_bin[slot] / kSeeds, 1.0, 5.0 / std::sqrt(kSeeds)) << "bin " << slot;
  }
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

// An event at the GPS time of the second geometry test vector of numerics.md §2.5, no noise.
EventData test_vector_event() {
  NoiseSettings settings = o3_settings(0);
  settings.zero_noise = true;
  settings.duration = 4.0;
  settings.tgps = 1186741861.5;
  return make_noise_event(settings);
}

struct TestVector {
  double plus, cross, delay;
};
// numerics.md §2.5: ra = 1, dec = 0.5, ψ = 0.3 at GPS 1186741861.5 (H1, L1, V1).
constexpr TestVector kTestVectors[] = {{-0.5788344106, 0.3726783266, -0.0145657824},
                                       {0.6785956576, -0.6176665707, -0.0194484701},
                                       {0.0515506423, 0.6189378442, -0.0107488849}};

TEST(Injection, ProjectionFollowsTheReferenceFormula) {
  // numerics.md §6.4: h_d = (F+ h+ + F× h×) e^{−2πi f (tcoarse + t_geocenter + Δt_d)} / D.
  const EventData event = test_vector_event();
  const std::size_t n_f = event.n_frequencies();
  const std::complex<double> a(1.5, -0.5);
  const std::complex<double> b(-0.25, 2.0);
  const std::vector<std::complex<double>> hplus(n_f, a);
  const std::vector<std::complex<double>> hcross(n_f, b);
  const SignalPlacement placement{1.0, 0.5, 0.3, 0.0123, 250.0};
  const auto signal = project_signal(event, hplus, hcross, placement);
  for (std::size_t d = 0; d < 3; ++d) {
    const TestVector& row = kTestVectors[d];
    const double arrival = event.tcoarse + placement.geocent_time + row.delay;
    for (std::size_t k = 0; k < n_f; k += 97) {
      const double f = event.frequencies[k];
      const std::complex<double> expected = (row.plus * a + row.cross * b) / placement.distance *
                                            std::polar(1.0, -2.0 * std::numbers::pi * f * arrival);
      // The test vectors have 10 digits: 1e-10 s of delay is 3e-7 rad at 512 Hz.
      EXPECT_LT(std::abs(signal[d * n_f + k] - expected), 1e-6 * std::abs(expected))
          << event.detector_names[d] << " at " << f << " Hz";
    }
  }
}

TEST(Injection, AFlatSpectrumPeaksAtTheArrivalTimeInTheTimeDomain) {
  // h+ = 1 in the band is a band-limited pulse at t = 0 of the model's time origin; the inverse
  // transform x(t) = Σ_k Re[h_d(f_k) e^{+2πi f_k t}] of the detector strain must peak, with the
  // sign of F+, at the arrival time tcoarse + t_geocenter + Δt_d (Δt_d from the test vector).
  const EventData event = test_vector_event();
  const std::size_t n_f = event.n_frequencies();
  const auto [first, end] = event.band();
  std::vector<std::complex<double>> hplus(n_f);
  std::fill(hplus.begin() + static_cast<std::ptrdiff_t>(first),
            hplus.begin() + static_cast<std::ptrdiff_t>(end), std::complex<double>(1.0, 0.0));
  const std::vector<std::complex<double>> hcross(n_f);
  const double t_geocenter = 0.2;
  const auto signal = project_signal(event, hplus, hcross, {1.0, 0.5, 0.3, t_geocenter, 1.0});
  for (std::size_t d = 0; d < 3; ++d) {
    double best_time = 0.0;
    double best_value = 0.0;
    // 10 µs steps over ±40 ms around the geocentre arrival.
    for (int step = -4000; step <= 4000; ++step) {
      const double t = event.tcoarse + t_geocenter + 1e-5 * step;
      double value = 0.0;
      for (std::size_t k = first; k < end; ++k) {
        value += (signal[d * n_f + k] *
                  std::polar(1.0, 2.0 * std::numbers::pi * event.frequencies[k] * t))
                     .real();
      }
      if (std::abs(value) > std::abs(best_value)) {
        best_value = value;
        best_time = t;
      }
    }
    const TestVector& row = kTestVectors[d];
    EXPECT_NEAR(best_time, event.tcoarse + t_geocenter + row.delay, 1e-5)
        << event.detector_names[d];
    EXPECT_EQ(best_value > 0.0, row.plus > 0.0) << event.detector_names[d];
  }
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

std::filesystem::path write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

TEST(Noise, TwoColumnAsdFilesAreInterpolatedLinearly) {
  const auto directory = testing::fresh_work_dir("noise_asd_text");
  const auto asd =
      read_asd(write_text(directory / "asd.txt", "# f ASD\n10 4e-23\n20 2e-23\n\n40 1e-23\n"));
  EXPECT_DOUBLE_EQ(asd.at(10.0), 4e-23);
  EXPECT_DOUBLE_EQ(asd.at(15.0), 3e-23);
  EXPECT_DOUBLE_EQ(asd.at(30.0), 1.5e-23);
  EXPECT_DOUBLE_EQ(asd.at(40.0), 1e-23);
  EXPECT_THROW(asd.at(41.0), Error);
  // The bundled O3 curves agree with the values quoted in numerics.md §1.3 (at 100 Hz).
  EXPECT_NEAR(default_asd("H1").at(100.0), 8.96e-24, 0.01e-24);
  EXPECT_NEAR(default_asd("L").at(100.0), 4.70e-24, 0.01e-24);
  EXPECT_NEAR(default_asd("V1").at(100.0), 1.04e-22, 0.01e-22);
  const auto expect_refused = [&](const std::string& text, const std::string& why) {
    try {
      (void)read_asd(write_text(directory / "bad.txt", text));
      ADD_FAILURE() << "accepted an ASD file with " << why;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("bad.txt"), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(why), std::string::npos) << error.what();
    }
  };
  expect_refused("10 1e-23\n20 -1e-23\n", "positive");
  expect_refused("10 1e-23\n5 1e-23\n", "increase");
  expect_refused("10 1e-23\nten 1e-23\n", "two numbers");
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
