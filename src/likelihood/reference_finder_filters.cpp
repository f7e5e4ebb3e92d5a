// Matched filters of the reference-waveform finder: the reduced-resolution FFT filter of the
// intrinsic search and the full-resolution coherent network likelihood (see the internal header).
#include <algorithm>
#include <bit>
#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "dotpe/physics/detectors.hpp"
#include "reference_finder_internal.hpp"

namespace dotpe::likelihood::reference_finder_detail {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
// The matched-filter series is sampled twice as finely as the data, so that a parabola through
// the three highest samples of |z|² finds the peak to well below a percent.
constexpr std::size_t kTimeOversampling = 2;
// Extra data kept around the template's span: ringdown, the Fourier tails of the band edges.
constexpr double kMarginBefore = 2.0;
constexpr double kMarginAfter = 1.0;
// PN corrections lengthen unequal-mass, anti-aligned inspirals beyond the Newtonian duration.
constexpr double kDurationSafety = 1.3;

double crossing_time(const std::string& detector_name) {
  const auto& location = physics::detector(detector_name).location;
  return std::hypot(location[0], location[1], location[2]) / physics::kSpeedOfLight;
}

// Σ_k values_k e^{2πi f_k t} for f_k = (first + k) df, re-anchoring the phasor recurrence every
// block so rounding does not accumulate over tens of thousands of bins.
complex phase_sum(std::span<const complex> values, std::size_t first, double df, double time) {
  constexpr std::size_t kBlock = 512;
  const complex step = std::polar(1.0, kTwoPi * df * time);
  complex total = 0.0;
  for (std::size_t start = 0; start < values.size(); start += kBlock) {
    complex phasor = std::polar(1.0, kTwoPi * static_cast<double>(first + start) * df * time);
    complex partial = 0.0;
    const std::size_t stop = std::min(values.size(), start + kBlock);
    for (std::size_t k = start; k < stop; ++k) {
      partial += values[k] * phasor;
      phasor *= step;
    }
    total += partial;
  }
  return total;
}

// (−2)Y_{2,±2}(ι) combined into the factors of h+ = C+ h22 and h× = −i C× h22.
// x mod period, in [0, period).
double wrap(double x, double period) {
  const double wrapped = std::fmod(x, period);
  return wrapped < 0.0 ? wrapped + period : wrapped;
}

std::array<double, 2> polarization_factors(double iota) {
  const double y_plus = waveform::spin_weighted_harmonic(2, 2, iota);
  const double y_minus = waveform::spin_weighted_harmonic(2, -2, iota);
  return {0.5 * (y_plus + y_minus), 0.5 * (y_plus - y_minus)};
}

}  // namespace

double eta_from_q(double q) {
  return q / ((1.0 + q) * (1.0 + q));
}

double q_from_eta(double eta) {
  const double root = std::sqrt(std::max(0.0, 1.0 - 4.0 * eta));
  return std::min(1.0, (1.0 - 2.0 * eta - root) / (2.0 * eta));
}

waveform::BinaryParameters binary_parameters(const IntrinsicPoint& point, double iota,
                                             double f_ref) {
  const double q = q_from_eta(point.eta);
  waveform::BinaryParameters binary;
  binary.m1 = point.mchirp * std::pow(1.0 + q, 0.2) / std::pow(q, 0.6);
  binary.m2 = q * binary.m1;
  binary.s1z = point.chi;
  binary.s2z = point.chi;
  binary.iota = iota;
  binary.f_ref = f_ref;
  return binary;
}

IntrinsicPoint intrinsic_point(const waveform::BinaryParameters& binary) {
  const double total = binary.m1 + binary.m2;
  const double eta = binary.m1 * binary.m2 / (total * total);
  return {total * std::pow(eta, 0.6), eta,
          (binary.m1 * binary.s1z + binary.m2 * binary.s2z) / total};
}

double chirp_duration(double mchirp, double frequency) {
  return 5.0 / 256.0 * std::pow(kSolarMassSeconds * mchirp, -5.0 / 3.0) *
         std::pow(std::numbers::pi * frequency, -8.0 / 3.0);
}

std::vector<complex> mode22(waveform::Approximant approximant, const IntrinsicPoint& point,
                            double f_ref, std::span<const double> frequencies) {
  std::vector<complex> h(frequencies.size());
  waveform::mode(approximant, binary_parameters(point, 0.0, f_ref), waveform::Mode{2, 2},
                 frequencies, h);
  return h;
}

