// Extrinsic sampling end to end on an IMRPhenomD injection in Gaussian noise (H1, L1, V1):
// the templates' χ² time series against a brute-force full-frequency matched filter (which fixes
// the time convention: t_coarse, the h0 = h+ + i h× reference, arrival times at the detectors),
// and the weighted extrinsic samples, reweighted by the coherent likelihood at the true
// intrinsic parameters, putting the true sky position inside the 90 % credible area.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <numeric>
#include <sstream>

#include "dotpe/extrinsic/extrinsic_sampling.hpp"
#include "dotpe/likelihood/coherent_kernel.hpp"
#include "dotpe/likelihood/distance_marginalization.hpp"
#include "dotpe/likelihood/reference_waveform.hpp"
#include "dotpe/likelihood/spline_basis.hpp"
#include "dotpe/physics/noise.hpp"
#include "dotpe/physics/sky.hpp"

namespace dotpe::extrinsic {
namespace {

using complex = std::complex<double>;
constexpr double kPi = std::numbers::pi;

std::string str(double value) {
  return (std::ostringstream() << value).str();
}

struct Injection {
  physics::EventData event;
  physics::SignalPlacement placement{1.9, -0.6, 0.4, 0.003, 600.0};
  waveform::BinaryParameters truth{36.0, 29.0, 0.3, -0.1};
  std::vector<waveform::Mode> modes = waveform::harmonic_modes(waveform::Approximant::IMRPhenomD);
  std::vector<double> fbin;
  double true_lat = 0.0, true_lon = 0.0;

  explicit Injection(bool zero_noise) {
    physics::NoiseSettings settings;
    settings.zero_noise = zero_noise;
    for (const auto& name : settings.detector_names)
      settings.asds.push_back(physics::default_asd(name));
    settings.duration = 8.0;
    settings.fmin = 20.0;
    settings.fmax = 512.0;
    settings.tgps = 1187008882.4;
    settings.seed = 21;
    event = physics::make_noise_event(settings);
    truth.iota = 0.7;
    const auto [first, end] = event.band();
    const std::span<const double> band = std::span(event.frequencies).subspan(first, end - first);
    const auto h = polarisations(truth, band);
    std::vector<complex> plus(event.n_frequencies()), cross(event.n_frequencies());
    std::copy(h.begin(), h.begin() + band.size(), plus.begin() + first);
    std::copy(h.begin() + band.size(), h.end(), cross.begin() + first);
    const auto signal = physics::project_signal(event, plus, cross, placement);
    for (std::size_t k = 0; k < signal.size(); ++k) event.strain[k] += signal[k];
    // 200 nodes uniform in ln f over the band.
    for (int b = 0; b < 200; ++b) fbin.push_back(20.0 * std::pow(512.0 / 20.0, b / 199.0));
    true_lat = placement.dec;
    true_lon = physics::ra_to_lon(placement.ra, event.tgps);
  }

  std::vector<complex> polarisations(const waveform::BinaryParameters& binary,
                                     std::span<const double> frequencies) const {
    std::vector<complex> h(2 * frequencies.size());
    waveform::polarizations_by_m(waveform::Approximant::IMRPhenomD, binary, modes, frequencies, h);
    return h;
  }

