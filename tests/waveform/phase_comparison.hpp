// Helpers shared by the waveform comparisons: phases are compared after removing the part that
// a change of time and phase origin can produce, a + b f.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace dotpe::waveform::comparison {

// Weighted least-squares fit of a + b f to a phase difference; returns the largest residual.
inline double phase_residual(const std::vector<double>& f, const std::vector<double>& difference,
                             const std::vector<double>& weight) {
  double s = 0, sf = 0, sff = 0, sd = 0, sfd = 0;
  for (std::size_t k = 0; k < f.size(); ++k) {
    s += weight[k];
    sf += weight[k] * f[k];
    sff += weight[k] * f[k] * f[k];
    sd += weight[k] * difference[k];
    sfd += weight[k] * f[k] * difference[k];
  }
  const double slope = (s * sfd - sf * sd) / (s * sff - sf * sf);
  const double offset = (sd - slope * sf) / s;
  double worst = 0.0;
  for (std::size_t k = 0; k < f.size(); ++k) {
    worst = std::max(worst, std::abs(difference[k] - offset - slope * f[k]));
  }
  return worst;
}

// Appends `step` (a phase in (−π, π]) to an unwrapped sequence.
inline void append_unwrapped(std::vector<double>& phases, double step) {
  if (!phases.empty()) {
    step = phases.back() + std::remainder(step - phases.back(), 2.0 * M_PI);
  }
  phases.push_back(step);
}

}  // namespace dotpe::waveform::comparison
