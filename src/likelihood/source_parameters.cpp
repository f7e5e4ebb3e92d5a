#include "dotpe/likelihood/source_parameters.hpp"

#include <cmath>
#include <string>

#include "dotpe/core/error.hpp"

namespace dotpe::likelihood {

namespace {

double required_number(const nlohmann::json& par_dic, const char* key, const std::string& source) {
  const auto found = par_dic.find(key);
  require(found != par_dic.end(),
          "{}: the parameter '{}' is missing; give every key of a par_dic "
          "(m1, m2, s1z, s2z, iota, ra, dec, psi, t_geocenter, phi_ref, d_luminosity, f_ref)",
          source, key);
  require(found->is_number(), "{}: the parameter '{}' must be a number, not {}", source, key,
          found->dump());
  const double value = found->get<double>();
  require(std::isfinite(value), "{}: the parameter '{}' is not finite ({})", source, key, value);
  return value;
}

double optional_number(const nlohmann::json& par_dic, const char* key, const std::string& source) {
  if (!par_dic.contains(key)) return 0.0;
  return required_number(par_dic, key, source);
}

}  // namespace

nlohmann::json SourceParameters::to_par_dic() const {
  return {{"m1", intrinsic.m1},
          {"m2", intrinsic.m2},
          {"s1z", intrinsic.s1z},
          {"s2z", intrinsic.s2z},
          {"s1x_n", intrinsic.s1x},
          {"s1y_n", intrinsic.s1y},
          {"s2x_n", intrinsic.s2x},
          {"s2y_n", intrinsic.s2y},
          {"iota", intrinsic.iota},
          {"ra", ra},
          {"dec", dec},
          {"psi", psi},
          {"t_geocenter", t_geocenter},
          {"phi_ref", intrinsic.phi_ref},
          {"d_luminosity", intrinsic.distance},
          {"f_ref", intrinsic.f_ref},
          {"l1", 0.0},
          {"l2", 0.0}};
}

SourceParameters SourceParameters::from_par_dic(const nlohmann::json& par_dic,
                                                const std::string& source) {
  require(par_dic.is_object(), "{}: expected a JSON object of parameters (a par_dic)", source);
  SourceParameters parameters;
  waveform::BinaryParameters& intrinsic = parameters.intrinsic;
  intrinsic.m1 = required_number(par_dic, "m1", source);
  intrinsic.m2 = required_number(par_dic, "m2", source);
  intrinsic.s1z = required_number(par_dic, "s1z", source);
  intrinsic.s2z = required_number(par_dic, "s2z", source);
  intrinsic.s1x = optional_number(par_dic, "s1x_n", source);
  intrinsic.s1y = optional_number(par_dic, "s1y_n", source);
  intrinsic.s2x = optional_number(par_dic, "s2x_n", source);
  intrinsic.s2y = optional_number(par_dic, "s2y_n", source);
  intrinsic.iota = required_number(par_dic, "iota", source);
  intrinsic.f_ref = required_number(par_dic, "f_ref", source);
  intrinsic.distance = required_number(par_dic, "d_luminosity", source);
  intrinsic.phi_ref = required_number(par_dic, "phi_ref", source);
  parameters.ra = required_number(par_dic, "ra", source);
  parameters.dec = required_number(par_dic, "dec", source);
  parameters.psi = required_number(par_dic, "psi", source);
  parameters.t_geocenter = required_number(par_dic, "t_geocenter", source);
  require(optional_number(par_dic, "l1", source) == 0.0 &&
              optional_number(par_dic, "l2", source) == 0.0,
          "{}: tidal parameters l1, l2 are not supported (dotpe's models are binary black holes)",
          source);
  try {
    intrinsic.validate();
  } catch (const Error& error) {
    throw Error("{}: {}", source, error.what());
  }
  return parameters;
}

}  // namespace dotpe::likelihood
