#include "dotpe/bank/sampling.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "dotpe/core/error.hpp"

namespace dotpe::bank {
namespace {

const MassRange kRange{20.0, 30.0, 0.2, 1.0};

TEST(Sampling, RejectsBadRanges) {
  EXPECT_THROW((MassRange{0.0, 30.0, 0.2, 1.0}.validate()), Error);
  EXPECT_THROW((MassRange{30.0, 20.0, 0.2, 1.0}.validate()), Error);
  EXPECT_THROW((MassRange{20.0, 30.0, 0.0, 1.0}.validate()), Error);
  EXPECT_THROW((MassRange{20.0, 30.0, 1.5, 1.0}.validate()), Error);
  EXPECT_THROW((MassRange{20.0, 30.0, 0.5, 1.2}.validate()), Error);
  EXPECT_THROW((MassRange{20.0, 30.0, 0.5, 0.4}.validate()), Error);
  EXPECT_NO_THROW(kRange.validate());
  EXPECT_THROW(draw_intrinsic_samples(MassRange{20.0, 30.0, 5.0, 1.0}, 10, 1), Error);
}

TEST(Sampling, SamplesLieInsideTheBankBox) {
  const auto samples = draw_intrinsic_samples(kRange, 4096, 11);
  for (const auto& sample : samples) {
    const double mchirp = chirp_mass(sample.m1, sample.m2);
    const double q = sample.m2 / sample.m1;
    ASSERT_GE(mchirp, kRange.mchirp_min * (1 - 1e-12));
    ASSERT_LE(mchirp, kRange.mchirp_max * (1 + 1e-12));
    ASSERT_GE(q, kRange.q_min * (1 - 1e-12));
    ASSERT_LE(q, 1.0 + 1e-12);
    ASSERT_LE(std::abs(sample.s1z), 1.0 + 1e-12);
    ASSERT_LE(std::abs(sample.s2z), 1.0 + 1e-12);
    ASSERT_GE(sample.iota, 0.0);
    ASSERT_LE(sample.iota, M_PI);
    ASSERT_EQ(sample.s1x_n, 0.0);
    ASSERT_EQ(sample.s2y_n, 0.0);
  }
}

TEST(Sampling, OneSampleEqualsTheSameRowOfTheTable) {
  const auto samples = draw_intrinsic_samples(kRange, 100, 3);
  const IntrinsicSample sample = draw_intrinsic_sample(kRange, 3, 57);
  EXPECT_EQ(sample.m1, samples[57].m1);
  EXPECT_EQ(sample.s2z, samples[57].s2z);
  EXPECT_EQ(sample.log_prior_weight, samples[57].log_prior_weight);
}

TEST(Sampling, ChiEffIsUniformAndIotaIsotropic) {
  const auto samples = draw_intrinsic_samples(kRange, 8192, 21);
  double chi_eff_sum = 0.0;
  double chi_eff_square_sum = 0.0;
  double cos_iota_square_sum = 0.0;
  for (const auto& sample : samples) {
    const double chi_eff =
        (sample.m1 * sample.s1z + sample.m2 * sample.s2z) / (sample.m1 + sample.m2);
    chi_eff_sum += chi_eff;
    chi_eff_square_sum += chi_eff * chi_eff;
    cos_iota_square_sum += std::cos(sample.iota) * std::cos(sample.iota);
  }
  const double n = static_cast<double>(samples.size());
  EXPECT_NEAR(chi_eff_sum / n, 0.0, 2e-3);
  EXPECT_NEAR(chi_eff_square_sum / n, 1.0 / 3.0, 2e-3);  // uniform on [-1, 1]
  EXPECT_NEAR(cos_iota_square_sum / n, 1.0 / 3.0, 2e-3);
}

// Density of the target prior in (m1, m2) is constant; the weight must equal
// |∂(m1,m2)/∂(Mc, ln q)| / (draw density in (Mc, ln q)) times one constant for all samples.
TEST(Sampling, WeightsAreTheJacobianOfUniformComponentMasses) {
  const auto masses = [](double mchirp, double ln_q) {
    const double q = std::exp(ln_q);
    const double m1 = mchirp * std::pow(1 + q, 0.2) * std::pow(q, -0.6);
    return std::pair{m1, q * m1};
  };
  const auto samples = draw_intrinsic_samples(kRange, 64, 8);
  std::vector<double> log_ratios;
  for (const auto& sample : samples) {
    const double mchirp = chirp_mass(sample.m1, sample.m2);
    const double ln_q = std::log(sample.m2 / sample.m1);
    const double h = 1e-6;
    const auto [m1_a, m2_a] = masses(mchirp * (1 + h), ln_q);
    const auto [m1_b, m2_b] = masses(mchirp * (1 - h), ln_q);
    const auto [m1_c, m2_c] = masses(mchirp, ln_q + h);
    const auto [m1_d, m2_d] = masses(mchirp, ln_q - h);
    const double dm1_dmc = (m1_a - m1_b) / (2 * h * mchirp);
    const double dm2_dmc = (m2_a - m2_b) / (2 * h * mchirp);
    const double dm1_dlnq = (m1_c - m1_d) / (2 * h);
    const double dm2_dlnq = (m2_c - m2_d) / (2 * h);
    const double jacobian = std::abs(dm1_dmc * dm2_dlnq - dm1_dlnq * dm2_dmc);
    const double log_draw_density = -std::log(mchirp);  // up to a constant
    log_ratios.push_back(sample.log_prior_weight - (std::log(jacobian) - log_draw_density));
  }
  const auto [low, high] = std::minmax_element(log_ratios.begin(), log_ratios.end());
  EXPECT_LT(*high - *low, 1e-8);
}

TEST(Sampling, WeightsAreNormalisedAndReproduceTheTargetMarginals) {
  // E_draw[exp(w)] = 1, and the weighted CDF of Mc is the target's (Mc^2 - min^2)/(max^2 - min^2).
  const auto samples = draw_intrinsic_samples(kRange, 1 << 14, 99);
  double weight_sum = 0.0;
  std::vector<std::pair<double, double>> mchirp_weight;
  for (const auto& sample : samples) {
    const double weight = std::exp(sample.log_prior_weight);
    weight_sum += weight;
    mchirp_weight.emplace_back(chirp_mass(sample.m1, sample.m2), weight);
  }
  EXPECT_NEAR(weight_sum / static_cast<double>(samples.size()), 1.0, 2e-3);
  for (const double cut : {22.0, 25.0, 28.0}) {
    double below = 0.0;
    for (const auto& [mchirp, weight] : mchirp_weight) below += mchirp < cut ? weight : 0.0;
    const double expected = (cut * cut - 400.0) / (900.0 - 400.0);
    EXPECT_NEAR(below / weight_sum, expected, 3e-3) << "Mc < " << cut;
  }
  // Weighted CDF of q against a direct trapezoid integral of the target marginal in ln q.
  const auto target_marginal = [](double ln_q) { return std::pow(std::cosh(0.5 * ln_q), 0.4); };
  const auto integral = [&](double from, double to) {
    const int steps = 20000;
    double total = 0.0;
    for (int k = 0; k < steps; ++k) {
      const double a = from + (to - from) * k / steps;
      const double b = from + (to - from) * (k + 1) / steps;
      total += 0.5 * (b - a) * (target_marginal(a) + target_marginal(b));
    }
    return total;
  };
  const double full = integral(std::log(0.2), 0.0);
  for (const double cut : {0.3, 0.5, 0.8}) {
    double below = 0.0;
    for (const auto& sample : samples) {
      below += sample.m2 / sample.m1 < cut ? std::exp(sample.log_prior_weight) : 0.0;
    }
    EXPECT_NEAR(below / weight_sum, integral(std::log(0.2), std::log(cut)) / full, 3e-3)
        << "q < " << cut;
  }
}

}  // namespace
}  // namespace dotpe::bank
