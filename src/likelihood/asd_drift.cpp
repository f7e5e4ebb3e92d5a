#include "dotpe/likelihood/asd_drift.hpp"

#include <gsl/gsl_cdf.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "dotpe/core/error.hpp"
#include "fftw_handles.hpp"

namespace dotpe::likelihood {
namespace {

// numpy.fft.irfft of a one-sided spectrum of n_f values (N = 2(n_f − 1); imaginary parts of
// the DC and Nyquist bins ignored, as numpy does). FFTW, not GSL's mixed-radix FFT: a
// segment length with a large prime factor (N = 2·11·18617 for a 128 s event cut at
// 1599.9 Hz) made GSL take a minute per run; FFTW stays O(N log N) for any N.
class InverseRealFft {
 public:
  explicit InverseRealFft(std::size_t n_samples)
      : n_(n_samples),
        spectrum_(static_cast<fftw_complex*>(fftw_malloc(sizeof(fftw_complex) * (n_ / 2 + 1)))),
        series_(static_cast<double*>(fftw_malloc(sizeof(double) * n_))) {
    require(spectrum_ != nullptr && series_ != nullptr,
            "ASD drift: could not allocate an FFT of {} samples", n_samples);
    plan_.reset(
        fftw_plan_dft_c2r_1d(static_cast<int>(n_), spectrum_.get(), series_.get(), FFTW_ESTIMATE));
    require(plan_ != nullptr, "ASD drift: FFTW could not plan an FFT of {} samples", n_);
  }
  std::vector<double> operator()(std::span<const std::complex<double>> spectrum) const {
    const std::size_t n_f = n_ / 2 + 1;
    for (std::size_t k = 0; k < n_f; ++k) {
      spectrum_[k][0] = spectrum[k].real();
      spectrum_[k][1] = (k == 0 || k == n_f - 1) ? 0.0 : spectrum[k].imag();
    }
    fftw_execute(plan_.get());  // c2r overwrites the spectrum buffer, which is refilled above
    std::vector<double> series(series_.get(), series_.get() + n_);
    const double inverse_n = 1.0 / static_cast<double>(n_);  // FFTW does not normalise
    for (double& value : series) value *= inverse_n;
    return series;
  }

 private:
  std::size_t n_;
  FftwComplexBuffer spectrum_;
  FftwRealBuffer series_;
  FftwPlan plan_;
};

double median(std::vector<double> values) {
  const std::size_t n = values.size();
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n / 2),
                   values.end());
  const double upper = values[n / 2];
  if (n % 2 == 1) return upper;
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n / 2));
  return 0.5 * (lower + upper);
}

// Marks runs [left, right) of `false` in `mask`.
template <typename Visit>
void for_each_hole(const std::vector<bool>& mask, Visit&& visit) {
  std::size_t k = 0;
  while (k < mask.size()) {
    if (mask[k]) {
      ++k;
      continue;
    }
    const std::size_t left = k;
    while (k < mask.size() && !mask[k]) ++k;
    visit(left, k);
  }
}

}  // namespace

double safe_std(std::span<const double> values, std::size_t max_contiguous_low,
                double expected_high, std::size_t reject_nearby_samples) {
  require(!values.empty(), "ASD drift: empty matched-filter series");
  const std::size_t n = values.size();
  std::vector<bool> good(n, true);
  // Long stretches below one sigma are holes (gated data), not noise.
  std::vector<bool> above_one(n);
  for (std::size_t k = 0; k < n; ++k) above_one[k] = std::abs(values[k]) > 1.0;
  for_each_hole(above_one, [&](std::size_t left, std::size_t right) {
    if (right - left > max_contiguous_low)
      std::fill(good.begin() + static_cast<std::ptrdiff_t>(left),
                good.begin() + static_cast<std::ptrdiff_t>(right), false);
  });
  std::vector<double> kept;
  for (std::size_t k = 0; k < n; ++k)
    if (good[k]) kept.push_back(values[k]);
  require(!kept.empty(), "ASD drift: every matched-filter sample was rejected as a hole");
  // Robust σ from the median absolute deviation, then a threshold expected to be crossed
  // `expected_high` times by Gaussian noise: P(|x| > t) = expected_high / n_good.
  const double centre = median(kept);
  for (double& v : kept) v = std::abs(v - centre);
  const double sigma = median(kept) / 0.6744897501960817;
  const double tail = expected_high / static_cast<double>(kept.size());
  const double threshold = sigma * gsl_cdf_ugaussian_Qinv(0.5 * tail);
  for (std::size_t k = 0; k < n; ++k)
    if (std::abs(values[k]) > threshold) good[k] = false;
  std::vector<bool> widened = good;
  for_each_hole(good, [&](std::size_t left, std::size_t right) {
    const std::size_t from = left > reject_nearby_samples ? left - reject_nearby_samples : 0;
    const std::size_t to = std::min(n, right + reject_nearby_samples);
    std::fill(widened.begin() + static_cast<std::ptrdiff_t>(from),
              widened.begin() + static_cast<std::ptrdiff_t>(to), false);
  });
  double sum = 0.0, sum_sq = 0.0;
  std::size_t count = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (!widened[k]) continue;
    sum += values[k];
    sum_sq += values[k] * values[k];
    ++count;
  }
  require(count > 1, "ASD drift: fewer than two matched-filter samples survive outlier rejection");
  const double mean = sum / static_cast<double>(count);
  return std::sqrt(std::max(sum_sq / static_cast<double>(count) - mean * mean, 0.0));
}

