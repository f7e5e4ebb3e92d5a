#include "dotpe/bank/sampling.hpp"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "dotpe/bank/halton.hpp"
#include "dotpe/core/error.hpp"

namespace dotpe::bank {
namespace {

double cosh_power(double x, void* /*unused*/) {
  return std::pow(std::cosh(0.5 * x), 0.4);
}

// Integral of cosh(x/2)^{2/5} over [ln q_min, ln q_max], by GSL's adaptive Gauss-Kronrod.
double ln_q_normalisation(double q_min, double q_max) {
  const std::unique_ptr<gsl_integration_workspace, decltype(&gsl_integration_workspace_free)>
      workspace(gsl_integration_workspace_alloc(200), &gsl_integration_workspace_free);
  gsl_function integrand{&cosh_power, nullptr};
  double result = 0.0;
  double error = 0.0;
  const int status = gsl_integration_qag(&integrand, std::log(q_min), std::log(q_max), 0.0, 1e-13,
                                         200, GSL_INTEG_GAUSS61, workspace.get(), &result, &error);
  require(status == GSL_SUCCESS, "mass-ratio prior normalisation failed: {}", gsl_strerror(status));
  return result;
}

}  // namespace

void MassRange::validate() const {
  require(std::isfinite(mchirp_min) && mchirp_min > 0.0,
          "chirp-mass lower bound must be positive, got {}", mchirp_min);
  require(std::isfinite(mchirp_max) && mchirp_max > mchirp_min,
          "chirp-mass upper bound ({}) must exceed the lower bound ({})", mchirp_max, mchirp_min);
  require(std::isfinite(q_min) && q_min > 0.0 && q_min < 1.0,
          "q_min must be in (0, 1) with q = m2/m1 <= 1, got {} (for a mass ratio above 1 give "
          "its inverse)",
          q_min);
  require(std::isfinite(q_max) && q_max > q_min && q_max <= 1.0,
          "q_max must be in (q_min, 1] = ({}, 1], got {}", q_min, q_max);
}

double chirp_mass(double m1, double m2) {
  return std::pow(m1 * m2, 0.6) / std::pow(m1 + m2, 0.2);
}

namespace {

double log_normalisation_of(const MassRange& range) {
  const double mchirp_area =
      0.5 * (range.mchirp_max * range.mchirp_max - range.mchirp_min * range.mchirp_min);
  return std::log(mchirp_area) + std::log(ln_q_normalisation(range.q_min, range.q_max));
}

// ln pi(Mc, ln q) - ln(draw density), with ln Norm of the target prior precomputed.
double log_weight_given_normalisation(const MassRange& range, double mchirp, double q,
                                      double log_normalisation) {
  const double log_target =
      std::log(mchirp) + 0.4 * std::log(std::cosh(0.5 * std::log(q))) - log_normalisation;
  const double log_draw_density = -std::log(std::log(range.mchirp_max / range.mchirp_min) *
                                            std::log(range.q_max / range.q_min)) -
                                  std::log(mchirp);
  return log_target - log_draw_density;
}

IntrinsicSample sample_from_point(const MassRange& range,
                                  const std::array<double, kHaltonDimension>& u,
                                  double log_normalisation) {
  const double mchirp = range.mchirp_min * std::pow(range.mchirp_max / range.mchirp_min, u[0]);
  const double q = range.q_min * std::pow(range.q_max / range.q_min, u[1]);
  IntrinsicSample sample;
  sample.m1 = mchirp * std::pow(1.0 + q, 0.2) * std::pow(q, -0.6);
  sample.m2 = q * sample.m1;

  // cogwheel UniformEffectiveSpinPrior: chi_eff uniform, then s1z uniform in the range allowed
  // by |s1z| <= 1 and |s2z| <= 1 at that chi_eff.
  const double chi_eff = -1.0 + 2.0 * u[2];
  const double s1z_min = std::max((1.0 + q) * chi_eff - q, -1.0);
  const double s1z_max = std::min((1.0 + q) * chi_eff + q, 1.0);
  sample.s1z = s1z_min + u[3] * (s1z_max - s1z_min);
  sample.s2z = ((1.0 + q) * chi_eff - sample.s1z) / q;

  sample.iota = std::acos(-1.0 + 2.0 * u[4]);
  sample.log_prior_weight = log_weight_given_normalisation(range, mchirp, q, log_normalisation);
  return sample;
}

}  // namespace

double log_prior_weight(const MassRange& range, double mchirp, double q) {
  return log_weight_given_normalisation(range, mchirp, q, log_normalisation_of(range));
}

IntrinsicSample draw_intrinsic_sample(const MassRange& range, std::uint64_t seed,
                                      std::uint64_t index) {
  range.validate();
  const ScrambledHalton halton(kHaltonDimension, seed);
  std::array<double, kHaltonDimension> u{};
  halton.point(index, u);
  return sample_from_point(range, u, log_normalisation_of(range));
}

std::vector<IntrinsicSample> draw_intrinsic_samples(const MassRange& range, std::size_t count,
                                                    std::uint64_t seed) {
  range.validate();
  const ScrambledHalton halton(kHaltonDimension, seed);
  const double log_normalisation = log_normalisation_of(range);
  std::vector<IntrinsicSample> samples(count);
  std::array<double, kHaltonDimension> u{};
  for (std::size_t i = 0; i < count; ++i) {
    halton.point(i, u);
    samples[i] = sample_from_point(range, u, log_normalisation);
  }
  return samples;
}

}  // namespace dotpe::bank
