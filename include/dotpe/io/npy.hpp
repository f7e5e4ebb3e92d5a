// Readers for numpy's .npy files and .npz archives (a zip of .npy members, stored or deflated),
// as written by numpy.save / numpy.savez(_compressed). Format: NEP 1 ("A simple file format for
// NumPy arrays"), versions 1.0-3.0, little-endian data.
#pragma once

#include <complex>
#include <cstddef>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace dotpe::io {

struct NpyArray {
  std::string descr;               // numpy dtype string, e.g. "<f8", "<c16", "<U1"
  std::vector<std::size_t> shape;  // empty for a 0-d array
  std::vector<std::byte> data;     // raw little-endian payload, C order
  std::string source;              // "file.npz:key", for error messages

  std::size_t size() const;  // number of elements
  // Converted copies; each throws dotpe::Error naming the source when the dtype does not fit.
  std::vector<double> to_doubles() const;                // f8 f4 i8 i4 u8 u1 b1
  std::vector<std::complex<double>> to_complex() const;  // c16 c8 and real types
  std::vector<std::string> to_strings() const;           // U (UCS-4) and S
  double to_scalar() const;                              // one element of a real type
  std::string to_string() const;                         // one string element
};

NpyArray parse_npy(std::span<const std::byte> bytes, const std::string& source);
NpyArray read_npy(const std::filesystem::path& path);
// Members by key (file name without ".npy").
std::map<std::string, NpyArray> read_npz(const std::filesystem::path& path);

}  // namespace dotpe::io
