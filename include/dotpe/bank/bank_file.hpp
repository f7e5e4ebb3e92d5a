// The bank file (bank.h5): one bank of templates, self-contained.
//
//   /            attributes: format = "dotpe-bank", format_version, approximant, f_ref,
//                min_mchirp, max_mchirp, q_min, q_max, seed, bank_size, blocksize,
//                waveform_precision ("double" | "single")  [key names as in dot-PE's
//                bank_config.json]
//   /fbin              float64 [n_b]        relative-binning frequency nodes (Hz)
//   /m_arr             int64 [n_m]          harmonic groups, axis 1 of /waveforms
//   /harmonic_modes    int64 [n_modes, 2]   (l, m) modes generated
//   /samples           table [n_i]          m1 m2 s1z s1x_n s1y_n s2z s2x_n s2y_n iota
//   log_prior_weights /waveforms         complex [n_i, n_m, 2, n_b]  h[i, m, p, b] at 1 Mpc,
//   phi_ref = 0; p = 0 plus, 1 cross;
//                      chunked by block (one chunk = one block of `blocksize` templates)
//   /block_complete    uint8 [n_blocks]     1 once a block's waveforms are written (for --resume)
//
// Details and the precision trade-off: docs/formats.md.
#pragma once

#include <array>
#include <complex>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "dotpe/bank/sampling.hpp"
#include "dotpe/io/hdf5.hpp"

namespace dotpe::bank {

enum class WaveformPrecision { double_precision, single_precision };

struct BankConfig {
  MassRange mass_range;
  double f_ref = 50.0;
  std::vector<double> fbin;
  std::uint64_t seed = 0;
  std::size_t bank_size = 0;
  std::size_t blocksize = 4096;
  std::string approximant;
  std::vector<std::array<int, 2>> harmonic_modes;  // (l, m)
  std::vector<int> m_arr;                          // distinct m in first-appearance order
  WaveformPrecision precision = WaveformPrecision::single_precision;

  std::size_t n_blocks() const { return (bank_size + blocksize - 1) / blocksize; }
  std::size_t block_start(std::size_t block) const { return block * blocksize; }
  std::size_t block_rows(std::size_t block) const;
  // Complex numbers per template: n_m * 2 * n_b.
  std::size_t values_per_template() const { return m_arr.size() * 2 * fbin.size(); }
  // Throws dotpe::Error naming the setting that is wrong.
  void validate() const;

  // The configuration as JSON (the keys of dot-PE's bank_config.json plus dotpe's), and back.
  nlohmann::json to_json() const;
  static BankConfig from_json(const nlohmann::json& json);
};

// m_arr of a mode list: distinct m in order of first appearance.
std::vector<int> m_arr_of(const std::vector<std::array<int, 2>>& harmonic_modes);

class BankFile {
 public:
  // Creates a bank file with its configuration and samples; waveforms are written per block.
  static BankFile create(const std::filesystem::path& path, const BankConfig& config,
                         const std::vector<IntrinsicSample>& samples);
  static BankFile open(const std::filesystem::path& path, io::h5::Mode mode = io::h5::Mode::read);

  const BankConfig& config() const { return config_; }
  const std::filesystem::path& path() const { return file_.path(); }
  std::vector<IntrinsicSample> samples() const;

  // waveforms: block_rows(block) * values_per_template() values, layout [i, m, p, b].
  void write_block(std::size_t block, std::span<const std::complex<double>> waveforms);
  std::vector<std::complex<double>> read_block(std::size_t block) const;
  // Templates at arbitrary bank indices (each block touched is read once), layout [i, m, p, b]
  // in the order of `indices`.
  std::vector<std::complex<double>> read_templates(std::span<const std::size_t> indices) const;

  std::vector<bool> completed_blocks() const;
  bool complete() const;

 private:
  BankFile(io::h5::File file, BankConfig config);
  io::h5::File file_;
  BankConfig config_;
};

}  // namespace dotpe::bank
