// Time-grid summary weights (summary_weights.hpp, numerics.md §3.5): the direct evaluation and
// the block-wise Taylor expansion that replaces it on long events (docs/likelihood.md).
//
// dh[m,t,d,b] = S_b[g e^{2πi f τ_t}] / conj(h0_m(fbin_b)) with g = 4 df w² d conj(h0_m) and
// S_b[x] = Σ_k x_k L_b(f_k). On node interval j, L_b(f) = a δ_bj + t δ_b,j+1 + c C[j,b] +
// d C[j+1,b] (SplineBasis' second-derivative form, coefficients a, t, c, d cubic in f), so
//   S_b = V_b + Σ_j C[j,b] K_j,   V_j, K_j = sums over the two intervals next to node j of the
//                                 integrand times (a or t) and (c or d).
// Direct: the integrand at every frequency for every τ_t, then the projector: O(n_t·(n_f + n_b²)).
// Expansion: split each interval into blocks B of frequencies with centre f_B, so that
// |2π (f_k − f_B)(τ_t − τ_c)| ≤ 2 (τ_c the middle of the times, T their half-range). Then
//   Σ_{k∈B} x_k q_k e^{2πi f_k τ_t}
//     = e^{2πi f_B (τ_t − τ_c)} Σ_p i^p [Σ_{k∈B} x_k e^{2πi f_k τ_c} q_k v_k^p / p!] s_t^p
// with v_k = 2π (f_k − f_B) T, s_t = (τ_t − τ_c)/T ∈ [−1, 1] and q_k ∈ {a, t, c, d}: moments
// (O(n_f·P)), one real GEMM with the powers s_t^p (O(n_blocks·P·n_t)), one phasor per (B, t),
// then K through C as a GEMM (O(n_b²·n_t)). |v s| ≤ 2 needs P ≤ 25 terms for a truncation below
// 1e-17 of Σ|x q|, and no term exceeds 2 (no cancellation). The large phases 2π f_k τ_c and
// 2π f_B (τ_t − τ_c) are reduced modulo one cycle exactly, so the expansion is more accurate than
// the direct evaluation, whose 2π f τ rounds at ~1e-10 rad for f τ ~ 10⁵ cycles.
#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/likelihood/summary_weights.hpp"

