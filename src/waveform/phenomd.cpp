// IMRPhenomD: Husa et al. 2016 (arXiv:1508.07250) and Khan et al. 2016 (arXiv:1508.07253).
// The phenomenological coefficients are the fits of Table V of arXiv:1508.07253, with the values
// of LALSimulation's implementation (LALSimIMRPhenomD_internals.c); the ringdown frequencies come
// from the QNM table through a natural cubic spline, as in LAL. The structure (inspiral,
// intermediate and merger-ringdown regions, C¹ phase joins at Mf = 0.018 and f_RD/2, amplitude
// joins at Mf = 0.014 and f_peak, intermediate amplitude by collocation) follows the papers.
#include "phenomd.hpp"

#include <gsl/gsl_spline.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <numbers>

#include "dotpe/core/error.hpp"
#include "fast_math.hpp"
#include "mode_kernels.hpp"
#include "phenomd_qnm_table.hpp"

namespace dotpe::waveform {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kAmplitudeInspiralJoin = kPhenomDAmplitudeInspiralJoin;  // Mf
constexpr double kPhaseInspiralJoin = kPhenomDPhaseInspiralJoin;          // Mf

// One fitted coefficient λ(η, ξ), ξ = χ_PN − 1 (arXiv:1508.07253 eq. 31):
//   λ00 + λ10 η + (λ01 + λ11 η + λ21 η²) ξ + (λ02 + λ12 η + λ22 η²) ξ² + (λ03 + λ13 η + λ23 η²) ξ³
using FitRow = std::array<double, 11>;  // λ00 λ10 | λ01 λ11 λ21 | λ02 λ12 λ22 | λ03 λ13 λ23

double evaluate_fit(const FitRow& row, double eta, double chi_pn) {
  const double xi = chi_pn - 1.0;
  const double eta2 = eta * eta;
  return row[0] + row[1] * eta + (row[2] + row[3] * eta + row[4] * eta2) * xi +
         (row[5] + row[6] * eta + row[7] * eta2) * xi * xi +
         (row[8] + row[9] * eta + row[10] * eta2) * xi * xi * xi;
}

// Table V of arXiv:1508.07253 (values as in LALSimulation).
constexpr FitRow kRho1 = {3931.8979897196696,  -17395.758706812805,   3132.375545898835,
                          343965.86092361377,  -1.2162565819981997e6, -70698.00600428853,
                          1.383907177859705e6, -3.9662761890979446e6, -60017.52423652596,
                          803515.1181825735,   -2.091710365941658e6};
constexpr FitRow kRho2 = {-40105.47653771657,    112253.0169706701,    23561.696065836168,
                          -3.476180699403351e6,  1.137593670849482e7,  754313.1127166454,
                          -1.308476044625268e7,  3.6444584853928134e7, 596226.612472288,
                          -7.4277901143564405e6, 1.8928977514040343e7};
constexpr FitRow kRho3 = {83208.35471266537,    -191237.7264145924,    -210916.2454782992,
                          8.71797508352568e6,   -2.6914942420669552e7, -1.9889806527362722e6,
                          3.0888029960154563e7, -8.390870279256162e7,  -1.4535031953446497e6,
                          1.7063528990822166e7, -4.2748659731120914e7};
constexpr FitRow kV2 = {0.8149838730507785,  2.5747553517454658, 1.1610198035496786,
                        -2.3627771785551537, 6.771038707057573,  0.7570782938606834,
                        -2.7256896890432474, 7.1140380397149965, 0.1766934149293479,
                        -0.7978690983168183, 2.1162391502005153};
constexpr FitRow kGamma1 = {0.006927402739328343, 0.03020474290328911, 0.006308024337706171,
                            -0.12074130661131138, 0.26271598905781324, 0.0034151773647198794,
                            -0.10779338611188374, 0.27098966966891747, 0.0007374185938559283,
                            -0.02749621038376281, 0.0733150789135702};
constexpr FitRow kGamma2 = {1.010344404799477,   0.0008993122007234548, 0.283949116804459,
                            -4.049752962958005,  13.207828172665366,    0.10396278486805426,
                            -7.025059158961947,  24.784892370130475,    0.03093202475605892,
                            -2.6924023896851663, 9.609374464684983};
constexpr FitRow kGamma3 = {1.3081615607036106,   -0.005537729694807678, -0.06782917938621007,
                            -0.6689834970767117,  3.403147966134083,     -0.05296577374411866,
                            -0.9923793203111362,  4.820681208409587,     -0.006134139870393713,
                            -0.38429253308696365, 1.7561754421985984};
constexpr FitRow kSigma1 = {2096.551999295543,  1463.7493168261553,  1312.5493286098522,
                            18307.330017082117, -43534.1440746107,   -833.2889543511114,
                            32047.31997183187,  -108609.45037520859, 452.25136398112204,
                            8353.439546391714,  -44531.3250037322};
constexpr FitRow kSigma2 = {-10114.056472621156, -44631.01109458185,   -6541.308761668722,
                            -266959.23419307504, 686328.3229317984,    3405.6372187679685,
                            -437507.7208209015,  1.6318171307344697e6, -7462.648563007646,
                            -114585.25177153319, 674402.4689098676};
constexpr FitRow kSigma3 = {22933.658273436497,   230960.00814979506,    14961.083974183695,
                            1.1940181342318142e6, -3.1042239693052764e6, -3038.166617199259,
                            1.8720322849093592e6, -7.309145012085539e6,  42738.22871475411,
                            467502.018616601,     -3.064853498512499e6};
constexpr FitRow kSigma4 = {-14621.71522218357,    -377812.8579387104,   -9608.682631509726,
                            -1.7108925257214056e6, 4.332924601416521e6,  -22366.683262266528,
                            -2.5019716386377467e6, 1.0274495902259542e7, -85360.30079034246,
                            -570025.3441737515,    4.396844346849777e6};
constexpr FitRow kBeta1 = {97.89747327985583,   -42.659730877489224, 153.48421037904913,
                           -1417.0620760768954, 2752.8614143665027,  138.7406469558649,
                           -1433.6585075135881, 2857.7418952430758,  41.025109467376126,
                           -423.680737974639,   850.3594335657173};
constexpr FitRow kBeta2 = {-3.282701958759534, -9.051384468245866,  -12.415449742258042,
                           55.4716447709787,   -106.05109938966335, -11.953044553690658,
                           76.80704618365418,  -155.33172948098394, -3.4129261592393263,
                           25.572377569952536, -54.408036707740465};
constexpr FitRow kBeta3 = {
    -0.000025156429818799565, 0.000019750256942201327, -0.000018370671469295915,
    0.000021886317041311973,  0.00008250240316860033,  7.157371250566708e-6,
    -0.000055780000112270685, 0.00019142082884072178,  5.447166261464217e-6,
    -0.00003220610095021982,  0.00007974016714984341};
constexpr FitRow kAlpha1 = {43.31514709695348,  638.6332679188081,  -32.85768747216059,
                            2415.8938269370315, -5766.875169379177, -61.85459307173841,
                            2953.967762459948,  -8986.29057591497,  -21.571435779762044,
                            981.2158224673428,  -3239.5664895930286};
constexpr FitRow kAlpha2 = {-0.07020209449091723, -0.16269798450687084, -0.1872514685185499,
                            1.138313650449945,    -2.8334196304430046,  -0.17137955686840617,
                            1.7197549338119527,   -4.539717148261272,   -0.049983437357548705,
                            0.6062072055948309,   -1.682769616644546};
constexpr FitRow kAlpha3 = {9.5988072383479,     -397.05438595557433, 16.202126189517813,
                            -1574.8286986717037, 3600.3410843831093,  27.092429659075467,
                            -1786.482357315139,  5152.919378666511,   11.175710130033895,
                            -577.7999423177481,  1808.730762932043};
constexpr FitRow kAlpha4 = {-0.02989487384493607, 1.4022106448583738, -0.07356049468633846,
                            0.8337006542278661,   0.2240008282397391, -0.055202870001177226,
                            0.5667186343606578,   0.7186931973380503, -0.015507437354325743,
                            0.15750322779277187,  0.21076815715176228};
constexpr FitRow kAlpha5 = {0.9974408278363099, -0.007884449714907203, -0.059046901195591035,
                            1.3958712396764088, -4.516631601676276,    -0.05585343136869692,
                            1.7516580039343603, -5.990208965347804,    -0.017945336522161195,
                            0.5965097794825992, -2.0608879367971804};

// Reduced spin χ_PN (Ajith 2011, arXiv:1107.1267 eq. 5.9), m1 >= m2.
double chi_pn(double eta, double chi1, double chi2) {
  const double delta = std::sqrt(1.0 - 4.0 * eta);
  const double chi_s = 0.5 * (chi1 + chi2);
  const double chi_a = 0.5 * (chi1 - chi2);
  return chi_s * (1.0 - eta * 76.0 / 113.0) + delta * chi_a;
}

// Natural cubic splines through the QNM table, built once per process (each build costs ~25 µs,
// more than evaluating a waveform on the 378 relative-binning nodes).
class QnmSplines {
 public:
  QnmSplines()
      : ringdown_(gsl_spline_alloc(gsl_interp_cspline, kQnmTableLength), &gsl_spline_free),
        damping_(gsl_spline_alloc(gsl_interp_cspline, kQnmTableLength), &gsl_spline_free) {
    gsl_spline_init(ringdown_.get(), kQnmFinalSpin.data(), kQnmRingdownFrequency.data(),
                    kQnmTableLength);
    gsl_spline_init(damping_.get(), kQnmFinalSpin.data(), kQnmDampingFrequency.data(),
                    kQnmTableLength);
  }
  // gsl_spline_eval with a null accelerator is a pure function: safe from any thread.
  double ringdown(double final_spin) const {
    return gsl_spline_eval(ringdown_.get(), final_spin, nullptr);
  }
  double damping(double final_spin) const {
    return gsl_spline_eval(damping_.get(), final_spin, nullptr);
  }