BackwardFft::BackwardFft(std::size_t size)
    : size_(size), buffer_(static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * size))) {
  require(buffer_ != nullptr, "out of memory for an FFT of {} points", size);
  // FFTW_ESTIMATE does not touch the buffer while planning, and needs no wisdom.
  plan_.reset(fftw_plan_dft_1d(static_cast<int>(size), buffer_.get(), buffer_.get(), FFTW_BACKWARD,
                               FFTW_ESTIMATE));
  require(plan_ != nullptr, "internal error: FFTW could not plan a transform of {} points", size);
}

namespace {

// The coarse length N' (samples of the event's dt): a power of two covering the template and
// the searched window, or the whole segment when that is not shorter.
std::size_t cut_length(const physics::EventData& event, double needed_seconds) {
  const std::size_t n_samples = 2 * (event.n_frequencies() - 1);
  const double dt = event.duration() / static_cast<double>(n_samples);
  const auto needed = static_cast<std::size_t>(std::ceil(needed_seconds / dt));
  const std::size_t power = std::bit_ceil(std::max<std::size_t>(needed, 16));
  return power >= n_samples ? n_samples : power;
}

// w²d of one detector in the time domain (continuous-FT units: x_n = df Σ_k X_k e^{2πikn/N}).
std::vector<double> blued_time_series(const physics::EventData& event, std::size_t detector) {
  const std::size_t n_f = event.n_frequencies();
  const std::size_t n = 2 * (n_f - 1);
  std::unique_ptr<fftw_complex[], FftwFree> spectrum(
      static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * n_f)));
  std::unique_ptr<double[], FftwFree> series(static_cast<double*>(fftw_malloc(sizeof(double) * n)));
  require(spectrum != nullptr && series != nullptr, "out of memory for an FFT of {} points", n);
  const FftwPlan plan(
      fftw_plan_dft_c2r_1d(static_cast<int>(n), spectrum.get(), series.get(), FFTW_ESTIMATE));
  for (std::size_t k = 0; k < n_f; ++k) {
    const double w = event.whitening_filter[detector * n_f + k];
    const complex value = event.strain[detector * n_f + k] * (w * w);
    spectrum[k][0] = value.real();
    spectrum[k][1] = (k == 0 || k == n_f - 1) ? 0.0 : value.imag();
  }
  fftw_execute(plan.get());
  std::vector<double> out(series.get(), series.get() + n);
  for (auto& value : out) value *= event.df();
  return out;
}

}  // namespace

MatchedFilter::MatchedFilter(const physics::EventData& event, double longest_template,
                             double half_window)
    : n_detectors_(event.n_detectors()),
      fft_(kTimeOversampling *
           cut_length(event, longest_template * kDurationSafety + kMarginBefore + kMarginAfter +
                                 2.0 * (half_window + 0.03))) {
  const std::size_t n_full = 2 * (event.n_frequencies() - 1);
  const double dt = event.duration() / static_cast<double>(n_full);
  const std::size_t n_cut = fft_.size() / kTimeOversampling;
  duration_ = dt * static_cast<double>(n_cut);
  df_ = 1.0 / duration_;
  sample_spacing_ = dt / static_cast<double>(kTimeOversampling);
  // The template's arrival at most half_window + 30 ms + the margin after tgps: everything else
  // of the cut lies before it, where the inspiral is.
  const double t_start =
      n_cut == n_full ? 0.0 : event.tcoarse + half_window + 0.03 + kMarginAfter - duration_;
  cut_blued_strain(event, t_start);
  average_weights(event);
  set_windows(event, half_window);
}

