// libFuzzer target: the HDF5 readers on arbitrary bytes written to a temporary .h5:
// dotpe::physics::read_event (event.h5) and dotpe::bank::BankFile::open, samples(),
// read_block(0), completed_blocks() (bank.h5). Only dotpe::Error may escape.
//
// libhdf5 itself is not instrumented: a memory error inside it shows only when it crashes.
#include <cstddef>
#include <cstdint>

#include "dotpe/bank/bank_file.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/physics/event_data.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dotpe::fuzz::quiet();
  const dotpe::fuzz::TemporaryInput input(data, size, ".h5");
  try {
    const auto event = dotpe::physics::read_event(input.path());
    (void)event.band();
  } catch (const dotpe::Error&) {
  }
  try {
    const auto bank = dotpe::bank::BankFile::open(input.path());
    try {
      (void)bank.samples();
    } catch (const dotpe::Error&) {
    }
    try {
      (void)bank.read_block(0);
    } catch (const dotpe::Error&) {
    }
    try {
      (void)bank.completed_blocks();
    } catch (const dotpe::Error&) {
    }
  } catch (const dotpe::Error&) {
  }
  return 0;
}
