// Linear-free time alignment of bank waveforms against the reference h0 (numerics.md §3.7,
// pipeline.md §3.2), and the reference's ringdown stalling of h0 (numerics.md §3.3).
//
// For a template with m=2 plus-polarisation h2p_b on the nodes:
//   ratio_b = h2p_b / h2p0_b,  φ_b = unwrap(arg ratio_b),
//   (a, s) = argmin Σ_b (pw_b √|ratio_b|)² (φ_b − a − s fbin_b)²,   dt = −s/(2π),
//   h[m,p,b] ← h[m,p,b] e^{+2πi fbin_b dt}   (all modes and polarisations),
// with pw_b = sqrt(max(Re S_b[Σ_d |h2p0(f) w_d(f)|²], 0)). Afterwards the physical time is
// t_geocenter = t_linfree − dt. Only the time is aligned, not the phase (as in the reference).
#pragma once

#include <complex>
#include <cstddef>
#include <span>
#include <vector>

#include "dotpe/likelihood/spline_basis.hpp"
#include "dotpe/likelihood/summary_weights.hpp"

namespace dotpe::likelihood {

// pw_b from h2p0 on the event frequencies (the stalled m=2 plus reference) and the whitening
// filters of `event` (its strain is not used).
std::vector<double> linear_free_polyfit_weights(const SplineBasis& basis, const EventArrays& event,
                                                std::span<const std::complex<double>> h2plus0_f);

class LinearFreeAligner {
 public:
  // h2plus0_nodes: the (stalled) reference m=2 plus polarisation on the nodes; m2_index: the
  // position of m=2 among the bank's harmonic groups.
  LinearFreeAligner(std::vector<double> fbin, std::vector<std::complex<double>> h2plus0_nodes,
                    std::vector<double> polyfit_weights, std::size_t m2_index);

  // dt (s) of one template from its m=2 plus polarisation on the nodes.
  double time_shift(std::span<const std::complex<double>> h2plus_nodes) const;

  // Aligns n_i templates h[((i·n_m + m)·2 + p)·n_b + b] in place; dt[i] receives the shifts.
  void align(std::size_t n_i, std::size_t n_m, std::span<std::complex<double>> h,
             std::span<double> dt) const;

 private:
  std::vector<double> fbin_;
  std::vector<std::complex<double>> h2plus0_;
  std::vector<double> polyfit_weights_;
  std::size_t m2_index_;
};

// The reference's ringdown stalling of one (m, p) row of h0, in place: above the frequency
// holding 99 % of the (detector-combined, whitened) SNR the reference is faded (cos² over the
// last `spline_degree` node intervals) into the constant h0(fbin_b99), so that ratios h/h0
// never divide by a vanishing reference. combined_filter(f) = sqrt(Σ_d w_d(f)²). Apply with
// any large e^{-2πi f t_coarse} factor removed (and re-applied afterwards), as the reference.
void stall_ringdown(std::span<const double> frequencies, std::span<const double> fbin,
                    std::span<const double> combined_filter, std::span<std::complex<double>> h0_f,
                    std::span<std::complex<double>> h0_b, std::size_t spline_degree = 3);

}  // namespace dotpe::likelihood
