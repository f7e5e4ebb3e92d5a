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

// A version-1.0 .npy file with the given header dict and payload.
std::vector<std::byte> npy_bytes(const std::string& header, std::size_t payload_bytes = 0) {
  std::vector<std::byte> bytes;
  for (const char c : std::string("\x93NUMPY\x01\x00", 8)) {
    bytes.push_back(static_cast<std::byte>(c));
  }
  bytes.push_back(static_cast<std::byte>(header.size() & 0xFF));
  bytes.push_back(static_cast<std::byte>(header.size() >> 8));
  for (const char c : header) bytes.push_back(static_cast<std::byte>(c));
  bytes.resize(bytes.size() + payload_bytes);
  return bytes;
}

std::string parse_error(const std::vector<std::byte>& bytes) {
  try {
    (void)parse_npy(bytes, "crafted.npy");
  } catch (const Error& error) {
    return error.what();
  }
  return "(accepted)";
}

// Inputs found by fuzz/npy_fuzzer (or by reading the parser while fixing what it found) that
// crashed the reader or threw something other than dotpe::Error.
TEST(NpyCrafted, DamagedHeadersAreErrorsNamingTheFile) {
  // Version 3 header cut after the version bytes: the 4-byte header length was read past the end
  // (heap-buffer-overflow).
  std::vector<std::byte> short_v3;
  for (const char c : std::string("\x93NUMPY\x03\x00t\x00", 10)) {
    short_v3.push_back(static_cast<std::byte>(c));
  }
  EXPECT_NE(parse_error(short_v3).find("crafted.npy: truncated"), std::string::npos);
  // A dtype without a width: std::stoull threw std::invalid_argument.
  for (const char* descr : {"<f", "<fx", "<f8x", "|O", "<U0"}) {
    const std::string header =
        std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (1,), }";
    EXPECT_NE(parse_error(npy_bytes(header, 8)).find("unsupported dtype"), std::string::npos)
        << descr;
  }
  // A zero-width dtype with a huge shape: no payload was needed, and the conversions allocated
  // one value per element (out of memory).
  EXPECT_NE(parse_error(npy_bytes("{'descr': '<U0', 'fortran_order': False, 'shape': "
                                  "(2, 11111111111111), }"))
                .find("unsupported dtype"),
            std::string::npos);
  // A dimension beyond 64 bits: std::stoull threw std::out_of_range.
  EXPECT_NE(parse_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': "
                                  "(99999999999999999999999,), }"))
                .find("out-of-range dimension"),
            std::string::npos);
  // Dimensions whose product overflows: the size check wrapped around and the conversions read
  // far outside the (empty) payload.
  EXPECT_NE(parse_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': "
                                  "(4294967296, 4294967296), }"))
                .find("too large"),
            std::string::npos);
  EXPECT_NE(parse_error(npy_bytes("{'descr': '<U4611686018427387904', 'fortran_order': False, "
                                  "'shape': (1,), }"))
                .find("too large"),
            std::string::npos);
  // A 60 000-character dtype string: the std::regex matcher recursed once per character.
  const std::string long_descr(60000, 'f');
  EXPECT_NE(parse_error(npy_bytes("{'descr': '<" + long_descr +
                                  "', 'fortran_order': False, 'shape': (1,), }"))
                .find("unsupported dtype"),
            std::string::npos);
  // The hand-written header scan still reads what numpy writes, in any key order.
  const auto array = parse_npy(
      npy_bytes("{'shape': (2, 1), 'fortran_order': False, 'descr': '<i4' }", 8), "crafted.npy");
  EXPECT_EQ(array.shape, (std::vector<std::size_t>{2, 1}));
  EXPECT_EQ(array.to_doubles(), (std::vector<double>{0.0, 0.0}));
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