 private:
  std::unique_ptr<gsl_spline, decltype(&gsl_spline_free)> ringdown_;
  std::unique_ptr<gsl_spline, decltype(&gsl_spline_free)> damping_;
};

const QnmSplines& qnm_splines() {
  static const QnmSplines splines;
  return splines;
}

// Solves the 5×5 collocation system of the intermediate amplitude (arXiv:1508.07253 eqs. 21-26):
// value and slope at f1 and f3, value at f2.
std::array<double, 5> intermediate_amplitude_polynomial(double f1, double v1, double d1, double f2,
                                                        double v2, double f3, double v3,
                                                        double d3) {
  std::array<double, 25> matrix{};
  std::array<double, 5> rhs = {v1, d1, v2, v3, d3};
  // Powers by multiplication (std::pow costs ~20 ns, 25 times per binary).
  const auto value_row = [&](int row, double f) {
    double power = 1.0;
    for (int k = 0; k < 5; ++k) {
      matrix[static_cast<std::size_t>(row * 5 + k)] = power;
      power *= f;
    }
  };
  const auto slope_row = [&](int row, double f) {
    double power = 1.0;
    for (int k = 1; k < 5; ++k) {
      matrix[static_cast<std::size_t>(row * 5 + k)] = k * power;
      power *= f;
    }
  };
  value_row(0, f1);
  slope_row(1, f1);
  value_row(2, f2);
  value_row(3, f3);
  slope_row(4, f3);
  // Gaussian elimination with partial pivoting, on the stack (GSL's LU allocates).
  for (std::size_t column = 0; column < 5; ++column) {
    std::size_t pivot = column;
    for (std::size_t row = column + 1; row < 5; ++row) {
      if (std::abs(matrix[row * 5 + column]) > std::abs(matrix[pivot * 5 + column])) pivot = row;
    }
    if (pivot != column) {
      for (std::size_t k = 0; k < 5; ++k) std::swap(matrix[pivot * 5 + k], matrix[column * 5 + k]);
      std::swap(rhs[pivot], rhs[column]);
    }
    for (std::size_t row = column + 1; row < 5; ++row) {
      const double factor = matrix[row * 5 + column] / matrix[column * 5 + column];
      for (std::size_t k = column + 1; k < 5; ++k) {
        matrix[row * 5 + k] -= factor * matrix[column * 5 + k];
      }
      rhs[row] -= factor * rhs[column];
    }
  }
  std::array<double, 5> solution{};
  for (std::size_t column = 5; column-- > 0;) {
    double value = rhs[column];
    for (std::size_t k = column + 1; k < 5; ++k) value -= matrix[column * 5 + k] * solution[k];
    solution[column] = value / matrix[column * 5 + column];
  }
  return solution;
}

}  // namespace

