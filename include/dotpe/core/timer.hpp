// Wall-clock and process-CPU timers; both start when constructed.
#pragma once

#include <chrono>

namespace dotpe {

class WallTimer {
 public:
  WallTimer() : start_(std::chrono::steady_clock::now()) {}
  void restart() { start_ = std::chrono::steady_clock::now(); }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// CPU time of the whole process (all threads), in seconds.
double process_cpu_seconds();

class CpuTimer {
 public:
  CpuTimer() : start_(process_cpu_seconds()) {}
  void restart() { start_ = process_cpu_seconds(); }
  double seconds() const { return process_cpu_seconds() - start_; }

 private:
  double start_;
};

}  // namespace dotpe
