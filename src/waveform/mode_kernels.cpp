#include "mode_kernels.hpp"

#include <algorithm>
#include <cmath>

#include "fast_math.hpp"

namespace dotpe::waveform {
namespace {

// sin and cos of a block, vectorised, with glibc for the rare arguments beyond 2^30.
void sines_and_cosines(std::span<const double> x, double* sine, double* cosine) {
  const std::size_t n = x.size();
  std::size_t invalid = 0;  // counted (a bool reduction would stop the vectoriser)
  for (std::size_t k = 0; k < n; ++k) {
    fast::sincos_core(x[k], sine[k], cosine[k]);
    invalid += fast::sincos_core_valid(x[k]) ? 0 : 1;
  }
  if (invalid == 0) return;
  for (std::size_t k = 0; k < n; ++k) {
    if (!fast::sincos_core_valid(x[k])) {
      sine[k] = std::sin(x[k]);
      cosine[k] = std::cos(x[k]);
    }
  }
}

// [first, last) spanning the non-zero amplitudes of a block (empty if there are none): models
// are zero beyond their end, often most of a uniform grid, and zeros add nothing.
struct Range {
  std::size_t first = 0;
  std::size_t last = 0;
};
Range nonzero_range(const double* amplitude, std::size_t n) {
  std::size_t first = 0;
  while (first < n && amplitude[first] == 0.0) ++first;
  std::size_t last = n;
  while (last > first && amplitude[last - 1] == 0.0) --last;
  return {first, last};
}

}  // namespace

void store_mode(std::span<const double> amplitude, std::span<const double> phase,
                std::span<std::complex<double>> h) {
  const std::size_t n = phase.size();
  double sine[kBlock];
  double cosine[kBlock];
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t count = std::min(kBlock, n - start);
    const Range range = nonzero_range(amplitude.data() + start, count);
    std::fill(h.begin() + static_cast<std::ptrdiff_t>(start),
              h.begin() + static_cast<std::ptrdiff_t>(start + range.first), 0.0);
    std::fill(h.begin() + static_cast<std::ptrdiff_t>(start + range.last),
              h.begin() + static_cast<std::ptrdiff_t>(start + count), 0.0);
    const std::size_t offset = start + range.first;
    const std::size_t length = range.last - range.first;
    sines_and_cosines(phase.subspan(offset, length), sine, cosine);
    // std::complex<double> is an array of two doubles.
    double* out = reinterpret_cast<double*>(h.data() + offset);
    const double* a = amplitude.data() + offset;
    for (std::size_t k = 0; k < length; ++k) {
      // + 0.0 and 0.0 − turn −0 into +0 where the amplitude is 0, and change nothing else.
      out[2 * k] = a[k] * cosine[k] + 0.0;
      out[2 * k + 1] = 0.0 - a[k] * sine[k];
    }
  }
}

void add_mode(std::span<const double> amplitude, std::span<const double> phase,
              std::complex<double> plus_factor, std::complex<double> cross_factor,
              std::complex<double>* plus, std::complex<double>* cross) {
  const std::size_t n = phase.size();
  double sine[kBlock];
  double cosine[kBlock];
  const double pr = plus_factor.real();
  const double pi = plus_factor.imag();
  const double cr = cross_factor.real();
  const double ci = cross_factor.imag();
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t count = std::min(kBlock, n - start);
    const Range range = nonzero_range(amplitude.data() + start, count);
    const std::size_t offset = start + range.first;
    const std::size_t length = range.last - range.first;
    sines_and_cosines(phase.subspan(offset, length), sine, cosine);
    double* p = reinterpret_cast<double*>(plus + offset);
    double* c = reinterpret_cast<double*>(cross + offset);
    const double* a = amplitude.data() + offset;
    for (std::size_t k = 0; k < length; ++k) {
      const double re = a[k] * cosine[k];
      const double im = 0.0 - a[k] * sine[k];
      p[2 * k] += pr * re - pi * im;
      p[2 * k + 1] += pr * im + pi * re;
      c[2 * k] += cr * re - ci * im;
      c[2 * k + 1] += cr * im + ci * re;
    }
  }
}

void cube_roots(std::span<const double> mf, double* third, double* inverse_third) {
  const std::size_t n = mf.size();
  std::size_t invalid = 0;
  for (std::size_t k = 0; k < n; ++k) {
    fast::cbrt_and_inverse_core(mf[k], third[k], inverse_third[k]);
    invalid += fast::cbrt_core_valid(mf[k]) ? 0 : 1;
  }
  if (invalid == 0) return;
  for (std::size_t k = 0; k < n; ++k) {
    if (fast::cbrt_core_valid(mf[k])) continue;
    third[k] = mf[k] > 0.0 ? std::cbrt(mf[k]) : 0.0;
    inverse_third[k] = mf[k] > 0.0 ? 1.0 / third[k] : 0.0;
  }
}

void logarithms(std::span<const double> mf, double* log_mf) {
  const std::size_t n = mf.size();
  std::size_t invalid = 0;
  for (std::size_t k = 0; k < n; ++k) {
    log_mf[k] = fast::log_core(mf[k]);
    invalid += fast::positive_normal(mf[k]) ? 0 : 1;
  }
  if (invalid == 0) return;
  for (std::size_t k = 0; k < n; ++k) {
    if (!fast::positive_normal(mf[k])) log_mf[k] = mf[k] > 0.0 ? std::log(mf[k]) : 0.0;
  }
}

}  // namespace dotpe::waveform
