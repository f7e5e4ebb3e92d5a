#include "dotpe/bank/import.hpp"

#include <fmt/ranges.h>

#include <cmath>
#include <fstream>
#include <map>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/io/feather.hpp"
#include "dotpe/io/files.hpp"
#include "dotpe/io/npy.hpp"

namespace dotpe::bank {
namespace {

// cogwheel/dot-PE default modes of IMRPhenomXODE and IMRPhenomXPHM (utils.resolve_bank_modes).
const std::vector<std::array<int, 2>> kReferenceDefaultModes = {
    {2, 2}, {2, 1}, {3, 3}, {3, 2}, {4, 4}};

double number_from(const nlohmann::json& config, std::initializer_list<const char*> keys,
                   const std::filesystem::path& file) {
  for (const char* key : keys) {
    if (config.contains(key) && config[key].is_number()) return config[key].get<double>();
  }
  throw Error("{}: missing numeric entry '{}'", file.string(), *keys.begin());
}

std::vector<std::array<int, 2>> modes_of(const nlohmann::json& config,
                                         const std::filesystem::path& file) {
  if (config.contains("harmonic_modes") && !config["harmonic_modes"].is_null()) {
    std::vector<std::array<int, 2>> modes;
    for (const auto& mode : config["harmonic_modes"]) modes.push_back({mode[0], mode[1]});
    if (config.contains("m_arr") && !config["m_arr"].is_null()) {
      require(config["m_arr"].get<std::vector<int>>() == m_arr_of(modes),
              "{}: m_arr does not match harmonic_modes", file.string());
    }
    return modes;
  }
  require(config.contains("m_arr"), "{}: has neither harmonic_modes nor m_arr", file.string());
  const auto m_arr = config["m_arr"].get<std::vector<int>>();
  std::vector<std::array<int, 2>> modes;
  for (const auto& mode : kReferenceDefaultModes) {
    if (std::find(m_arr.begin(), m_arr.end(), mode[1]) != m_arr.end()) modes.push_back(mode);
  }
  log::warning(
      "{}: legacy bank without harmonic_modes; assuming the reference's default modes "
      "for m_arr",
      file.string());
  return modes;
}

// Samples from the feather table (or a CSV/npz export with the same column names).
std::vector<IntrinsicSample> read_samples(const std::filesystem::path& folder) {
  std::map<std::string, std::vector<double>> columns;
  std::size_t rows = 0;
  const auto feather_path = folder / "intrinsic_sample_bank.feather";
  const auto npz_path = folder / "intrinsic_sample_bank.npz";
  if (std::filesystem::exists(feather_path)) {
    io::FeatherTable table = io::read_feather(feather_path);
    columns = std::move(table.columns);
    rows = table.rows;
  } else if (std::filesystem::exists(npz_path)) {
    for (const auto& [key, array] : io::read_npz(npz_path)) {
      columns[key] = array.to_doubles();
      rows = columns[key].size();
    }
  } else {
    throw Error("{}: no intrinsic_sample_bank.feather (or .npz export) found", folder.string());
  }
  const auto column = [&](const std::string& name, bool required) {
    if (!columns.contains(name)) {
      require(!required, "{}: the sample table has no column '{}'", folder.string(), name);
      return std::vector<double>(rows, 0.0);
    }
    require(columns[name].size() == rows, "{}: column '{}' has the wrong length", folder.string(),
            name);
    return columns[name];
  };
  const auto m1 = column("m1", true);
  const auto m2 = column("m2", true);
  const auto s1z = column("s1z", true);
  const auto s2z = column("s2z", true);
  const auto iota = column("iota", true);
  const auto s1x = column("s1x_n", false);
  const auto s1y = column("s1y_n", false);
  const auto s2x = column("s2x_n", false);
  const auto s2y = column("s2y_n", false);
  if (!columns.contains("log_prior_weights")) {
    log::warning(
        "{}: no log_prior_weights column; using 0 (the bank is taken as drawn from the "
        "prior)",
        folder.string());
  }
  const auto weights = column("log_prior_weights", false);
  std::vector<IntrinsicSample> samples(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    samples[i] = {m1[i],  m2[i],  s1z[i], s2z[i],  s1x[i],
                  s1y[i], s2x[i], s2y[i], iota[i], weights[i]};
  }
  return samples;
}

std::vector<std::complex<double>> read_waveform_block(const std::filesystem::path& folder,
                                                      const BankConfig& config, std::size_t block) {
  const auto directory = folder / "waveforms";
  const auto amplitude_path = directory / ("amplitudes_block_" + std::to_string(block) + ".npy");
  const auto phase_path = directory / ("phase_block_" + std::to_string(block) + ".npy");
  require(std::filesystem::exists(amplitude_path) && std::filesystem::exists(phase_path),
          "{}: waveform block {} is missing ({} / {}); was the bank generation completed?",
          folder.string(), block, amplitude_path.filename().string(),
          phase_path.filename().string());
  const io::NpyArray amplitude = io::read_npy(amplitude_path);
  const io::NpyArray phase = io::read_npy(phase_path);
  const std::vector<std::size_t> expected = {config.block_rows(block), config.m_arr.size(), 2,
                                             config.fbin.size()};
  require(amplitude.shape == expected && phase.shape == expected,
          "{}: block {} has shape ({}) but the config implies ({})", folder.string(), block,
          fmt::join(amplitude.shape, ", "), fmt::join(expected, ", "));
  const auto amplitudes = amplitude.to_doubles();
  const auto phases = phase.to_doubles();
  std::vector<std::complex<double>> waveforms(amplitudes.size());
  for (std::size_t k = 0; k < waveforms.size(); ++k) {
    waveforms[k] = std::polar(amplitudes[k], phases[k]);
  }
  return waveforms;
}

}  // namespace

BankConfig read_dotpe_bank_config(const std::filesystem::path& folder) {
  const auto file = folder / "bank_config.json";
  require(std::filesystem::exists(file), "'{}' is not a dot-PE bank folder: no bank_config.json",
          folder.string());
  const nlohmann::json json = io::read_json(file);
  BankConfig config;
  config.mass_range.mchirp_min = number_from(json, {"min_mchirp", "mchirp_min"}, file);
  config.mass_range.mchirp_max = number_from(json, {"max_mchirp", "mchirp_max"}, file);
  config.mass_range.q_min = number_from(json, {"q_min"}, file);
  config.mass_range.q_max =
      json.contains("q_max") && json["q_max"].is_number() ? json["q_max"].get<double>() : 1.0;
  config.f_ref = number_from(json, {"f_ref"}, file);
  require(json.contains("fbin"), "{}: missing 'fbin'", file.string());
  config.fbin = json["fbin"].get<std::vector<double>>();
  config.seed = json.contains("seed") && json["seed"].is_number_integer()
                    ? json["seed"].get<std::uint64_t>()
                    : 0;
  config.bank_size = static_cast<std::size_t>(number_from(json, {"bank_size"}, file));
  config.blocksize = static_cast<std::size_t>(number_from(json, {"blocksize"}, file));
  config.approximant = json.value("approximant", std::string("IMRPhenomXODE"));
  config.harmonic_modes = modes_of(json, file);
  config.m_arr = m_arr_of(config.harmonic_modes);
  config.validate();
  return config;
}

BankConfig import_dotpe_bank(const std::filesystem::path& folder,
                             const std::filesystem::path& output, WaveformPrecision precision) {
  BankConfig config = read_dotpe_bank_config(folder);
  config.precision = precision;
  const auto samples = read_samples(folder);
  require(samples.size() == config.bank_size,
          "{}: the sample table has {} rows but bank_config.json says bank_size = {}",
          folder.string(), samples.size(), config.bank_size);
  io::write_atomically(output, [&](const std::filesystem::path& temporary) {
    BankFile bank = BankFile::create(temporary, config, samples);
    for (std::size_t block = 0; block < config.n_blocks(); ++block) {
      bank.write_block(block, read_waveform_block(folder, config, block));
      log::info("bank import: block {}/{}", block + 1, config.n_blocks());
    }
  });
  return config;
}

}  // namespace dotpe::bank
