// Stage 2: incoherent screening (dotpe-pipeline.md §4.2). Every screened bank sample gets, per
// detector, the single-detector likelihood maximised over arrival time (n_t samples of the
// data's spacing around the reference arrival time at that detector), orbital phase and the
// two polarisation amplitudes; the incoherent score is the sum over detectors.
#include <algorithm>
#include <boost/serialization/vector.hpp>
#include <cmath>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/io/npy.hpp"
#include "dotpe/physics/sky.hpp"
#include "inference_state.hpp"
#include "stage_support.hpp"

namespace dotpe::pipeline {

namespace {

struct ScreenedBatch {
  std::vector<double> lnlike_di;  // [d][template of the batch]

  template <typename Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive& lnlike_di;
  }
};

// τ_t = (t − n_t/2)·Δt + t_coarse + t_geocenter0 + Δt_d(sky0), Δt the data's sample spacing.
std::vector<double> arrival_time_grid(const Inference::State& state, std::size_t d,
                                      std::size_t n_t) {
  const double spacing = 1.0 / (2.0 * state.event.frequencies.back());
  const double lat = state.par0.dec;
  const double lon = physics::ra_to_lon(state.par0.ra, state.event.tgps);
  const double centre = state.event.tcoarse + state.par0.t_geocenter +
                        physics::geocenter_delay(state.detectors[d], lat, lon);
  std::vector<double> times(n_t);
  const auto half = static_cast<std::ptrdiff_t>(n_t / 2);
  for (std::size_t t = 0; t < n_t; ++t) {
    times[t] = static_cast<double>(static_cast<std::ptrdiff_t>(t) - half) * spacing + centre;
  }
  return times;
}

void build_screening_kernels(Inference::State& state) {
  if (!state.single_detector_kernels.empty()) return;
  const auto n_phi =
      static_cast<std::size_t>(state.config.n_phi_incoherent.value_or(state.config.n_phi));
  const auto n_t = static_cast<std::size_t>(state.config.n_t);
  for (std::size_t d = 0; d < state.n_detectors(); ++d) {
    state.single_detector_kernels.emplace_back(state.weights.single_detector(d), state.asd_drift[d],
                                               n_phi);
    state.incoherent_timeshifts.push_back(
        likelihood::time_grid_phasors(state.fbin, arrival_time_grid(state, d, n_t)));
  }
}

ScreenedBatch screen_batch(Inference::State& state, std::size_t bank_index,
                           std::span<const std::size_t> rows) {
  std::vector<double> dt;
  const auto h = state.aligned_templates(bank_index, rows, dt);
  const std::size_t n = rows.size();
  const auto n_t = static_cast<std::size_t>(state.config.n_t);
  ScreenedBatch batch;
  batch.lnlike_di.resize(state.n_detectors() * n);
  likelihood::SingleDetectorResult result;
  for (std::size_t d = 0; d < state.n_detectors(); ++d) {
    state.single_detector_kernels[d].evaluate(n, h, n_t, state.incoherent_timeshifts[d], result);
    std::copy(result.lnlike_max.begin(), result.lnlike_max.end(),
              batch.lnlike_di.begin() + static_cast<std::ptrdiff_t>(d * n));
  }
  return batch;
}

// --load-inds: the stage-3 outputs of an earlier run (.npz with inds, incoherent_lnlikes,
// lnlikes_di), taken as this bank's screening result.
void load_screening(BankRun& bank, const std::filesystem::path& path, std::size_t n_detectors) {
  const auto members = io::read_npz(path);
  const auto member = [&](const char* key) -> const io::NpyArray& {
    const auto found = members.find(key);
    require(found != members.end(),
            "--inds-path '{}' has no '{}' array (expected the inds, incoherent_lnlikes and "
            "lnlikes_di of a previous run)",
            path.string(), key);
    return found->second;
  };
  const auto inds = member("inds").to_doubles();
  bank.incoherent_lnlikes = member("incoherent_lnlikes").to_doubles();
  bank.lnlike_di = member("lnlikes_di").to_doubles();
  require(bank.incoherent_lnlikes.size() == inds.size() &&
              bank.lnlike_di.size() == inds.size() * n_detectors,
          "--inds-path '{}': inds ({}), incoherent_lnlikes ({}) and lnlikes_di ({} = detectors x "
          "samples expected {}) do not match",
          path.string(), inds.size(), bank.incoherent_lnlikes.size(), bank.lnlike_di.size(),
          inds.size() * n_detectors);
  bank.screened.clear();
  for (const double index : inds) {
    require(index >= 0 && index < static_cast<double>(bank.samples.size()),
            "--inds-path '{}': index {} is outside bank {} ({} samples)", path.string(), index,
            bank.id, bank.samples.size());
    bank.screened.push_back(static_cast<std::size_t>(index));
  }
}

}  // namespace

void Inference::screen_incoherently() {
  State& state = *state_;
  const RunConfig& config = state.config;
  if (config.load_inds && config.inds_path) {
    require(state.banks.size() == 1,
            "--load-inds with one --inds-path applies to a single bank, but {} banks are given",
            state.banks.size());
    load_screening(state.banks.front(), *config.inds_path, state.n_detectors());
    return;
  }
  build_screening_kernels(state);
  const auto batch_size = static_cast<std::size_t>(config.single_detector_blocksize);
  const std::size_t n_d = state.n_detectors();
  for (std::size_t k = 0; k < state.banks.size(); ++k) {
    BankRun& bank = state.banks[k];
    const std::size_t n_screened = bank.screened.size();
    const std::size_t n_batches = (n_screened + batch_size - 1) / batch_size;
    bank.lnlike_di.assign(n_d * n_screened, 0.0);
    const auto batch_rows = [&](std::size_t batch) {
      const std::size_t first = batch * batch_size;
      const std::size_t count = std::min(batch_size, n_screened - first);
      return std::span(bank.screened).subspan(first, count);
    };
    run_units<ScreenedBatch>(
        state, "incoherent_" + bank.id, n_batches,
        [&](std::size_t batch) { return screen_batch(state, k, batch_rows(batch)); },
        [&](std::size_t batch, ScreenedBatch&& result) {
          const std::size_t first = batch * batch_size;
          const std::size_t count = result.lnlike_di.size() / n_d;
          require(count == batch_rows(batch).size(),
                  "internal error: stage-2 batch {} holds {} templates, expected {}", batch, count,
                  batch_rows(batch).size());
          for (std::size_t d = 0; d < n_d; ++d) {
            std::copy_n(
                result.lnlike_di.begin() + static_cast<std::ptrdiff_t>(d * count), count,
                bank.lnlike_di.begin() + static_cast<std::ptrdiff_t>(d * n_screened + first));
          }
        });
    state.farm->broadcast(bank.lnlike_di);
    bank.incoherent_lnlikes.assign(n_screened, 0.0);
    for (std::size_t d = 0; d < n_d; ++d) {
      for (std::size_t s = 0; s < n_screened; ++s) {
        bank.incoherent_lnlikes[s] += bank.lnlike_di[d * n_screened + s];
      }
    }
  }
}

}  // namespace dotpe::pipeline
