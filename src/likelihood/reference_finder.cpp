// The reference-waveform finder: a (2,2)-mode intrinsic search on the incoherent likelihood, then
// the extrinsic parameters on the coherent one, then a joint polish (reference_finder.hpp;
// docs/reference_finder.md explains the choices and their measured cost).
#include "dotpe/likelihood/reference_finder.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/timer.hpp"
#include "dotpe/physics/detectors.hpp"
#include "dotpe/physics/noise.hpp"
#include "dotpe/physics/sky.hpp"
#include "reference_finder_internal.hpp"

namespace dotpe::likelihood {

using namespace reference_finder_detail;

namespace {

constexpr double kPi = std::numbers::pi;
// Chirp-mass grid: one step per this much Newtonian GW phase at kPhaseFrequency (rad). The
// local optimisation from the best grid points still found the injections with 16 rad steps;
// 4 rad keeps a margin (docs/reference_finder.md).
constexpr double kPhaseStep = 4.0;
constexpr double kPhaseFrequency = 40.0;
constexpr std::size_t kMinMchirpSteps = 8;
constexpr std::size_t kMaxMchirpSteps = 400;
constexpr std::size_t kEtaSteps = 4;
constexpr std::size_t kChiSteps = 5;
constexpr std::size_t kStarts = 3;   // local optimisations from the best distinct grid points
constexpr double kGuessWidth = 0.2;  // --mchirp-guess searches guess·(1 ± this)
constexpr std::size_t kSkyPoints = 2000;
// Incoherent optima this far (in lnL) below the best are not followed up coherently.
constexpr double kCandidateScoreDrop = 10.0;
// par0's inclination stays this far (rad) from face-on and edge-on, where a polarisation of
// some m-group vanishes exactly and relative binning would divide by zero. Only exact zeros
// matter (the scale of h0 cancels in the summary weights), and the two-detector maximum can sit
// very close to edge-on with a large amplitude in the polarisation H and L hardly see, where
// a wider margin costs several units of lnL (GW170104: 3 for 0.02 rad).
constexpr double kIotaMargin = 1e-3;
constexpr double kPenalty = 100.0;  // lnL per (step outside the bounds)²

struct SearchBox {
  double mchirp_min = 0.0;
  double mchirp_max = 0.0;
  double eta_min = 0.0;
  double chi_max = 0.0;
};

SearchBox search_box(const ReferenceSearchSettings& settings) {
  const bool has_range = settings.mchirp_max > 0.0;
  if (has_range) {
    require(settings.mchirp_min > 0.0 && settings.mchirp_max > settings.mchirp_min,
            "reference search: the chirp-mass range must satisfy 0 < min < max, got [{}, {}] Msun",
            settings.mchirp_min, settings.mchirp_max);
  }
  SearchBox box{settings.mchirp_min, settings.mchirp_max, eta_from_q(settings.q_min),
                settings.chi_max};
  if (settings.mchirp_guess) {
    const double guess = *settings.mchirp_guess;
    require(guess > 0.0, "reference search: --mchirp-guess must be positive, got {}", guess);
    box.mchirp_min =
        has_range ? std::max(box.mchirp_min, guess * (1 - kGuessWidth)) : guess * (1 - kGuessWidth);
    box.mchirp_max =
        has_range ? std::min(box.mchirp_max, guess * (1 + kGuessWidth)) : guess * (1 + kGuessWidth);
    require(box.mchirp_max > box.mchirp_min,
            "reference search: --mchirp-guess {} lies outside the chirp-mass range [{}, {}] Msun; "
            "give a guess inside it or drop the range",
            guess, settings.mchirp_min, settings.mchirp_max);
  }
  require(box.mchirp_max > 0.0,
          "reference search: no chirp-mass range; give a bank (its range is used), "
          "--mchirp-range LO,HI or --mchirp-guess X");
  require(settings.q_min > 0.0 && settings.q_min <= 1.0,
          "reference search: q_min must be in (0, 1], got {}", settings.q_min);
  require(settings.chi_max >= 0.0 && settings.chi_max < 1.0,
          "reference search: chi_max must be in [0, 1), got {}", settings.chi_max);
  require(settings.time_half_window > 0.0 && settings.f_ref > 0.0,
          "reference search: time_half_window and f_ref must be positive, got {} s and {} Hz",
          settings.time_half_window, settings.f_ref);
  return box;
}

// The Newtonian GW phase (3/128)(π G Mc f/c³)^{−5/3}: its differences measure how far apart two
// chirp masses are for a matched filter.
double newtonian_phase(double mchirp) {
  return 3.0 / 128.0 * std::pow(kPi * kSolarMassSeconds * mchirp * kPhaseFrequency, -5.0 / 3.0);
}

std::vector<double> linspace(double first, double last, std::size_t n) {
  std::vector<double> values(n, first);
  for (std::size_t i = 1; i < n; ++i) {
    values[i] = first + (last - first) * static_cast<double>(i) / static_cast<double>(n - 1);
  }
  return values;
}

// Coarse grid: chirp mass uniform in Newtonian phase, η and χ_eff on a few levels.
struct Grid {
  std::vector<double> mchirp;
  std::vector<double> eta;
  std::vector<double> chi;

