// IMRPhenomHM (internal to the waveform module): the (2,1) (2,2) (3,2) (3,3) (4,3) (4,4) modes
// of aligned-spin binaries, built on IMRPhenomD by mapping frequencies and phases.
#pragma once

#include <array>
#include <complex>
#include <cstddef>
#include <span>

#include "dotpe/waveform/waveform.hpp"
#include "mode_kernels.hpp"
#include "phenomd.hpp"

namespace dotpe::waveform {

// The model of one binary: the IMRPhenomD backbone, the remnant's quasi-normal modes and every
// frequency-independent constant of the six modes are set up once and shared.
class PhenomHM {
 public:
  explicit PhenomHM(const BinaryParameters& parameters);

  // One (l, m) mode h_lm(f) (m > 0) with LALSimulation's normalisation, phase reference (h_22
  // phase zero at f_ref, peak of the (2,2) amplitude at t ≈ 0) and mode phase shifts. Zero where
  // the mode's amplitude-mapped frequency reaches Mf = 0.2 (PhenomD's end).
  void mode(Mode lm, std::span<const double> frequencies,
            std::span<std::complex<double>> out) const;

  // Block evaluation, h_lm = A e^{−iΦ}: prepare() computes what the modes share on at most
  // kBlock frequencies (Mf, Mf^{1/3}, Mf^{−1/3}, Mf^{−1/6}, ln Mf), amplitude_phase() one mode's A
  // and Φ there (both 0 where the mode is zero).
  struct Block {
    std::size_t count = 0;
    double mf[kBlock];
    double third[kBlock];          // Mf^{1/3}
    double inverse_third[kBlock];  // Mf^{−1/3}
    double inverse_sixth[kBlock];  // Mf^{−1/6}
    double log_mf[kBlock];         // ln Mf
  };
  void prepare(std::span<const double> frequencies, Block& block) const;
  void amplitude_phase(Mode lm, const Block& block, double* amplitude, double* phase) const;

 private:
  // The piecewise-linear map of a mode's frequency onto the (2,2) model's (LAL
  // IMRPhenomHMFreqDomainMapParams): slope and intercept in each of three regions.
  struct FrequencyMap {
    double fi = 0.0;  // inspiral end of the mode
    double fr = 0.0;  // ringdown frequency of the mode
    double a[3] = {};
    double b[3] = {};
    int region(double mf) const { return mf > fi ? (mf > fr ? 2 : 1) : 0; }
  };
  struct ModeModel {
    Mode lm;
    bool vanishes = false;  // zero by symmetry (equal masses, and spins for (2,1))
    PhenomD phase_model;    // the backbone with the mode's widened merger-ringdown phase
    FrequencyMap amplitude_map;
    FrequencyMap phase_map;
    double phase_inverse_slope[3] = {};  // 1 / phase_map.a
    double third_scale = 1.0;            // (2/m)^{1/3}: Mf^{1/3} → (2 Mf/m)^{1/3}
    double inverse_third_scale = 1.0;    // (m/2)^{1/3}
    double inverse_sixth_scale = 1.0;    // (m/2)^{1/6}
    double log_scale = 0.0;              // ln(2/m)
    // A = amplitude_constant (π x)^{p/3} shape(x) x^{−7/6} at the amplitude-mapped x (not (2,1))
    double amplitude_constant = 0.0;
    int power = 0;  // p: the PN mode amplitude |H_lm| ∝ v^p
    // (2,1): |H_21(v)| = (√2/3) v |δ − c1 v + c2 v² + (c3 + i c4) v³|, h21 = {δ, c1, .., c4}
    double h21[5] = {};
    double phase_constant = 0.0;  // the mode's phase shift
    double intermediate_offset = 0.0;
    double ringdown_offset = 0.0;
  };
  const ModeModel& model(Mode lm) const;
  // Some points of a block: all, a contiguous part or a gathered copy.
  struct Points {
    std::size_t count = 0;
    const double* mf = nullptr;
    const double* third = nullptr;
    const double* inverse_third = nullptr;
    const double* inverse_sixth = nullptr;
    const double* log_mf = nullptr;
  };
  static Points points(const Block& block, std::size_t first, std::size_t count);
  static bool any_nonzero(const ModeModel& mode, const Block& block);
  // The loops take their arrays as restrict-qualified parameters: GCC then needs no run-time
  // alias checks (it gives up above 10 of them).
  template <bool kIs21>
  void inspiral_amplitude_phase(const ModeModel& mode, std::size_t count, const double* mf,
                                const double* third, const double* inverse_third,
                                const double* inverse_sixth, const double* log_mf,
                                double* amplitude, double* phase, double* group_code) const;
  enum class Region { kAny, kIntermediate, kRingdown };  // of PhenomD's amplitude or phase
  template <bool kIs21, Region kAmplitude, Region kPhase>
  void general_amplitude_phase(const ModeModel& mode, std::size_t count, const double* mf,
                               const double* third, const double* inverse_third,
                               const double* inverse_sixth, const double* log_mf, double* amplitude,
                               double* phase) const;
  using GeneralFunction = void (PhenomHM::*)(const ModeModel&, std::size_t, const double*,
                                             const double*, const double*, const double*,
                                             const double*, double*, double*) const;
  static constexpr std::size_t kGroups = 5;
  static constexpr int kAnyGroup = 4;
  static GeneralFunction general_function(bool is_21, int group);

  PhenomD backbone_;  // QNM table: amplitude, t0 and the φ_ref alignment
  double total_mass_seconds_ = 0.0;
  double amplitude_scale_ = 0.0;  // M² MRSUN MTSUN / r · amp0Func(η)
  double mf_reference_ = 0.0;
  double phi0_ = 0.0;  // half the backbone's phase at f_ref
  double t0_ = 0.0;
  std::array<ModeModel, 6> modes_;  // in harmonic_modes(IMRPhenomHM) order
};

// Ringdown and damping frequency M f of a (l, m, n = 0) quasi-normal mode of a Kerr black hole of
// unit mass and dimensionless spin a (London & Fauchon-Jones 2019 fits, LAL's CW07102016).
std::complex<double> kerr_qnm_frequency(int l, int m, double spin);

}  // namespace dotpe::waveform
