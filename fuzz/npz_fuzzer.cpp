// libFuzzer target: dotpe::io::read_npz and dotpe::physics::read_event on an arbitrary .npz
// (written to a temporary file: libzip reads files). Only dotpe::Error may escape.
#include <cstddef>
#include <cstdint>

#include "dotpe/core/error.hpp"
#include "dotpe/io/npy.hpp"
#include "dotpe/physics/event_data.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dotpe::fuzz::quiet();
  const dotpe::fuzz::TemporaryInput input(data, size, ".npz");
  try {
    const auto members = dotpe::io::read_npz(input.path());
    for (const auto& [key, array] : members) {
      try {
        (void)array.to_complex();
      } catch (const dotpe::Error&) {
      }
      try {
        (void)array.to_strings();
      } catch (const dotpe::Error&) {
      }
    }
  } catch (const dotpe::Error&) {
  }
  try {
    const auto event = dotpe::physics::read_event(input.path());
    (void)event.band();
    (void)event.whitened_rms();
  } catch (const dotpe::Error&) {
  }
  return 0;
}