  std::size_t size() const { return mchirp.size() * eta.size() * chi.size(); }
  std::array<std::size_t, 3> indices(std::size_t i) const {
    return {i / (eta.size() * chi.size()), (i / chi.size()) % eta.size(), i % chi.size()};
  }
  IntrinsicPoint point(std::size_t i) const {
    const auto [a, b, c] = indices(i);
    return {mchirp[a], eta[b], chi[c]};
  }
  // Nelder-Mead steps in (ln Mc, η, χ) at grid point i: about half a grid cell.
  std::vector<double> steps(std::size_t i) const {
    const std::size_t a = indices(i)[0];
    const std::size_t neighbour = a + 1 < mchirp.size() ? a + 1 : a - 1;
    return {0.5 * std::abs(std::log(mchirp[neighbour] / mchirp[a])), 0.5 * (eta[1] - eta[0]),
            0.5 * (chi[1] - chi[0])};
  }
};

Grid make_grid(const SearchBox& box) {
  const double phase_lo = newtonian_phase(box.mchirp_max);
  const double phase_hi = newtonian_phase(box.mchirp_min);
  const auto n_mchirp =
      std::clamp(static_cast<std::size_t>(std::ceil((phase_hi - phase_lo) / kPhaseStep)) + 1,
                 kMinMchirpSteps, kMaxMchirpSteps);
  Grid grid;
  for (const double phase : linspace(phase_hi, phase_lo, n_mchirp)) {
    // Invert the phase; the ends are set exactly so rounding never leaves the range.
    grid.mchirp.push_back(box.mchirp_min * std::pow(phase / phase_hi, -3.0 / 5.0));
  }
  grid.mchirp.front() = box.mchirp_min;
  grid.mchirp.back() = box.mchirp_max;
  grid.eta = linspace(box.eta_min, 0.25, kEtaSteps);
  grid.chi = linspace(-0.6 * box.chi_max, 0.8 * box.chi_max, kChiSteps);
  return grid;
}

// (ln Mc, η, χ) clamped into the box, and the squared distance outside it in units of `steps`.
std::pair<IntrinsicPoint, double> clamp_to_box(std::span<const double> x, const SearchBox& box,
                                               std::span<const double> steps) {
  const std::array<double, 3> lo = {std::log(box.mchirp_min), box.eta_min, -box.chi_max};
  const std::array<double, 3> hi = {std::log(box.mchirp_max), 0.25, box.chi_max};
  std::array<double, 3> inside{};
  double outside = 0.0;
  for (std::size_t i = 0; i < 3; ++i) {
    inside[i] = std::clamp(x[i], lo[i], hi[i]);
    outside += std::pow((x[i] - inside[i]) / steps[i], 2);
  }
  return {{std::exp(inside[0]), inside[1], inside[2]}, outside};
}

struct IntrinsicResult {
  IntrinsicPoint point;
  double score = 0.0;
  std::vector<DetectorPeak> peaks;
};

class IntrinsicSearch {
 public:
  IntrinsicSearch(const physics::EventData& event, const ReferenceSearchSettings& settings,
                  const SearchBox& box)
      : settings_(settings),
        box_(box),
        filter_(event, chirp_duration(box.mchirp_min, event.frequencies[event.band().first]),
                settings.time_half_window) {}

