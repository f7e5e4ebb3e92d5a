// IMRPhenomHM (internal to the waveform module): the (2,1) (2,2) (3,2) (3,3) (4,3) (4,4) modes
// of aligned-spin binaries, built on IMRPhenomD by mapping frequencies and phases.
#pragma once

#include <complex>
#include <span>

#include "dotpe/waveform/waveform.hpp"
#include "phenomd.hpp"

namespace dotpe::waveform {

// The model of one binary: the IMRPhenomD backbone and the remnant's quasi-normal modes are set
// up once and shared by the modes.
class PhenomHM {
 public:
  explicit PhenomHM(const BinaryParameters& parameters);

  // One (l, m) mode h_lm(f) (m > 0) with LALSimulation's normalisation, phase reference (h_22
  // phase zero at f_ref, peak of the (2,2) amplitude at t ≈ 0) and mode phase shifts. Zero where
  // the mode's amplitude-mapped frequency reaches Mf = 0.2 (PhenomD's end).
  void mode(Mode lm, std::span<const double> frequencies,
            std::span<std::complex<double>> out) const;

 private:
  BinaryParameters parameters_;
  PhenomD backbone_;  // QNM table: amplitude, t0 and the φ_ref alignment
  double eta_ = 0.0;
  double chi1_ = 0.0;  // spin of the heavier body
  double chi2_ = 0.0;
  double final_spin_ = 0.0;
  double final_mass_ = 0.0;
};

// Ringdown and damping frequency M f of a (l, m, n = 0) quasi-normal mode of a Kerr black hole of
// unit mass and dimensionless spin a (London & Fauchon-Jones 2019 fits, LAL's CW07102016).
std::complex<double> kerr_qnm_frequency(int l, int m, double spin);

}  // namespace dotpe::waveform
