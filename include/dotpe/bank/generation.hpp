// Bank generation: waveforms of every template on the bank's fbin, block by block.
//
// A block is the unit of work (and of the task farm under MPI): its waveforms depend only on the
// bank configuration and on the block number, so any rank can compute any block and the file is
// bitwise identical whatever the number of ranks or the order blocks are finished in.
#pragma once

#include <complex>
#include <functional>
#include <span>
#include <vector>

#include "dotpe/bank/bank_file.hpp"

namespace dotpe::bank {

// Writes h[m, p, b] of one template (at 1 Mpc, phi_ref = 0) into `out` (n_m * 2 * n_b values).
using TemplateWaveform = std::function<void(const IntrinsicSample& sample, const BankConfig& config,
                                            std::span<std::complex<double>> out)>;

// The waveform model named by config.approximant, summing config.harmonic_modes per m-group.
// Throws dotpe::Error when dotpe has no such model or the model lacks one of the modes.
TemplateWaveform model_waveform(const BankConfig& config);

// Waveforms of one block, layout [i, m, p, b].
std::vector<std::complex<double>> compute_block(const BankConfig& config,
                                                std::span<const IntrinsicSample> samples,
                                                std::size_t block,
                                                const TemplateWaveform& waveform);

// Blocks of `bank` that still need their waveforms (all of them for a new bank).
std::vector<std::size_t> missing_blocks(const BankFile& bank);

// Computes and writes every missing block in this process, reporting progress per block.
void generate_missing_blocks_serially(BankFile& bank, const TemplateWaveform& waveform);

}  // namespace dotpe::bank