  const MatchedFilter& filter() const { return filter_; }

  std::vector<DetectorPeak> peaks(const IntrinsicPoint& point) {
    const auto h = mode22(settings_.approximant, point, settings_.f_ref, filter_.frequencies());
    return filter_.peaks(h);
  }
  double score(const IntrinsicPoint& point) { return incoherent_score(peaks(point)); }

  IntrinsicResult optimize_from(const IntrinsicPoint& start, std::span<const double> steps) {
    const auto objective = [&](std::span<const double> x) {
      const auto [point, outside] = clamp_to_box(x, box_, steps);
      return score(point) - kPenalty * outside;
    };
    const auto result = maximize_nelder_mead(
        objective, {std::log(start.mchirp), start.eta, start.chi}, steps, 1e-3, 300);
    const IntrinsicPoint best = clamp_to_box(result.x, box_, steps).first;
    auto best_peaks = peaks(best);
    return {best, incoherent_score(best_peaks), std::move(best_peaks)};
  }

 private:
  const ReferenceSearchSettings& settings_;
  SearchBox box_;
  MatchedFilter filter_;
};

// The best grid points, at least two cells apart in some direction from each other.
std::vector<std::size_t> distinct_best(const Grid& grid, const std::vector<double>& scores,
                                       std::size_t count) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  std::vector<std::size_t> chosen;
  for (const std::size_t i : order) {
    const auto here = grid.indices(i);
    const bool near = std::any_of(chosen.begin(), chosen.end(), [&](std::size_t j) {
      const auto there = grid.indices(j);
      for (std::size_t axis = 0; axis < 3; ++axis) {
        if (here[axis] > there[axis] + 1 || there[axis] > here[axis] + 1) return false;
      }
      return true;
    });
    if (!near) chosen.push_back(i);
    if (chosen.size() == count) break;
  }
  return chosen;
}

// The local optima of the incoherent score from the best distinct grid points, best first.
std::vector<IntrinsicResult> search_intrinsic(const physics::EventData& event,
                                              const ReferenceSearchSettings& settings,
                                              const SearchBox& box, const ParallelMap& map) {
  IntrinsicSearch search(event, settings, box);
  const Grid grid = make_grid(box);
  log::info(
      "reference: {} x {} x {} grid in (Mc {:.3f}-{:.3f}, eta, chi_eff), {:.0f} s of data "
      "around the event",
      grid.mchirp.size(), grid.eta.size(), grid.chi.size(), box.mchirp_min, box.mchirp_max,
      search.filter().duration());
  const std::vector<double> scores =
      map(grid.size(), [&](std::size_t i) { return search.score(grid.point(i)); });
  require(scores.size() == grid.size(), "internal error: the map returned {} of {} values",
          scores.size(), grid.size());
  std::vector<IntrinsicResult> optima;
  for (const std::size_t i : distinct_best(grid, scores, kStarts)) {
    optima.push_back(search.optimize_from(grid.point(i), grid.steps(i)));
  }
  std::stable_sort(optima.begin(), optima.end(),
                   [](const auto& a, const auto& b) { return a.score > b.score; });
  return optima;
}

void require_detection(const IntrinsicResult& best, const SearchBox& box,
                       const ReferenceSearchSettings& settings, const std::string& event_name) {
  const double snr = std::sqrt(2.0 * std::max(best.score, 0.0));
  require(snr >= settings.min_network_snr,
          "reference search on '{}': no template with chirp mass in [{:.3f}, {:.3f}] Msun reaches "
          "network SNR {} (best {:.2f}, at Mc {:.3f}). If the event holds a signal, search where "
          "it is: give --mchirp-guess near its detector-frame chirp mass, or a bank / "
          "--mchirp-range LO,HI that contains it (or lower --min-snr)",
          event_name, box.mchirp_min, box.mchirp_max, settings.min_network_snr, snr,
          best.point.mchirp);
}

struct Extrinsic {
  double lat = 0.0;
  double lon = 0.0;
  double t_geocenter = 0.0;
  double lnl = 0.0;
};

// Sky directions spread evenly over the sphere (a Fibonacci lattice).
std::pair<double, double> sky_point(std::size_t i, std::size_t n) {
  const double golden_angle = kPi * (3.0 - std::sqrt(5.0));
  const double z = 1.0 - 2.0 * (static_cast<double>(i) + 0.5) / static_cast<double>(n);
  return {std::asin(z), std::fmod(golden_angle * static_cast<double>(i), 2.0 * kPi)};
}

// Keeps the arrival time at the loudest detector, scans the sky (each direction then fixes the
// geocentre time), and refines (lat, lon, t_geocenter) from the best directions.
Extrinsic search_extrinsic(const physics::EventData& event, const CoherentFilter& coherent,
                           const IntrinsicResult& intrinsic, const ParallelMap& map) {
  const auto loudest = static_cast<std::size_t>(
      std::max_element(intrinsic.peaks.begin(), intrinsic.peaks.end(),
                       [](const auto& a, const auto& b) { return a.snr2 < b.snr2; }) -
      intrinsic.peaks.begin());
  const auto& reference = physics::detector(event.detector_names[loudest]);
  const double t_reference = intrinsic.peaks[loudest].time;
  const auto t_geocenter = [&](double lat, double lon) {
    return t_reference - physics::geocenter_delay(reference, lat, lon);
  };
  const std::vector<double> sky_lnl = map(kSkyPoints, [&](std::size_t i) {
    const auto [lat, lon] = sky_point(i, kSkyPoints);
    return coherent.max_lnl(lat, lon, t_geocenter(lat, lon));
  });
  std::vector<std::size_t> order(kSkyPoints);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return sky_lnl[a] > sky_lnl[b]; });
  Extrinsic best{0.0, 0.0, 0.0, -1.0};
  const std::array<double, 3> steps = {0.05, 0.05, 3e-4};
  const auto objective = [&](std::span<const double> x) {
    return coherent.max_lnl(x[0], x[1], x[2]);
  };
  for (std::size_t rank = 0; rank < kStarts; ++rank) {
    const auto [lat, lon] = sky_point(order[rank], kSkyPoints);
    const auto result =
        maximize_nelder_mead(objective, {lat, lon, t_geocenter(lat, lon)}, steps, 1e-3, 300);
    if (result.value > best.lnl) best = {result.x[0], result.x[1], result.x[2], result.value};
  }
  return best;
}

