// Stage 6: evidence, effective sample sizes, the merged table of all banks, posterior draws in
// standard parameters, and the run's outputs (dotpe-pipeline.md §4.6 and §6, DESIGN.md §6).
#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/math.hpp"
#include "dotpe/core/rng.hpp"
#include "dotpe/io/files.hpp"
#include "dotpe/io/hdf5.hpp"
#include "dotpe/likelihood/distance_marginalization.hpp"
#include "dotpe/physics/sky.hpp"
#include "inference_state.hpp"
#include "stage_support.hpp"

namespace dotpe::pipeline {

namespace {

constexpr std::size_t kMaxDefaultDraws = 10'000;  // the reference's max_n_draws

struct MergedRow {
  std::size_t bank;
  CoherentRow row;
  double ln_weight_unnormalized;
};

// All banks' rows with ln_posterior − ln N_k; above size_limit, the rows with the highest
// bestfit_lnlike (ties by bank, i, e, o) and the rest added to `ln_discarded`.
std::vector<MergedRow> merge_banks(const Inference::State& state, LogSumAccumulator& discarded) {
  std::vector<MergedRow> merged;
  for (std::size_t k = 0; k < state.banks.size(); ++k) {
    const BankRun& bank = state.banks[k];
    const double ln_n = std::log(bank.grid_points(state.config.n_ext, state.config.n_phi));
    for (const CoherentRow& row : bank.rows) merged.push_back({k, row, row.ln_posterior - ln_n});
  }
  const auto limit = static_cast<std::size_t>(state.config.size_limit);
  if (merged.size() <= limit) return merged;
  const auto better = [](const MergedRow& a, const MergedRow& b) {
    if (a.row.bestfit_lnlike != b.row.bestfit_lnlike) {
      return a.row.bestfit_lnlike > b.row.bestfit_lnlike;
    }
    return std::tie(a.bank, a.row.i, a.row.e, a.row.o) <
           std::tie(b.bank, b.row.i, b.row.e, b.row.o);
  };
  std::nth_element(merged.begin(), merged.begin() + static_cast<std::ptrdiff_t>(limit),
                   merged.end(), better);
  for (std::size_t r = limit; r < merged.size(); ++r) {
    if (std::isfinite(merged[r].ln_weight_unnormalized)) {
      discarded.add(merged[r].ln_weight_unnormalized);
    }
  }
  merged.resize(limit);
  std::sort(merged.begin(), merged.end(), [](const MergedRow& a, const MergedRow& b) {
    return std::tie(a.bank, a.row.i, a.row.e, a.row.o) <
           std::tie(b.bank, b.row.i, b.row.e, b.row.o);
  });
  return merged;
}

double chirp_mass(double m1, double m2) {
  return std::pow(m1 * m2, 0.6) / std::pow(m1 + m2, 0.2);
}

// The posterior draws in standard parameter names (DESIGN.md §7), plus the bookkeeping columns.
io::h5::Table posterior_table(const Inference::State& state, const std::vector<MergedRow>& merged,
                              const std::vector<std::size_t>& draws,
                              const std::vector<double>& weights, bool equal_weights) {
  const double gmst = physics::greenwich_mean_sidereal_time(state.event.tgps);
  std::map<std::string, std::vector<double>> columns;
  std::vector<std::int64_t> bank_ids, i_column, e_column, o_column;
  const auto n_phi = static_cast<double>(state.config.n_phi);
  for (std::size_t j = 0; j < draws.size(); ++j) {
    const MergedRow& merged_row = merged[draws[j]];
    const CoherentRow& row = merged_row.row;
    const BankRun& bank = state.banks[merged_row.bank];
    const auto& sample = bank.samples[static_cast<std::size_t>(row.i)];
    const auto e = static_cast<std::size_t>(row.e);
    RngStream rng(state.seed, rng_stream::distance, j);
    const double distance = likelihood::sample_luminosity_distance(row.d_h_1Mpc, row.h_h_1Mpc, rng);
    const double m1 = std::max(sample.m1, sample.m2);
    const double m2 = std::min(sample.m1, sample.m2);
    const double t_linfree = state.extrinsic.t_geocenter[e];
    const double dt = bank.dt_linfree.at(row.i);
    columns["mass_1"].push_back(m1);
    columns["mass_2"].push_back(m2);
    columns["chirp_mass"].push_back(chirp_mass(m1, m2));
    columns["mass_ratio"].push_back(m2 / m1);
    columns["total_mass"].push_back(m1 + m2);
    columns["chi_1"].push_back(sample.s1z);
    columns["chi_2"].push_back(sample.s2z);
    columns["chi_eff"].push_back((sample.m1 * sample.s1z + sample.m2 * sample.s2z) /
                                 (sample.m1 + sample.m2));
    columns["theta_jn"].push_back(sample.iota);  // aligned spins: J ∥ L
    columns["iota"].push_back(sample.iota);
    columns["ra"].push_back(physics::wrap_two_pi(state.extrinsic.lon[e] + gmst));
    columns["dec"].push_back(state.extrinsic.lat[e]);
    columns["psi"].push_back(state.extrinsic.psi[e]);
    columns["geocent_time"].push_back(state.event.tgps + t_linfree - dt);
    columns["phase"].push_back(2.0 * std::numbers::pi * static_cast<double>(row.o) / n_phi);
    columns["luminosity_distance"].push_back(distance);
    columns["log_likelihood"].push_back(row.d_h_1Mpc / distance -
                                        0.5 * row.h_h_1Mpc / (distance * distance));
    columns["lnl_marginalized"].push_back(row.lnl_marginalized);
    columns["bestfit_lnlike"].push_back(row.bestfit_lnlike);
    columns["bestfit_luminosity_distance"].push_back(
        row.d_h_1Mpc > 0.0 ? row.h_h_1Mpc / row.d_h_1Mpc
                           : std::numeric_limits<double>::quiet_NaN());
    columns["d_h_1Mpc"].push_back(row.d_h_1Mpc);
    columns["h_h_1Mpc"].push_back(row.h_h_1Mpc);
    columns["t_geocenter_linfree"].push_back(t_linfree);
    columns["weights"].push_back(equal_weights ? 1.0 : weights[draws[j]]);
    bank_ids.push_back(static_cast<std::int64_t>(merged_row.bank));
    i_column.push_back(row.i);
    e_column.push_back(row.e);
    o_column.push_back(row.o);
  }
  io::h5::Table table;
  for (const char* name : {"chirp_mass",
                           "mass_ratio",
                           "mass_1",
                           "mass_2",
                           "total_mass",
                           "chi_1",
                           "chi_2",
                           "chi_eff",
                           "theta_jn",
                           "iota",
                           "ra",
                           "dec",
                           "psi",
                           "geocent_time",
                           "phase",
                           "luminosity_distance",
                           "log_likelihood",
                           "lnl_marginalized",
                           "bestfit_lnlike",
                           "bestfit_luminosity_distance",
                           "d_h_1Mpc",
                           "h_h_1Mpc",
                           "t_geocenter_linfree",
                           "weights"}) {
    table.add(name, std::move(columns[name]));
  }
  table.add("bank_id", std::move(bank_ids));
  table.add("i", std::move(i_column));
  table.add("e", std::move(e_column));
  table.add("o", std::move(o_column));
  return table;
}

io::h5::Table rows_table(const std::vector<CoherentRow>& rows, const std::vector<double>& weights) {
  std::vector<std::int64_t> i, e, o;
  std::vector<double> lnl, ln_posterior, bestfit, dh, hh;
  for (const auto& row : rows) {
    i.push_back(row.i);
    e.push_back(row.e);
    o.push_back(row.o);
    lnl.push_back(row.lnl_marginalized);
    ln_posterior.push_back(row.ln_posterior);
    bestfit.push_back(row.bestfit_lnlike);
    dh.push_back(row.d_h_1Mpc);
    hh.push_back(row.h_h_1Mpc);
  }
  io::h5::Table table;
  table.add("i", std::move(i));
  table.add("e", std::move(e));
  table.add("o", std::move(o));
  table.add("lnl_marginalized", std::move(lnl));
  table.add("ln_posterior", std::move(ln_posterior));
  table.add("bestfit_lnlike", std::move(bestfit));
  table.add("d_h_1Mpc", std::move(dh));
  table.add("h_h_1Mpc", std::move(hh));
  table.add("weights", std::vector<double>(weights));
  return table;
}

io::h5::Table extrinsic_table(const extrinsic::ExtrinsicSamples& samples) {
  io::h5::Table table;
  table.add("lat", samples.lat);
  table.add("lon", samples.lon);
  table.add("psi", samples.psi);
  table.add("t_geocenter", samples.t_geocenter);
  table.add("weights", samples.weights);
  table.add("log_prior_weights", samples.log_prior_weights);
  return table;
}

// Written under a temporary name and renamed once complete (no half-written outputs).
template <typename Write>
void write_h5_atomically(const std::filesystem::path& path, Write&& write) {
  const std::filesystem::path temporary = path.string() + ".partial";
  {
    io::h5::File file(temporary, io::h5::Mode::create);
    write(file.root());
  }
  std::filesystem::rename(temporary, path);
}

void write_results(const Inference::State& state, const std::vector<MergedRow>& merged,
                   const std::vector<double>& merged_weights, const io::h5::Table& posterior) {
  write_h5_atomically(state.rundir / "results.h5", [&](const io::h5::Group& root) {
    root.set_attribute("format", "dotpe-results");
    root.set_attribute("summary", state.summary.dump());
    {
      std::vector<CoherentRow> rows;
      std::vector<std::int64_t> bank_ids;
      std::vector<double> ln_weights;
      for (const auto& merged_row : merged) {
        rows.push_back(merged_row.row);
        bank_ids.push_back(static_cast<std::int64_t>(merged_row.bank));
        ln_weights.push_back(merged_row.ln_weight_unnormalized);
      }
      io::h5::Table prob_samples = rows_table(rows, merged_weights);
      prob_samples.add("bank_id", std::move(bank_ids));
      prob_samples.add("ln_weight_unnormalized", std::move(ln_weights));
      root.write_table("prob_samples", prob_samples);
    }
    const bool single_bank = state.banks.size() == 1;
    const io::h5::Group banks = root.create_group("banks");
    const std::size_t n_d = state.n_detectors();
    for (const BankRun& bank : state.banks) {
      const io::h5::Group group = banks.create_group(bank.id);
      group.set_attribute("path", bank.path.string());
      const io::h5::Group selected = group.create_group("intrinsic_samples");
      std::vector<std::int64_t> inds(bank.selected.begin(), bank.selected.end());
      selected.write("inds", inds);
      selected.write("incoherent_lnlikes", bank.selected_incoherent);
      selected.write<double>("lnlikes_di", bank.selected_lnlike_di,
                             io::h5::Shape{n_d, bank.selected.size()});
      if (single_bank) {
        // The bank's table is the merged one (same rows, same weights, plus two columns):
        // written once, under both names. It holds up to size_limit rows (GBs).
        group.link("prob_samples", "/prob_samples");
      } else {
        std::vector<double> ln_posteriors;
        for (const auto& row : bank.rows) ln_posteriors.push_back(row.ln_posterior);
        group.write_table("prob_samples", rows_table(bank.rows, normalized_weights(ln_posteriors)));
      }
      std::vector<std::int64_t> dt_rows;
      std::vector<double> dt;
      for (const auto& [row, shift] : bank.dt_linfree) {
        dt_rows.push_back(row);
        dt.push_back(shift);
      }
      group.write("dt_linfree_rows", dt_rows);
      group.write("dt_linfree", dt);
    }
    root.write_table("extrinsic_samples", extrinsic_table(state.extrinsic));
    root.write_table("samples", posterior);
    root.write_strings("detector_names", state.event.detector_names);
    root.write("fbin", state.fbin);
    root.write("asd_drift", state.asd_drift);
  });
}

// posterior.h5 in the layout PESummary and bilby read: /<label>/posterior_samples, a compound
// dataset with standard parameter names.
void write_posterior(const Inference::State& state, const io::h5::Table& posterior) {
  io::h5::Table standard;
  for (const char* name : {"chirp_mass", "mass_ratio", "mass_1", "mass_2", "total_mass", "chi_1",
                           "chi_2", "chi_eff", "theta_jn", "iota", "ra", "dec", "psi",
                           "geocent_time", "phase", "luminosity_distance", "log_likelihood"}) {
    standard.add(name, posterior.doubles(name));
  }
  write_h5_atomically(state.rundir / "posterior.h5", [&](const io::h5::Group& root) {
    const io::h5::Group group = root.create_group("dotpe");
    group.write_table("posterior_samples", standard);
    group.set_attribute("ln_evidence", state.summary.at("ln_evidence").get<double>());
    group.set_attribute("event", state.config.event.string());
  });
}

nlohmann::json injection_summary(const Inference::State& state) {
  const auto& injection = *state.event.injection;
  if (!injection.contains("d_h") || !injection.contains("h_h")) return nullptr;
  const double distance = injection["par_dic"].value("d_luminosity", 1.0);
  // Recorded per detector without the ASD drift; on the scale of this run's likelihoods, each
  // detector's inner products are divided by xi_d^2 as everywhere else.
  const auto& d_h_by_detector = injection["d_h"];
  const auto& h_h_by_detector = injection["h_h"];
  if (d_h_by_detector.size() != state.asd_drift.size() ||
      h_h_by_detector.size() != state.asd_drift.size()) {
    return nullptr;
  }
  double d_h = 0.0, h_h = 0.0;
  for (std::size_t d = 0; d < state.asd_drift.size(); ++d) {
    const double inverse_drift_sq = 1.0 / (state.asd_drift[d] * state.asd_drift[d]);
    d_h += d_h_by_detector[d].get<double>() * inverse_drift_sq;
    h_h += h_h_by_detector[d].get<double>() * inverse_drift_sq;
  }
  const double dh_1mpc = d_h * distance;
  const double hh_1mpc = h_h * distance * distance;
  return {{"bestfit_lnlike", dh_1mpc > 0.0 ? 0.5 * dh_1mpc * dh_1mpc / hh_1mpc : 0.0},
          {"lnl_marginalized", likelihood::lnlike_marginalized_exact(dh_1mpc, hh_1mpc)},
          {"lnl", d_h - 0.5 * h_h}};
}

// The q-quantile of weighted values (weights need not be normalised).
double weighted_quantile(std::vector<std::pair<double, double>> value_weight, double q) {
  std::sort(value_weight.begin(), value_weight.end());
  double total = 0.0;
  for (const auto& [value, weight] : value_weight) total += weight;
  double cumulative = 0.0;
  for (const auto& [value, weight] : value_weight) {
    cumulative += weight;
    if (cumulative >= q * total) return value;
  }
  return value_weight.back().first;
}

// The injected value of each summarised parameter (standard names), from the event's record.
std::map<std::string, double> injected_values(const Inference::State& state) {
  std::map<std::string, double> values;
  if (!state.event.injection || !state.event.injection->contains("par_dic")) return values;
  const nlohmann::json& par = (*state.event.injection)["par_dic"];
  const double m1 = par.value("m1", 0.0), m2 = par.value("m2", 0.0);
  values["chirp_mass"] = chirp_mass(m1, m2);
  values["mass_ratio"] = std::min(m1, m2) / std::max(m1, m2);
  values["chi_eff"] = (m1 * par.value("s1z", 0.0) + m2 * par.value("s2z", 0.0)) / (m1 + m2);
  values["theta_jn"] = par.value("iota", 0.0);
  values["ra"] = par.value("ra", 0.0);
  values["dec"] = par.value("dec", 0.0);
  values["psi"] = par.value("psi", 0.0);
  values["luminosity_distance"] = par.value("d_luminosity", 0.0);
  values["geocent_time"] = state.event.tgps + par.value("t_geocenter", 0.0);
  return values;
}

// Median and 90% interval of the main parameters (and the injected value for injections).
nlohmann::json posterior_summary(const Inference::State& state, const io::h5::Table& posterior) {
  const std::map<std::string, double> injected = injected_values(state);
  const std::vector<double>& weights = posterior.doubles("weights");
  nlohmann::json summary = nlohmann::json::object();
  for (const char* name : {"chirp_mass", "mass_ratio", "chi_eff", "theta_jn", "ra", "dec", "psi",
                           "luminosity_distance", "geocent_time"}) {
    const std::vector<double>& values = posterior.doubles(name);
    if (values.empty()) continue;
    std::vector<std::pair<double, double>> value_weight;
    for (std::size_t k = 0; k < values.size(); ++k)
      value_weight.emplace_back(values[k], weights[k]);
    nlohmann::json entry = {{"median", weighted_quantile(value_weight, 0.5)},
                            {"lower_5", weighted_quantile(value_weight, 0.05)},
                            {"upper_95", weighted_quantile(value_weight, 0.95)}};
    if (const auto found = injected.find(name); found != injected.end()) {
      entry["injected"] = found->second;
    }
    summary[name] = entry;
  }
  return summary;
}

void aggregate_on_coordinator(Inference::State& state) {
  const RunConfig& config = state.config;
  std::vector<BankEvidence> evidences;
  LogSumAccumulator discarded;  // ln_posterior mass removed by the cuts, all banks
  nlohmann::json per_bank = nlohmann::json::object();
  std::size_t n_used = 0, n_kept = 0;
  std::vector<EvidenceError> errors;
  for (BankRun& bank : state.banks) {
    const double grid_points = bank.grid_points(config.n_ext, config.n_phi);
    bank.evidence = bank_evidence(bank.rows, grid_points);
    evidences.push_back(bank.evidence);
    discarded.add(bank.ln_discarded - std::log(grid_points));
    const EvidenceError error =
        bank.rows.empty()
            ? EvidenceError{}
            : evidence_error(bank.evidence.n_effective_i, static_cast<double>(bank.n_int),
                             bank.evidence.n_effective_e, static_cast<double>(config.n_ext));
    errors.push_back(error);
    per_bank[bank.id] = {{"ln_evidence", bank.evidence.ln_evidence},
                         {"ln_evidence_error", error.total()},
                         {"ln_evidence_discarded", bank.ln_discarded - std::log(grid_points)},
                         {"n_effective", bank.evidence.n_effective},
                         {"n_inds_used", bank.selected.size()},
                         {"N_k", grid_points},
                         {"n_evaluated", bank.n_evaluated}};
    n_used += bank.selected.size();
    n_kept += bank.n_kept_by_blocks;
  }
  const double ln_evidence = combined_ln_evidence(evidences);
  std::vector<MergedRow> merged = merge_banks(state, discarded);
  const double ln_discarded = discarded.log_sum();
  require(!merged.empty() && std::isfinite(ln_evidence),
          "no (i, e, o) combination has a finite likelihood: check the event and bank (is the "
          "signal inside the bank's mass range?)");
  std::vector<double> ln_weights;
  for (const auto& row : merged) ln_weights.push_back(row.ln_weight_unnormalized);
  const std::vector<double> weights = normalized_weights(ln_weights);
  const double n_effective = effective_sample_size(weights);

  std::vector<std::size_t> draws;
  if (config.draw_subset) {
    std::size_t n_draws = 0;
    if (config.n_draws) {
      n_draws = static_cast<std::size_t>(*config.n_draws);
      if (static_cast<double>(n_draws) > n_effective) {
        log::warning("--n-draws {} exceeds the effective sample size {:.1f}: draws repeat", n_draws,
                     n_effective);
      }
    } else {
      n_draws = std::min(kMaxDefaultDraws,
                         std::max<std::size_t>(1, static_cast<std::size_t>(n_effective / 2.0)));
    }
    draws = resample(weights, n_draws, state.seed);
  } else {
    draws.resize(merged.size());
    for (std::size_t r = 0; r < merged.size(); ++r) draws[r] = r;
  }
  const io::h5::Table posterior =
      posterior_table(state, merged, draws, weights, config.draw_subset);

  double bestfit_max = kMinusInfinity, lnl_max = kMinusInfinity;
  for (const auto& row : merged) {
    bestfit_max = std::max(bestfit_max, row.row.bestfit_lnlike);
    lnl_max = std::max(lnl_max, row.row.lnl_marginalized);
  }
  const double n_effective_e = grouped_effective_size<MergedRow>(
      merged, weights, [](const MergedRow& r) { return r.row.e; });
  // Banks draw their templates independently, so their intrinsic errors add in quadrature with
  // weights Z_k/Z; the extrinsic draws are shared, so that part comes from the merged rows.
  double intrinsic_variance = 0.0;
  for (std::size_t k = 0; k < evidences.size(); ++k) {
    if (state.banks[k].rows.empty()) continue;
    const double share = std::exp(evidences[k].ln_evidence - ln_evidence);
    intrinsic_variance += share * share * errors[k].intrinsic * errors[k].intrinsic;
  }
  const EvidenceError ln_evidence_error{
      std::sqrt(intrinsic_variance),
      relative_mean_error(n_effective_e, static_cast<double>(config.n_ext))};
  nlohmann::json& summary = state.summary;
  summary = {{"n_effective", n_effective},
             {"n_effective_i",
              grouped_effective_size<MergedRow>(
                  merged, weights, [](const MergedRow& r) { return std::pair(r.bank, r.row.i); })},
             {"n_effective_e", n_effective_e},
             {"bestfit_lnlike_max", bestfit_max},
             {"lnl_marginalized_max", lnl_max},
             {"n_i_inds_used", n_used},
             {"ln_evidence", ln_evidence},
             {"ln_evidence_error", ln_evidence_error.total()},
             {"ln_evidence_error_intrinsic", ln_evidence_error.intrinsic},
             {"ln_evidence_error_extrinsic", ln_evidence_error.extrinsic},
             {"ln_evidence_discarded", ln_discarded},
             {"n_distance_marginalizations", n_kept},
             {"n_banks", state.banks.size()},
             {"per_bank_results", per_bank},
             {"n_posterior_samples", draws.size()},
             {"extrinsic_effective_sample_size", state.extrinsic.effective_sample_size},
             {"extrinsic_void_fraction", state.extrinsic.void_fraction},
             {"asd_drift", state.asd_drift},
             {"reference", state.par0_record}};
  summary["posterior"] = posterior_summary(state, posterior);
  if (state.event.injection) {
    const nlohmann::json injection = injection_summary(state);
    if (!injection.is_null()) summary["injection"] = injection;
  }
  write_results(state, merged, weights, posterior);
  write_posterior(state, posterior);
  io::write_json(state.rundir / "summary.json", summary);
  // Few effective samples make every posterior quantile rest on a handful of grid points.
  if (summary["n_effective_i"].get<double>() < 10.0) {
    log::warning(
        "the posterior rests on {:.1f} effective intrinsic samples: the bank is too sparse for "
        "this signal; use more templates or a narrower mass range around it",
        summary["n_effective_i"].get<double>());
  }
  if (summary["n_effective_e"].get<double>() < 10.0) {
    log::warning("the posterior rests on {:.1f} effective extrinsic samples: raise --n-ext",
                 summary["n_effective_e"].get<double>());
  }
  log::info(
      "ln Z = {:.4f} ± {:.4f} (discarded {:.2f}), n_effective = {:.1f} (i: {:.1f}, e: {:.1f})",
      ln_evidence, ln_evidence_error.total(), ln_discarded, n_effective,
      summary["n_effective_i"].get<double>(), summary["n_effective_e"].get<double>());
}

}  // namespace

void Inference::aggregate() {
  State& state = *state_;
  run_on_coordinator(*state.farm, [&] { aggregate_on_coordinator(state); });
}

}  // namespace dotpe::pipeline
