// `dotpe waveform`: evaluate a model per harmonic group m and write it to HDF5 or CSV.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>

#include "dotpe/app/options.hpp"
#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/io/files.hpp"
#include "dotpe/io/hdf5.hpp"
#include "dotpe/io/npy.hpp"
#include "dotpe/waveform/waveform.hpp"
#include "subcommands.hpp"

namespace dotpe::app {
namespace {

std::vector<double> frequencies_from(const po::variables_map& values) {
  if (values.count("frequencies") != 0U) {
    const std::string path = values["frequencies"].as<std::string>();
    auto frequencies = io::read_npy(path).to_doubles();
    require(!frequencies.empty(), "--frequencies: '{}' holds no frequencies", path);
    return frequencies;
  }
  const double fmin = values["fmin"].as<double>();
  const double fmax = values["fmax"].as<double>();
  const double df = values["df"].as<double>();
  require(fmin > 0.0 && fmax > fmin && df > 0.0,
          "need 0 < --fmin < --fmax and --df > 0 (got {}, {}, {})", fmin, fmax, df);
  std::vector<double> frequencies;
  for (double f = fmin; f <= fmax + 1e-9 * df;
       f = fmin + df * static_cast<double>(frequencies.size())) {
    frequencies.push_back(f);
  }
  return frequencies;
}

void write_hdf5(const std::string& path, const std::vector<double>& frequencies,
                const std::vector<int>& m_values, const std::vector<std::complex<double>>& by_m,
                const std::vector<waveform::Mode>& modes,
                const std::vector<std::complex<double>>& each_mode) {
  const std::size_t n_f = frequencies.size();
  const std::size_t n_m = m_values.size();
  std::vector<std::complex<double>> plus(n_m * n_f);
  std::vector<std::complex<double>> cross(n_m * n_f);
  for (std::size_t g = 0; g < n_m; ++g) {
    std::copy_n(by_m.begin() + static_cast<std::ptrdiff_t>(2 * g * n_f), n_f,
                plus.begin() + static_cast<std::ptrdiff_t>(g * n_f));
    std::copy_n(by_m.begin() + static_cast<std::ptrdiff_t>((2 * g + 1) * n_f), n_f,
                cross.begin() + static_cast<std::ptrdiff_t>(g * n_f));
  }
  io::write_atomically(path, [&](const std::filesystem::path& temporary) {
    io::h5::File file(temporary, io::h5::Mode::create);
    file.root().write("frequencies", frequencies);
    file.root().write("m_arr", std::vector<std::int64_t>(m_values.begin(), m_values.end()));
    file.root().write<io::h5::complex>("hplus", plus, {n_m, n_f});
    file.root().write<io::h5::complex>("hcross", cross, {n_m, n_f});
    if (each_mode.empty()) return;
    std::vector<std::int64_t> mode_list;
    for (const auto& lm : modes) {
      mode_list.push_back(lm.l);
      mode_list.push_back(lm.m);
    }
    file.root().write<std::int64_t>("modes", mode_list, {modes.size(), 2});
    file.root().write<io::h5::complex>("hlm", each_mode, {modes.size(), n_f});
  });
}

void write_csv(const std::string& path, const std::vector<double>& frequencies,
               const std::vector<int>& m_values, const std::vector<std::complex<double>>& by_m) {
  const std::size_t n_f = frequencies.size();
  std::string text = "frequency";
  for (const int m : m_values) {
    text += fmt::format(",hplus_m{0}_re,hplus_m{0}_im,hcross_m{0}_re,hcross_m{0}_im", m);
  }
  text += "\n";
  for (std::size_t k = 0; k < n_f; ++k) {
    text += fmt::format("{:.17g}", frequencies[k]);
    for (std::size_t g = 0; g < m_values.size(); ++g) {
      const auto plus = by_m[2 * g * n_f + k];
      const auto cross = by_m[(2 * g + 1) * n_f + k];
      text += fmt::format(",{:.17g},{:.17g},{:.17g},{:.17g}", plus.real(), plus.imag(),
                          cross.real(), cross.imag());
    }
    text += "\n";
  }
  io::write_text_atomically(path, text);
}

}  // namespace

int waveform_command(const Arguments& arguments) {
  CommandLine command(
      "waveform",
      "dotpe waveform --approximant NAME --m1 M --m2 M [options] (--frequencies F.npy | --fmin "
      "--fmax --df) --out FILE.h5|FILE.csv",
      "Evaluate a waveform model: h+ and hx per harmonic group m (modes with equal m summed),\n"
      "at the given distance and orbital phase, on any frequency grid.");
  // clang-format off
  command.options().add_options()
    ("approximant", po::value<std::string>()->default_value("TaylorF2"),
     "waveform model: TaylorF2, IMRPhenomD or IMRPhenomHM")
    ("modes", po::value<std::string>()->value_name("LIST"),
     "write each (l,m) mode too (dataset hlm[mode, f], modes[mode] = (l, m)); LIST = all or e.g. "
     "22,33; also restricts the summed polarisations to these modes")
    ("m1", po::value<double>(), "detector-frame mass of body 1 (Msun)")
    ("m2", po::value<double>(), "detector-frame mass of body 2 (Msun)")
    ("s1z", po::value<double>()->default_value(0.0), "aligned spin of body 1")
    ("s2z", po::value<double>()->default_value(0.0), "aligned spin of body 2")
    ("iota", po::value<double>()->default_value(0.0), "inclination (rad)")
    ("f-ref", po::value<double>()->default_value(50.0), "reference frequency (Hz)")
    ("distance", po::value<double>()->default_value(1.0), "luminosity distance (Mpc)")
    ("phi-ref", po::value<double>()->default_value(0.0), "orbital phase (rad)")
    ("frequencies", po::value<std::string>()->value_name("FILE.npy"), "frequencies (Hz)")
    ("fmin", po::value<double>()->default_value(20.0), "first frequency (Hz)")
    ("fmax", po::value<double>()->default_value(1024.0), "last frequency (Hz)")
    ("df", po::value<double>()->default_value(0.25), "frequency step (Hz)")
    ("out", po::value<std::string>()->value_name("FILE"),
     "output: .h5 (datasets frequencies, m_arr, hplus[m,f], hcross[m,f]) or .csv");
  // clang-format on
  const auto values = command.parse(arguments);
  if (!values) return 0;
  require(values->count("out") != 0U, "dotpe waveform: --out FILE.h5 or FILE.csv is required");
  require(values->count("m1") != 0U && values->count("m2") != 0U,
          "dotpe waveform: --m1 and --m2 are required");
  const auto approximant = waveform::parse_approximant((*values)["approximant"].as<std::string>());
  waveform::BinaryParameters parameters;
  parameters.m1 = (*values)["m1"].as<double>();
  parameters.m2 = (*values)["m2"].as<double>();
  parameters.s1z = (*values)["s1z"].as<double>();
  parameters.s2z = (*values)["s2z"].as<double>();
  parameters.iota = (*values)["iota"].as<double>();
  parameters.f_ref = (*values)["f-ref"].as<double>();
  parameters.distance = (*values)["distance"].as<double>();
  parameters.phi_ref = (*values)["phi-ref"].as<double>();
  parameters.validate();
  const auto frequencies = frequencies_from(*values);
  const bool per_mode = values->count("modes") != 0U;
  const auto modes = per_mode
                         ? waveform::parse_modes((*values)["modes"].as<std::string>(), approximant)
                         : waveform::harmonic_modes(approximant);
  const auto m_values = waveform::m_arr(modes);
  std::vector<std::complex<double>> by_m(m_values.size() * 2 * frequencies.size());
  waveform::polarizations_by_m(approximant, parameters, modes, frequencies, by_m);
  const std::string out = (*values)["out"].as<std::string>();
  std::vector<std::complex<double>> each_mode;
  if (per_mode) {
    require(!out.ends_with(".csv"), "dotpe waveform: --modes writes HDF5; give --out FILE.h5");
    each_mode.resize(modes.size() * frequencies.size());
    for (std::size_t j = 0; j < modes.size(); ++j) {
      waveform::mode(approximant, parameters, modes[j], frequencies,
                     std::span(each_mode).subspan(j * frequencies.size(), frequencies.size()));
    }
  }
  if (out.ends_with(".csv")) {
    write_csv(out, frequencies, m_values, by_m);
  } else {
    write_hdf5(out, frequencies, m_values, by_m, modes, each_mode);
  }
  log::info("waveform: wrote {} ({} frequencies, m = {})", out, frequencies.size(),
            fmt::join(m_values, ","));
  return 0;
}

}  // namespace dotpe::app
