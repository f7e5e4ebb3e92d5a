// RAII for FFTW's buffers and plans, shared by the likelihood module's transforms.
#pragma once

#include <fftw3.h>

#include <memory>

namespace dotpe::likelihood {

struct FftwFree {
  void operator()(void* pointer) const { fftw_free(pointer); }
};
struct FftwPlanDestroy {
  void operator()(fftw_plan_s* plan) const { fftw_destroy_plan(plan); }
};
using FftwComplexBuffer = std::unique_ptr<fftw_complex[], FftwFree>;
using FftwRealBuffer = std::unique_ptr<double[], FftwFree>;
using FftwPlan = std::unique_ptr<fftw_plan_s, FftwPlanDestroy>;

}  // namespace dotpe::likelihood
