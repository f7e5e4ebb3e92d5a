// The not-a-knot cardinal spline basis: exact on cubics (a property of not-a-knot splines),
// cardinality on the nodes, scipy's CubicSpline(bc_type='not-a-knot') as an oracle, and the
// fast projector against a naive Σ_k g_k L_b(f_k).
#include "dotpe/likelihood/spline_basis.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <vector>

#include "dotpe/core/error.hpp"
#include "dotpe/core/rng.hpp"
#include "test_paths.hpp"

namespace dotpe::likelihood {
namespace {

std::vector<double> irregular_nodes(int n) {
  std::vector<double> nodes;
  double f = 20.0;
  for (int k = 0; k < n; ++k) {
    nodes.push_back(f);
    f += 1.0 + 0.7 * std::sin(1.7 * k) + 0.02 * k;
  }
  return nodes;
}

TEST(SplineBasis, ReproducesCubicPolynomials) {
  const SplineBasis basis(irregular_nodes(40));
  const auto cubic = [](double f) { return 0.3 - 0.02 * f + 1e-3 * f * f - 7e-6 * f * f * f; };
  std::vector<double> values;
  for (const double f : basis.nodes()) values.push_back(cubic(f));
  for (double f = basis.nodes().front(); f <= basis.nodes().back(); f += 0.173) {
    EXPECT_NEAR(basis.interpolate(values, f), cubic(f), 1e-11) << f;
  }
}

TEST(SplineBasis, CardinalOnNodesAndZeroOutside) {
  const SplineBasis basis(irregular_nodes(12));
  for (std::size_t b = 0; b < basis.size(); ++b) {
    for (std::size_t c = 0; c < basis.size(); ++c) {
      EXPECT_NEAR(basis.cardinal(b, basis.nodes()[c]), b == c ? 1.0 : 0.0, 1e-13);
    }
    EXPECT_EQ(basis.cardinal(b, basis.nodes().front() - 1e-9), 0.0);
    EXPECT_EQ(basis.cardinal(b, basis.nodes().back() + 1e-9), 0.0);
  }
}

TEST(SplineBasis, MatchesScipyNotAKnot) {
  const auto dir = dotpe::testing::fresh_work_dir("likelihood_spline_oracle");
  const SplineBasis basis(irregular_nodes(30));
  std::vector<double> values, points;
  RngStream rng(3, rng_stream::tests, 0);
  for (std::size_t b = 0; b < basis.size(); ++b) values.push_back(rng.normal());
  for (int k = 0; k < 500; ++k) {
    points.push_back(basis.nodes().front() - 2.0 +
                     (basis.nodes().back() - basis.nodes().front() + 4.0) * rng.uniform());
  }
  const auto write = [&](const std::string& name, const std::vector<double>& data) {
    std::ofstream out(dir / name);
    out.precision(17);
    for (const double x : data) out << x << "\n";
  };
  write("nodes.txt", basis.nodes());
  write("values.txt", values);
  write("points.txt", points);
  const char* source_dir = std::getenv("DOTPE_TEST_SOURCE_DIR");
  ASSERT_NE(source_dir, nullptr) << "DOTPE_TEST_SOURCE_DIR is not set (run through CTest)";
  const std::string script = std::string(source_dir) + "/oracle/likelihood_spline_oracle.py";
  const std::string command = dotpe::testing::python() + " " + script + " " +
                              (dir / "nodes.txt").string() + " " + (dir / "values.txt").string() +
                              " " + (dir / "points.txt").string() + " " +
                              (dir / "out.txt").string();
  ASSERT_EQ(dotpe::testing::run_command(command), 0) << "the scipy oracle failed: " << command;
  std::ifstream in(dir / "out.txt");
  for (const double f : points) {
    double expected = NAN;
    ASSERT_TRUE(in >> expected);
    EXPECT_NEAR(basis.interpolate(values, f), expected, 1e-12) << f;
  }
}

TEST(SplineBasis, ProjectorEqualsNaiveSum) {
  const SplineBasis basis(irregular_nodes(25));
  std::vector<double> frequencies;
  for (double f = 15.0; f < 70.0; f += 0.37) frequencies.push_back(f);
  std::vector<std::complex<double>> samples;
  RngStream rng(4, rng_stream::tests, 0);
  for (std::size_t k = 0; k < frequencies.size(); ++k)
    samples.emplace_back(rng.normal(), rng.normal());
  const auto projector = basis.projector(frequencies);
  std::vector<std::complex<double>> summary(basis.size());
  projector.project(samples, summary);
  for (std::size_t b = 0; b < basis.size(); ++b) {
    std::complex<double> naive = 0.0;
    for (std::size_t k = 0; k < frequencies.size(); ++k)
      naive += samples[k] * basis.cardinal(b, frequencies[k]);
    EXPECT_NEAR(std::abs(summary[b] - naive), 0.0, 1e-11 * (1.0 + std::abs(naive))) << b;
  }
}

TEST(SplineBasis, RejectsBadNodes) {
  EXPECT_THROW(SplineBasis({1.0, 2.0, 3.0}), Error);
  EXPECT_THROW(SplineBasis({1.0, 2.0, 2.0, 3.0}), Error);
  EXPECT_THROW(SplineBasis({1.0, 2.0, NAN, 3.0, 4.0}), Error);
}

}  // namespace
}  // namespace dotpe::likelihood