double PhenomD::final_spin(double eta, double chi1, double chi2) {
  const double root = std::sqrt(1.0 - 4.0 * eta);
  const double m1 = 0.5 * (1.0 + root);
  const double m2 = 0.5 * (1.0 - root);
  const double s = m1 * m1 * chi1 + m2 * m2 * chi2;
  const double eta2 = eta * eta;
  return 3.4641016151377544 * eta - 4.399247300629289 * eta2 + 9.397292189321194 * eta2 * eta -
         13.180949901606242 * eta2 * eta2 +
         (1.0 - 0.0850917821418767 * eta - 5.837029316602263 * eta2) * s +
         (0.1014665242971878 * eta - 2.0967746996832157 * eta2) * s * s +
         (-1.3546806617824356 * eta + 4.108962025369336 * eta2) * s * s * s +
         (-0.8676969352555539 * eta + 2.064046835273906 * eta2) * s * s * s * s;
}

double PhenomD::radiated_energy(double eta, double chi1, double chi2) {
  const double root = std::sqrt(1.0 - 4.0 * eta);
  const double m1 = 0.5 * (1.0 + root);
  const double m2 = 0.5 * (1.0 - root);
  const double s = (m1 * m1 * chi1 + m2 * m2 * chi2) / (m1 * m1 + m2 * m2);
  const double eta2 = eta * eta;
  return (0.055974469826360077 * eta + 0.5809510763115132 * eta2 - 0.9606726679372312 * eta2 * eta +
          3.352411249771192 * eta2 * eta2) *
         (1.0 +
          (-0.0030302335878845507 - 2.0066110851351073 * eta + 7.7050567802399215 * eta2) * s) /
         (1.0 + (-0.6714403054720589 - 1.4756929437702908 * eta + 7.304676214885011 * eta2) * s);
}

