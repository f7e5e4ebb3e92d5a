// The reference-waveform finder against injections with known parameters: its matched filters
// against direct full-frequency inner products, its analytic maximisation over (ψ, ι, φ, D)
// against the projected model, and the whole search on IMRPhenomD signals in O3 noise.
#include "dotpe/likelihood/reference_finder.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numbers>

#include "../../src/likelihood/reference_finder_internal.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/core/timer.hpp"
#include "dotpe/physics/detectors.hpp"
#include "dotpe/physics/noise.hpp"
#include "dotpe/physics/sky.hpp"

namespace dotpe::likelihood {
namespace {

using namespace reference_finder_detail;
using complex = std::complex<double>;
constexpr auto kModel = waveform::Approximant::IMRPhenomD;

physics::EventData noise_event(std::uint64_t seed, bool zero_noise, double duration = 32.0) {
  physics::NoiseSettings settings;
  for (const auto& name : settings.detector_names)
    settings.asds.push_back(physics::default_asd(name));
  settings.duration = duration;
  settings.fmin = 20.0;
  settings.fmax = 512.0;
  settings.tgps = 1187008882.4;
  settings.seed = seed;
  settings.zero_noise = zero_noise;
  return physics::make_noise_event(settings);
}

std::vector<complex> projected(const physics::EventData& event, const SourceParameters& source) {
  const auto [first, end] = event.band();
  const auto band = std::span<const double>(event.frequencies).subspan(first, end - first);
  waveform::BinaryParameters binary = source.intrinsic;
  binary.distance = 1.0;
  std::vector<complex> h(2 * band.size());
  waveform::polarizations_by_m(kModel, binary, waveform::harmonic_modes(kModel), band, h);
  std::vector<complex> plus(event.n_frequencies());
  std::vector<complex> cross(event.n_frequencies());
  std::copy(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(band.size()),
            plus.begin() + static_cast<std::ptrdiff_t>(first));
  std::copy(h.begin() + static_cast<std::ptrdiff_t>(band.size()), h.end(),
            cross.begin() + static_cast<std::ptrdiff_t>(first));
  return physics::project_signal(
      event, plus, cross,
      {source.ra, source.dec, source.psi, source.t_geocenter, source.intrinsic.distance});
}

double direct_lnl(const physics::EventData& event, const SourceParameters& source) {
  const auto signal = projected(event, source);
  const std::size_t n_f = event.n_frequencies();
  double lnl = 0.0;
  for (std::size_t d = 0; d < event.n_detectors(); ++d) {
    const auto h = std::span(signal).subspan(d * n_f, n_f);
    const auto data = std::span(event.strain).subspan(d * n_f, n_f);
    lnl += physics::inner_product(event, d, data, h).real() -
           0.5 * physics::inner_product(event, d, h, h).real();
  }
  return lnl;
}

SourceParameters source_with(double m1, double m2, double chi, double distance) {
  SourceParameters source;
  source.intrinsic = {m1, m2, chi, chi};
  source.intrinsic.iota = 0.6;
  source.intrinsic.phi_ref = 0.8;
  source.intrinsic.distance = distance;
  source.ra = 2.1;
  source.dec = -0.4;
  source.psi = 0.3;
  source.t_geocenter = 0.012;
  return source;
}

void inject(physics::EventData& event, const SourceParameters& source) {
  const auto signal = projected(event, source);
  for (std::size_t k = 0; k < signal.size(); ++k) event.strain[k] += signal[k];
}

TEST(ReferenceFinder, ReducedResolutionFilterFindsTheInjectedTimeAndSnr) {
  physics::EventData event = noise_event(1, true);
  const SourceParameters source = source_with(30.0, 22.0, 0.2, 800.0);
  inject(event, source);
  const IntrinsicPoint truth = intrinsic_point(source.intrinsic);
  MatchedFilter filter(event, chirp_duration(20.0, 20.0), 0.1);
  EXPECT_LT(filter.duration(), event.duration());  // the cut is in effect
  const auto peaks = filter.peaks(mode22(kModel, truth, 50.0, filter.frequencies()));
  const auto snr = physics::optimal_snr(event, projected(event, source));
  const double lat = source.dec;
  const double lon = physics::ra_to_lon(source.ra, event.tgps);
  for (std::size_t d = 0; d < event.n_detectors(); ++d) {
    const auto& site = physics::detector(event.detector_names[d]);
    const double arrival = source.t_geocenter + physics::geocenter_delay(site, lat, lon);
    EXPECT_NEAR(std::sqrt(peaks[d].snr2), snr[d], 2e-3 * snr[d]) << event.detector_names[d];
    EXPECT_NEAR(peaks[d].time, arrival, 5e-5) << event.detector_names[d];
  }
}

TEST(ReferenceFinder, CoherentFitRecoversTheExtrinsicParametersOfANoiselessSignal) {
  physics::EventData event = noise_event(1, true);
  const SourceParameters source = source_with(30.0, 22.0, 0.2, 800.0);
  inject(event, source);
  CoherentFilter coherent(event, kModel, 50.0);
  coherent.set_template(intrinsic_point(source.intrinsic));
  const double lat = source.dec;
  const double lon = physics::ra_to_lon(source.ra, event.tgps);
  const auto fit = coherent.fit(lat, lon, source.t_geocenter, 0.0);
  const auto snr = physics::optimal_snr(event, projected(event, source));
  double rho2 = 0.0;
  for (const double value : snr) rho2 += value * value;
  // Without noise the maximum is the truth: lnL = ρ²/2, at the injected ψ, ι, φ (mod π) and D.
  EXPECT_NEAR(coherent.max_lnl(lat, lon, source.t_geocenter), 0.5 * rho2, 1e-6 * rho2);
  EXPECT_NEAR(fit.lnl, 0.5 * rho2, 1e-6 * rho2);
  EXPECT_NEAR(fit.iota, source.intrinsic.iota, 1e-4);
  EXPECT_NEAR(fit.psi, source.psi, 1e-4);
  EXPECT_NEAR(fit.phi_ref, source.intrinsic.phi_ref, 1e-4);
  EXPECT_NEAR(fit.distance, source.intrinsic.distance, 1e-4 * source.intrinsic.distance);
  // And the model projected with the fitted parameters reaches the same lnL directly.
  SourceParameters fitted = source;
  fitted.psi = fit.psi;
  fitted.intrinsic.iota = fit.iota;
  fitted.intrinsic.phi_ref = fit.phi_ref;
  fitted.intrinsic.distance = fit.distance;
  EXPECT_NEAR(direct_lnl(event, fitted), 0.5 * rho2, 1e-6 * rho2);
}

TEST(ReferenceFinder, NoiseAloneFailsWithAMessageSayingHowToWidenTheSearch) {
  const physics::EventData event = noise_event(5, false, 16.0);
  ReferenceSearchSettings settings;
  settings.mchirp_min = 20.0;
  settings.mchirp_max = 30.0;
  settings.min_network_snr = 12.0;
  try {
    find_reference_waveform(event, settings);
    FAIL() << "pure noise passed an SNR threshold of 12";
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("reaches network SNR 12"));
    EXPECT_THAT(error.what(), ::testing::HasSubstr("--mchirp-guess"));
  }
}

TEST(ReferenceFinder, ResultDoesNotDependOnTheOrderOfTheMapsEvaluations) {
  physics::EventData event = noise_event(7, false, 16.0);
  inject(event, source_with(36.0, 30.0, 0.0, 700.0));
  ReferenceSearchSettings settings;
  settings.mchirp_min = 25.0;
  settings.mchirp_max = 35.0;
  // As a task farm may: evaluate backwards, return in index order.
  const ParallelMap backwards = [](std::size_t n, const std::function<double(std::size_t)>& f) {
    std::vector<double> values(n);
    for (std::size_t i = n; i-- > 0;) values[i] = f(i);
    return values;
  };
  const auto serial = find_reference_waveform(event, settings).to_json(event.tgps);
  const auto reversed = find_reference_waveform(event, settings, backwards).to_json(event.tgps);
  EXPECT_EQ(serial.dump(), reversed.dump());
}

struct InjectionCase {
  std::uint64_t seed;
  double m1, m2, chi, distance;
};

class ReferenceFinderInjection : public ::testing::TestWithParam<InjectionCase> {};

TEST_P(ReferenceFinderInjection, RecoversChirpMassAndReachesTheTrueLikelihood) {
  const InjectionCase& c = GetParam();
  physics::EventData event = noise_event(c.seed, false);
  const SourceParameters source = source_with(c.m1, c.m2, c.chi, c.distance);
  inject(event, source);
  const double mchirp = intrinsic_point(source.intrinsic).mchirp;
  const double true_lnl = direct_lnl(event, source);
  ReferenceSearchSettings settings;
  settings.mchirp_min = 0.7 * mchirp;
  settings.mchirp_max = 1.4 * mchirp;
  const WallTimer timer;
  const ReferenceSolution solution = find_reference_waveform(event, settings);
  const double seconds = timer.seconds();
  const auto& found = solution.parameters;
  const double found_mchirp = intrinsic_point(found.intrinsic).mchirp;
  const std::string summary =
      fmt::format("seed {} Mc {:.3f} -> {:.3f}, lnL true {:.2f} found {:.2f}, {:.1f} s", c.seed,
                  mchirp, found_mchirp, true_lnl, solution.lnl, seconds);
  RecordProperty("summary", summary);
  std::cout << summary << "\n";
  EXPECT_NEAR(found_mchirp, mchirp, 0.02 * mchirp);
  EXPECT_GT(solution.lnl, true_lnl - 2.0);
  // The reported lnL is that of the reported parameters.
  EXPECT_NEAR(direct_lnl(event, found), solution.lnl, 1e-6 * std::abs(solution.lnl));
}

INSTANTIATE_TEST_SUITE_P(Seeds, ReferenceFinderInjection,
                         ::testing::Values(InjectionCase{11, 30.0, 22.0, 0.2, 520.0},
                                           InjectionCase{12, 9.0, 6.0, -0.1, 235.0},
                                           InjectionCase{13, 50.0, 40.0, 0.1, 900.0}));

}  // namespace
}  // namespace dotpe::likelihood
