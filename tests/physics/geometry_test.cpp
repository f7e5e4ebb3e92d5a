#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "dotpe/core/rng.hpp"
#include "dotpe/io/hdf5.hpp"
#include "dotpe/physics/detectors.hpp"
#include "dotpe/physics/sky.hpp"
#include "test_paths.hpp"

namespace dotpe::physics {
namespace {

constexpr double kPi = std::numbers::pi;

TEST(Sky, GmstMatchesTheReferenceTestVectors) {
  // numerics.md §2.2 (verified values, mod 2π).
  EXPECT_NEAR(wrap_two_pi(greenwich_mean_sidereal_time(630763213.0)), 4.8949612128, 1e-9);
  EXPECT_NEAR(wrap_two_pi(greenwich_mean_sidereal_time(0.0)), 1.8280933987, 1e-9);
  EXPECT_NEAR(wrap_two_pi(greenwich_mean_sidereal_time(1186741861.5)), 2.1069889757, 1e-9);
  EXPECT_NEAR(wrap_two_pi(greenwich_mean_sidereal_time(1167559936.6)), 4.4891254756, 1e-9);
  EXPECT_NEAR(wrap_two_pi(greenwich_mean_sidereal_time(1187529256.5)), 2.9760768491, 1e-9);
  EXPECT_EQ(leap_seconds_since_gps_epoch(0.0), 0);
  EXPECT_EQ(leap_seconds_since_gps_epoch(1167264017.0), 18);
  EXPECT_EQ(leap_seconds_since_gps_epoch(1167264016.0), 17);
}

TEST(Sky, AngleConversionsRoundTrip) {
  for (int k = 0; k < 100; ++k) {
    RngStream rng(3, rng_stream::tests, static_cast<std::uint64_t>(k));
    const double ra = 2 * kPi * rng.uniform();
    const double gps = 1e9 + 4e8 * rng.uniform();
    const double back = lon_to_ra(ra_to_lon(ra, gps), gps);
    EXPECT_NEAR(std::remainder(back - ra, 2 * kPi), 0.0, 1e-12);
    EXPECT_GE(ra_to_lon(ra, gps), 0.0);
    EXPECT_LT(ra_to_lon(ra, gps), 2 * kPi);
  }
}

TEST(Detectors, ResponseTensorsAreLalsSinglePrecisionValues) {
  // numerics.md §2.1 (float32 values printed as doubles).
  const auto& hanford = detector("H1");
  EXPECT_EQ(hanford.response[0][0], -0.39261409640312195);
  EXPECT_EQ(hanford.response[1][2], 0.22799783945083618);
  EXPECT_EQ(detector("L").response[2][2], -0.302275151014328);
  EXPECT_EQ(detector("V1").response[0][1], -0.0990837812423706);
  EXPECT_EQ(&detector("L"), &detector("L1"));
  EXPECT_THROW(detector("K2"), Error);
  const auto parsed = detectors_from_names("HLV");
  ASSERT_EQ(parsed.size(), 3U);
  EXPECT_EQ(parsed[2].name, "V1");
  EXPECT_EQ(detectors_from_names("H1,V1")[1].name, "V1");
}

TEST(Detectors, LightTravelTimesAreThePublishedOnes) {
  EXPECT_NEAR(light_travel_time(detector("H1"), detector("L1")), 10.0128e-3, 1e-7);
  EXPECT_NEAR(light_travel_time(detector("H1"), detector("V1")), 27.2880e-3, 1e-7);
  EXPECT_NEAR(light_travel_time(detector("L1"), detector("V1")), 26.4483e-3, 1e-7);
}

TEST(Detectors, AntennaPatternsAndDelaysMatchTheReferenceTestVectors) {
  // numerics.md §2.5: lat = 0.5, lon = 1.0, ψ = 0.
  const struct {
    const char* name;
    double plus, cross, delay;
  } expected[] = {{"H1", -0.1309118431, -0.2401694882, 0.0055074797},
                  {"L1", 0.3093751224, 0.2547031159, 0.0084999292},
                  {"V1", 0.0794590109, -0.7836256780, -0.0162693360}};
  for (const auto& row : expected) {
    const AntennaPattern pattern = antenna_pattern(detector(row.name), 0.5, 1.0, 0.0);
    EXPECT_NEAR(pattern.plus, row.plus, 1e-9) << row.name;
    EXPECT_NEAR(pattern.cross, row.cross, 1e-9) << row.name;
    EXPECT_NEAR(geocenter_delay(detector(row.name), 0.5, 1.0), row.delay, 1e-10) << row.name;
  }
  // Second vector: ra = 1, dec = 0.5, ψ = 0.3 at GPS 1186741861.5.
  const double lon = ra_to_lon(1.0, 1186741861.5);
  EXPECT_NEAR(lon, 5.1761963315, 1e-9);
  const AntennaPattern virgo = antenna_pattern(detector("V1"), 0.5, lon, 0.3);
  EXPECT_NEAR(virgo.plus, 0.0515506423, 1e-9);
  EXPECT_NEAR(virgo.cross, 0.6189378442, 1e-9);
  EXPECT_NEAR(geocenter_delay(detector("L1"), 0.5, lon), -0.0194484701, 1e-10);
}

TEST(Detectors, PatternPowerIsIndependentOfPolarisation) {
  for (int k = 0; k < 50; ++k) {
    RngStream rng(4, rng_stream::tests, static_cast<std::uint64_t>(k));
    const double lat = std::asin(2 * rng.uniform() - 1);
    const double lon = 2 * kPi * rng.uniform();
    for (const auto& name : known_detector_names()) {
      const auto at_zero = antenna_pattern(detector(name), lat, lon, 0.0);
      const auto rotated = antenna_pattern(detector(name), lat, lon, kPi * rng.uniform());
      EXPECT_NEAR(at_zero.plus * at_zero.plus + at_zero.cross * at_zero.cross,
                  rotated.plus * rotated.plus + rotated.cross * rotated.cross, 1e-14);
      // ψ → ψ + π/2 flips both signs.
      const auto quarter = antenna_pattern(detector(name), lat, lon, kPi / 2);
      EXPECT_NEAR(quarter.plus, -at_zero.plus, 1e-14);
      EXPECT_NEAR(quarter.cross, -at_zero.cross, 1e-14);
    }
  }
}

TEST(Detectors, DelayDifferencesAreBoundedByTheLightTravelTime) {
  const auto names = known_detector_names();
  for (int k = 0; k < 200; ++k) {
    RngStream rng(5, rng_stream::tests, static_cast<std::uint64_t>(k));
    const double lat = std::asin(2 * rng.uniform() - 1);
    const double lon = 2 * kPi * rng.uniform();
    for (const auto& a : names) {
      for (const auto& b : names) {
        const double difference =
            geocenter_delay(detector(a), lat, lon) - geocenter_delay(detector(b), lat, lon);
        EXPECT_LE(std::abs(difference), light_travel_time(detector(a), detector(b)) + 1e-15);
      }
    }
  }
}

TEST(Detectors, AgreeWithLalAtRandomPoints) {
  const auto directory = testing::fresh_work_dir("physics_lal");
  const auto oracle = directory / "lal.h5";
  const char* source = std::getenv("DOTPE_TEST_SOURCE_DIR");
  const std::string command = testing::python() + " " +
                              std::string(source != nullptr ? source : "tests") +
                              "/oracle/physics_lal.py " + oracle.string() + " 300";
  ASSERT_EQ(testing::run_command(command), 0) << "LAL oracle failed (run scripts/python-env)";
  const io::h5::File file(oracle, io::h5::Mode::read);
  const auto gps = file.root().read<double>("gps").values;
  const auto ra = file.root().read<double>("ra").values;
  const auto dec = file.root().read<double>("dec").values;
  const auto psi = file.root().read<double>("psi").values;
  const auto gmst = file.root().read<double>("gmst").values;
  double worst_gmst = 0.0;
  double worst_pattern = 0.0;
  double worst_delay = 0.0;
  for (const auto& name : known_detector_names()) {
    const auto plus = file.root().read<double>(name + "/fplus").values;
    const auto cross = file.root().read<double>(name + "/fcross").values;
    const auto delay = file.root().read<double>(name + "/delay").values;
    const auto response = file.root().read<double>(name + "/response").values;
    const auto location = file.root().read<double>(name + "/location").values;
    for (int a = 0; a < 3; ++a) ASSERT_EQ(detector(name).location[a], location[a]) << name;
    for (int a = 0; a < 3; ++a) {
      for (int b = 0; b < 3; ++b) {
        ASSERT_EQ(detector(name).response[a][b], response[3 * a + b]) << name;
      }
    }
    for (std::size_t k = 0; k < gps.size(); ++k) {
      worst_gmst = std::max(
          worst_gmst,
          std::abs(std::remainder(greenwich_mean_sidereal_time(gps[k]) - gmst[k], 2 * kPi)));
      const double lon = ra_to_lon(ra[k], gps[k]);
      const auto pattern = antenna_pattern(detector(name), dec[k], lon, psi[k]);
      // Relative to the pattern's overall size, so that values near zero do not dominate.
      const double scale = std::hypot(plus[k], cross[k]);
      worst_pattern = std::max(worst_pattern, std::abs(pattern.plus - plus[k]) / scale);
      worst_pattern = std::max(worst_pattern, std::abs(pattern.cross - cross[k]) / scale);
      worst_delay =
          std::max(worst_delay, std::abs(geocenter_delay(detector(name), dec[k], lon) - delay[k]));
    }
  }
  EXPECT_LT(worst_gmst, 1e-10);
  EXPECT_LT(worst_pattern, 1e-9);
  EXPECT_LT(worst_delay, 1e-12);  // seconds; |delay| <= 21 ms
  RecordProperty("worst_gmst_rad", fmt::format("{:.2e}", worst_gmst));
  RecordProperty("worst_pattern_relative", fmt::format("{:.2e}", worst_pattern));
  RecordProperty("worst_delay_s", fmt::format("{:.2e}", worst_delay));
}

}  // namespace
}  // namespace dotpe::physics