namespace dotpe::likelihood {
namespace {

using Complex = std::complex<double>;
using RealRowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr double kTwoPi = 2.0 * std::numbers::pi;
// Largest |v s| of a block, and the Taylor tail allowed (relative to Σ|x q| of the block).
constexpr double kMaxArgument = 2.0;
constexpr double kTruncation = 1e-17;
constexpr std::size_t kTermCapacity = 32;
// Elements of a GEMM output chunk (≈ 1 MB: it is combined while still in cache).
constexpr std::size_t kChunkElements = std::size_t{1} << 17;
// Eigen's GEMM against plain loops, per flop, in the automatic choice.
constexpr double kGemmSpeedup = 8.0;

Eigen::Index as_index(std::size_t n) {
  return static_cast<Eigen::Index>(n);
}

Complex ratio_or_zero(Complex summary, Complex reference) {
  return reference == 0.0 ? Complex(0.0) : summary / reference;
}

void validate(const SplineBasis& basis, const EventArrays& event, std::size_t n_m,
              std::span<const Complex> h0_f, std::span<const Complex> h0_nodes,
              std::span<const double> times) {
  const std::size_t n_f = event.frequencies.size();
  const std::size_t n_b = basis.size();
  require(n_m > 0 && h0_f.size() == n_m * n_f && h0_nodes.size() == n_m * n_b,
          "time-grid weights: the reference has {} values on the event frequencies and {} on "
          "the nodes, expected n_m·n_f = {}·{} and n_m·n_b = {}·{}",
          h0_f.size(), h0_nodes.size(), n_m, n_f, n_m, n_b);
  require(event.strain.size() == event.n_detectors * n_f &&
              event.whitening.size() == event.n_detectors * n_f && event.df > 0.0,
          "time-grid weights: strain has {} and whitening {} values, expected n_detectors·n_f "
          "= {}·{}, and df must be positive",
          event.strain.size(), event.whitening.size(), event.n_detectors, n_f);
  for (std::size_t k = 1; k < n_f; ++k) {
    require(std::abs(event.frequencies[k] - event.frequencies[k - 1] - event.df) <= 1e-9 * event.df,
            "time-grid weights: the event's frequencies must be uniform with spacing df = {} Hz, "
            "but f[{}] − f[{}] = {} Hz",
            event.df, k, k - 1, event.frequencies[k] - event.frequencies[k - 1]);
  }
  for (std::size_t t = 0; t < times.size(); ++t) {
    require(std::isfinite(times[t]), "time-grid weights: time {} is {}, times must be finite", t,
            times[t]);
  }
}

// e^{2πi a b} with a·b reduced modulo 1 before it is multiplied by 2π, keeping the product's
// rounding error (fma): accurate to ~1e-16 cycles also where a·b is 1e5 cycles (f τ with τ
// including t_coarse).
Complex unit_phasor(double a, double b) {
  const double product = a * b;
  const double error = std::fma(a, b, -product);
  return std::polar(1.0, kTwoPi * ((product - std::nearbyint(product)) + error));
}

// g_k = 4 df w_k² d_k conj(h0_k) of detector d and m-group m.
void dh_integrand(const EventArrays& event, std::span<const Complex> h0_f, std::size_t d,
                  std::size_t m, std::vector<Complex>& out) {
  const std::size_t n_f = event.frequencies.size();
  const auto strain = event.strain.subspan(d * n_f, n_f);
  const auto whitening = event.whitening.subspan(d * n_f, n_f);
  const auto h0 = h0_f.subspan(m * n_f, n_f);
  out.resize(n_f);
  for (std::size_t k = 0; k < n_f; ++k) {
    out[k] = 4.0 * event.df * whitening[k] * whitening[k] * strain[k] * std::conj(h0[k]);
  }
}

// ------------------------------------------------------------------------------------------
// Direct evaluation.

void fill_dh_direct(const SplineBasis& basis, const EventArrays& event,
                    std::span<const Complex> h0_f, std::span<const Complex> h0_nodes,
                    std::span<const double> times, TimeGridWeights& weights) {
  const std::size_t n_f = event.frequencies.size();
  const std::size_t n_b = basis.size();
  const SplineBasis::Projector projector = basis.projector(event.frequencies);
  std::vector<Complex> blued_conj, integrand(n_f), summary(n_b);
  for (std::size_t d = 0; d < weights.n_detectors; ++d) {
    for (std::size_t m = 0; m < weights.n_modes; ++m) {
      dh_integrand(event, h0_f, d, m, blued_conj);
      const auto nodes = h0_nodes.subspan(m * n_b, n_b);
      for (std::size_t t = 0; t < times.size(); ++t) {
        // e^{2πi f_k τ} on the uniform grid by a recurrence, re-anchored every 256 bins so
        // that rounding stays at the 1e-14 level (sin/cos per bin would dominate the cost).
        const Complex step = std::polar(1.0, kTwoPi * event.df * times[t]);
        Complex phasor = 1.0;
        for (std::size_t k = 0; k < n_f; ++k) {
          if (k % 256 == 0) phasor = std::polar(1.0, kTwoPi * event.frequencies[k] * times[t]);
          integrand[k] = blued_conj[k] * phasor;
          phasor *= step;
        }
        projector.project(integrand, summary);
        for (std::size_t b = 0; b < n_b; ++b) {
          weights.dh[weights.dh_index(m, t, d, b)] = ratio_or_zero(summary[b], std::conj(nodes[b]));
        }
      }
    }
  }
}

// ------------------------------------------------------------------------------------------
// Expansion.

// The node interval of f as SplineBasis assigns it: x_j ≤ f < x_{j+1}, the last node in the last
// interval, −1 outside [x_0, x_last].
std::ptrdiff_t node_interval(const std::vector<double>& x, double f) {
  if (!(f >= x.front() && f <= x.back())) return -1;
  const auto upper = std::upper_bound(x.begin(), x.end(), f);
  const auto index = static_cast<std::ptrdiff_t>(upper - x.begin()) - 1;
  return std::min(index, static_cast<std::ptrdiff_t>(x.size()) - 2);
}

// SplineBasis' per-frequency coefficients of y_j, y_j+1, M_j, M_j+1 on interval j.
std::array<double, 4> spline_coefficients(const std::vector<double>& x, std::size_t j, double f) {
  const double h = x[j + 1] - x[j];
  const double t = (f - x[j]) / h;
  const double a = 1.0 - t;
  return {a, t, (a * a * a - a) * h * h / 6.0, (t * t * t - t) * h * h / 6.0};
}

// C (n_b × n_b, M_j = Σ_b C[j,b] y_b) read off the basis' own projector: a unit sample at f in
// interval j projects to a e_j + t e_j+1 + c C_j + d C_j+1, so two samples (at a quarter and
// three quarters of the interval) give rows j and j + 1 by a 2×2 solve (condition number 6).
RealRowMatrix second_derivative_map(const SplineBasis& basis) {
  const std::vector<double>& x = basis.nodes();
  const std::size_t n = x.size();
  std::vector<double> probes;
  for (std::size_t j = 0; j + 1 < n; ++j) {
    const double h = x[j + 1] - x[j];
    probes.push_back(x[j] + 0.25 * h);
    probes.push_back(x[j] + 0.75 * h);
  }
  const SplineBasis::Projector projector = basis.projector(probes);
  std::vector<Complex> sample(probes.size(), 0.0), first(n), second(n);
  RealRowMatrix map(as_index(n), as_index(n));
  const auto project_unit = [&](std::size_t k, std::vector<Complex>& out) {
    sample[k] = 1.0;
    projector.project(sample, out);
    sample[k] = 0.0;
  };
  for (std::size_t j = 0; j + 1 < n; ++j) {
    const auto a = spline_coefficients(x, j, probes[2 * j]);
    const auto b = spline_coefficients(x, j, probes[2 * j + 1]);
    project_unit(2 * j, first);
    project_unit(2 * j + 1, second);
    const double det = a[2] * b[3] - a[3] * b[2];
    for (std::size_t col = 0; col < n; ++col) {
      const double delta_j = col == j ? 1.0 : 0.0, delta_next = col == j + 1 ? 1.0 : 0.0;
      const double ra = first[col].real() - a[0] * delta_j - a[1] * delta_next;
      const double rb = second[col].real() - b[0] * delta_j - b[1] * delta_next;
      const double row_j = (ra * b[3] - rb * a[3]) / det;
      const double row_next = (a[2] * rb - b[2] * ra) / det;
      map(as_index(j), as_index(col)) = row_j;
      if (j + 2 == n) map(as_index(j + 1), as_index(col)) = row_next;
    }
  }
  return map;
}

struct Block {
  std::size_t interval = 0;         // node interval j
  std::size_t first = 0, last = 0;  // frequencies [first, last)
  double centre = 0.0;              // f_B (Hz)
};

// Everything that depends on the basis, the frequencies and the times but not on (m, d).
class Expansion {
 public:
  // Plans the blocks and the number of terms (cheap).
  Expansion(const SplineBasis& basis, const EventArrays& event, std::span<const double> times)
      : n_f_(event.frequencies.size()), n_b_(basis.size()), n_t_(times.size()) {
    const auto& f = event.frequencies;
    const auto [lowest, highest] = std::minmax_element(times.begin(), times.end());
    centre_time_ = 0.5 * (*lowest + *highest);
    half_range_ = 0.5 * (*highest - *lowest);

    // Blocks: runs of frequencies in one node interval, cut so that π·(width)·T ≤ kMaxArgument.
    const double bins_per_block =
        half_range_ > 0.0 ? std::floor(kMaxArgument / (std::numbers::pi * event.df * half_range_))
                          : 0.0;
    const std::size_t max_length = half_range_ > 0.0 && bins_per_block < 1e15
                                       ? static_cast<std::size_t>(bins_per_block) + 1
                                       : n_f_ + 1;
    const std::vector<double>& x = basis.nodes();
    std::size_t k = 0;
    while (k < n_f_) {
      const std::ptrdiff_t interval = node_interval(x, f[k]);
      std::size_t end = k + 1;
      while (end < n_f_ && node_interval(x, f[end]) == interval) ++end;
      if (interval >= 0) {
        const std::size_t length = end - k;
        const std::size_t pieces = (length + max_length - 1) / max_length;
        for (std::size_t piece = 0; piece < pieces; ++piece) {
          Block block;
          block.interval = static_cast<std::size_t>(interval);
          block.first = k + piece * length / pieces;
          block.last = k + (piece + 1) * length / pieces;
          block.centre = 0.5 * (f[block.first] + f[block.last - 1]);
          blocks_.push_back(block);
        }
      }
      k = end;
    }

    // Fewest terms with tail Σ_{p≥P} c^p/p! ≤ c^P/P! / (1 − c/(P+1)) below kTruncation.
    double largest_argument = 0.0;
    for (const Block& block : blocks_) {
      largest_argument = std::max(
          largest_argument, std::numbers::pi * (f[block.last - 1] - f[block.first]) * half_range_);
    }
    n_terms_ = 1;
    double term = largest_argument;
    const auto tail = [&] {
      const double ratio = largest_argument / static_cast<double>(n_terms_ + 1);
      return ratio >= 1.0 ? 1.0 : term / (1.0 - ratio);
    };
    while (tail() > kTruncation) {
      ++n_terms_;
      term *= largest_argument / static_cast<double>(n_terms_);
    }
    require(n_terms_ <= kTermCapacity,
            "time-grid weights: {} Taylor terms needed (largest argument {}), at most {}", n_terms_,
            largest_argument, kTermCapacity);
  }

