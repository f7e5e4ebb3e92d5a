#include "dotpe/bank/generation.hpp"

#include <algorithm>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/timer.hpp"
#include "dotpe/waveform/waveform.hpp"

namespace dotpe::bank {

TemplateWaveform model_waveform(const BankConfig& config) {
  const waveform::Approximant approximant = waveform::parse_approximant(config.approximant);
  const auto available = waveform::harmonic_modes(approximant);
  std::vector<waveform::Mode> modes;
  for (const auto& [l, m] : config.harmonic_modes) {
    const waveform::Mode mode{l, m};
    require(std::find(available.begin(), available.end(), mode) != available.end(),
            "the bank asks for the ({}, {}) mode, which {} does not have", l, m,
            config.approximant);
    modes.push_back(mode);
  }
  require(waveform::m_arr(modes) == config.m_arr,
          "internal error: the bank's m_arr does not follow its harmonic modes");
  return [approximant, modes](const IntrinsicSample& sample, const BankConfig& bank,
                              std::span<std::complex<double>> out) {
    waveform::BinaryParameters parameters;
    parameters.m1 = sample.m1;
    parameters.m2 = sample.m2;
    parameters.s1z = sample.s1z;
    parameters.s2z = sample.s2z;
    parameters.iota = sample.iota;
    parameters.f_ref = bank.f_ref;
    waveform::polarizations_by_m(approximant, parameters, modes, bank.fbin, out);
  };
}

std::vector<std::complex<double>> compute_block(const BankConfig& config,
                                                std::span<const IntrinsicSample> samples,
                                                std::size_t block,
                                                const TemplateWaveform& waveform) {
  const std::size_t rows = config.block_rows(block);
  const std::size_t start = config.block_start(block);
  require(start + rows <= samples.size(), "internal error: block {} beyond the {} samples", block,
          samples.size());
  const std::size_t per_template = config.values_per_template();
  std::vector<std::complex<double>> waveforms(rows * per_template);
  for (std::size_t row = 0; row < rows; ++row) {
    waveform(samples[start + row], config,
             std::span(waveforms).subspan(row * per_template, per_template));
  }
  return waveforms;
}

std::vector<std::size_t> missing_blocks(const BankFile& bank) {
  const auto completed = bank.completed_blocks();
  std::vector<std::size_t> missing;
  for (std::size_t block = 0; block < completed.size(); ++block) {
    if (!completed[block]) missing.push_back(block);
  }
  return missing;
}

void generate_missing_blocks_serially(BankFile& bank, const TemplateWaveform& waveform) {
  const auto samples = bank.samples();
  const auto missing = missing_blocks(bank);
  const WallTimer timer;
  std::size_t templates_done = 0;
  for (std::size_t n = 0; n < missing.size(); ++n) {
    const std::size_t block = missing[n];
    bank.write_block(block, compute_block(bank.config(), samples, block, waveform));
    templates_done += bank.config().block_rows(block);
    const double rate = static_cast<double>(templates_done) / std::max(timer.seconds(), 1e-9);
    log::info("bank: block {}/{} written ({:.0f} templates/s)", n + 1, missing.size(), rate);
  }
}

}  // namespace dotpe::bank
