#include "stage_support.hpp"

#include <algorithm>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <numeric>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/math.hpp"
#include "dotpe/core/version.hpp"
#include "dotpe/io/feather.hpp"
#include "dotpe/io/files.hpp"
#include "dotpe/io/hdf5.hpp"

namespace dotpe::pipeline {

void fault_injection_point(const std::string& stage, std::size_t units_checkpointed) {
  static const std::string setting = [] {
    const char* value = std::getenv("DOTPE_FAULT_KILL_AFTER");
    return std::string(value == nullptr ? "" : value);
  }();
  if (setting.empty()) return;
  const auto colon = setting.rfind(':');
  if (colon == std::string::npos) return;
  const std::string prefix = setting.substr(0, colon);
  if (stage.rfind(prefix, 0) != 0) return;
  if (units_checkpointed == std::stoul(setting.substr(colon + 1))) {
    log::warning("DOTPE_FAULT_KILL_AFTER={}: killing rank 0 (fault injection)", setting);
    std::raise(SIGKILL);
  }
}

void run_on_coordinator(const hpc::TaskFarm& farm, const std::function<void()>& work,
                        bool collective) {
  std::string failure;
  if (farm.is_coordinator()) {
    try {
      work();
    } catch (const std::exception& error) {
      if (!collective) throw;
      failure = error.what();
    }
  }
  if (!collective) return;
  farm.broadcast(failure);
  if (failure.empty()) return;
  if (farm.is_coordinator()) throw Error("{}", failure);
  throw hpc::FarmAborted(failure, false);
}

likelihood::ParallelMap farm_map(hpc::TaskFarm& farm, const std::string& stage) {
  return [&farm, stage](std::size_t n, const std::function<double(std::size_t)>& f) {
    return hpc::farm_values(farm, stage, n, 16, f);
  };
}

void write_run_config(const Inference::State& state) {
  nlohmann::json json = state.config.to_json();
  json["seed"] = state.seed;
  json["rundir"] = state.rundir.string();
  json["hpc"] = state.farm->config().to_json();
  json["world_size"] = state.farm->size();
  json["dotpe_version"] = version();
  io::write_json(state.rundir / "run_config.json", json);
}

void write_profile(const Inference::State& state) {
  nlohmann::json json;
  json["stage_seconds"] = state.stage_seconds;
  json["world_size"] = state.farm->size();
  json["hpc"] = state.farm->config().to_json();
  nlohmann::json farms = nlohmann::json::array();
  for (const auto& profile : state.farm_profiles) farms.push_back(profile.to_json());
  json["task_farm"] = farms;
  io::write_json(state.rundir / "profile.json", json);
}

namespace {

extrinsic::ExtrinsicSamples samples_from_columns(
    const std::function<const std::vector<double>*(const std::string&)>& column,
    const std::string& source, std::size_t available, std::size_t n_ext) {
  require(available >= n_ext,
          "--extrinsic-samples '{}' has {} rows, fewer than --n-ext {}; draw new samples or "
          "lower --n-ext",
          source, available, n_ext);
  const auto take = [&](const std::string& name) {
    const std::vector<double>* values = column(name);
    require(values != nullptr, "--extrinsic-samples '{}' has no column '{}'", source, name);
    return std::vector<double>(values->begin(),
                               values->begin() + static_cast<std::ptrdiff_t>(n_ext));
  };
  extrinsic::ExtrinsicSamples samples;
  samples.lat = take("lat");
  samples.lon = take("lon");
  samples.psi = take("psi");
  samples.t_geocenter = take("t_geocenter");
  if (column("log_prior_weights") != nullptr) {
    samples.log_prior_weights = take("log_prior_weights");
  } else if (column("weights") != nullptr) {
    for (const double w : take("weights")) samples.log_prior_weights.push_back(std::log(w));
  } else {
    samples.log_prior_weights.assign(n_ext, 0.0);
  }
  for (const double lw : samples.log_prior_weights) samples.weights.push_back(std::exp(lw));
  for (std::size_t e = 0; e < n_ext; ++e) {
    require(std::isfinite(samples.lat[e]) && std::isfinite(samples.lon[e]) &&
                std::isfinite(samples.psi[e]) && std::isfinite(samples.t_geocenter[e]),
            "--extrinsic-samples '{}': row {} has a non-finite angle or time", source, e);
  }
  samples.effective_sample_size = effective_sample_size(samples.weights);
  const auto voids = std::count(samples.weights.begin(), samples.weights.end(), 0.0);
  samples.void_fraction = static_cast<double>(voids) / static_cast<double>(n_ext);
  return samples;
}

}  // namespace

extrinsic::ExtrinsicSamples read_extrinsic_table(const std::filesystem::path& path,
                                                 std::size_t n_ext) {
  require(std::filesystem::exists(path), "--extrinsic-samples '{}' does not exist", path.string());
  if (path.extension() == ".feather") {
    const io::FeatherTable table = io::read_feather(path);
    return samples_from_columns(
        [&](const std::string& name) -> const std::vector<double>* {
          const auto found = table.columns.find(name);
          return found == table.columns.end() ? nullptr : &found->second;
        },
        path.string(), table.rows, n_ext);
  }
  const io::h5::File file(path, io::h5::Mode::read);
  require(file.root().contains("extrinsic_samples"),
          "--extrinsic-samples '{}': no /extrinsic_samples table (give a results.h5 of a "
          "previous run or an extrinsic_samples.feather)",
          path.string());
  const io::h5::Table table = file.root().read_table("extrinsic_samples");
  return samples_from_columns(
      [&](const std::string& name) -> const std::vector<double>* {
        return table.contains(name) ? &table.doubles(name) : nullptr;
      },
      path.string(), table.rows(), n_ext);
}

std::vector<std::complex<double>> best_templates(Inference::State& state, std::size_t count,
                                                 std::size_t& n_templates) {
  struct Candidate {
    double score;
    std::size_t bank, row;
  };
  std::vector<Candidate> candidates;
  for (std::size_t k = 0; k < state.banks.size(); ++k) {
    const BankRun& bank = state.banks[k];
    for (std::size_t s = 0; s < bank.selected.size(); ++s) {
      candidates.push_back({bank.selected_incoherent[s], k, bank.selected[s]});
    }
  }
  const std::size_t n = std::min(count, candidates.size());
  std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(n),
                    candidates.end(), [](const Candidate& a, const Candidate& b) {
                      if (a.score != b.score) return a.score > b.score;
                      return a.bank != b.bank ? a.bank < b.bank : a.row < b.row;
                    });
  std::vector<std::complex<double>> templates;
  for (std::size_t c = 0; c < n; ++c) {
    std::vector<double> dt;
    const std::size_t row = candidates[c].row;
    const auto h = state.aligned_templates(candidates[c].bank, std::span(&row, 1), dt);
    templates.insert(templates.end(), h.begin(), h.end());
  }
  n_templates = n;
  return templates;
}

const bank::BankFile& Inference::State::bank_file(std::size_t bank) {
  if (!open_banks[bank]) open_banks[bank].emplace(bank::BankFile::open(banks[bank].path));
  return *open_banks[bank];
}

std::vector<std::complex<double>> Inference::State::aligned_templates(
    std::size_t bank, std::span<const std::size_t> rows, std::vector<double>& dt) {
  std::vector<std::complex<double>> h = bank_file(bank).read_templates(rows);
  const std::size_t per_template = values_per_template();
  for (std::size_t j = 0; j < rows.size(); ++j) {
    const auto values = std::span(h).subspan(j * per_template, per_template);
    const bool finite = std::all_of(values.begin(), values.end(), [](const auto& value) {
      return std::isfinite(value.real()) && std::isfinite(value.imag());
    });
    require(finite,
            "bank '{}': template {} has non-finite waveform values (NaN or inf); regenerate the "
            "bank, or leave the template out with --preselected-indices",
            banks[bank].path.string(), rows[j]);
  }
  dt.assign(rows.size(), 0.0);
  aligner->align(rows.size(), n_modes(), h, dt);
  return h;
}

}  // namespace dotpe::pipeline
