#include "dotpe/io/npy.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>

#include "dotpe/core/error.hpp"
#include "dotpe/io/files.hpp"
#include "test_paths.hpp"

namespace dotpe::io {
namespace {

// Fixtures are written once per test program by numpy (Debian's python3-numpy or the venv).
class NpyFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = testing::fresh_work_dir("npy_fixtures_" + std::to_string(getpid()));
    const std::string script =
        std::string(std::getenv("DOTPE_TEST_SOURCE_DIR") ? std::getenv("DOTPE_TEST_SOURCE_DIR")
                                                         : "tests") +
        "/io/make_npy_fixtures.py";
    const std::string command = testing::python() + " " + script + " " + directory_.string() + " " +
                                (testing::data_dir() / "events/GW170104.npz").string();
    ASSERT_EQ(testing::run_command(command), 0) << "fixture generation failed: " << command;
  }
  static std::filesystem::path file(const std::string& name) { return directory_ / name; }
  static inline std::filesystem::path directory_;
};

std::vector<double> expected_real() {
  std::vector<double> values(6);
  for (int k = 0; k < 6; ++k) values[k] = 0.5 * k - 1.0;
  return values;
}

std::vector<std::complex<double>> expected_complex() {
  std::vector<std::complex<double>> values;
  for (int k = 0; k < 4; ++k) values.emplace_back(0.25 * k, 0.25 * (3 - k));
  return values;
}

TEST_F(NpyFiles, ReadsFloat64MatrixWithShape) {
  const NpyArray array = read_npy(file("f8_2x3.npy"));
  EXPECT_EQ(array.descr, "<f8");
  EXPECT_EQ(array.shape, (std::vector<std::size_t>{2, 3}));
  EXPECT_EQ(array.to_doubles(), expected_real());
}

TEST_F(NpyFiles, ReadsOtherNumericTypes) {
  EXPECT_EQ(read_npy(file("f4.npy")).to_doubles(), (std::vector<double>{1.5, -2.25}));
  EXPECT_EQ(read_npy(file("i8.npy")).to_doubles(), (std::vector<double>{-3, 0, 7}));
  const NpyArray cube = read_npy(file("i4_3d.npy"));
  EXPECT_EQ(cube.shape, (std::vector<std::size_t>{2, 3, 4}));
  std::vector<double> counting(24);
  std::iota(counting.begin(), counting.end(), 0.0);
  EXPECT_EQ(cube.to_doubles(), counting);
}

TEST_F(NpyFiles, ReadsComplex) {
  EXPECT_EQ(read_npy(file("c16.npy")).to_complex(), expected_complex());
}

TEST_F(NpyFiles, ReadsUnicodeStrings) {
  EXPECT_EQ(read_npy(file("u_scalar.npy")).to_string(), "HLV");
  EXPECT_EQ(read_npy(file("u_array.npy")).to_strings(), (std::vector<std::string>{"H", "L", "V"}));
  EXPECT_EQ(read_npy(file("f8_scalar.npy")).to_scalar(), 1167559936.6);
}

TEST_F(NpyFiles, ReadsFormatVersion2) {
  EXPECT_EQ(read_npy(file("v2.npy")).to_doubles(), expected_real());
}

TEST_F(NpyFiles, RejectsBadFilesWithClearMessages) {
  EXPECT_THROW(read_npy(file("fortran.npy")), Error);
  EXPECT_THROW(read_npy(file("not_npy.npy")), Error);
  EXPECT_THROW(read_npy(file("missing.npy")), Error);
  try {
    read_npy(file("truncated.npy"));
    FAIL() << "a truncated file was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("truncated"), std::string::npos) << error.what();
  }
  EXPECT_THROW(read_npy(file("c16.npy")).to_doubles(), Error);
  EXPECT_THROW(read_npy(file("f8_2x3.npy")).to_scalar(), Error);
}

TEST_F(NpyFiles, ReadsStoredAndDeflatedArchives) {
  for (const char* name : {"stored.npz", "deflated.npz"}) {
    const auto members = read_npz(file(name));
    ASSERT_EQ(members.size(), 3U) << name;
    EXPECT_EQ(members.at("real").to_doubles(), expected_real()) << name;
    EXPECT_EQ(members.at("cplx").to_complex(), expected_complex()) << name;
    EXPECT_EQ(members.at("name").to_string(), "GW0") << name;
  }
  EXPECT_THROW(read_npz(file("f8_2x3.npy")), Error);
}

TEST_F(NpyFiles, ReadsTheGW170104EventLikeNumpy) {
  const auto expected = read_json(file("event_expected.json"));
  const auto event = read_npz(testing::data_dir() / "events/GW170104.npz");
  const NpyArray& strain = event.at("strain");
  EXPECT_EQ(strain.descr, "<c16");
  EXPECT_EQ(strain.shape, (std::vector<std::size_t>{2, 65537}));
  EXPECT_EQ(strain.shape, expected["strain_shape"].get<std::vector<std::size_t>>());
  const auto strain_values = strain.to_complex();
  EXPECT_EQ(strain_values[1000].real(), expected["strain_0_1000"][0].get<double>());
  EXPECT_EQ(strain_values[1000].imag(), expected["strain_0_1000"][1].get<double>());
  EXPECT_EQ(strain_values[65537 + 40000].real(), expected["strain_1_40000"][0].get<double>());
  EXPECT_EQ(strain_values[65537 + 40000].imag(), expected["strain_1_40000"][1].get<double>());

  const auto frequencies = event.at("frequencies").to_doubles();
  ASSERT_EQ(frequencies.size(), 65537U);
  EXPECT_EQ(frequencies[1], expected["frequencies_1"].get<double>());
  EXPECT_EQ(frequencies.back(), expected["frequencies_last"].get<double>());
  EXPECT_DOUBLE_EQ(frequencies[1], 1.0 / 128.0);

  const auto filter = event.at("wht_filter").to_doubles();
  EXPECT_EQ(filter[65537 + 5000], expected["wht_filter_1_5000"].get<double>());
  EXPECT_NEAR(std::accumulate(filter.begin(), filter.end(), 0.0),
              expected["wht_filter_sum"].get<double>(),
              1e-12 * std::abs(expected["wht_filter_sum"].get<double>()));

  std::string names;
  for (const auto& name : event.at("detector_names").to_strings()) names += name;
  EXPECT_EQ(names, "HL");
  EXPECT_EQ(names, expected["detector_names"].get<std::string>());
  EXPECT_EQ(event.at("tgps").to_scalar(), expected["tgps"].get<double>());
  EXPECT_EQ(event.at("tcoarse").to_scalar(), expected["tcoarse"].get<double>());
}

}  // namespace
}  // namespace dotpe::io