  std::size_t n_blocks() const { return blocks_.size(); }
  std::size_t n_terms() const { return n_terms_; }

  // The tables of the blocks (once, before the first project).
  void prepare(const SplineBasis& basis, const EventArrays& event, std::span<const double> times) {
    const auto& f = event.frequencies;
    const std::vector<double>& x = basis.nodes();
    // Per frequency: spline coefficients, v_k, and e^{2πi f_k τ_c}.
    coefficients_.assign(4 * n_f_, 0.0);
    argument_.assign(n_f_, 0.0);
    centre_phasor_.assign(n_f_, 0.0);
    for (const Block& block : blocks_) {
      for (std::size_t i = block.first; i < block.last; ++i) {
        const auto c = spline_coefficients(x, block.interval, f[i]);
        std::copy(c.begin(), c.end(), coefficients_.begin() + static_cast<std::ptrdiff_t>(4 * i));
        argument_[i] = kTwoPi * (f[i] - block.centre) * half_range_;
        centre_phasor_[i] = unit_phasor(f[i], centre_time_);
      }
    }
    // Powers s_t^p and the block phasors e^{2πi f_B (τ_t − τ_c)} (re in [0, n_t), im after).
    powers_.resize(as_index(n_terms_), as_index(n_t_));
    for (std::size_t t = 0; t < n_t_; ++t) {
      const double s = half_range_ > 0.0 ? (times[t] - centre_time_) / half_range_ : 0.0;
      double power = 1.0;
      for (std::size_t p = 0; p < n_terms_; ++p) {
        powers_(as_index(p), as_index(t)) = power;
        power *= s;
      }
    }
    block_phasors_.resize(blocks_.size() * 2 * n_t_);
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      double* row = block_phasors_.data() + i * 2 * n_t_;
      for (std::size_t t = 0; t < n_t_; ++t) {
        const Complex phasor = unit_phasor(blocks_[i].centre, times[t] - centre_time_);
        row[t] = phasor.real();
        row[n_t_ + t] = phasor.imag();
      }
    }
    map_ = second_derivative_map(basis);
    chunk_blocks_ = std::max<std::size_t>(1, kChunkElements / (8 * std::max<std::size_t>(1, n_t_)));
  }

