#include "dotpe/bank/bank_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

#include "dotpe/bank/fbin.hpp"
#include "dotpe/core/error.hpp"

namespace dotpe::bank {
namespace {

constexpr const char* kFormatName = "dotpe-bank";
constexpr std::int64_t kFormatVersion = 1;
const std::vector<std::string> kSampleColumns = {
    "m1", "m2", "s1z", "s1x_n", "s1y_n", "s2z", "s2x_n", "s2y_n", "iota", "log_prior_weights"};

std::vector<double> column_of(const std::vector<IntrinsicSample>& samples,
                              double IntrinsicSample::*field) {
  std::vector<double> values;
  values.reserve(samples.size());
  for (const auto& sample : samples) values.push_back(sample.*field);
  return values;
}

std::vector<double IntrinsicSample::*> sample_fields() {
  return {&IntrinsicSample::m1,    &IntrinsicSample::m2,
          &IntrinsicSample::s1z,   &IntrinsicSample::s1x_n,
          &IntrinsicSample::s1y_n, &IntrinsicSample::s2z,
          &IntrinsicSample::s2x_n, &IntrinsicSample::s2y_n,
          &IntrinsicSample::iota,  &IntrinsicSample::log_prior_weight};
}

std::string precision_name(WaveformPrecision precision) {
  return precision == WaveformPrecision::single_precision ? "single" : "double";
}

void write_config(const io::h5::Group& root, const BankConfig& config) {
  root.set_attribute("format", kFormatName);
  root.set_attribute("format_version", kFormatVersion);
  root.set_attribute("approximant", config.approximant);
  root.set_attribute("f_ref", config.f_ref);
  root.set_attribute("min_mchirp", config.mass_range.mchirp_min);
  root.set_attribute("max_mchirp", config.mass_range.mchirp_max);
  root.set_attribute("q_min", config.mass_range.q_min);
  root.set_attribute("q_max", config.mass_range.q_max);
  root.set_attribute("seed", static_cast<std::int64_t>(config.seed));
  root.set_attribute("bank_size", static_cast<std::int64_t>(config.bank_size));
  root.set_attribute("blocksize", static_cast<std::int64_t>(config.blocksize));
  root.set_attribute("waveform_precision", precision_name(config.precision));
  root.write("fbin", config.fbin);
  std::vector<std::int64_t> m_arr(config.m_arr.begin(), config.m_arr.end());
  root.write("m_arr", m_arr);
  std::vector<std::int64_t> modes;
  for (const auto& [l, m] : config.harmonic_modes) {
    modes.push_back(l);
    modes.push_back(m);
  }
  root.write<std::int64_t>("harmonic_modes", modes, {config.harmonic_modes.size(), 2});
}

BankConfig read_config(const io::h5::Group& root) {
  require(root.has_attribute("format") && root.attribute_string("format") == kFormatName,
          "{} is not a dotpe bank file (no 'format = {}' attribute); to use a dot-PE bank "
          "folder, convert it with 'dotpe bank import'",
          root.path(), kFormatName);
  const std::int64_t version = root.attribute_int("format_version");
  require(version == kFormatVersion,
          "{} has bank format version {}, this dotpe reads version {}: regenerate the bank or "
          "use a matching dotpe",
          root.path(), version, kFormatVersion);
  BankConfig config;
  config.approximant = root.attribute_string("approximant");
  config.f_ref = root.attribute_double("f_ref");
  config.mass_range = {root.attribute_double("min_mchirp"), root.attribute_double("max_mchirp"),
                       root.attribute_double("q_min"), root.attribute_double("q_max")};
  config.seed = static_cast<std::uint64_t>(root.attribute_int("seed"));
  const std::int64_t bank_size = root.attribute_int("bank_size");
  const std::int64_t blocksize = root.attribute_int("blocksize");
  require(bank_size > 0 && blocksize > 0,
          "{}: bank_size ({}) and blocksize ({}) must be positive (damaged file?)", root.path(),
          bank_size, blocksize);
  config.bank_size = static_cast<std::size_t>(bank_size);
  config.blocksize = static_cast<std::size_t>(blocksize);
  config.precision = root.attribute_string("waveform_precision") == "single"
                         ? WaveformPrecision::single_precision
                         : WaveformPrecision::double_precision;
  config.fbin = root.read<double>("fbin").values;
  for (const std::int64_t m : root.read<std::int64_t>("m_arr").values) {
    config.m_arr.push_back(static_cast<int>(m));
  }
  const auto modes = root.read<std::int64_t>("harmonic_modes").values;
  for (std::size_t k = 0; k + 1 < modes.size(); k += 2) {
    config.harmonic_modes.push_back({static_cast<int>(modes[k]), static_cast<int>(modes[k + 1])});
  }
  config.validate();
  return config;
}

}  // namespace

std::vector<int> m_arr_of(const std::vector<std::array<int, 2>>& harmonic_modes) {
  std::vector<int> m_arr;
  for (const auto& mode : harmonic_modes) {
    if (std::find(m_arr.begin(), m_arr.end(), mode[1]) == m_arr.end()) m_arr.push_back(mode[1]);
  }
  return m_arr;
}

std::size_t BankConfig::block_rows(std::size_t block) const {
  require(block < n_blocks(), "bank block {} does not exist (the bank has {} blocks)", block,
          n_blocks());
  return std::min(blocksize, bank_size - block_start(block));
}

void BankConfig::validate() const {
  mass_range.validate();
  require(bank_size > 0, "bank size must be positive");
  require(blocksize > 0, "bank block size must be positive");
  require(f_ref > 0.0, "bank f_ref must be positive, got {}", f_ref);
  require(!approximant.empty(), "bank approximant is not set");
  validate_fbin(fbin, "bank fbin");
  require(!harmonic_modes.empty(), "bank has no harmonic modes");
  require(m_arr == m_arr_of(harmonic_modes),
          "bank m_arr does not match its harmonic modes (expected the distinct m in order of "
          "first appearance)");
}

nlohmann::json BankConfig::to_json() const {
  nlohmann::json modes = nlohmann::json::array();
  for (const auto& [l, m] : harmonic_modes) modes.push_back({l, m});
  return {{"min_mchirp", mass_range.mchirp_min},
          {"max_mchirp", mass_range.mchirp_max},
          {"q_min", mass_range.q_min},
          {"q_max", mass_range.q_max},
          {"f_ref", f_ref},
          {"fbin", fbin},
          {"seed", seed},
          {"bank_size", bank_size},
          {"blocksize", blocksize},
          {"approximant", approximant},
          {"harmonic_modes", modes},
          {"m_arr", m_arr},
          {"waveform_precision", precision_name(precision)}};
}

BankConfig BankConfig::from_json(const nlohmann::json& json) {
  BankConfig config;
  config.mass_range = {json.at("min_mchirp"), json.at("max_mchirp"), json.at("q_min"),
                       json.at("q_max")};
  config.f_ref = json.at("f_ref");
  config.fbin = json.at("fbin").get<std::vector<double>>();
  config.seed = json.at("seed");
  config.bank_size = json.at("bank_size");
  config.blocksize = json.at("blocksize");
  config.approximant = json.at("approximant");
  for (const auto& mode : json.at("harmonic_modes")) {
    config.harmonic_modes.push_back({mode[0].get<int>(), mode[1].get<int>()});
  }
  config.m_arr = json.at("m_arr").get<std::vector<int>>();
  config.precision = json.at("waveform_precision") == "single"
                         ? WaveformPrecision::single_precision
                         : WaveformPrecision::double_precision;
  config.validate();
  return config;
}

BankFile::BankFile(io::h5::File file, BankConfig config)
    : file_(std::move(file)), config_(std::move(config)) {}

BankFile BankFile::create(const std::filesystem::path& path, const BankConfig& config,
                          const std::vector<IntrinsicSample>& samples) {
  config.validate();
  require(samples.size() == config.bank_size, "internal error: {} samples for a bank of size {}",
          samples.size(), config.bank_size);
  io::h5::File file(path, io::h5::Mode::create);
  const io::h5::Group& root = file.root();
  write_config(root, config);

  io::h5::Table table;
  const auto fields = sample_fields();
  for (std::size_t c = 0; c < fields.size(); ++c) {
    table.add(kSampleColumns[c], column_of(samples, fields[c]));
  }
  root.write_table("samples", table);

  const std::size_t n_m = config.m_arr.size();
  const std::size_t n_b = config.fbin.size();
  const io::h5::Shape shape = {config.bank_size, n_m, 2, n_b};
  const io::h5::Shape chunk = {std::min(config.blocksize, config.bank_size), n_m, 2, n_b};
  if (config.precision == WaveformPrecision::single_precision) {
    root.create_dataset<io::h5::complex_float>("waveforms", shape, chunk);
  } else {
    root.create_dataset<io::h5::complex>("waveforms", shape, chunk);
  }
  root.write("block_complete", std::vector<std::uint8_t>(config.n_blocks(), 0));
  return BankFile(std::move(file), config);
}

BankFile BankFile::open(const std::filesystem::path& path, io::h5::Mode mode) {
  io::h5::File file(path, mode);
  BankConfig config = read_config(file.root());
  // The datasets must have the shapes of the configuration: the readers index them with it.
  const io::h5::Shape waveforms = {config.bank_size, config.m_arr.size(), 2, config.fbin.size()};
  const io::h5::Shape stored_waveforms = file.root().dataset("waveforms").shape();
  require(stored_waveforms == waveforms,
          "{}: 'waveforms' has shape ({}), expected ({}) = (bank_size, m_arr, 2, fbin) (damaged "
          "file?)",
          path.string(), fmt::join(stored_waveforms, ", "), fmt::join(waveforms, ", "));
  const io::h5::Shape stored_flags = file.root().dataset("block_complete").shape();
  require(stored_flags == io::h5::Shape{config.n_blocks()},
          "{}: 'block_complete' has shape ({}), expected ({}) = (blocks) (damaged file?)",
          path.string(), fmt::join(stored_flags, ", "), config.n_blocks());
  return BankFile(std::move(file), std::move(config));
}

std::vector<IntrinsicSample> BankFile::samples() const {
  const io::h5::Table table = file_.root().read_table("samples");
  require(table.rows() == config_.bank_size, "{}: the sample table has {} rows, bank_size is {}",
          path().string(), table.rows(), config_.bank_size);
  std::vector<IntrinsicSample> samples(table.rows());
  const auto fields = sample_fields();
  for (std::size_t c = 0; c < fields.size(); ++c) {
    const auto& column = table.doubles(kSampleColumns[c]);
    for (std::size_t i = 0; i < samples.size(); ++i) samples[i].*fields[c] = column[i];
  }
  return samples;
}

void BankFile::write_block(std::size_t block, std::span<const std::complex<double>> waveforms) {
  const std::size_t rows = config_.block_rows(block);
  require(waveforms.size() == rows * config_.values_per_template(),
          "internal error: block {} needs {} values, got {}", block,
          rows * config_.values_per_template(), waveforms.size());
  const io::h5::Shape offset = {config_.block_start(block), 0, 0, 0};
  const io::h5::Shape count = {rows, config_.m_arr.size(), 2, config_.fbin.size()};
  const io::h5::Dataset dataset = file_.root().dataset("waveforms");
  if (config_.precision == WaveformPrecision::single_precision) {
    const std::vector<io::h5::complex_float> narrowed(waveforms.begin(), waveforms.end());
    dataset.write_slab<io::h5::complex_float>(offset, count, narrowed);
  } else {
    dataset.write_slab<io::h5::complex>(offset, count, waveforms);
  }
  // The flag is written after the data, so a killed run never marks a block it did not finish.
  file_.flush();
  const std::uint8_t done = 1;
  file_.root().dataset("block_complete").write_slab<std::uint8_t>({block}, {1}, {&done, 1});
  file_.flush();
}

std::vector<std::complex<double>> BankFile::read_block(std::size_t block) const {
  const std::size_t rows = config_.block_rows(block);
  const io::h5::Shape offset = {config_.block_start(block), 0, 0, 0};
  const io::h5::Shape count = {rows, config_.m_arr.size(), 2, config_.fbin.size()};
  return file_.root().dataset("waveforms").read_slab<io::h5::complex>(offset, count);
}

std::vector<std::complex<double>> BankFile::read_templates(
    std::span<const std::size_t> indices) const {
  const std::size_t per_template = config_.values_per_template();
  // Requested rows in bank order, each with its position in the result.
  std::vector<std::pair<std::size_t, std::size_t>> rows;
  rows.reserve(indices.size());
  for (std::size_t position = 0; position < indices.size(); ++position) {
    require(indices[position] < config_.bank_size,
            "{}: template index {} is outside the bank "
            "(size {})",
            path().string(), indices[position], config_.bank_size);
    rows.emplace_back(indices[position], position);
  }
  std::sort(rows.begin(), rows.end());
  std::vector<std::complex<double>> result(indices.size() * per_template);
  const io::h5::Dataset dataset = file_.root().dataset("waveforms");
  // One read per run of nearby rows: a short gap is cheaper to read through than a second
  // read call, but a sparse selection (stage 5 after the incoherent cut) must not pull whole
  // blocks of hundreds of MB from disk.
  constexpr std::size_t kMaxGap = 8;
  std::size_t run_start = 0;
  while (run_start < rows.size()) {
    std::size_t run_end = run_start + 1;
    while (run_end < rows.size() && rows[run_end].first - rows[run_end - 1].first <= kMaxGap &&
           rows[run_end].first / config_.blocksize == rows[run_start].first / config_.blocksize) {
      ++run_end;
    }
    const std::size_t first_row = rows[run_start].first;
    const std::size_t count = rows[run_end - 1].first - first_row + 1;
    const auto waveforms = dataset.read_slab<io::h5::complex>(
        {first_row, 0, 0, 0}, {count, config_.m_arr.size(), 2, config_.fbin.size()});
    for (std::size_t k = run_start; k < run_end; ++k) {
      const std::size_t row = rows[k].first - first_row;
      std::copy_n(waveforms.begin() + static_cast<std::ptrdiff_t>(row * per_template), per_template,
                  result.begin() + static_cast<std::ptrdiff_t>(rows[k].second * per_template));
    }
    run_start = run_end;
  }
  return result;
}

std::vector<bool> BankFile::completed_blocks() const {
  const auto flags = file_.root().read<std::uint8_t>("block_complete").values;
  return std::vector<bool>(flags.begin(), flags.end());
}

bool BankFile::complete() const {
  const auto flags = completed_blocks();
  return std::all_of(flags.begin(), flags.end(), [](bool flag) { return flag; });
}

}  // namespace dotpe::bank
