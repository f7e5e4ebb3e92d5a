// From amplitude and phase to complex modes and polarisations (internal to the waveform module).
// The models evaluate a mode as h(f) = A(f) e^{−iΦ(f)} on blocks of at most kBlock frequencies
// into stack arrays (no heap allocation per waveform); these loops turn the blocks into complex
// values with a vectorised sine and cosine.
#pragma once

#include <complex>
#include <cstddef>
#include <span>

namespace dotpe::waveform {

inline constexpr std::size_t kBlock = 256;

// h[k] = amplitude[k] e^{−i phase[k]}; exactly 0 where the amplitude is 0.
void store_mode(std::span<const double> amplitude, std::span<const double> phase,
                std::span<std::complex<double>> h);

// plus[k] += plus_factor h[k] and cross[k] += cross_factor h[k], h[k] = amplitude[k] e^{−i
// phase[k]}.
void add_mode(std::span<const double> amplitude, std::span<const double> phase,
              std::complex<double> plus_factor, std::complex<double> cross_factor,
              std::complex<double>* plus, std::complex<double>* cross);

// Mf^{1/3}, Mf^{−1/3} and ln Mf of every positive Mf (vectorised, glibc for subnormal
// numbers); 0 for zero, negative and NaN values (they are not used).
void cube_roots(std::span<const double> mf, double* third, double* inverse_third);
void logarithms(std::span<const double> mf, double* log_mf);

}  // namespace dotpe::waveform