void MatchedFilter::cut_blued_strain(const physics::EventData& event, double t_start) {
  const std::size_t n_full = 2 * (event.n_frequencies() - 1);
  const double dt = event.duration() / static_cast<double>(n_full);
  const std::size_t n_cut = fft_.size() / kTimeOversampling;
  const auto shift = static_cast<long long>(std::floor(t_start / dt));
  time_origin_ = static_cast<double>(shift) * dt - event.tcoarse;
  const auto [band_first, band_end] = event.band();
  const double f_low = event.frequencies[band_first];
  const double f_high = event.frequencies[band_end - 1];
  first_bin_ = static_cast<std::size_t>(std::ceil(f_low / df_ - 1e-9));
  const auto last_bin = static_cast<std::size_t>(std::floor(f_high / df_ + 1e-9));
  frequencies_.clear();
  for (std::size_t k = first_bin_; k <= last_bin; ++k) {
    frequencies_.push_back(static_cast<double>(k) * df_);
  }
  std::unique_ptr<double[], FftwFree> series(
      static_cast<double*>(fftw_malloc(sizeof(double) * n_cut)));
  std::unique_ptr<fftw_complex[], FftwFree> spectrum(
      static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * (n_cut / 2 + 1))));
  require(series != nullptr && spectrum != nullptr, "out of memory for an FFT of {} points", n_cut);
  const FftwPlan plan(
      fftw_plan_dft_r2c_1d(static_cast<int>(n_cut), series.get(), spectrum.get(), FFTW_ESTIMATE));
  blued_.assign(n_detectors_ * frequencies_.size(), 0.0);
  const auto n_full_signed = static_cast<long long>(n_full);
  for (std::size_t d = 0; d < n_detectors_; ++d) {
    const std::vector<double> blued = blued_time_series(event, d);
    for (std::size_t m = 0; m < n_cut; ++m) {
      // The segment is periodic (the data were made or whitened by FFT): wrap around.
      const long long index =
          ((shift + static_cast<long long>(m)) % n_full_signed + n_full_signed) % n_full_signed;
      series[m] = blued[static_cast<std::size_t>(index)];
    }
    fftw_execute(plan.get());
    for (std::size_t k = 0; k < frequencies_.size(); ++k) {
      const std::size_t bin = first_bin_ + k;
      blued_[d * frequencies_.size() + k] =
          4.0 * df_ * dt * complex(spectrum[bin][0], spectrum[bin][1]);
    }
  }
}

void MatchedFilter::average_weights(const physics::EventData& event) {
  const std::size_t n_f = event.n_frequencies();
  const double df = event.df();
  weights_.assign(n_detectors_ * frequencies_.size(), 0.0);
  for (std::size_t k = 0; k < frequencies_.size(); ++k) {
    const auto lo = static_cast<std::size_t>(
        std::max(0.0, std::ceil((frequencies_[k] - 0.5 * df_) / df - 1e-9)));
    const auto hi = std::min(
        n_f, static_cast<std::size_t>(std::ceil((frequencies_[k] + 0.5 * df_) / df - 1e-9)));
    if (hi <= lo) continue;
    for (std::size_t d = 0; d < n_detectors_; ++d) {
      double total = 0.0;
      for (std::size_t j = lo; j < hi; ++j) {
        const double w = event.whitening_filter[d * n_f + j];
        total += w * w;
      }
      weights_[d * frequencies_.size() + k] = 4.0 * df_ * total / static_cast<double>(hi - lo);
    }
  }
}

void MatchedFilter::set_windows(const physics::EventData& event, double half_window) {
  windows_.clear();
  for (std::size_t d = 0; d < n_detectors_; ++d) {
    const double reach = half_window + crossing_time(event.detector_names[d]);
    const auto first =
        static_cast<long long>(std::floor((-reach - time_origin_) / sample_spacing_)) - 1;
    const auto last =
        static_cast<long long>(std::ceil((reach - time_origin_) / sample_spacing_)) + 1;
    const auto size = static_cast<long long>(fft_.size());
    windows_.push_back({static_cast<std::size_t>((first % size + size) % size),
                        static_cast<std::size_t>(std::min(last - first + 1, size))});
  }
}

std::vector<DetectorPeak> MatchedFilter::peaks(std::span<const complex> h) {
  require(h.size() == frequencies_.size(), "internal error: template of {} values for {} bins",
          h.size(), frequencies_.size());
  const std::size_t n_k = frequencies_.size();
  const std::size_t size = fft_.size();
  std::vector<DetectorPeak> result(n_detectors_);
  std::vector<double> power;
  for (std::size_t d = 0; d < n_detectors_; ++d) {
    const auto buffer = fft_.data();
    std::fill(buffer.begin(), buffer.end(), complex(0.0, 0.0));
    double hh = 0.0;
    for (std::size_t k = 0; k < n_k; ++k) {
      buffer[first_bin_ + k] = blued_[d * n_k + k] * std::conj(h[k]);
      hh += weights_[d * n_k + k] * std::norm(h[k]);
    }
    fft_.execute();
    const auto [first, count] = windows_[d];
    power.resize(count);
    for (std::size_t n = 0; n < count; ++n) power[n] = std::norm(buffer[(first + n) % size]);
    const auto best =
        static_cast<std::size_t>(std::max_element(power.begin(), power.end()) - power.begin());
    double peak = power[best];
    double offset = 0.0;
    if (best > 0 && best + 1 < count) {
      // Parabola through the three samples around the maximum.
      const double left = power[best - 1];
      const double right = power[best + 1];
      const double curvature = left - 2.0 * peak + right;
      if (curvature < 0.0) {
        offset = std::clamp(0.5 * (left - right) / curvature, -0.5, 0.5);
        peak -= 0.25 * (left - right) * offset;
      }
    }
    const double sample = static_cast<double>(first + best) + offset;
    double time = time_origin_ + sample * sample_spacing_;
    const double period = static_cast<double>(size) * sample_spacing_;
    if (time > 0.5 * period) time -= period;  // wrapped windows (whole-segment filters)
    result[d] = {hh > 0.0 ? peak / hh : 0.0, time};
  }
  return result;
}

