// Relative binning end to end with a real model: summary-weight inner products against
// brute-force full-frequency inner products of an injected IMRPhenomD signal.
#include "dotpe/likelihood/reference_waveform.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "dotpe/bank/fbin.hpp"
#include "dotpe/likelihood/spline_basis.hpp"
#include "dotpe/physics/detectors.hpp"
#include "dotpe/physics/noise.hpp"
#include "dotpe/physics/sky.hpp"

namespace dotpe::likelihood {
namespace {

using complex = std::complex<double>;
constexpr double kPi = std::numbers::pi;

struct Fixture {
  physics::EventData event;
  physics::SignalPlacement placement{1.9, -0.6, 0.4, 0.003, 700.0};
  waveform::BinaryParameters truth{36.0, 29.0, 0.3, -0.1};
  std::vector<double> fbin = bank::default_fbin();
  std::vector<waveform::Mode> modes = waveform::harmonic_modes(waveform::Approximant::IMRPhenomD);

  Fixture() {
    physics::NoiseSettings settings;
    for (const auto& name : settings.detector_names)
      settings.asds.push_back(physics::default_asd(name));
    settings.duration = 16.0;
    settings.fmin = 20.0;
    settings.fmax = 512.0;
    settings.tgps = 1187008882.4;
    settings.seed = 3;
    event = physics::make_noise_event(settings);
    truth.iota = 0.7;
    const auto signal = projected(truth);
    for (std::size_t k = 0; k < signal.size(); ++k) event.strain[k] += signal[k];
  }

  std::vector<complex> polarisations(const waveform::BinaryParameters& binary,
                                     std::span<const double> frequencies) const {
    std::vector<complex> h(2 * frequencies.size());
    waveform::polarizations_by_m(waveform::Approximant::IMRPhenomD, binary, modes, frequencies, h);
    return h;
  }

  std::vector<complex> projected(const waveform::BinaryParameters& binary) const {
    const auto h = polarisations(binary, event.frequencies);
    const std::size_t n_f = event.n_frequencies();
    return physics::project_signal(event, std::span(h).subspan(0, n_f),
                                   std::span(h).subspan(n_f, n_f), placement);
  }

  // Σ_d [Re(d|h) − ½(h|h)] by brute force over every frequency.
  double brute_force_lnlike(const waveform::BinaryParameters& binary) const {
    const auto h = projected(binary);
    const std::size_t n_f = event.n_frequencies();
    double lnlike = 0.0;
    for (std::size_t d = 0; d < event.n_detectors(); ++d) {
      const auto hd = std::span(h).subspan(d * n_f, n_f);
      const auto data = std::span(event.strain).subspan(d * n_f, n_f);
      lnlike += physics::inner_product(event, d, data, hd).real() -
                0.5 * physics::inner_product(event, d, hd, hd).real();
    }
    return lnlike;
  }