// Intrinsic and extrinsic parameters together on the coherent likelihood: the incoherent
// optimum lets each detector pick its own time and phase, the coherent one does not.
std::pair<IntrinsicPoint, Extrinsic> polish(CoherentFilter& coherent, const SearchBox& box,
                                            const IntrinsicPoint& start_point,
                                            const Extrinsic& start) {
  const std::array<double, 6> steps = {1e-3, 0.01, 0.03, 0.02, 0.02, 2e-4};
  const auto objective = [&](std::span<const double> x) {
    const auto [point, outside] = clamp_to_box(x.first(3), box, std::span(steps).first(3));
    coherent.set_template(point);
    return coherent.max_lnl(x[3], x[4], x[5]) - kPenalty * outside;
  };
  const auto result =
      maximize_nelder_mead(objective,
                           {std::log(start_point.mchirp), start_point.eta, start_point.chi,
                            start.lat, start.lon, start.t_geocenter},
                           steps, 1e-3, 400);
  const IntrinsicPoint point =
      clamp_to_box(std::span(result.x).first(3), box, std::span(steps).first(3)).first;
  coherent.set_template(point);
  return {point,
          {result.x[3], result.x[4], result.x[5],
           coherent.max_lnl(result.x[3], result.x[4], result.x[5])}};
}