RingdownFrequencies PhenomD::table_ringdown(double eta, double chi1, double chi2) {
  const double spin = final_spin(eta, chi1, chi2);
  require(spin <= 1.0, "IMRPhenomD: final spin {} > 1 is outside the model", spin);
  const double final_mass = 1.0 - radiated_energy(eta, chi1, chi2);
  return {qnm_splines().ringdown(spin) / final_mass, qnm_splines().damping(spin) / final_mass};
}

PhenomD::PhenomD(const BinaryParameters& parameters, double rho, double tau)
    : mode_rho_(rho), mode_tau_(tau) {
  const bool swap = parameters.m2 > parameters.m1;
  const double m1 = swap ? parameters.m2 : parameters.m1;
  const double m2 = swap ? parameters.m1 : parameters.m2;
  chi1_ = swap ? parameters.s2z : parameters.s1z;
  chi2_ = swap ? parameters.s1z : parameters.s2z;
  const double total = m1 + m2;
  eta_ = std::min(0.25, m1 * m2 / (total * total));
  inverse_eta_ = 1.0 / eta_;
  total_mass_seconds_ = total * kSolarMassSeconds;
  ringdown_ = table_ringdown(eta_, chi1_, chi2_);
  amplitude_scale_ = std::sqrt(2.0 / 3.0) * std::sqrt(eta_) / std::pow(kPi, 1.0 / 6.0);
  const double chi = chi_pn(eta_, chi1_, chi2_);

  const FitRow* rho_rows[3] = {&kRho1, &kRho2, &kRho3};
  const FitRow* gamma_rows[3] = {&kGamma1, &kGamma2, &kGamma3};
  const FitRow* sigma_rows[4] = {&kSigma1, &kSigma2, &kSigma3, &kSigma4};
  const FitRow* beta_rows[3] = {&kBeta1, &kBeta2, &kBeta3};
  const FitRow* alpha_rows[5] = {&kAlpha1, &kAlpha2, &kAlpha3, &kAlpha4, &kAlpha5};
  for (int k = 0; k < 3; ++k) rho_[k] = evaluate_fit(*rho_rows[k], eta_, chi);
  for (int k = 0; k < 3; ++k) gamma_[k] = evaluate_fit(*gamma_rows[k], eta_, chi);
  for (int k = 0; k < 4; ++k) sigma_[k] = evaluate_fit(*sigma_rows[k], eta_, chi);
  for (int k = 0; k < 3; ++k) beta_[k] = evaluate_fit(*beta_rows[k], eta_, chi);
  for (int k = 0; k < 5; ++k) alpha_[k] = evaluate_fit(*alpha_rows[k], eta_, chi);

  // PN amplitude re-expansion (arXiv:1508.07253 eq. 29 and appendix B), m1 >= m2.
  const double chi1 = chi1_;
  const double chi2 = chi2_;
  const double root = std::sqrt(1.0 - 4.0 * eta_);
  const double eta2 = eta_ * eta_;
  const double eta3 = eta2 * eta_;
  amplitude_pn_[0] = (-969.0 + 1804.0 * eta_) * std::pow(kPi, 2.0 / 3.0) / 672.0;
  amplitude_pn_[1] =
      (chi1 * (81.0 * (1.0 + root) - 44.0 * eta_) + chi2 * (81.0 - 81.0 * root - 44.0 * eta_)) *
      kPi / 48.0;
  amplitude_pn_[2] =
      (-27312085.0 - 10287648.0 * chi2 * chi2 - 10287648.0 * chi1 * chi1 * (1.0 + root) +
       10287648.0 * chi2 * chi2 * root +
       24.0 *
           (-1975055.0 + 857304.0 * chi1 * chi1 - 994896.0 * chi1 * chi2 + 857304.0 * chi2 * chi2) *
           eta_ +
       35371056.0 * eta2) *
      std::pow(kPi, 4.0 / 3.0) / 8.128512e6;
  amplitude_pn_[3] =
      std::pow(kPi, 5.0 / 3.0) *
      (chi2 *
           (-285197.0 * (-1.0 + root) + 4.0 * (-91902.0 + 1579.0 * root) * eta_ - 35632.0 * eta2) +
       chi1 * (285197.0 * (1.0 + root) - 4.0 * (91902.0 + 1579.0 * root) * eta_ - 35632.0 * eta2) +
       42840.0 * (-1.0 + 4.0 * eta_) * kPi) /
      32256.0;
  amplitude_pn_[4] =
      -(kPi * kPi *
        (-336.0 *
             (-3248849057.0 + 2943675504.0 * chi1 * chi1 - 3339284256.0 * chi1 * chi2 +
              2943675504.0 * chi2 * chi2) *
             eta2 -
         324322727232.0 * eta3 -
         7.0 * (-177520268561.0 + 107414046432.0 * chi2 * chi2 +
                107414046432.0 * chi1 * chi1 * (1.0 + root) - 107414046432.0 * chi2 * chi2 * root +
                11087290368.0 * (chi1 + chi2 + chi1 * root - chi2 * root) * kPi) +
         12.0 * eta_ *
             (-545384828789.0 - 176491177632.0 * chi1 * chi2 + 202603761360.0 * chi2 * chi2 +
              77616.0 * chi1 * chi1 * (2610335.0 + 995766.0 * root) -
              77287373856.0 * chi2 * chi2 * root + 5841690624.0 * (chi1 + chi2) * kPi +
              21384760320.0 * kPi * kPi))) /
      6.0085960704e10;

  // Amplitude peak (eq. 20; the square root is dropped when γ2 > 1, as in LAL).
  const double damping_gamma3 = ringdown_.damping * gamma_[2];
  ringdown_decay_ = gamma_[1] / damping_gamma3;
  peak_frequency_ =
      gamma_[1] <= 1.0
          ? std::abs(ringdown_.ringdown +
                     damping_gamma3 * (std::sqrt(1.0 - gamma_[1] * gamma_[1]) - 1.0) / gamma_[1])
          : std::abs(ringdown_.ringdown - damping_gamma3 / gamma_[1]);

  // Intermediate amplitude by collocation between the inspiral join and the peak.
  const double f1 = kAmplitudeInspiralJoin;
  const double f3 = peak_frequency_;
  const double f2 = 0.5 * (f1 + f3);
  const auto delta = intermediate_amplitude_polynomial(
      f1, inspiral_amplitude(f1, fast::cbrt(f1)), inspiral_amplitude_derivative(f1), f2,
      evaluate_fit(kV2, eta_, chi), f3, ringdown_amplitude_ansatz(f3),
      ringdown_amplitude_derivative(f3));
  std::copy(delta.begin(), delta.end(), delta_);

  // Inspiral phase: TaylorF2 without the 3PN spin-spin term (PhenomD was tuned without it).
  pn_ = pn_phasing(m1, m2, chi1_, chi2_, false);

  // C¹ joins of the phase at Mf = 0.018 and f_RD/2 (arXiv:1508.07253 §VIII).
  c1_intermediate_ = 0.0;
  c2_intermediate_ = 0.0;
  const double fi = kPhaseInspiralJoin;
  c2_intermediate_ = inspiral_phase_derivative(fi) - intermediate_phase_slope(fi);
  c1_intermediate_ = inspiral_phase(fi, fast::cbrt(fi), 1.0 / fast::cbrt(fi), fast::log(fi)) -
                     intermediate_phase_raw(fi, fast::log(fi)) - c2_intermediate_ * fi;
  join_ringdown_phase();
}