double incoherent_score(std::span<const DetectorPeak> peaks) {
  double score = 0.0;
  for (const auto& peak : peaks) score += 0.5 * peak.snr2;
  return score;
}

CoherentFilter::CoherentFilter(const physics::EventData& event, waveform::Approximant approximant,
                               double f_ref)
    : event_(event), approximant_(approximant), f_ref_(f_ref) {
  const auto [first, end] = event.band();
  first_ = first;
  band_.assign(event.frequencies.begin() + static_cast<std::ptrdiff_t>(first),
               event.frequencies.begin() + static_cast<std::ptrdiff_t>(end));
  const std::size_t n_f = event.n_frequencies();
  const std::size_t n_k = band_.size();
  blued_.resize(event.n_detectors() * n_k);
  for (std::size_t d = 0; d < event.n_detectors(); ++d) {
    for (std::size_t k = 0; k < n_k; ++k) {
      const double w = event.whitening_filter[d * n_f + first + k];
      blued_[d * n_k + k] = 4.0 * event.df() * w * w * event.strain[d * n_f + first + k];
    }
  }
}

void CoherentFilter::set_template(const IntrinsicPoint& point) {
  const std::vector<complex> h = mode22(approximant_, point, f_ref_, band_);
  const std::size_t n_f = event_.n_frequencies();
  const std::size_t n_k = band_.size();
  filter_.resize(blued_.size());
  hh_.assign(event_.n_detectors(), 0.0);
  for (std::size_t d = 0; d < event_.n_detectors(); ++d) {
    for (std::size_t k = 0; k < n_k; ++k) {
      filter_[d * n_k + k] = blued_[d * n_k + k] * std::conj(h[k]);
      const double w = event_.whitening_filter[d * n_f + first_ + k];
      hh_[d] += 4.0 * event_.df() * w * w * std::norm(h[k]);
    }
  }
}

complex CoherentFilter::z(std::size_t detector, double time) const {
  const std::size_t n_k = band_.size();
  return phase_sum(std::span(filter_).subspan(detector * n_k, n_k), first_, event_.df(),
                   event_.tcoarse + time);
}

CoherentFilter::Network CoherentFilter::network(double lat, double lon, double t_geocenter) const {
  Network net;
  for (std::size_t d = 0; d < event_.n_detectors(); ++d) {
    const auto& site = physics::detector(event_.detector_names[d]);
    const auto pattern = physics::antenna_pattern(site, lat, lon, 0.0);
    const complex zd = z(d, t_geocenter + physics::geocenter_delay(site, lat, lon));
    net.v[0] += pattern.plus * zd;
    net.v[1] += pattern.cross * zd;
    net.m[0] += hh_[d] * pattern.plus * pattern.plus;
    net.m[1] += hh_[d] * pattern.plus * pattern.cross;
    net.m[2] += hh_[d] * pattern.cross * pattern.cross;
  }
  return net;
}

namespace {

// M⁺ v for the symmetric 2×2 M: a pseudo-inverse, since with co-aligned detectors (or one
// detector) M is singular and v lies in its range.
std::array<complex, 2> solve_symmetric(const std::array<double, 3>& m,
                                       const std::array<complex, 2>& v) {
  const double mean = 0.5 * (m[0] + m[2]);
  const double radius = std::hypot(0.5 * (m[0] - m[2]), m[1]);
  const double angle = 0.5 * std::atan2(2.0 * m[1], m[0] - m[2]);
  const std::array<std::array<double, 2>, 2> vectors = {
      {{std::cos(angle), std::sin(angle)}, {-std::sin(angle), std::cos(angle)}}};
  const std::array<double, 2> values = {mean + radius, mean - radius};
  std::array<complex, 2> out{};
  for (std::size_t i = 0; i < 2; ++i) {
    if (!(values[i] > 1e-9 * values[0])) continue;
    const complex projection = vectors[i][0] * v[0] + vectors[i][1] * v[1];
    out[0] += vectors[i][0] * projection / values[i];
    out[1] += vectors[i][1] * projection / values[i];
  }
  return out;
}

}  // namespace

