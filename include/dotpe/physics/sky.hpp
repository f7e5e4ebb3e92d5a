// Time and sky conventions (numerics.md §2.2): Greenwich mean sidereal time from GPS time (LAL's
// XLALGreenwichMeanSiderealTime with the equation of the equinoxes set to 0, including leap
// seconds), and the conversion between equatorial (ra, dec) and Earth-fixed (lat, lon) angles
// frozen at the event's GPS time: lat = dec, lon = (ra − GMST) mod 2π.
#pragma once

namespace dotpe::physics {

// GMST in radians, not reduced modulo 2π (as LAL).
double greenwich_mean_sidereal_time(double gps_time);

// Number of leap seconds inserted between the GPS epoch (1980-01-06) and `gps_seconds`.
int leap_seconds_since_gps_epoch(double gps_seconds);

double ra_to_lon(double ra, double gps_time);
double lon_to_ra(double lon, double gps_time);

// x mod 2π in [0, 2π).
double wrap_two_pi(double angle);

}  // namespace dotpe::physics