double PhenomD::intermediate_phase_slope(double mf) const {
  const double mf2 = mf * mf;
  return (beta_[0] + beta_[2] / (mf2 * mf2) + beta_[1] / mf) / eta_;
}

// The ringdown join constants for the current ρ and τ, with the intermediate phase (which
// includes c1_intermediate_ + c2_intermediate_ mf) as the left side.
void PhenomD::join_ringdown_phase() {
  atan_scale_ = 1.0 / (mode_rho_ * ringdown_.damping * mode_tau_);
  const double fr = 0.5 * ringdown_.ringdown;
  c2_ringdown_ = (intermediate_phase_slope(fr) + c2_intermediate_) -
                 ringdown_phase_slope(fr, mode_rho_, mode_tau_);
  c1_ringdown_ = intermediate_phase(fr, fast::log(fr)) - ringdown_phase(fr) - c2_ringdown_ * fr;
}

PhenomD PhenomD::widened(double rho, double tau) const {
  PhenomD model = *this;
  model.mode_rho_ = rho;
  model.mode_tau_ = tau;
  model.join_ringdown_phase();
  return model;
}

double PhenomD::inspiral_amplitude_derivative(double mf) const {
  const double third = fast::cbrt(mf);
  return (2.0 / 3.0) * amplitude_pn_[0] / third + amplitude_pn_[1] +
         (4.0 / 3.0) * amplitude_pn_[2] * third + (5.0 / 3.0) * amplitude_pn_[3] * third * third +
         2.0 * amplitude_pn_[4] * mf + (7.0 / 3.0) * rho_[0] * mf * third +
         (8.0 / 3.0) * rho_[1] * mf * third * third + 3.0 * rho_[2] * mf * mf;
}