double CoherentFilter::max_lnl(double lat, double lon, double t_geocenter) const {
  const Network net = network(lat, lon, t_geocenter);
  const auto u = solve_symmetric(net.m, net.v);
  return 0.5 * (std::conj(net.v[0]) * u[0] + std::conj(net.v[1]) * u[1]).real();
}

CoherentFilter::Fit CoherentFilter::fit_phase_distance(double lat, double lon, double t_geocenter,
                                                       double psi, double iota) const {
  const auto [c_plus, c_cross] = polarization_factors(iota);
  complex dh = 0.0;
  double hh = 0.0;
  for (std::size_t d = 0; d < event_.n_detectors(); ++d) {
    const auto& site = physics::detector(event_.detector_names[d]);
    const auto pattern = physics::antenna_pattern(site, lat, lon, psi);
    const complex a(pattern.plus * c_plus, -pattern.cross * c_cross);
    dh += std::conj(a) * z(d, t_geocenter + physics::geocenter_delay(site, lat, lon));
    hh += std::norm(a) * hh_[d];
  }
  Fit fit;
  fit.psi = psi;
  fit.iota = iota;
  if (hh <= 0.0 || std::abs(dh) == 0.0) return fit;
  // (d|h) = conj(a) z e^{−2iφ}/D: the real part peaks at 2φ = arg dh and D = hh/|dh|.
  fit.phi_ref = wrap(0.5 * std::arg(dh), std::numbers::pi);
  fit.distance = hh / std::abs(dh);
  fit.lnl = 0.5 * std::norm(dh) / hh;
  return fit;
}

CoherentFilter::Fit CoherentFilter::fit(double lat, double lon, double t_geocenter,
                                        double iota_margin) const {
  const Network net = network(lat, lon, t_geocenter);
  const auto u = solve_symmetric(net.m, net.v);
  // conj(a_d) = pᵀ f_d with p = conj(u) = Rᵀ(2ψ)(C+, iC×) up to a complex factor: rotate p so
  // that its real and imaginary parts are the (orthogonal) axes of the polarisation ellipse.
  const std::array<complex, 2> p = {std::conj(u[0]), std::conj(u[1])};
  const complex rotation = std::polar(1.0, -0.5 * std::arg(p[0] * p[0] + p[1] * p[1]));
  const std::array<double, 2> x = {(p[0] * rotation).real(), (p[1] * rotation).real()};
  const std::array<double, 2> y = {(p[0] * rotation).imag(), (p[1] * rotation).imag()};
  const double two_psi = std::atan2(x[1], x[0]);
  const double major = std::hypot(x[0], x[1]);
  const double minor = -std::sin(two_psi) * y[0] + std::cos(two_psi) * y[1];
  const double ellipticity = major > 0.0 ? std::clamp(minor / major, -1.0, 1.0) : 0.0;
  // C×/C+ = 2 cos ι / (1 + cos² ι).
  const double cos_iota = ellipticity / (1.0 + std::sqrt(1.0 - ellipticity * ellipticity));
  const double free_iota = std::acos(std::clamp(cos_iota, -1.0, 1.0));
  const double half_pi = 0.5 * std::numbers::pi;
  const double iota =
      free_iota < half_pi
          ? std::clamp(free_iota, iota_margin, half_pi - iota_margin)
          : std::clamp(free_iota, half_pi + iota_margin, std::numbers::pi - iota_margin);
  // ψ and ψ + π/2 differ by the sign of both antenna patterns, which φ + π/2 undoes: report
  // ψ in [0, π/2) (φ is refitted).
  const double psi = wrap(0.5 * two_psi, half_pi);
  if (iota == free_iota) return fit_phase_distance(lat, lon, t_geocenter, psi, iota);
  // With ι moved to the margin the best ψ moves too.
  const auto objective = [&](std::span<const double> angle) {
    return fit_phase_distance(lat, lon, t_geocenter, angle[0], iota).lnl;
  };
  const double step = 0.05;
  const auto best = maximize_nelder_mead(objective, {psi}, std::span(&step, 1), 1e-4, 200);
  return fit_phase_distance(lat, lon, t_geocenter, wrap(best.x[0], half_pi), iota);
}

}  // namespace dotpe::likelihood::reference_finder_detail
