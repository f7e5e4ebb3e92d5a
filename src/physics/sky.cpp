#include "dotpe/physics/sky.hpp"

#include <array>
#include <cmath>
#include <numbers>

namespace dotpe::physics {
namespace {

// GPS seconds of each inserted leap second (LAL's XLALLeapSeconds table,
// lal/date/XLALLeapSeconds.h). The offset GPS − UTC is 18 s since 2017-01-01. Update when the IERS
// announces a new one.
constexpr std::array<double, 18> kLeapSecondEpochs = {
    46828800,  78364801,  109900802, 173059203,  252028804,  315187205,
    346723206, 393984007, 425520008, 457056009,  504489610,  551750411,
    599184012, 820108813, 914803214, 1025136015, 1119744016, 1167264017};

}  // namespace

int leap_seconds_since_gps_epoch(double gps_seconds) {
  int count = 0;
  for (const double epoch : kLeapSecondEpochs) {
    if (epoch <= gps_seconds) ++count;
  }
  return count;
}

double greenwich_mean_sidereal_time(double gps_time) {
  // Split like LAL's LIGOTimeGPS (integer seconds + nanoseconds) to keep the precision of the
  // Julian-century argument.
  const double seconds = std::floor(gps_time);
  const double nanoseconds = std::round((gps_time - seconds) * 1e9);
  // UTC Julian date, rounded as LAL's XLALConvertCivilTimeToJD does it: whole days (Fliegel's
  // integer formula, here days since 1970-01-01 + 2440588) plus (seconds of day / 86400 − 0.5).
  const double unix_seconds = seconds + 315964800.0 - leap_seconds_since_gps_epoch(seconds);
  const double days_since_1970 = std::floor(unix_seconds / 86400.0);
  const double second_of_day = unix_seconds - 86400.0 * days_since_1970;
  const double julian_date_utc = (days_since_1970 + 2440588.0) + (second_of_day / 86400.0 - 0.5);
  const double centuries_high = (julian_date_utc - 2451545.0) / 36525.0;
  const double centuries_low = nanoseconds * 1e-9 / (36525.0 * 86400.0);
  const double centuries = centuries_high + centuries_low;
  // IAU 1982 GMST polynomial in sidereal seconds (Aoki et al. 1982), as in LAL.
  double sidereal_seconds = (-6.2e-6 * centuries + 0.093104) * centuries * centuries + 67310.54841;
  sidereal_seconds += 8640184.812866 * centuries_low + 3155760000.0 * centuries_low;
  sidereal_seconds += 8640184.812866 * centuries_high + 3155760000.0 * centuries_high;
  return sidereal_seconds * std::numbers::pi / 43200.0;
}

double wrap_two_pi(double angle) {
  const double wrapped = std::fmod(angle, 2.0 * std::numbers::pi);
  return wrapped < 0.0 ? wrapped + 2.0 * std::numbers::pi : wrapped;
}

// GMST is ~1e5 rad: reduce it first so that the conversions lose no more than an ulp of 2π.
double ra_to_lon(double ra, double gps_time) {
  return wrap_two_pi(ra - wrap_two_pi(greenwich_mean_sidereal_time(gps_time)));
}

double lon_to_ra(double lon, double gps_time) {
  return wrap_two_pi(lon + wrap_two_pi(greenwich_mean_sidereal_time(gps_time)));
}

}  // namespace dotpe::physics
