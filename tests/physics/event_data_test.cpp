#include "dotpe/physics/event_data.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "dotpe/core/error.hpp"
#include "dotpe/io/hdf5.hpp"
#include "test_paths.hpp"

namespace dotpe::physics {
namespace {

EventData small_event() {
  EventData event;
  event.name = "toy";
  event.detector_names = {"H1", "L1"};
  for (int k = 0; k < 9; ++k) event.frequencies.push_back(0.25 * k);
  for (int d = 0; d < 2; ++d) {
    for (int k = 0; k < 9; ++k) {
      event.strain.emplace_back(d + 0.1 * k, -0.2 * k);
      event.whitening_filter.push_back(k >= 2 && k <= 6 ? 1.0 + d : 0.0);
    }
  }
  event.tgps = 1e9;
  event.tcoarse = 2.0;
  return event;
}

void expect_invalid(const EventData& event, const std::string& text) {
  try {
    event.validate("test.h5");
    FAIL() << "accepted an event that should mention " << text;
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
  }
}

TEST(EventData, ImportsTheGW170104NpzAsTheReferenceDescribesIt) {
  const EventData event = read_event(testing::data_dir() / "events/GW170104.npz");
  EXPECT_EQ(event.name, "GW170104");
  EXPECT_EQ(event.detector_names, (std::vector<std::string>{"H1", "L1"}));
  EXPECT_EQ(event.n_frequencies(), 65537U);
  EXPECT_DOUBLE_EQ(event.df(), 1.0 / 128.0);
  EXPECT_DOUBLE_EQ(event.duration(), 128.0);
  EXPECT_DOUBLE_EQ(event.tgps, 1167559936.6);
  EXPECT_DOUBLE_EQ(event.tcoarse, 72.0);
  const auto [first, end] = event.band();
  EXPECT_GT(event.frequencies[first], 10.0);
  EXPECT_NEAR(event.frequencies[end - 1], 512.0, 1.0);
  // Real LIGO noise whitened by its own ASD estimate: RMS close to 1 in the band.
  for (const double rms : event.whitened_rms()) {
    EXPECT_GT(rms, 0.8);
    EXPECT_LT(rms, 1.25);
  }
}

TEST(EventData, Hdf5RoundTripIsExact) {
  const auto path = testing::fresh_work_dir("event_roundtrip") / "event.h5";
  EventData event = small_event();
  event.injection = nlohmann::json{{"par_dic", {{"m1", 30.0}}}};
  write_event(path, event);
  const EventData read_back = read_event(path);
  EXPECT_EQ(read_back.name, event.name);
  EXPECT_EQ(read_back.detector_names, event.detector_names);
  EXPECT_EQ(read_back.frequencies, event.frequencies);
  EXPECT_EQ(read_back.strain, event.strain);
  EXPECT_EQ(read_back.whitening_filter, event.whitening_filter);
  EXPECT_EQ(read_back.tgps, event.tgps);
  EXPECT_EQ(read_back.tcoarse, event.tcoarse);
  ASSERT_TRUE(read_back.injection.has_value());
  EXPECT_EQ((*read_back.injection)["par_dic"]["m1"], 30.0);
}

TEST(EventData, DerivedQuantities) {
  const EventData event = small_event();
  EXPECT_EQ(event.band(), (std::pair<std::size_t, std::size_t>{2, 7}));
  const auto blued = event.blued_strain();
  EXPECT_EQ(blued[9 + 3], 4.0 * event.strain[9 + 3]);
  EXPECT_EQ(blued[0], std::complex<double>(0.0, 0.0));
}

TEST(EventData, ValidationNamesTheProblem) {
  EventData event = small_event();
  event.strain.pop_back();
  expect_invalid(event, "'strain'");
  event = small_event();
  event.frequencies[4] = 1.1;
  expect_invalid(event, "not uniform");
  event = small_event();
  event.frequencies[0] = 0.25;
  expect_invalid(event, "start at 0");
  event = small_event();
  event.strain[4] = {std::nan(""), 0.0};
  expect_invalid(event, "not finite");
  event = small_event();
  event.strain[0] = {std::nan(""), 0.0};  // outside the band: allowed
  EXPECT_NO_THROW(event.validate("test.h5"));
  event = small_event();
  event.whitening_filter[3] = -1.0;
  expect_invalid(event, "negative");
  event = small_event();
  event.detector_names[1] = "X9";
  expect_invalid(event, "unknown detector");
  event = small_event();
  event.tcoarse = 10.0;
  expect_invalid(event, "tcoarse");
}

TEST(EventData, ForeignFilesAreRefused) {
  const auto directory = testing::fresh_work_dir("event_foreign");
  { io::h5::File other(directory / "other.h5", io::h5::Mode::create); }
  EXPECT_THROW(read_event(directory / "other.h5"), Error);
  EXPECT_THROW(read_event(directory / "absent.h5"), Error);
  EXPECT_THROW(read_event(testing::data_dir() / "asd/asd_H1_O3.npy"), Error);
}

}  // namespace
}  // namespace dotpe::physics