  // The same from the summary weights and the template on the nodes alone; `single_precision`
  // rounds the template to complex64 first, as a bank stored in single precision holds it.
  double relative_binning_lnlike(const SummaryWeights& weights,
                                 const waveform::BinaryParameters& binary,
                                 bool single_precision = false) const {
    auto h_nodes = polarisations(binary, fbin);
    if (single_precision) {
      for (auto& value : h_nodes) value = complex(std::complex<float>(value));
    }
    const std::size_t n_b = fbin.size();
    const double lat = placement.dec;
    const double lon = physics::ra_to_lon(placement.ra, event.tgps);
    double lnlike = 0.0;
    for (std::size_t d = 0; d < event.n_detectors(); ++d) {
      const auto& site = physics::detector(event.detector_names[d]);
      const auto pattern = physics::antenna_pattern(site, lat, lon, placement.psi);
      const double arrival =
          event.tcoarse + placement.geocent_time + physics::geocenter_delay(site, lat, lon);
      const double response[2] = {pattern.plus, pattern.cross};
      complex dh = 0.0;
      complex hh = 0.0;
      for (std::size_t b = 0; b < n_b; ++b) {
        const complex shift = std::polar(1.0 / placement.distance, -2 * kPi * fbin[b] * arrival);
        complex h_p[2];
        for (int p = 0; p < 2; ++p) h_p[p] = response[p] * h_nodes[p * n_b + b] * shift;
        for (int p = 0; p < 2; ++p) {
          dh += weights.dh[weights.dh_index(d, 0, p, b)] * std::conj(h_p[p]);
          for (int pp = 0; pp < 2; ++pp) {
            hh += weights.hh[weights.hh_index(d, 0, p, pp, b)] * h_p[p] * std::conj(h_p[pp]);
          }
        }
      }
      lnlike += dh.real() - 0.5 * hh.real();
    }
    return lnlike;
  }
};

TEST(ReferenceWaveform, RelativeBinningReproducesFullInnerProductsWithIMRPhenomD) {
  const Fixture fixture;
  const auto reference = make_reference_waveform(waveform::Approximant::IMRPhenomD, fixture.modes,
                                                 fixture.truth, fixture.event, fixture.fbin);
  const SplineBasis basis(fixture.fbin);
  const SummaryWeights weights =
      compute_summary_weights(basis, event_arrays(fixture.event), reference.view());

  // h = h0. Measured: |ΔlnL| = 2.8e-3 at lnL = 189 (1.5e-5 relative), of which 6e-4 remain
  // without the ringdown stalling; the rest is the stalling of this loud, short signal. Bounded
  // here at 2e-5 relative so that a regression shows; see the issue notes.
  const double exact = fixture.brute_force_lnlike(fixture.truth);
  EXPECT_GT(exact, 50.0);  // a loud signal, so the tolerance below is meaningful
  EXPECT_NEAR(fixture.relative_binning_lnlike(weights, fixture.truth), exact, 2e-5 * exact);

  // Templates within a typical posterior width of par0 (Mc to ~1e-3, spins to ~0.05).
  for (const auto& nearby : {waveform::BinaryParameters{36.1, 28.9, 0.3, -0.1},
                             waveform::BinaryParameters{35.5, 29.6, 0.33, -0.05},
                             waveform::BinaryParameters{36.4, 28.7, 0.25, -0.1}}) {
    waveform::BinaryParameters binary = nearby;
    binary.iota = 0.7;
    // Measured |ΔlnL| up to 5.5e-3 (3e-5 relative) with stalling, < 1e-3 without.
    const double expected = fixture.brute_force_lnlike(binary);
    EXPECT_NEAR(fixture.relative_binning_lnlike(weights, binary), expected, 4e-5 * expected)
        << "m1 = " << binary.m1;
  }
}

TEST(ReferenceWaveform, SinglePrecisionBankWaveformsChangeLnLikeNegligibly) {
  // The bank stores waveforms as complex64 by default (docs/banks.md): this measures what that
  // costs in lnL on a loud signal (lnL ≈ 190), against the 1e-3 budget of relative binning.
  const Fixture fixture;
  const auto reference = make_reference_waveform(waveform::Approximant::IMRPhenomD, fixture.modes,
                                                 fixture.truth, fixture.event, fixture.fbin);
  const SummaryWeights weights = compute_summary_weights(
      SplineBasis(fixture.fbin), event_arrays(fixture.event), reference.view());
  double worst = 0.0;
  for (const double m1 : {35.8, 36.0, 36.3}) {
    waveform::BinaryParameters binary{m1, 29.0, 0.3, -0.1};
    binary.iota = 0.7;
    worst = std::max(worst, std::abs(fixture.relative_binning_lnlike(weights, binary, true) -
                                     fixture.relative_binning_lnlike(weights, binary, false)));
  }
  EXPECT_LT(worst, 1e-4);
  RecordProperty("worst_single_precision_dlnlike", fmt::format("{:.1e}", worst));
}

TEST(ReferenceWaveform, IsZeroOutsideTheBandAndCarriesTheCoarseTime) {
  const Fixture fixture;
  const auto reference = make_reference_waveform(waveform::Approximant::IMRPhenomD, fixture.modes,
                                                 fixture.truth, fixture.event, fixture.fbin);
  const auto [first, end] = fixture.event.band();
  const std::size_t n_f = fixture.event.n_frequencies();
  for (std::size_t row = 0; row < 2; ++row) {
    EXPECT_EQ(reference.on_frequencies[row * n_f + first - 1], complex(0.0, 0.0));
    EXPECT_NE(reference.on_frequencies[row * n_f + first], complex(0.0, 0.0));
  }
  // Below the stalled ringdown, h0 = model · e^{−2πi f tcoarse} at a node.
  const auto raw = fixture.polarisations(fixture.truth, fixture.fbin);
  const std::size_t b = 40;
  const complex expected =
      raw[b] * std::polar(1.0, -2 * kPi * fixture.fbin[b] * fixture.event.tcoarse);
  EXPECT_NEAR(std::abs(reference.on_nodes[b] - expected), 0.0, 1e-12 * std::abs(expected));
}

}  // namespace
}  // namespace dotpe::likelihood