double PhenomD::ringdown_amplitude_derivative(double mf) const {
  const double width = ringdown_.damping * gamma_[2];
  const double offset = mf - ringdown_.ringdown;
  const double lorentzian = offset * offset + width * width;
  const double value = ringdown_amplitude_ansatz(mf);
  return value * (-gamma_[1] / width - 2.0 * offset / lorentzian);
}

double PhenomD::amplitude(double mf) const {
  // amp0Func(η) (Mf)^{−7/6}, with (Mf)^{1/6} as √(Mf^{1/3}): cheaper than pow.
  const double third = fast::cbrt(mf);
  return amplitude_scale_ * amplitude_shape(mf, third) / (mf * std::sqrt(third));
}

double PhenomD::inspiral_phase_derivative(double mf) const {
  const double third = fast::cbrt(mf);
  const double v = kCbrtPi * third;
  return pn_phase_derivative(pn_, v) * kPi / (3.0 * v * v) +
         (sigma_[0] + sigma_[1] * third + sigma_[2] * third * third + sigma_[3] * mf) / eta_;
}

double PhenomD::ringdown_phase_slope(double mf, double rho, double tau) const {
  const double x = (mf - alpha_[4] * ringdown_.ringdown) / (ringdown_.damping * tau * rho);
  return (alpha_[0] + alpha_[1] / (mf * mf) + alpha_[2] / std::sqrt(std::sqrt(mf)) +
          alpha_[3] / (ringdown_.damping * tau * (1.0 + x * x))) /
         eta_;
}

// One region, with the functions (and roots) the loops use: the same values, less work.
double PhenomD::phase(double mf) const {
  if (mf < kPhenomDPhaseInspiralJoin) {
    double third = 0.0;
    double inverse_third = 0.0;
    fast::cbrt_and_inverse(mf, third, inverse_third);
    return inspiral_phase(mf, third, inverse_third, fast::log(mf));
  }
  if (mf >= 0.5 * ringdown_.ringdown) return ringdown_phase_at(mf, 1.0 / mf);
  return intermediate_phase_at(mf, 1.0 / mf, fast::log(mf));
}

