// Internal pieces of the reference-waveform finder (reference_finder.hpp), exposed to the
// likelihood module and its tests only:
//  - IntrinsicPoint: the (Mc, η, χ_eff) coordinates of the (2,2)-mode search;
//  - MatchedFilter: per-detector |(d|h)|² over arrival time by FFT, on a reduced-resolution copy
//    of the data (the blued strain cut in time around the event);
//  - CoherentFilter: the full-resolution network likelihood of one template, maximised
//    analytically over polarisation angle, inclination (ellipticity), phase and distance;
//  - maximize_nelder_mead: GSL's simplex optimiser behind a std::function.
#pragma once

#include <fftw3.h>

#include <array>
#include <complex>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "dotpe/physics/event_data.hpp"
#include "dotpe/waveform/waveform.hpp"
#include "fftw_handles.hpp"

namespace dotpe::likelihood::reference_finder_detail {

using complex = std::complex<double>;

inline constexpr double kSolarMassSeconds = 4.925490947641267e-6;  // G M_sun / c³ (s)

// Chirp mass, symmetric mass ratio η = m1 m2 / (m1 + m2)² and equal aligned spins χ_eff.
struct IntrinsicPoint {
  double mchirp = 0.0;
  double eta = 0.25;
  double chi = 0.0;
};

double eta_from_q(double q);
double q_from_eta(double eta);
// Masses, s1z = s2z = chi, the given inclination and f_ref; 1 Mpc, phi_ref 0.
waveform::BinaryParameters binary_parameters(const IntrinsicPoint& point, double iota,
                                             double f_ref);
IntrinsicPoint intrinsic_point(const waveform::BinaryParameters& binary);
// Newtonian time from frequency f to merger (s).
double chirp_duration(double mchirp, double frequency);

// The (2,2) mode h_22(f) at 1 Mpc on `frequencies`.
std::vector<complex> mode22(waveform::Approximant approximant, const IntrinsicPoint& point,
                            double f_ref, std::span<const double> frequencies);

using likelihood::FftwComplexBuffer;
using likelihood::FftwFree;
using likelihood::FftwPlan;

// An in-place complex backward transform x_n = Σ_k X_k e^{+2πikn/N} of one size, planned once.
class BackwardFft {
 public:
  explicit BackwardFft(std::size_t size);
  std::size_t size() const { return size_; }
  std::span<complex> data() { return {reinterpret_cast<complex*>(buffer_.get()), size_}; }
  void execute() { fftw_execute(plan_.get()); }

 private:
  std::size_t size_;
  FftwComplexBuffer buffer_;
  FftwPlan plan_;
};

// Best arrival time of a template in one detector.
struct DetectorPeak {
  double snr2 = 0.0;  // max_t |(d|h_t)|² / (h|h): matched-filter SNR², maximised over phase
  double time = 0.0;  // arrival time at the detector relative to tgps (s), template's own origin
};

// The per-detector matched filter z_d(t) = (d | h e^{−2πif(tcoarse + t)})_d over the arrival
// times |t| ≤ half_window + (Earth-crossing time of detector d), for templates h on
// `frequencies()`. A template shorter than the segment only sees the data around the event, so
// the blued strain w²d is cut in the time domain to a shorter stretch T' (long enough for the
// longest template) and transformed back: the FFTs and waveforms then have T/T' times fewer
// points. (h|h) uses w² averaged over each coarse bin.
class MatchedFilter {
 public:
  MatchedFilter(const physics::EventData& event, double longest_template, double half_window);

  std::span<const double> frequencies() const { return frequencies_; }
  double duration() const { return duration_; }  // T' (s)
  // Per-detector peaks of a template given on frequencies() (any overall scale).
  std::vector<DetectorPeak> peaks(std::span<const complex> h);

 private:
  void cut_blued_strain(const physics::EventData& event, double t_start);
  void average_weights(const physics::EventData& event);
  void set_windows(const physics::EventData& event, double half_window);

