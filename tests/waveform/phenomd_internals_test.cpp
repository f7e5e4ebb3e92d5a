// IMRPhenomD internals against the values published with the golden data (WF4Py README §6,
// LAL-faithful cubic-spline QNM column) and against its own construction rules.
#include <gtest/gtest.h>

#include <cmath>

#include "phenomd.hpp"

namespace dotpe::waveform {
namespace {

double eta_of(double m1, double m2) {
  return m1 * m2 / ((m1 + m2) * (m1 + m2));
}

TEST(IMRPhenomD, FinalStateFitsMatchThePublishedValues) {
  // set0 (30+30, no spin), set3 (72+9, 0.7/-0.3), set4 (30+20, 0.95/0.95).
  EXPECT_NEAR(PhenomD::final_spin(0.25, 0.0, 0.0), 0.6864170524, 1e-9);
  EXPECT_NEAR(PhenomD::radiated_energy(0.25, 0.0, 0.0), 0.04838790573, 1e-10);
  EXPECT_NEAR(PhenomD::final_spin(eta_of(72, 9), 0.7, -0.3), 0.7958442821, 1e-9);
  EXPECT_NEAR(PhenomD::radiated_energy(eta_of(72, 9), 0.7, -0.3), 0.0197721546, 1e-10);
  EXPECT_NEAR(PhenomD::final_spin(eta_of(30, 20), 0.95, 0.95), 0.9424722955, 1e-9);
  EXPECT_NEAR(PhenomD::radiated_energy(eta_of(30, 20), 0.95, 0.95), 0.1010953269, 1e-10);
}

TEST(IMRPhenomD, RingdownFrequenciesUseTheCubicSplineTable) {
  const auto set0 = PhenomD::table_ringdown(0.25, 0.0, 0.0);
  EXPECT_NEAR(set0.ringdown, 0.0880868156, 1e-10);
  EXPECT_NEAR(set0.damping, 0.01359552677, 1e-11);
  const auto set4 = PhenomD::table_ringdown(eta_of(30, 20), 0.95, 0.95);
  EXPECT_NEAR(set4.ringdown, 0.1296404509, 1e-10);
  EXPECT_NEAR(set4.damping, 0.009829616498, 1e-12);
  // The peak frequency with the cubic-spline table (set0, set4).
  EXPECT_NEAR(PhenomD(BinaryParameters{30, 30, 0, 0}).peak_frequency(), 0.07803912805, 1e-10);
  EXPECT_NEAR(PhenomD(BinaryParameters{30, 20, 0.95, 0.95}).peak_frequency(), 0.1184527359, 1e-10);
}

TEST(IMRPhenomD, PhaseIsC1AndAmplitudeContinuousAtTheJoins) {
  for (const BinaryParameters& binary :
       {BinaryParameters{30, 30, 0, 0}, BinaryParameters{72, 9, 0.7, -0.3},
        BinaryParameters{30, 20, 0.95, 0.95}, BinaryParameters{180, 120, -0.9, -0.9}}) {
    const PhenomD model(binary);
    const double eps = 1e-12;  // the phase slope is ~1e3 per unit Mf
    for (const double join : {0.018, 0.5 * model.ringdown().ringdown}) {
      EXPECT_NEAR(model.phase(join - eps), model.phase(join + eps), 1e-6) << join;
      EXPECT_NEAR(model.phase_derivative(join - eps), model.phase_derivative(join + eps),
                  1e-6 * std::abs(model.phase_derivative(join)))
          << join;
    }
    for (const double join : {0.014, model.peak_frequency()}) {
      EXPECT_NEAR(model.amplitude(join - eps) / model.amplitude(join + eps), 1.0, 1e-6) << join;
    }
    // The amplitude peaks in the merger-ringdown part: A·(Mf)^{7/6} is largest at f_peak.
    const auto scaled = [&](double mf) { return model.amplitude(mf) * std::pow(mf, 7.0 / 6.0); };
    const double peak = model.peak_frequency();
    EXPECT_GT(scaled(peak), scaled(peak * 1.05));
  }
}

TEST(IMRPhenomD, ExchangingTheBodiesChangesNothing) {
  const PhenomD a(BinaryParameters{36, 14, 0.7, -0.4});
  const PhenomD b(BinaryParameters{14, 36, -0.4, 0.7});
  for (const double mf : {0.005, 0.03, 0.09}) {
    EXPECT_EQ(a.amplitude(mf), b.amplitude(mf));
    EXPECT_EQ(a.phase(mf), b.phase(mf));
  }
}

}  // namespace
}  // namespace dotpe::waveform