  // summary (n_b × 2n_t: Re S_b(τ_t) in columns [0, n_t), Im after) of the integrand g.
  void project(std::span<const Complex> integrand, RealRowMatrix& summary) {
    values_.setZero(as_index(n_b_), as_index(2 * n_t_));
    curvatures_.setZero(as_index(n_b_), as_index(2 * n_t_));
    for (std::size_t begin = 0; begin < blocks_.size(); begin += chunk_blocks_) {
      const std::size_t end = std::min(blocks_.size(), begin + chunk_blocks_);
      moments_.setZero(as_index(8 * (end - begin)), as_index(n_terms_));
      for (std::size_t i = begin; i < end; ++i) block_moments(integrand, i, 8 * (i - begin));
      products_.noalias() = moments_ * powers_;
      for (std::size_t i = begin; i < end; ++i) accumulate(i, 8 * (i - begin));
    }
    summary.noalias() = map_.transpose() * curvatures_;
    summary += values_;
  }

 private:
  // Rows first_row + 2q (Re) and + 2q + 1 (Im) of the moments, q ∈ {a, t, c, d}, column p:
  // i^p Σ_k x_k e^{2πi f_k τ_c} q_k v_k^p / p!.
  void block_moments(std::span<const Complex> integrand, std::size_t index, std::size_t first_row) {
    const Block& block = blocks_[index];
    std::array<std::array<double, 8>, kTermCapacity> sums{};
    std::array<double, kTermCapacity> inverse{};
    for (std::size_t p = 0; p < n_terms_; ++p) inverse[p] = 1.0 / static_cast<double>(p + 1);
    for (std::size_t k = block.first; k < block.last; ++k) {
      const Complex x = integrand[k] * centre_phasor_[k];
      const double* c = coefficients_.data() + 4 * k;
      const std::array<double, 8> y = {c[0] * x.real(), c[0] * x.imag(), c[1] * x.real(),
                                       c[1] * x.imag(), c[2] * x.real(), c[2] * x.imag(),
                                       c[3] * x.real(), c[3] * x.imag()};
      const double v = argument_[k];
      double term = 1.0;
      for (std::size_t p = 0; p < n_terms_; ++p) {
        for (std::size_t r = 0; r < 8; ++r) sums[p][r] += term * y[r];
        term *= v * inverse[p];
      }
    }
    for (std::size_t q = 0; q < 4; ++q) {
      const auto re_row = as_index(first_row + 2 * q), im_row = re_row + 1;
      for (std::size_t p = 0; p < n_terms_; ++p) {
        const double re = sums[p][2 * q], im = sums[p][2 * q + 1];
        const auto col = as_index(p);
        switch (p % 4) {  // × i^p
          case 0:
            moments_(re_row, col) = re, moments_(im_row, col) = im;
            break;
          case 1:
            moments_(re_row, col) = -im, moments_(im_row, col) = re;
            break;
          case 2:
            moments_(re_row, col) = -re, moments_(im_row, col) = -im;
            break;
          default:
            moments_(re_row, col) = im, moments_(im_row, col) = -re;
            break;
        }
      }
    }
  }