  std::size_t n_detectors_ = 0;
  double duration_ = 0.0;            // T'
  double df_ = 0.0;                  // 1/T'
  std::size_t first_bin_ = 0;        // index of frequencies_[0] on the coarse grid
  std::vector<double> frequencies_;  // band of the coarse grid
  std::vector<complex> blued_;       // [d][k]: 4 df' · FT of the cut w²d, band only
  std::vector<double> weights_;      // [d][k]: 4 df' · <w²>
  double time_origin_ = 0.0;         // cut start minus tcoarse (s)
  double sample_spacing_ = 0.0;      // of the (zero-padded) time series (s)
  std::vector<std::array<std::size_t, 2>> windows_;  // [d]: first sample, count
  BackwardFft fft_;
};

// Incoherent score Σ_d max_t |z_d|² / (2 (h|h)_d).
double incoherent_score(std::span<const DetectorPeak> peaks);

// The network likelihood of one (2,2)-mode template h_22 with every extrinsic parameter, on the
// event's full frequency grid. For sky direction (lat, lon) and geocentre time t the detector
// strain is a_d h_22 e^{2iφ}/D with a_d = F+_d(ψ) C+(ι) − i F×_d(ψ) C×(ι); with
// f_d = (F+_d, F×_d)(ψ = 0), v = Σ_d f_d z_d(t + Δt_d) and M = Σ_d (h|h)_d f_d f_dᵀ, the
// maximum of ln L over (ψ, ι, φ, D) is ½ v† M⁻¹ v (every polarisation ellipse is reachable by
// (ψ, ι), and phase and distance are the complex amplitude).
class CoherentFilter {
 public:
  CoherentFilter(const physics::EventData& event, waveform::Approximant approximant, double f_ref);

  void set_template(const IntrinsicPoint& point);
  // z_d(t) by a direct sum over the band; t relative to tgps, at the detector.
  complex z(std::size_t detector, double time) const;
  double hh(std::size_t detector) const { return hh_[detector]; }

  struct Fit {
    double lnl = 0.0;
    double psi = 0.0;
    double iota = 0.0;
    double phi_ref = 0.0;
    double distance = 1.0;
  };
  // max over (ψ, ι, φ, D) of ln L; Earth-fixed sky, geocentre time relative to tgps.
  double max_lnl(double lat, double lon, double t_geocenter) const;
  // The maximising (ψ, ι, φ, D); ι is kept `iota_margin` away from 0, π/2 and π (see
  // docs/reference_finder.md) and φ, D refitted there.
  Fit fit(double lat, double lon, double t_geocenter, double iota_margin) const;
  // ln L at given (ψ, ι), maximised over φ and D.
  Fit fit_phase_distance(double lat, double lon, double t_geocenter, double psi, double iota) const;

 private:
  struct Network {
    std::array<complex, 2> v{};
    std::array<double, 3> m{};  // M00, M01, M11
  };
  Network network(double lat, double lon, double t_geocenter) const;

  const physics::EventData& event_;
  waveform::Approximant approximant_;
  double f_ref_;
  std::size_t first_ = 0;
  std::vector<double> band_;     // event frequencies in the band
  std::vector<complex> blued_;   // [d][k] 4 df w² d, band
  std::vector<complex> filter_;  // [d][k] 4 df w² d conj(h22), band
  std::vector<double> hh_;       // (h22|h22)_d
};

struct NelderMeadResult {
  std::vector<double> x;
  double value = 0.0;
  std::size_t evaluations = 0;
};

// Maximises f from `start` with initial simplex steps `steps`, until the simplex size (in
// units of the steps) is below `tolerance` or `max_iterations`; then restarts once from the
// best point (a collapsed simplex is a known failure of Nelder-Mead).
NelderMeadResult maximize_nelder_mead(const std::function<double(std::span<const double>)>& f,
                                      std::vector<double> start, std::span<const double> steps,
                                      double tolerance, std::size_t max_iterations);

}  // namespace dotpe::likelihood::reference_finder_detail
