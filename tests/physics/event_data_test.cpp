#include "dotpe/physics/event_data.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "dotpe/core/error.hpp"
#include "dotpe/io/hdf5.hpp"
#include "dotpe/io/npy.hpp"
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
  // numerics.md §1.4: fslice = [1920, 65537), fbounds = (15, 512).
  const auto [first, end] = event.band();
  EXPECT_EQ(first, 1920U);
  EXPECT_EQ(end, 65537U);
  EXPECT_EQ(event.frequencies[first], 15.0);
  EXPECT_EQ(event.frequencies[end - 1], 512.0);
  EXPECT_EQ(event.times().size(), 131072U);
  // Real LIGO noise whitened by its own ASD estimate: RMS close to 1 in the band.
  for (const double rms : event.whitened_rms()) {
    EXPECT_GT(rms, 0.8);
    EXPECT_LT(rms, 1.25);
  }
}

// Files written by numpy as the reference package writes them (tests/oracle/physics_event_npz.py).
std::filesystem::path reference_npz_files() {
  // One directory per test: CTest runs the tests that call this in parallel, and a shared one
  // was wiped by one test while the other read it.
  const auto directory =
      testing::fresh_work_dir(std::string("event_npz_variants_") +
                              ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const char* source = std::getenv("DOTPE_TEST_SOURCE_DIR");
  const std::string command = testing::python() + " " +
                              std::string(source != nullptr ? source : "tests") +
                              "/oracle/physics_event_npz.py " + directory.string();
  if (testing::run_command(command) != 0) {
    ADD_FAILURE() << "numpy oracle failed (run scripts/python-env)";
  }
  return directory;
}

void expect_import_error(const std::filesystem::path& file, const std::string& field,
                         const std::string& text) {
  try {
    (void)read_event(file);
    ADD_FAILURE() << file << " was accepted; expected an error about " << field;
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(file.filename().string()), std::string::npos) << message;
    EXPECT_NE(message.find(field), std::string::npos) << message;
    EXPECT_NE(message.find(text), std::string::npos) << message;
  }
}

TEST(EventData, ImportsBothNpzLayoutsOfTheReference) {
  const auto directory = reference_npz_files();
  const EventData event = read_event(directory / "new_style.npz");
  EXPECT_EQ(event.name, "toy_event");
  EXPECT_EQ(event.detector_names, (std::vector<std::string>{"H1", "L1", "V1"}));
  EXPECT_EQ(event.tgps, 1e9 + 0.25);
  EXPECT_EQ(event.tcoarse, 1.0);
  EXPECT_EQ(event.strain, io::read_npy(directory / "new_style_strain.npy").to_complex());
  ASSERT_TRUE(event.injection.has_value());
  EXPECT_EQ((*event.injection)["approximant"], "IMRPhenomD");
  EXPECT_EQ((*event.injection)["h_h"][2], 9.0);
  EXPECT_EQ(event.frequencies[event.band().first], 4.0);

  const EventData old = read_event(directory / "deprecated.npz");
  EXPECT_EQ(old.detector_names, (std::vector<std::string>{"H1", "L1"}));
  EXPECT_FALSE(old.injection.has_value());
  const auto expected = io::read_npy(directory / "expected_wht_filter.npy").to_doubles();
  ASSERT_EQ(old.whitening_filter.size(), expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    EXPECT_NEAR(old.whitening_filter[k], expected[k], 1e-15 * expected[k]) << k;
  }
  // NaN strain below the band is ignored, as the reference ignores it.
  EXPECT_NO_THROW(read_event(directory / "nan_outside_band.npz"));
}

TEST(EventData, BadNpzFilesAreRefusedNamingFileAndField) {
  const auto directory = reference_npz_files();
  expect_import_error(directory / "missing_tcoarse.npz", "'tcoarse'", "missing key");
  expect_import_error(directory / "short_strain.npz", "'strain'", "shape");
  expect_import_error(directory / "transposed_filter.npz", "'wht_filter'", "shape");
  expect_import_error(directory / "nan_in_band.npz", "strain of L1", "not finite");
  expect_import_error(directory / "unknown_detector.npz", "'X'", "unknown detector");
  expect_import_error(directory / "nonuniform.npz", "'frequencies'", "not uniform");
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
  // rfft grid of 9 bins at df = 0.25 Hz: 16 samples over 4 s.
  const auto times = event.times();
  ASSERT_EQ(times.size(), 16U);
  EXPECT_EQ(times.front(), 0.0);
  EXPECT_DOUBLE_EQ(times[1], 0.25);
  EXPECT_DOUBLE_EQ(times.back(), 3.75);
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

// Damaged event.h5 files found while fuzzing the readers (fuzz/hdf5_event_fuzzer): each used to
// escape as an exception other than dotpe::Error (or to allocate what the file declared).
TEST(EventData, DamagedHdf5EventsAreErrorsNamingTheFile) {
  const auto directory = testing::fresh_work_dir("event_damaged");
  const auto expect_error = [](const std::filesystem::path& path, const std::string& text) {
    try {
      (void)read_event(path);
      FAIL() << path << " was accepted";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
    }
  };
  // An 'injection' attribute that is not JSON: nlohmann::json::parse_error escaped.
  const auto bad_json = directory / "bad_injection.h5";
  write_event(bad_json, small_event());
  {
    io::h5::File file(bad_json, io::h5::Mode::read_write);
    file.root().set_attribute("injection", "{\"par_dic\": ");
  }
  expect_error(bad_json, "'injection'");
  // 'frequencies' declaring 2^40 values that were never written: the reader allocated 8 TiB
  // (std::bad_alloc).
  const auto huge = directory / "huge_frequencies.h5";
  write_event(huge, small_event());
  {
    io::h5::File file(huge, io::h5::Mode::read_write);
    ASSERT_GE(H5Ldelete(file.root().id(), "frequencies", H5P_DEFAULT), 0);
    file.root().create_dataset<double>("frequencies", {std::size_t{1} << 40}, {1024});
  }
  expect_error(huge, "huge_frequencies.h5");
}

}  // namespace
}  // namespace dotpe::physics
