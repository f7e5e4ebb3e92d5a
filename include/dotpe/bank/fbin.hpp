// Relative-binning frequency nodes fbin (numerics.md §3.1; cogwheel relative_binning).
//
// Nodes are spaced uniformly in a worst-case post-Newtonian differential phase: each of the PN
// power laws f^{-5/3}, f^{-2/3}, f^{1} is scaled so that its phase swing over [fmin, fmax] is 2π,
// they are summed with the signs of their exponents, and ceil(Φ_total / tolerance) intervals of
// equal Φ are laid down (on 10,000 linear points of [fmin, fmax], linearly interpolated), then
// snapped to the nearest point of the frequency grid k·df and de-duplicated.
#pragma once

#include <string>
#include <vector>

namespace dotpe::bank {

std::vector<double> fbin_from_pn_phase(double fmin, double fmax, double df,
                                       double pn_phase_tolerance);

// The reference package's default nodes (dot_pe/fbin.npy): tolerance 0.05 on [15, 1600] Hz with
// the 1/120 Hz grid of a 120 s segment; 378 nodes.
std::vector<double> default_fbin();

// Checks a user-supplied node list: at least 4 nodes (cubic splines), finite, strictly
// increasing, positive. `source` names the input in the error message.
void validate_fbin(const std::vector<double>& fbin, const std::string& source);

}  // namespace dotpe::bank