  // The truth and nearby templates on the nodes, [((k·n_m + m)·2 + p)·n_b + b].
  ProposalInputs inputs(std::size_t n_templates) const {
    ProposalInputs in;
    in.event = &event;
    in.modes = modes;
    in.reference_intrinsic = truth;
    in.reference_t_geocenter = placement.geocent_time + 0.002;  // a slightly off reference
    in.fbin = fbin;
    in.asd_drift = {1.0, 1.0, 1.0};
    in.n_templates = n_templates;
    for (std::size_t k = 0; k < n_templates; ++k) {
      waveform::BinaryParameters binary = truth;
      binary.m1 += 0.15 * static_cast<double>(k % 4);
      binary.m2 -= 0.1 * static_cast<double>(k % 4);
      binary.iota += 0.02 * static_cast<double>(k / 4);
      const auto h = polarisations(binary, fbin);
      in.templates.insert(in.templates.end(), h.begin(), h.end());
    }
    return in;
  }
};

const Injection& injection() {
  static const Injection instance(false);
  return instance;
}

const Injection& noise_free_injection() {
  static const Injection instance(true);
  return instance;
}

TEST(ExtrinsicInjection, TemplateChi2MatchesBruteForceMatchedFilter) {
  const Injection& inj = injection();
  const ProposalInputs inputs = inj.inputs(1);
  ExtrinsicSettings settings;
  const auto chi2 = template_chi2(inputs, settings);
  const TimeGrid grid = proposal_time_grid(inputs, settings);
  ASSERT_EQ(chi2.size(), 3 * grid.size);

  // Brute force: (d | h_p arriving at t_coarse + t) over every frequency of the band.
  const auto& event = inj.event;
  const std::size_t n_f = event.n_frequencies();
  const auto [first, end] = event.band();
  const auto h =
      inj.polarisations(inj.truth, std::span(event.frequencies).subspan(first, end - first));
  const std::size_t n_band = end - first;
  for (std::size_t d = 0; d < 3; ++d) {
    const auto& site = physics::detector(event.detector_names[d]);
    double hh = 0.0;
    for (std::size_t j = 0; j < n_band; ++j) {
      const double w = event.whitening_filter[d * n_f + first + j];
      hh += 4 * event.df() * w * w * (std::norm(h[j]) + std::norm(h[n_band + j]));
    }
    const auto brute_force = [&](double t) {
      complex dh[2] = {0.0, 0.0};
      for (std::size_t j = 0; j < n_band; ++j) {
        const std::size_t k = first + j;
        const double w = event.whitening_filter[d * n_f + k];
        const complex shift =
            std::polar(1.0, -2 * kPi * event.frequencies[k] * (event.tcoarse + t));
        for (std::size_t p = 0; p < 2; ++p)
          dh[p] += 4 * event.df() * w * w * event.strain[d * n_f + k] *
                   std::conj(h[p * n_band + j] * shift);
      }
      const double sum = std::abs(dh[0]) + std::abs(dh[1]);
      return sum * sum / hh;
    };
    const auto row = std::span(chi2).subspan(d * grid.size, grid.size);
    const std::size_t peak = std::max_element(row.begin(), row.end()) - row.begin();
    const double arrival =
        inj.placement.geocent_time + physics::geocenter_delay(site, inj.true_lat, inj.true_lon);
    // The peak sits at the true arrival time at the detector (noise moves it by ~0.1 ms).
    EXPECT_NEAR(grid.time(peak), arrival, 2.5 / grid.sampling_rate) << site.name;
    double worst = 0.0;
    for (std::size_t t = peak % 37; t < grid.size; t += 37) {
      worst = std::max(worst, std::abs(row[t] - brute_force(grid.time(t))));
    }
    for (std::size_t t = peak - 8; t <= peak + 8; ++t) {
      worst = std::max(worst, std::abs(row[t] - brute_force(grid.time(t))));
    }
    ::testing::Test::RecordProperty("chi2_peak_" + site.name, str(row[peak]));
    ::testing::Test::RecordProperty("chi2_worst_abs_error_" + site.name, str(worst));
    EXPECT_GT(row[peak], 10.0);  // measured 454, 476, 20 (V1 is the weak one)
    EXPECT_LT(worst, 2e-3 * row[peak]);
  }
}

// Posterior over equal-area sky pixels (uniform in sin lat and lon): the mass of the pixels
// denser than the truth's ("searched probability").
double searched_probability(const ExtrinsicSamples& samples, const std::vector<double>& posterior,
                            double lat, double lon) {
  constexpr std::size_t n_z = 24, n_lon = 48;  // 36 deg² pixels
  const auto pixel = [&](double la, double lo) {
    const auto iz =
        std::min<std::size_t>(n_z - 1, static_cast<std::size_t>((std::sin(la) + 1) / 2 * n_z));
    const auto il =
        std::min<std::size_t>(n_lon - 1, static_cast<std::size_t>(lo / (2 * kPi) * n_lon));
    return iz * n_lon + il;
  };
  std::vector<double> mass(n_z * n_lon, 0.0);
  const double total = std::accumulate(posterior.begin(), posterior.end(), 0.0);
  for (std::size_t e = 0; e < samples.size(); ++e)
    mass[pixel(samples.lat[e], samples.lon[e])] += posterior[e] / total;
  const double truth_mass = mass[pixel(lat, lon)];
  double searched = 0.0;
  for (double m : mass) searched += m > truth_mass ? m : 0.0;
  return searched;
}

struct SkyCheck {
  double posterior_ess = 0.0, searched = 1.0;
  std::vector<double> arrival_error;  // posterior-mean arrival time − truth per detector (s)
};

// Draws extrinsic samples for the injection and weights each by weight × the coherent
// likelihood at the true intrinsic parameters (distance-marginalised, phase-averaged).
SkyCheck check_sky(const Injection& inj, std::size_t n_ext, std::uint64_t seed) {
  const ProposalInputs inputs = inj.inputs(4);
  ExtrinsicSettings settings;
  settings.n_ext = n_ext;
  settings.seed = seed;
  settings.n_sky = std::size_t{1} << 18;
  const ExtrinsicSamples samples = draw_extrinsic_samples(inputs, settings);
  EXPECT_EQ(samples.size(), settings.n_ext);

  // Coherent likelihood at the true intrinsic parameters, distance-marginalised, averaged over
  // the orbital phase, for every extrinsic sample.
  const auto& event = inj.event;
  const auto reference = likelihood::make_reference_waveform(waveform::Approximant::IMRPhenomD,
                                                             inj.modes, inj.truth, event, inj.fbin);
  const likelihood::SplineBasis basis(inj.fbin);
  const auto weights =
      likelihood::compute_summary_weights(basis, likelihood::event_arrays(event), reference.view());
  const std::vector<double> drift = {1.0, 1.0, 1.0};
  const std::size_t n_phi = 32;
  const likelihood::CoherentKernel kernel(weights, drift, n_phi);
  const auto h = inj.polarisations(inj.truth, inj.fbin);
  const auto components = extrinsic_components(samples, 0, samples.size(), event_detectors(event),
                                               inj.fbin, event.tcoarse);
  likelihood::CoherentResult result;
  kernel.evaluate(
      kernel.prepare_intrinsic(1, h),
      kernel.prepare_extrinsic(samples.size(), components.response, components.timeshift), result);
  const auto& marginalization = likelihood::default_distance_marginalization();
  std::vector<double> ln_posterior(samples.size(), -INFINITY);
  double peak = -INFINITY;
  for (std::size_t e = 0; e < samples.size(); ++e) {
    if (samples.weights[e] == 0.0) continue;
    std::vector<double> lnl(n_phi);
    for (std::size_t o = 0; o < n_phi; ++o) {
      const std::size_t k = result.index(0, e, o);
      lnl[o] = marginalization.lnlike_marginalized(result.dh[k], result.hh[k]);
    }
    const double top = *std::max_element(lnl.begin(), lnl.end());
    double mean = 0.0;
    for (double value : lnl) mean += std::exp(value - top) / n_phi;
    ln_posterior[e] = samples.log_prior_weights[e] + top + std::log(mean);
    peak = std::max(peak, ln_posterior[e]);
  }
  std::vector<double> posterior(samples.size());
  for (std::size_t e = 0; e < samples.size(); ++e) posterior[e] = std::exp(ln_posterior[e] - peak);
  const double total = std::accumulate(posterior.begin(), posterior.end(), 0.0);
  // Arrival times at the detectors are what the data measure best (the geocentre time moves
  // with the sky position along the localisation ring).
  const auto detectors = event_detectors(event);
  std::vector<double> arrival_mean(3, 0.0);
  double sum_sq = 0.0, t_mean = 0.0, angle_mean = 0.0;
  const double true_z = std::sin(inj.true_lat);
  for (std::size_t e = 0; e < samples.size(); ++e) {
    const double p = posterior[e] / total;
    sum_sq += p * p;
    t_mean += p * samples.t_geocenter[e];
    for (std::size_t d = 0; d < 3; ++d)
      arrival_mean[d] +=
          p * (samples.t_geocenter[e] +
               physics::geocenter_delay(detectors[d], samples.lat[e], samples.lon[e]));
    const double cos_angle =
        true_z * std::sin(samples.lat[e]) +
        std::cos(inj.true_lat) * std::cos(samples.lat[e]) * std::cos(samples.lon[e] - inj.true_lon);
    angle_mean += p * std::acos(std::clamp(cos_angle, -1.0, 1.0));
  }
  SkyCheck check;
  check.posterior_ess = 1.0 / sum_sq;
  check.searched = searched_probability(samples, posterior, inj.true_lat, inj.true_lon);
  for (std::size_t d = 0; d < 3; ++d) {
    const double truth = inj.placement.geocent_time +
                         physics::geocenter_delay(detectors[d], inj.true_lat, inj.true_lon);
    check.arrival_error.push_back(arrival_mean[d] - truth);
  }
  ::testing::Test::RecordProperty("prior_weight_ess", str(samples.effective_sample_size));
  ::testing::Test::RecordProperty("void_fraction", str(samples.void_fraction));
  ::testing::Test::RecordProperty("posterior_ess", str(check.posterior_ess));
  ::testing::Test::RecordProperty("searched_probability", str(check.searched));
  ::testing::Test::RecordProperty("posterior_mean_t_minus_truth_ms",
                                  str(1e3 * (t_mean - inj.placement.geocent_time)));
  ::testing::Test::RecordProperty("posterior_mean_angle_to_truth_deg", str(angle_mean * 180 / kPi));
  for (std::size_t d = 0; d < 3; ++d) {
    ::testing::Test::RecordProperty("posterior_mean_arrival_minus_truth_ms_" + detectors[d].name,
                                    str(1e3 * check.arrival_error[d]));
  }
  return check;
}

TEST(ExtrinsicInjection, NoiseFreeInjectionPeaksAtTheTruth) {
  // Without noise the posterior's arrival times are the true ones: any error of time or sky
  // convention (t_coarse, the sign of a delay, the first detector's delay) moves them by ms.
  // Measured: −0.016, +0.041, −0.014 ms; searched probability 0.50 (the distance prior favours
  // directions of lower response, so the sky mode need not sit on the truth).
  const SkyCheck check = check_sky(noise_free_injection(), 4096, 8);
  EXPECT_GT(check.posterior_ess, 30.0);
  EXPECT_LT(check.searched, 0.9);
  for (std::size_t d = 0; d < 3; ++d) EXPECT_NEAR(check.arrival_error[d], 0.0, 1e-4);
}

TEST(ExtrinsicInjection, TrueSkyInsideNinetyPercentCredibleArea) {
  // One Gaussian-noise realisation: its converged posterior (32768 draws) holds the truth at a
  // searched probability of 0.84 (0.84-0.90 over draw seeds at 4096 draws; 8192 used here).
  const SkyCheck check = check_sky(injection(), 8192, 8);
  EXPECT_GT(check.posterior_ess, 100.0);
  EXPECT_LT(check.searched, 0.9);
  // Arrival times at the two loud detectors within their ~0.1 ms noise-limited precision.
  for (std::size_t d = 0; d < 2; ++d) EXPECT_NEAR(check.arrival_error[d], 0.0, 3e-4);
}

// Timing of the full call with the pipeline's defaults (K = 16, n_ext = 1024, 2^20 sky points,
// three detectors); run with --gtest_also_run_disabled_tests.
TEST(ExtrinsicInjection, DISABLED_TimingWithPipelineDefaults) {
  const Injection& inj = injection();
  const ProposalInputs inputs = inj.inputs(16);
  ExtrinsicSettings settings;
  settings.n_ext = 1024;
  const auto start = std::chrono::steady_clock::now();
  const auto sky = make_sky_dictionary(inj.event, settings);
  const auto after_sky = std::chrono::steady_clock::now();
  const auto proposal = build_time_proposal(inputs, settings, sky);
  const auto after_proposal = std::chrono::steady_clock::now();
  const auto samples = draw_extrinsic_samples(sky, proposal, settings.n_ext, settings.seed);
  const auto stop = std::chrono::steady_clock::now();
  const auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  ::testing::Test::RecordProperty("sky_dictionary_s", str(seconds(start, after_sky)));
  ::testing::Test::RecordProperty("proposal_s", str(seconds(after_sky, after_proposal)));
  ::testing::Test::RecordProperty("draw_s", str(seconds(after_proposal, stop)));
  ::testing::Test::RecordProperty("void_fraction", str(samples.void_fraction));
  ::testing::Test::RecordProperty("ess", str(samples.effective_sample_size));
  EXPECT_EQ(samples.size(), 1024u);
}

}  // namespace
}  // namespace dotpe::extrinsic