// Canonical Earth-fixed angles of the direction (lat, lon) (the optimiser may leave the
// canonical ranges).
std::pair<double, double> canonical_sky(double lat, double lon) {
  const double x = std::cos(lat) * std::cos(lon);
  const double y = std::cos(lat) * std::sin(lon);
  const double z = std::sin(lat);
  return {std::atan2(z, std::hypot(x, y)), physics::wrap_two_pi(std::atan2(y, x))};
}

// h+ and h× of the model on the band (zero elsewhere), at 1 Mpc and the parameters' phase.
std::vector<std::complex<double>> detector_strain(const physics::EventData& event,
                                                  waveform::Approximant approximant,
                                                  const SourceParameters& source) {
  const auto [first, end] = event.band();
  const auto band = std::span<const double>(event.frequencies).subspan(first, end - first);
  const auto modes = waveform::harmonic_modes(approximant);
  const std::size_t n_groups = waveform::m_arr(modes).size();
  waveform::BinaryParameters binary = source.intrinsic;
  binary.distance = 1.0;
  std::vector<std::complex<double>> by_m(n_groups * 2 * band.size());
  waveform::polarizations_by_m(approximant, binary, modes, band, by_m);
  std::vector<std::complex<double>> plus(event.n_frequencies());
  std::vector<std::complex<double>> cross(event.n_frequencies());
  for (std::size_t g = 0; g < n_groups; ++g) {
    for (std::size_t k = 0; k < band.size(); ++k) {
      plus[first + k] += by_m[(g * 2 + 0) * band.size() + k];
      cross[first + k] += by_m[(g * 2 + 1) * band.size() + k];
    }
  }
  const physics::SignalPlacement placement{source.ra, source.dec, source.psi, source.t_geocenter,
                                           source.intrinsic.distance};
  return physics::project_signal(event, plus, cross, placement);
}

double direct_lnl(const physics::EventData& event, std::span<const std::complex<double>> signal) {
  const std::size_t n_f = event.n_frequencies();
  double lnl = 0.0;
  for (std::size_t d = 0; d < event.n_detectors(); ++d) {
    const auto h = signal.subspan(d * n_f, n_f);
    const auto data = std::span(event.strain).subspan(d * n_f, n_f);
    lnl += physics::inner_product(event, d, data, h).real() -
           0.5 * physics::inner_product(event, d, h, h).real();
  }
  return lnl;
}

// par0 from the fit, with lnL and SNRs evaluated directly with the full model; with higher
// modes φ and φ + π differ, and the better one is kept.
ReferenceSolution make_solution(const physics::EventData& event,
                                const ReferenceSearchSettings& settings,
                                const IntrinsicPoint& point, const Extrinsic& extrinsic,
                                const CoherentFilter::Fit& fit) {
  const auto [lat, lon] = canonical_sky(extrinsic.lat, extrinsic.lon);
  ReferenceSolution solution;
  solution.detector_names = event.detector_names;
  solution.lnl = -std::numeric_limits<double>::infinity();
  for (const double extra_phase : {0.0, kPi}) {
    SourceParameters source;
    source.intrinsic = binary_parameters(point, fit.iota, settings.f_ref);
    source.intrinsic.phi_ref = fit.phi_ref + extra_phase;
    source.intrinsic.distance = fit.distance;
    source.ra = physics::lon_to_ra(lon, event.tgps);
    source.dec = lat;
    source.psi = fit.psi;
    source.t_geocenter = extrinsic.t_geocenter;
    const auto signal = detector_strain(event, settings.approximant, source);
    const double lnl = direct_lnl(event, signal);
    if (lnl > solution.lnl) {
      solution.lnl = lnl;
      solution.parameters = source;
      solution.snr_by_detector = physics::matched_filter_snr(event, signal);
    }
  }
  return solution;
}

}  // namespace

std::vector<double> serial_map(std::size_t n, const std::function<double(std::size_t)>& f) {
  std::vector<double> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = f(i);
  return values;
}

