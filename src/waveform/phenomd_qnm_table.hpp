// The IMRPhenomD quasi-normal-mode table (phenomd_qnm_table.cpp): 1003 final spins from -1 to 1.
#pragma once

#include <array>
#include <cstddef>

namespace dotpe::waveform {

inline constexpr std::size_t kQnmTableLength = 1003;
extern const std::array<double, kQnmTableLength> kQnmFinalSpin;
extern const std::array<double, kQnmTableLength> kQnmRingdownFrequency;
extern const std::array<double, kQnmTableLength> kQnmDampingFrequency;

}  // namespace dotpe::waveform