std::vector<double> compute_asd_drift(const EventArrays& event,
                                      std::span<const std::complex<double>> h_detector,
                                      const AsdDriftOptions& options) {
  const std::size_t n_f = event.frequencies.size();
  require(n_f >= 3 && event.frequencies.front() == 0.0,
          "ASD drift: the event's frequencies must be the full FFT grid starting at 0 Hz (got "
          "{} values from {} Hz)",
          n_f, n_f ? event.frequencies.front() : 0.0);
  require(h_detector.size() == event.n_detectors * n_f &&
              event.strain.size() == event.n_detectors * n_f &&
              event.whitening.size() == event.n_detectors * n_f,
          "ASD drift: h has {} values, strain {} and whitening {}; expected n_detectors·n_f = "
          "{}·{}",
          h_detector.size(), event.strain.size(), event.whitening.size(), event.n_detectors, n_f);
  const std::size_t n_samples = 2 * (n_f - 1);
  const double n_double = static_cast<double>(n_samples);
  const InverseRealFft irfft(n_samples);
  const double fmax = event.frequencies.back();
  const auto reject_nearby = static_cast<std::size_t>(options.reject_nearby_seconds * 2.0 * fmax);
  std::vector<double> drift(event.n_detectors, 1.0);
  std::vector<std::complex<double>> filtered(n_f);
  for (std::size_t d = 0; d < event.n_detectors; ++d) {
    const auto h = h_detector.subspan(d * n_f, n_f);
    const auto w = event.whitening.subspan(d * n_f, n_f);
    const auto data = event.strain.subspan(d * n_f, n_f);
    double norm_sq = 0.0;
    for (std::size_t k = 0; k < n_f; ++k) norm_sq += 4.0 * event.df * std::norm(h[k] * w[k]);
    require(norm_sq > 0.0,
            "ASD drift: the reference waveform has zero norm in detector {}; check the "
            "reference parameters and the event's band",
            d);
    const double inverse_norm = 1.0 / std::sqrt(norm_sq);
    double fourth_power = 0.0;
    for (std::size_t k = 0; k < n_f; ++k) {
      const double whitened =
          std::sqrt(2.0 * n_double * event.df) * w[k] * std::abs(h[k]) * inverse_norm;
      fourth_power += std::pow(whitened, 4);
    }
    const double correlation_length = 4.0 * fourth_power / n_double;
    const auto n_keep = std::min(static_cast<std::size_t>(std::ceil(
                                     correlation_length / (options.tolerance * options.tolerance))),
                                 n_samples);
    const auto max_low =
        static_cast<std::size_t>(std::ceil(options.max_correlation_times_low * correlation_length));
    const double factor = 2.0 * n_double * event.df;
    std::vector<double> series;
    for (int part = 0; part < 2; ++part) {
      // z_cos uses conj(ĥ), z_sin conj(iĥ) = −i conj(ĥ).
      const std::complex<double> rotation = part == 0 ? 1.0 : std::complex<double>(0.0, -1.0);
      for (std::size_t k = 0; k < n_f; ++k) {
        filtered[k] = data[k] * w[k] * w[k] * std::conj(h[k]) * inverse_norm * rotation;
      }
      const std::vector<double> z = irfft(filtered);
      // Lags −⌈n/2⌉ … ⌊n/2⌋ − 1, wrapping around like Python's negative indices.
      const auto first = static_cast<std::ptrdiff_t>(n_keep / 2 + n_keep % 2);
      for (std::ptrdiff_t lag = -first; lag < static_cast<std::ptrdiff_t>(n_keep / 2); ++lag) {
        const auto index = static_cast<std::size_t>((lag + static_cast<std::ptrdiff_t>(n_samples)) %
                                                    static_cast<std::ptrdiff_t>(n_samples));
        series.push_back(factor * z[index]);
      }
    }
    drift[d] = safe_std(series, max_low, options.expected_high, reject_nearby);
  }
  return drift;
}

}  // namespace dotpe::likelihood