  // Block phasor × the block's four series, added to V_j, V_j+1, K_j, K_j+1.
  void accumulate(std::size_t index, std::size_t first_row) {
    const std::size_t j = blocks_[index].interval;
    const double* phase_re = block_phasors_.data() + index * 2 * n_t_;
    const double* phase_im = phase_re + n_t_;
    for (std::size_t q = 0; q < 4; ++q) {
      RealRowMatrix& target = q < 2 ? values_ : curvatures_;
      double* out_re = target.data() + (j + (q & 1)) * 2 * n_t_;
      double* out_im = out_re + n_t_;
      const double* series_re = products_.data() + (first_row + 2 * q) * n_t_;
      const double* series_im = series_re + n_t_;
      for (std::size_t t = 0; t < n_t_; ++t) {
        out_re[t] += phase_re[t] * series_re[t] - phase_im[t] * series_im[t];
        out_im[t] += phase_re[t] * series_im[t] + phase_im[t] * series_re[t];
      }
    }
  }

  std::size_t n_f_, n_b_, n_t_;
  double centre_time_ = 0.0, half_range_ = 0.0;
  std::vector<Block> blocks_;
  std::vector<double> coefficients_;  // [k][a, t, c, d]
  std::vector<double> argument_;      // v_k
  std::vector<Complex> centre_phasor_;
  std::size_t n_terms_ = 1;
  RealRowMatrix powers_;               // [p][t]
  std::vector<double> block_phasors_;  // [block][re t..., im t...]
  RealRowMatrix map_;                  // C
  std::size_t chunk_blocks_ = 1;
  RealRowMatrix moments_, products_, values_, curvatures_;
};

void fill_dh_expansion(Expansion& expansion, const EventArrays& event,
                       std::span<const Complex> h0_f, std::span<const Complex> h0_nodes,
                       TimeGridWeights& weights) {
  const std::size_t n_b = weights.n_nodes, n_t = weights.n_times;
  std::vector<Complex> integrand, inverse_nodes(n_b);
  RealRowMatrix summary;
  for (std::size_t d = 0; d < weights.n_detectors; ++d) {
    for (std::size_t m = 0; m < weights.n_modes; ++m) {
      dh_integrand(event, h0_f, d, m, integrand);
      expansion.project(integrand, summary);
      for (std::size_t b = 0; b < n_b; ++b) {
        const Complex node = std::conj(h0_nodes[m * n_b + b]);
        inverse_nodes[b] = node == 0.0 ? Complex(0.0) : 1.0 / node;
      }
      for (std::size_t t = 0; t < n_t; ++t) {
        Complex* out = weights.dh.data() + weights.dh_index(m, t, d, 0);
        for (std::size_t b = 0; b < n_b; ++b) {
          const double* row = summary.data() + b * 2 * n_t;
          out[b] = Complex(row[t], row[n_t + t]) * inverse_nodes[b];
        }
      }
    }
  }
}

// Rough operation counts per (m, d), GEMM flops discounted.
bool expansion_is_cheaper(const Expansion& expansion, std::size_t n_f, std::size_t n_b,
                          std::size_t n_t) {
  const double f = static_cast<double>(n_f), b = static_cast<double>(n_b),
               t = static_cast<double>(n_t), blocks = static_cast<double>(expansion.n_blocks()),
               terms = static_cast<double>(expansion.n_terms());
  const double direct = t * (12.0 * f + 4.0 * b * b);
  const double expanded = 18.0 * f * terms + 16.0 * blocks * t +
                          (16.0 * blocks * terms * t + 4.0 * b * b * t) / kGemmSpeedup;
  return expanded < direct;
}

}  // namespace

