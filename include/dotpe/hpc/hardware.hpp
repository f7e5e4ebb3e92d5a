// The hardware signature of this machine: what decides which HPC configuration is fastest here
// (CPU model, cores, caches, ISA, BLAS build, dotpe version). Autotuned configurations are
// cached per signature, so a different machine type, BLAS or dotpe version tunes afresh.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dotpe::hpc {

struct HardwareSignature {
  std::string cpu_model;
  int cores = 0;                       // online logical CPUs of the machine
  std::vector<std::string> caches;     // e.g. "L1d 32K", "L2 512K", "L3 32768K"
  std::vector<std::string> isa_flags;  // the SIMD extensions the kernels can use
  std::string blas;                    // back end, version and build (openblas_get_config)
  std::string dotpe_version;

  nlohmann::json to_json() const;
  static HardwareSignature from_json(const nlohmann::json& json);
  // 16 hex digits, a hash of every field: equal signatures, equal keys.
  std::string key() const;
};

// Reads /proc/cpuinfo and /sys/devices/system/cpu (Linux); fields it cannot read stay empty.
HardwareSignature detect_hardware();

}  // namespace dotpe::hpc
