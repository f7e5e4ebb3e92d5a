// Nelder-Mead maximisation (GSL's nmsimplex2) for the reference-waveform finder.
#include <gsl/gsl_multimin.h>

#include <cmath>
#include <limits>
#include <memory>

#include "dotpe/core/error.hpp"
#include "reference_finder_internal.hpp"

namespace dotpe::likelihood::reference_finder_detail {
namespace {

struct GslVectorFree {
  void operator()(gsl_vector* vector) const { gsl_vector_free(vector); }
};
struct GslMinimizerFree {
  void operator()(gsl_multimin_fminimizer* minimizer) const {
    gsl_multimin_fminimizer_free(minimizer);
  }
};
using GslVector = std::unique_ptr<gsl_vector, GslVectorFree>;

GslVector make_vector(std::size_t size, double value) {
  GslVector vector(gsl_vector_alloc(size));
  require(vector != nullptr, "out of memory for a vector of {} values", size);
  gsl_vector_set_all(vector.get(), value);
  return vector;
}

// The optimiser works in units of the initial steps around `origin`, so that one tolerance
// fits parameters of different scales.
struct Objective {
  const std::function<double(std::span<const double>)>* f;
  std::vector<double> origin;
  std::vector<double> scale;
  std::vector<double> point;
  std::size_t evaluations = 0;

  void to_parameters(const gsl_vector* x) {
    for (std::size_t i = 0; i < point.size(); ++i) {
      point[i] = origin[i] + scale[i] * gsl_vector_get(x, i);
    }
  }
};

double negated(const gsl_vector* x, void* context) {
  auto& objective = *static_cast<Objective*>(context);
  objective.to_parameters(x);
  ++objective.evaluations;
  const double value = (*objective.f)(objective.point);
  // GSL needs finite values; an invalid point is simply very bad.
  return std::isfinite(value) ? -value : std::numeric_limits<double>::max() / 4;
}

// One simplex descent from `objective.origin`; returns the best point in scaled units.
double descend(Objective& objective, double tolerance, std::size_t max_iterations,
               std::vector<double>& best_scaled) {
  const std::size_t n = objective.origin.size();
  std::unique_ptr<gsl_multimin_fminimizer, GslMinimizerFree> minimizer(
      gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, n));
  require(minimizer != nullptr, "out of memory for a Nelder-Mead simplex in {} dimensions", n);
  gsl_multimin_function function{&negated, n, &objective};
  const GslVector start = make_vector(n, 0.0);
  const GslVector steps = make_vector(n, 1.0);
  gsl_multimin_fminimizer_set(minimizer.get(), &function, start.get(), steps.get());
  for (std::size_t iteration = 0; iteration < max_iterations; ++iteration) {
    if (gsl_multimin_fminimizer_iterate(minimizer.get()) != GSL_SUCCESS) break;
    if (gsl_multimin_fminimizer_size(minimizer.get()) < tolerance) break;
  }
  const gsl_vector* x = gsl_multimin_fminimizer_x(minimizer.get());
  best_scaled.resize(n);
  for (std::size_t i = 0; i < n; ++i) best_scaled[i] = gsl_vector_get(x, i);
  return -gsl_multimin_fminimizer_minimum(minimizer.get());
}

}  // namespace

NelderMeadResult maximize_nelder_mead(const std::function<double(std::span<const double>)>& f,
                                      std::vector<double> start, std::span<const double> steps,
                                      double tolerance, std::size_t max_iterations) {
  require(start.size() == steps.size() && !start.empty(),
          "internal error: Nelder-Mead with {} parameters and {} steps", start.size(),
          steps.size());
  Objective objective{&f, start, std::vector<double>(steps.begin(), steps.end()),
                      std::vector<double>(start.size()), 0};
  NelderMeadResult result{start, f(start), 1};
  // A restart from the optimum with smaller steps re-expands a simplex that collapsed early.
  for (const double shrink : {1.0, 0.3}) {
    for (std::size_t i = 0; i < start.size(); ++i) objective.scale[i] = steps[i] * shrink;
    objective.origin = result.x;
    std::vector<double> scaled;
    const double value = descend(objective, tolerance / shrink, max_iterations, scaled);
    if (value > result.value) {
      result.value = value;
      for (std::size_t i = 0; i < start.size(); ++i) {
        result.x[i] = objective.origin[i] + objective.scale[i] * scaled[i];
      }
    }
  }
  result.evaluations += objective.evaluations;
  return result;
}

}  // namespace dotpe::likelihood::reference_finder_detail