TimeGridWeights compute_time_grid_weights(const SplineBasis& basis, const EventArrays& event,
                                          const std::vector<int>& m_values,
                                          std::span<const Complex> h0_f,
                                          std::span<const Complex> h0_nodes,
                                          std::span<const double> times, TimeGridMethod method) {
  const std::size_t n_f = event.frequencies.size();
  const std::size_t n_b = basis.size();
  const std::size_t n_m = m_values.size();
  validate(basis, event, n_m, h0_f, h0_nodes, times);
  TimeGridWeights weights;
  weights.n_modes = n_m;
  weights.n_times = times.size();
  weights.n_detectors = event.n_detectors;
  weights.n_nodes = n_b;
  weights.m_values = m_values;
  weights.dh.assign(n_m * times.size() * event.n_detectors * n_b, 0.0);
  const auto pairs = mode_pairs(n_m);
  weights.hh.assign(pairs.size() * event.n_detectors * n_b, 0.0);

  const SplineBasis::Projector projector = basis.projector(event.frequencies);
  std::vector<Complex> integrand(n_f), summary(n_b);
  for (std::size_t d = 0; d < event.n_detectors; ++d) {
    const auto whitening = event.whitening.subspan(d * n_f, n_f);
    for (std::size_t pair = 0; pair < pairs.size(); ++pair) {
      const auto [m, mm] = pairs[pair];
      const auto left = h0_f.subspan(m * n_f, n_f);
      const auto right = h0_f.subspan(mm * n_f, n_f);
      for (std::size_t k = 0; k < n_f; ++k) {
        integrand[k] = 4.0 * event.df * whitening[k] * whitening[k] * left[k] * std::conj(right[k]);
      }
      projector.project(integrand, summary);
      const double multiplicity = m == mm ? 1.0 : 2.0;
      for (std::size_t b = 0; b < n_b; ++b) {
        weights.hh[weights.hh_index(pair, d, b)] =
            multiplicity *
            ratio_or_zero(summary[b], h0_nodes[m * n_b + b] * std::conj(h0_nodes[mm * n_b + b]));
      }
    }
  }

  if (times.empty() || n_f == 0) return weights;
  if (method == TimeGridMethod::direct) {
    fill_dh_direct(basis, event, h0_f, h0_nodes, times, weights);
    return weights;
  }
  Expansion expansion(basis, event, times);
  if (method == TimeGridMethod::automatic &&
      !expansion_is_cheaper(expansion, n_f, n_b, times.size())) {
    fill_dh_direct(basis, event, h0_f, h0_nodes, times, weights);
  } else {
    log::debug("time-grid weights: expansion with {} blocks of frequencies, {} terms",
               expansion.n_blocks(), expansion.n_terms());
    expansion.prepare(basis, event, times);
    fill_dh_expansion(expansion, event, h0_f, h0_nodes, weights);
  }
  return weights;
}

}  // namespace dotpe::likelihood
