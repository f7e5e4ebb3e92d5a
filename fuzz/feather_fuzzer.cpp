// libFuzzer target: dotpe::io::read_feather (Arrow IPC file, uncompressed or LZ4_FRAME) on
// arbitrary bytes, written to a temporary file. Only dotpe::Error may escape.
#include <cstddef>
#include <cstdint>

#include "dotpe/core/error.hpp"
#include "dotpe/io/feather.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dotpe::fuzz::quiet();
  const dotpe::fuzz::TemporaryInput input(data, size, ".feather");
  try {
    (void)dotpe::io::read_feather(input.path());
  } catch (const dotpe::Error&) {
  }
  return 0;
}
