#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <complex>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "dotpe/io/hdf5.hpp"
#include "dotpe/physics/noise.hpp"
#include "dotpe/waveform/waveform.hpp"
#include "phase_comparison.hpp"
#include "test_paths.hpp"

namespace dotpe::waveform {
namespace {

using complex = std::complex<double>;
constexpr double kPi = std::numbers::pi;

std::filesystem::path lal_oracle(const std::string& approximant, int sets) {
  const auto path =
      testing::fresh_work_dir("waveform_lal_" + approximant + "_" + std::to_string(getpid())) /
      "lal.h5";
  const char* source = std::getenv("DOTPE_TEST_SOURCE_DIR");
  const std::string command = testing::python() + " " +
                              std::string(source != nullptr ? source : "tests") +
                              "/oracle/waveform_lal.py " + path.string() + " " + approximant + " " +
                              std::to_string(sets) + " 2026";
  EXPECT_EQ(testing::run_command(command), 0) << "LALSimulation oracle failed: " << command;
  return path;
}

// Hz of a dimensionless frequency Mf for a total mass in Msun (LAL's MTSUN).
double hz_of(double mf, double total_mass) {
  return mf / (total_mass * 4.925490947641267e-6);
}

// Schwarzschild ISCO gravitational-wave frequency, Mf = 1/(6^{3/2} π).
double isco(double total_mass) {
  return hz_of(1.0 / (std::pow(6.0, 1.5) * kPi), total_mass);
}

using comparison::phase_residual;

TEST(SpinWeightedHarmonics, MatchLal) {
  const io::h5::File oracle(lal_oracle("TaylorF2", 1), io::h5::Mode::read);
  const auto angles = oracle.root().read<double>("harmonic_angles").values;
  for (int l = 2; l <= 4; ++l) {
    for (int m = -l; m <= l; ++m) {
      const auto expected = oracle.root().read<double>(fmt::format("harmonic_{}_{}", l, m)).values;
      for (std::size_t a = 0; a < angles.size(); ++a) {
        EXPECT_NEAR(spin_weighted_harmonic(l, m, angles[a]), expected[a], 1e-13)
            << "(l, m) = (" << l << ", " << m << ") at " << angles[a];
      }
    }
  }
}

// The binary of one oracle parameter set.
BinaryParameters binary_of(const io::h5::Group& set) {
  BinaryParameters parameters;
  parameters.m1 = set.attribute_double("m1");
  parameters.m2 = set.attribute_double("m2");
  parameters.s1z = set.attribute_double("s1z");
  parameters.s2z = set.attribute_double("s2z");
  parameters.iota = set.attribute_double("iota");
  parameters.f_ref = set.attribute_double("f_ref");
  return parameters;
}

struct LalComparison {
  double worst_amplitude = 0.0;  // max |A/A_LAL − 1|
  double worst_phase = 0.0;      // max residual after a weighted a + b f fit (rad)
  double worst_mismatch = 0.0;   // 1 − normalised overlap with the O3 H1 PSD
};

// Compares h+ and h× with LALSimulation's on the oracle's grid at every frequency below
// `cutoff(total mass)`.
LalComparison compare_with_lal(Approximant approximant, int sets,
                               double (*cutoff)(double total_mass)) {
  const io::h5::File oracle(lal_oracle(approximant_name(approximant), sets), io::h5::Mode::read);
  const auto frequencies = oracle.root().read<double>("frequencies").values;
  const auto asd = physics::default_asd("H1");
  LalComparison result;
  for (int k = 0; k < sets; ++k) {
    const io::h5::Group set = oracle.root().group("set" + std::to_string(k));
    const BinaryParameters parameters = binary_of(set);
    const auto lal_plus = set.read<io::h5::complex>("hplus").values;
    const auto lal_cross = set.read<io::h5::complex>("hcross").values;
    // h+ and h× summed over the m-groups: ours[p·n_f + i].
    const auto modes = harmonic_modes(approximant);
    const std::size_t n_f = frequencies.size();
    const std::size_t n_groups = m_arr(modes).size();
    std::vector<complex> by_m(n_groups * 2 * n_f);
    polarizations_by_m(approximant, parameters, modes, frequencies, by_m);
    std::vector<complex> ours(2 * n_f);
    for (std::size_t g = 0; g < n_groups; ++g) {
      for (std::size_t q = 0; q < 2 * n_f; ++q) ours[q] += by_m[g * 2 * n_f + q];
    }
    const double f_max = cutoff(parameters.m1 + parameters.m2);
    std::vector<double> kept_f, difference, weight;
    complex overlap = 0.0;
    double norm_ours = 0.0, norm_lal = 0.0;
    for (std::size_t i = 0; i < frequencies.size() && frequencies[i] < f_max; ++i) {
      const double w = 1.0 / std::pow(asd.at(frequencies[i]), 2);
      for (int p = 0; p < 2; ++p) {
        const complex lal = p == 0 ? lal_plus[i] : lal_cross[i];
        const complex mine = ours[p * frequencies.size() + i];
        if (std::abs(lal) == 0.0) continue;
        result.worst_amplitude =
            std::max(result.worst_amplitude, std::abs(std::abs(mine) / std::abs(lal) - 1.0));
        overlap += mine * std::conj(lal) * w;
        norm_ours += std::norm(mine) * w;
        norm_lal += std::norm(lal) * w;
        if (p == 0) {
          // Unwrapped phase difference: a time offset makes it grow linearly past ±π.
          kept_f.push_back(frequencies[i]);
          comparison::append_unwrapped(difference, std::arg(mine / lal));
          weight.push_back(std::abs(lal));
        }
      }
    }
    if (kept_f.size() < 10) continue;  // the signal ends below the grid's first frequency
    result.worst_phase = std::max(result.worst_phase, phase_residual(kept_f, difference, weight));
    result.worst_mismatch =
        std::max(result.worst_mismatch, 1.0 - std::abs(overlap) / std::sqrt(norm_ours * norm_lal));
  }
  return result;
}

// Checks a comparison against tolerances and records the measured values in the test report.
void expect_agreement(const LalComparison& result, double amplitude, double phase,
                      double mismatch) {
  EXPECT_LT(result.worst_amplitude, amplitude);
  EXPECT_LT(result.worst_phase, phase);
  EXPECT_LT(result.worst_mismatch, mismatch);
  ::testing::Test::RecordProperty("worst_amplitude", fmt::format("{:.2e}", result.worst_amplitude));
  ::testing::Test::RecordProperty("worst_phase", fmt::format("{:.2e}", result.worst_phase));
  ::testing::Test::RecordProperty("worst_mismatch", fmt::format("{:.2e}", result.worst_mismatch));
}

double phenomd_cutoff(double total_mass) {
  return hz_of(0.2, total_mass);
}

TEST(TaylorF2, AgreesWithLalSimulationAtFiftyBinaries) {
  const LalComparison result = compare_with_lal(Approximant::TaylorF2, 50, isco);
  expect_agreement(result, 1e-9, 1e-6, 1e-5);  // match >= 1 - 1e-5
}

TEST(IMRPhenomD, AgreesWithLalSimulationAtFiftyBinaries) {
  const LalComparison result = compare_with_lal(Approximant::IMRPhenomD, 50, phenomd_cutoff);
  expect_agreement(result, 1e-6, 1e-6, 1e-5);  // match >= 1 - 1e-5
}

TEST(TaylorF2, FaceOnPolarisationsAreCircular) {
  BinaryParameters parameters{30.0, 20.0, 0.3, -0.2};
  parameters.iota = 0.0;
  const std::vector<double> f = {20.0, 35.0, 60.0};
  std::vector<complex> h(6);
  polarizations_by_m(Approximant::TaylorF2, parameters, harmonic_modes(Approximant::TaylorF2), f,
                     h);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(std::abs(h[k]), std::abs(h[3 + k]), 1e-12 * std::abs(h[k]));
    EXPECT_NEAR(std::abs(h[3 + k] / h[k] - complex(0.0, -1.0)), 0.0, 1e-12);  // h× = −i h+
  }
}

TEST(TaylorF2, ExchangingTheBodiesChangesNothing) {
  const std::vector<double> f = {20.0, 40.0, 80.0, 120.0};
  BinaryParameters a{36.0, 14.0, 0.7, -0.4};
  a.iota = 0.6;
  BinaryParameters b{14.0, 36.0, -0.4, 0.7};
  b.iota = 0.6;
  std::vector<complex> ha(8), hb(8);
  polarizations_by_m(Approximant::TaylorF2, a, harmonic_modes(Approximant::TaylorF2), f, ha);
  polarizations_by_m(Approximant::TaylorF2, b, harmonic_modes(Approximant::TaylorF2), f, hb);
  for (std::size_t k = 0; k < 8; ++k)
    EXPECT_NEAR(std::abs(ha[k] - hb[k]), 0.0, 1e-12 * std::abs(ha[k]));
}

TEST(TaylorF2, LowFrequencyTimeToMergerIsNewtonian) {
  // t(f) = (1/2π) dΨ/df → −(5/256) Mc (π Mc f)^{−8/3} (Mc in seconds) at low frequency.
  BinaryParameters parameters{1.4, 1.3, 0.0, 0.0};
  const double mchirp = std::pow(1.4 * 1.3, 0.6) / std::pow(2.7, 0.2) * 4.925490947641267e-6;
  const double f = 10.0;
  const double step = 1e-4;
  std::vector<complex> h(2);
  mode(Approximant::TaylorF2, parameters, {2, 2}, std::vector<double>{f - step, f + step}, h);
  // h ∝ e^{−iΨ}: dΨ/df = −d arg(h)/df.
  const double dpsi_df = -std::arg(h[1] / h[0]) / (2 * step);
  const double newtonian = -5.0 / 256.0 * mchirp * std::pow(kPi * mchirp * f, -8.0 / 3.0);
  EXPECT_NEAR(dpsi_df / (2 * kPi) / newtonian, 1.0, 0.02);  // 1PN corrections are ~1% at 10 Hz
}

TEST(Waveform, RejectsWhatItCannotModel) {
  EXPECT_THROW(parse_approximant("IMRPhenomXPHM"), Error);
  EXPECT_EQ(parse_approximant("TaylorF2"), Approximant::TaylorF2);
  BinaryParameters precessing{30.0, 20.0};
  precessing.s1x = 0.3;
  std::vector<complex> h(2);
  EXPECT_THROW(
      polarizations_by_m(Approximant::TaylorF2, precessing, {{2, 2}}, std::vector<double>{20.0}, h),
      Error);
  BinaryParameters bad_spin{30.0, 20.0, 1.2};
  EXPECT_THROW(bad_spin.validate(), Error);
}

// The distance enters once: h(D) = h(1 Mpc) / D for every model (a regression: it was applied
// both inside the modes and again when grouping them).
TEST(Waveform, PolarisationsScaleAsOneOverDistance) {
  const std::vector<double> frequencies = {20.0, 45.5, 90.0, 180.0};
  for (const Approximant approximant :
       {Approximant::TaylorF2, Approximant::IMRPhenomD, Approximant::IMRPhenomHM}) {
    const std::vector<Mode> modes = harmonic_modes(approximant);
    const std::size_t size = m_arr(modes).size() * 2 * frequencies.size();
    BinaryParameters near{30.0, 25.0, 0.2, -0.1};
    near.iota = 0.8;
    BinaryParameters far = near;
    far.distance = 400.0;
    std::vector<complex> h_near(size), h_far(size);
    polarizations_by_m(approximant, near, modes, frequencies, h_near);
    polarizations_by_m(approximant, far, modes, frequencies, h_far);
    for (std::size_t k = 0; k < size; ++k) {
      EXPECT_NEAR(std::abs(h_far[k] * 400.0 - h_near[k]), 0.0, 1e-12 * std::abs(h_near[k]))
          << "approximant " << static_cast<int>(approximant) << " value " << k;
    }
  }
}

double phenomhm_cutoff(double total_mass) {
  // Below Mf = 0.15 every mode is inside its own range (the (2,1) mode ends first).
  return hz_of(0.15, total_mass);
}

TEST(IMRPhenomHM, PolarisationsAgreeWithLalSimulation) {
  const LalComparison result = compare_with_lal(Approximant::IMRPhenomHM, 50, phenomhm_cutoff);
  expect_agreement(result, 1e-6, 1e-6, 1e-5);  // match >= 1 - 1e-5
}

// IMRPhenomHM mode by mode against LALSimulation (single-mode ModeArray calls), compared where
// both are non-zero (dotpe ends each mode where its mapped frequency reaches Mf = 0.2).
TEST(IMRPhenomHM, AgreesWithLalSimulationModeByMode) {
  constexpr int kSets = 50;
  const io::h5::File oracle(lal_oracle("IMRPhenomHM", kSets), io::h5::Mode::read);
  const auto frequencies = oracle.root().read<double>("frequencies").values;
  const auto asd = physics::default_asd("H1");
  const std::vector<Mode> modes = harmonic_modes(Approximant::IMRPhenomHM);
  for (const Mode& lm : modes) {
    double worst_amplitude = 0.0;
    double worst_phase = 0.0;
    double worst_mismatch = 0.0;
    for (int k = 0; k < kSets; ++k) {
      const io::h5::Group set = oracle.root().group("set" + std::to_string(k));
      const BinaryParameters parameters = binary_of(set);
      const std::string suffix = std::to_string(lm.l) + std::to_string(lm.m);
      const auto lal_plus = set.read<io::h5::complex>("hplus_" + suffix).values;
      std::vector<complex> ours(2 * frequencies.size());
      polarizations_by_m(Approximant::IMRPhenomHM, parameters, {lm}, frequencies, ours);
      std::vector<double> kept_f, difference, weight;
      complex overlap = 0.0;
      double norm_ours = 0.0, norm_lal = 0.0, peak = 0.0;
      for (std::size_t i = 0; i < frequencies.size(); ++i)
        peak = std::max(peak, std::abs(lal_plus[i]));
      for (std::size_t i = 0; i < frequencies.size(); ++i) {
        const complex mine = ours[i];
        const complex lal = lal_plus[i];
        if (std::abs(mine) == 0.0 || std::abs(lal) == 0.0) continue;
        const double w = 1.0 / std::pow(asd.at(frequencies[i]), 2);
        overlap += mine * std::conj(lal) * w;
        norm_ours += std::norm(mine) * w;
        norm_lal += std::norm(lal) * w;
        if (std::abs(lal) < 1e-3 * peak) continue;  // residuals where the mode matters
        worst_amplitude = std::max(worst_amplitude, std::abs(std::abs(mine) / std::abs(lal) - 1.0));
        kept_f.push_back(frequencies[i]);
        comparison::append_unwrapped(difference, std::arg(mine / lal));
        weight.push_back(std::abs(lal));
      }
      if (kept_f.size() < 10) continue;
      worst_phase = std::max(worst_phase, comparison::phase_residual(kept_f, difference, weight));
      worst_mismatch =
          std::max(worst_mismatch, 1.0 - std::abs(overlap) / std::sqrt(norm_ours * norm_lal));
    }
    const std::string name = fmt::format("({},{})", lm.l, lm.m);
    EXPECT_LT(worst_amplitude, 1e-6) << name;
    EXPECT_LT(worst_phase, 1e-6) << name;
    EXPECT_LT(worst_mismatch, 1e-4) << name;  // match >= 0.9999 per mode
    RecordProperty("mode_" + std::to_string(lm.l) + std::to_string(lm.m),
                   fmt::format("amplitude {:.1e}, phase {:.1e} rad, mismatch {:.1e}",
                               worst_amplitude, worst_phase, worst_mismatch));
  }
}

}  // namespace
}  // namespace dotpe::waveform