nlohmann::json ReferenceSolution::to_json(double tgps) const {
  nlohmann::json json = parameters.to_par_dic();
  const auto& binary = parameters.intrinsic;
  json["mchirp"] = std::pow(binary.m1 * binary.m2, 0.6) / std::pow(binary.m1 + binary.m2, 0.2);
  json["lnl"] = lnl;
  json["network_snr"] = std::sqrt(2.0 * std::max(lnl, 0.0));
  nlohmann::json snr = nlohmann::json::object();
  for (std::size_t d = 0; d < detector_names.size() && d < snr_by_detector.size(); ++d) {
    snr[detector_names[d]] = snr_by_detector[d];
  }
  json["snr_by_detector"] = snr;
  json["tgps"] = tgps;
  json["geocent_time"] = tgps + parameters.t_geocenter;
  return json;
}

ReferenceSolution find_reference_waveform(const physics::EventData& event,
                                          const ReferenceSearchSettings& settings,
                                          const ParallelMap& map) {
  const SearchBox box = search_box(settings);
  require(event.n_detectors() > 0, "reference search: event '{}' has no detectors", event.name);
  require(event.tcoarse - settings.time_half_window >= 0.0 &&
              event.tcoarse + settings.time_half_window <= event.duration(),
          "reference search: the arrival-time window tgps ± {} s does not fit in the {} s segment "
          "of '{}' (tgps at {} s)",
          settings.time_half_window, event.duration(), event.name, event.tcoarse);
  const double longest = chirp_duration(box.mchirp_min, event.frequencies[event.band().first]);
  if (longest > event.tcoarse) {
    log::warning(
        "reference search: a chirp mass of {:.3f} Msun lasts {:.0f} s above {:.1f} Hz, "
        "longer than the {:.0f} s of data before tgps; such templates wrap around",
        box.mchirp_min, longest, event.frequencies[event.band().first], event.tcoarse);
  }
  const WallTimer timer;
  const std::vector<IntrinsicResult> optima = search_intrinsic(event, settings, box, map);
  require_detection(optima.front(), box, settings, event.name);
  log::info(
      "reference: intrinsic search done in {:.1f} s: Mc {:.4f}, q {:.3f}, chi_eff {:.3f}, "
      "incoherent network SNR {:.2f}",
      timer.seconds(), optima.front().point.mchirp, q_from_eta(optima.front().point.eta),
      optima.front().point.chi, std::sqrt(2.0 * optima.front().score));

  // The incoherent score lets every detector choose its own time and phase, so noise can favour
  // the wrong one of two comparable optima: the coherent likelihood decides between them.
  CoherentFilter coherent(event, settings.approximant, settings.f_ref);
  const IntrinsicResult* intrinsic = nullptr;
  Extrinsic extrinsic;
  for (const auto& candidate : optima) {
    if (candidate.score < optima.front().score - kCandidateScoreDrop) continue;
    coherent.set_template(candidate.point);
    const Extrinsic found = search_extrinsic(event, coherent, candidate, map);
    log::debug("reference: candidate Mc {:.4f}: incoherent {:.2f}, coherent {:.2f}",
               candidate.point.mchirp, candidate.score, found.lnl);
    if (intrinsic == nullptr || found.lnl > extrinsic.lnl) {
      intrinsic = &candidate;
      extrinsic = found;
    }
  }
  const auto [point, polished] = polish(coherent, box, intrinsic->point, extrinsic);
  const CoherentFilter::Fit fit =
      coherent.fit(polished.lat, polished.lon, polished.t_geocenter, kIotaMargin);
  ReferenceSolution solution = make_solution(event, settings, point, polished, fit);
  log::info(
      "reference: done in {:.1f} s: Mc {:.4f}, lnL {:.2f} (coherent search {:.2f} before "
      "the joint polish, {:.2f} after)",
      timer.seconds(), point.mchirp, solution.lnl, extrinsic.lnl, polished.lnl);
  return solution;
}

}  // namespace dotpe::likelihood