double PhenomD::phase_derivative(double mf) const {
  if (mf < kPhaseInspiralJoin) return inspiral_phase_derivative(mf);
  if (mf >= 0.5 * ringdown_.ringdown)
    return ringdown_phase_slope(mf, mode_rho_, mode_tau_) + c2_ringdown_;
  return intermediate_phase_slope(mf) + c2_intermediate_;
}

PhenomD::Reference22 PhenomD::reference_22(const BinaryParameters& parameters) const {
  const double total_mass = total_mass_seconds_ / kSolarMassSeconds;
  const double distance_metres = parameters.distance * kMegaparsecMetres;
  Reference22 reference;
  // LAL: amp0 = 2 √(5/(64π)) M² MRSUN MTSUN / r; the (2,2) mode is √(16π/5) times the face-on h+.
  reference.scale = 2.0 * std::sqrt(5.0 / (64.0 * kPi)) * total_mass * kSolarMassMetres *
                    total_mass * kSolarMassSeconds / distance_metres * std::sqrt(16.0 * kPi / 5.0);
  reference.mf_reference = total_mass_seconds_ * parameters.f_ref;
  reference.phase = phase(reference.mf_reference);
  reference.t0 = peak_time();
  return reference;
}

void PhenomD::amplitude_phase_22(const Reference22& reference, std::span<const double> frequencies,
                                 double* amplitude, double* phase_out) const {
  const std::size_t n = frequencies.size();
  double mf[kBlock];
  double third[kBlock];
  double inverse_third[kBlock];
  double log_mf[kBlock];
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t count = std::min(kBlock, n - start);
    // Skip blocks that lie wholly outside 0 < Mf < 0.2.
    std::size_t in_band = 0;
    for (std::size_t k = 0; k < count; ++k) {
      mf[k] = total_mass_seconds_ * frequencies[start + k];
      in_band += ((mf[k] > 0.0) & (mf[k] < kPhenomDCutoff)) ? 1 : 0;
    }
    if (in_band == 0) {
      std::fill(amplitude + start, amplitude + start + count, 0.0);
      std::fill(phase_out + start, phase_out + start + count, 0.0);
      continue;
    }
    cube_roots({mf, count}, third, inverse_third);
    logarithms({mf, count}, log_mf);
    double* __restrict amplitude_block = amplitude + start;
    double* __restrict phase_block = phase_out + start;
    // No branches or calls: vectorised. The local copy of the model lets GCC load coefficients
    // unconditionally (see PhenomHM::general_amplitude_phase).
    const PhenomD model = *this;
    const Reference22 ref = reference;
    for (std::size_t k = 0; k < count; ++k) {
      const double x = mf[k];
      const double t = third[k];
      const double it = inverse_third[k];
      const double phi =
          model.phase(x, t, it, log_mf[k]) - ref.t0 * (x - ref.mf_reference) - ref.phase;
      // amp0Func a(Mf) Mf^{−7/6}, Mf^{−7/6} = (Mf^{−1/3})³ √(Mf^{−1/3})
      const double a = ref.scale * (model.amplitude_scale_ * model.amplitude_shape(x, t) *
                                    (it * it * it * fast::sqrt_core(it)));
      const bool inside = (x > 0.0) & (x < kPhenomDCutoff);
      phase_block[k] = inside ? phi : 0.0;
      amplitude_block[k] = inside ? a : 0.0;
    }
  }
}

void PhenomD::mode_22(const BinaryParameters& parameters, std::span<const double> frequencies,
                      std::span<std::complex<double>> out) const {
  const Reference22 reference = reference_22(parameters);
  double amplitude[kBlock];
  double phase_values[kBlock];
  for (std::size_t start = 0; start < frequencies.size(); start += kBlock) {
    const std::size_t count = std::min(kBlock, frequencies.size() - start);
    amplitude_phase_22(reference, frequencies.subspan(start, count), amplitude, phase_values);
    store_mode({amplitude, count}, {phase_values, count}, out.subspan(start, count));
  }
}

}  // namespace dotpe::waveform
