// libFuzzer target: dotpe::io::parse_npy on arbitrary bytes, then every conversion of the array.
// Only dotpe::Error may escape the reader; anything else (a crash, a sanitizer report, another
// exception type) is a bug.
#include <cstddef>
#include <cstdint>
#include <span>

#include "dotpe/core/error.hpp"
#include "dotpe/io/npy.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dotpe::fuzz::quiet();
  dotpe::io::NpyArray array;
  try {
    array = dotpe::io::parse_npy(std::as_bytes(std::span(data, size)), "fuzz.npy");
  } catch (const dotpe::Error&) {
    return 0;
  }
  // Each conversion is tried on its own: one refusing the dtype must not hide the others.
  try {
    (void)array.to_doubles();
  } catch (const dotpe::Error&) {
  }
  try {
    (void)array.to_complex();
  } catch (const dotpe::Error&) {
  }
  try {
    (void)array.to_strings();
  } catch (const dotpe::Error&) {
  }
  try {
    (void)array.to_scalar();
  } catch (const dotpe::Error&) {
  }
  try {
    (void)array.to_string();
  } catch (const dotpe::Error&) {
  }
  return 0;
}
