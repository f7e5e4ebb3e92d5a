// Import of a dot-PE bank folder (banks-and-paper.md §1) into a dotpe bank file:
//   bank_config.json, intrinsic_sample_bank.feather (or an .npz export with the same columns),
//   waveforms/amplitudes_block_<k>.npy and waveforms/phase_block_<k>.npy,
//   each float64 of shape (blocksize, n_m, 2, n_b), with h = amplitude * exp(i phase).
#pragma once

#include <filesystem>

#include "dotpe/bank/bank_file.hpp"

namespace dotpe::bank {

// The configuration of a dot-PE bank folder, with the reference's mode-resolution rules
// (harmonic_modes wins; legacy configs with only m_arr get the approximant's default modes).
BankConfig read_dotpe_bank_config(const std::filesystem::path& folder);

// Writes `output` (atomically) from the folder; returns its configuration.
BankConfig import_dotpe_bank(const std::filesystem::path& folder,
                             const std::filesystem::path& output, WaveformPrecision precision);

}  // namespace dotpe::bank
