#include "dotpe/extrinsic/extrinsic_sampling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "dotpe/core/math.hpp"
#include "dotpe/core/rng.hpp"
#include "dotpe/likelihood/reference_waveform.hpp"
#include "dotpe/likelihood/spline_basis.hpp"

namespace dotpe::extrinsic {
namespace {

const physics::EventData& event_of(const ProposalInputs& inputs) {
  require(inputs.event != nullptr, "extrinsic sampling: ProposalInputs.event is not set");
  return *inputs.event;
}

// h0_m = h+ + i h× per m-group on the event frequencies and on the nodes, with the t_coarse
// phase of make_reference_waveform removed: the time-grid weights put t_coarse into their times
// instead, so that template / h0 stays smooth for templates without it.
struct ComplexReference {
  std::vector<int> m_values;
  std::vector<std::complex<double>> on_frequencies, on_nodes;  // [m·n + k]
};

ComplexReference complex_reference(const ProposalInputs& inputs) {
  const auto& event = event_of(inputs);
  const auto reference = likelihood::make_reference_waveform(
      inputs.approximant, inputs.modes, inputs.reference_intrinsic, event, inputs.fbin);
  const auto combine = [&](std::span<const std::complex<double>> h, std::span<const double> f) {
    const std::size_t n = f.size();
    const std::size_t n_m = reference.m_values.size();
    std::vector<std::complex<double>> out(n_m * n);
    for (std::size_t m = 0; m < n_m; ++m) {
      for (std::size_t k = 0; k < n; ++k) {
        const std::complex<double> unshift =
            std::polar(1.0, 2.0 * std::numbers::pi * f[k] * event.tcoarse);
        out[m * n + k] =
            (h[(m * 2) * n + k] + std::complex<double>(0.0, 1.0) * h[(m * 2 + 1) * n + k]) *
            unshift;
      }
    }
    return out;
  };
  return {reference.m_values, combine(reference.on_frequencies, event.frequencies),
          combine(reference.on_nodes, inputs.fbin)};
}

}  // namespace

std::vector<physics::Detector> event_detectors(const physics::EventData& event) {
  std::vector<physics::Detector> detectors;
  for (const auto& name : event.detector_names) detectors.push_back(physics::detector(name));
  return detectors;
}

SkyDictionary make_sky_dictionary(const physics::EventData& event,
                                  const ExtrinsicSettings& settings) {
  return SkyDictionary(event_detectors(event), settings.sampling_rate, settings.n_sky,
                       settings.sky_seed);
}

TimeGrid proposal_time_grid(const ProposalInputs& inputs, const ExtrinsicSettings& settings) {
  return TimeGrid::centred(inputs.reference_t_geocenter, settings.time_half_window,
                           settings.sampling_rate);
}

std::vector<double> template_chi2(const ProposalInputs& inputs, const ExtrinsicSettings& settings) {
  const auto& event = event_of(inputs);
  const std::size_t n_d = event.n_detectors();
  require(inputs.asd_drift.empty() || inputs.asd_drift.size() == n_d,
          "extrinsic sampling: {} ASD-drift values for the event's {} detectors",
          inputs.asd_drift.size(), n_d);
  const TimeGrid grid = proposal_time_grid(inputs, settings);
  if (inputs.n_templates == 0) return {};
  const std::size_t n_m = waveform::m_arr(inputs.modes).size();
  require(inputs.templates.size() == inputs.n_templates * n_m * 2 * inputs.fbin.size(),
          "extrinsic sampling: {} template values, expected n_templates · n_m · 2 · n_b = {} · {} "
          "· 2 · {}",
          inputs.templates.size(), inputs.n_templates, n_m, inputs.fbin.size());
  const likelihood::SplineBasis basis(inputs.fbin);
  const ComplexReference h0 = complex_reference(inputs);
  std::vector<double> times = grid.times();
  for (double& t : times) t += event.tcoarse;
  const auto weights = likelihood::compute_time_grid_weights(
      basis, likelihood::event_arrays(event), h0.m_values, h0.on_frequencies, h0.on_nodes, times);
  return incoherent_chi2(weights, inputs.asd_drift, inputs.n_templates, inputs.templates);
}

TimeProposal build_time_proposal(const ProposalInputs& inputs, const ExtrinsicSettings& settings,
                                 const SkyDictionary& sky) {
  const TimeGrid grid = proposal_time_grid(inputs, settings);
  const auto chi2 = template_chi2(inputs, settings);
  const TimeProposalSettings proposal_settings{settings.beta, settings.defensive_fraction,
                                               settings.apply_delay_prior};
  return make_time_proposal(grid, event_of(inputs).n_detectors(), inputs.n_templates, chi2,
                            proposal_settings, sky);
}

ExtrinsicSamples draw_extrinsic_samples(const ProposalInputs& inputs,
                                        const ExtrinsicSettings& settings) {
  const SkyDictionary sky = make_sky_dictionary(event_of(inputs), settings);
  const TimeProposal proposal = build_time_proposal(inputs, settings, sky);
  return draw_extrinsic_samples(sky, proposal, settings.n_ext, settings.seed);
}

ExtrinsicSamples draw_extrinsic_samples(const SkyDictionary& sky, const TimeProposal& proposal,
                                        std::size_t n_ext, std::uint64_t seed) {
  const std::size_t n_d = sky.n_detectors();
  const TimeGrid& grid = proposal.grid();
  require(proposal.n_detectors() == n_d && grid.sampling_rate == sky.sampling_rate(),
          "extrinsic sampling: the time proposal has {} detectors at {} Hz, the sky dictionary "
          "{} at {} Hz; build both from the same settings",
          proposal.n_detectors(), grid.sampling_rate, n_d, sky.sampling_rate());
  ExtrinsicSamples samples;
  for (auto* column : {&samples.lat, &samples.lon, &samples.psi, &samples.t_geocenter,
                       &samples.weights, &samples.log_prior_weights}) {
    column->resize(n_ext);
  }
  std::vector<std::size_t> bins(n_d);
  std::vector<long> key(n_d - 1);
  std::size_t n_void = 0;
  for (std::size_t e = 0; e < n_ext; ++e) {
    RngStream rng(seed, rng_stream::extrinsic, e);
    double log_proposal = 0.0;
    for (std::size_t d = 0; d < n_d; ++d) {
      bins[d] = proposal.draw(d, rng.uniform());
      log_proposal += std::log(proposal.probability(d, bins[d]));
    }
    const double u_sky = rng.uniform();
    const double t_fine = (rng.uniform() - 0.5) / grid.sampling_rate;
    samples.psi[e] = std::numbers::pi * rng.uniform();
    for (std::size_t d = 1; d < n_d; ++d) {
      key[d - 1] = static_cast<long>(bins[d]) - static_cast<long>(bins[0]);
    }
    const SkyDictionary::Bin bin = sky.bin(key);
    // A void draw keeps the dictionary's first point so that its kernels stay finite.
    std::size_t s = 0;
    if (bin.count == 0) {
      ++n_void;
      samples.log_prior_weights[e] = -std::numeric_limits<double>::infinity();
      samples.weights[e] = 0.0;
    } else {
      const auto offset = static_cast<std::size_t>(u_sky * static_cast<double>(bin.count));
      s = bin.first + std::min(offset, bin.count - 1);
      samples.log_prior_weights[e] = std::log(sky.bin_prior(bin)) - log_proposal;
      samples.weights[e] = std::exp(samples.log_prior_weights[e]);
    }
    samples.lat[e] = sky.lat(s);
    samples.lon[e] = sky.lon(s);
    samples.t_geocenter[e] = grid.time(bins[0]) + t_fine - sky.first_detector_delay(s);
  }
  samples.effective_sample_size = effective_sample_size(samples.weights);
  samples.void_fraction =
      n_ext == 0 ? 0.0 : static_cast<double>(n_void) / static_cast<double>(n_ext);
  return samples;
}

}  // namespace dotpe::extrinsic
