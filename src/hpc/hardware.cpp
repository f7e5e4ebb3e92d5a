#include "dotpe/hpc/hardware.hpp"

#include <cblas.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "dotpe/core/version.hpp"

namespace dotpe::hpc {
namespace {

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
}

std::string read_line(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::string line;
  std::getline(file, line);
  return trim(line);
}

// The first value of `key` in /proc/cpuinfo ("model name" on x86, "CPU part" and friends
// elsewhere).
std::string cpuinfo_value(const std::string& key) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    const auto colon = line.find(':');
    if (colon != std::string::npos && trim(line.substr(0, colon)) == key) {
      return trim(line.substr(colon + 1));
    }
  }
  return "";
}

// The machine's CPUs, not this process's affinity mask: a job step bound to a few cores (srun,
// mpirun --bind-to) must find the configuration tuned for the same node.
int online_cores() {
  const long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<int>(online)
                    : static_cast<int>(std::thread::hardware_concurrency());
}

std::vector<std::string> cache_sizes() {
  std::vector<std::string> caches;
  const std::filesystem::path root = "/sys/devices/system/cpu/cpu0/cache";
  for (int index = 0; index < 8; ++index) {
    const auto dir = root / fmt::format("index{}", index);
    if (!std::filesystem::exists(dir)) break;
    const std::string type = read_line(dir / "type");
    const std::string suffix = type == "Data" ? "d" : type == "Instruction" ? "i" : "";
    caches.push_back(
        fmt::format("L{}{} {}", read_line(dir / "level"), suffix, read_line(dir / "size")));
  }
  return caches;
}

// Only the SIMD extensions that change kernel speed: the full flag list also holds
// microcode-level bits that differ between otherwise identical nodes.
std::vector<std::string> simd_flags() {
  static const std::set<std::string> relevant = {
      "sse4_2",   "avx",         "avx2",        "fma",      "avx512f", "avx512dq", "avx512vl",
      "avx512bw", "avx512_bf16", "avx512_fp16", "amx_tile", "asimd",   "sve",      "sve2"};
  std::string flags = cpuinfo_value("flags");
  if (flags.empty()) flags = cpuinfo_value("Features");  // aarch64
  std::istringstream words(flags);
  std::vector<std::string> found;
  for (std::string word; words >> word;) {
    if (relevant.count(word) != 0U) found.push_back(word);
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace

nlohmann::json HardwareSignature::to_json() const {
  return {{"cpu_model", cpu_model}, {"cores", cores}, {"caches", caches},
          {"isa_flags", isa_flags}, {"blas", blas},   {"dotpe_version", dotpe_version}};
}

HardwareSignature HardwareSignature::from_json(const nlohmann::json& json) {
  HardwareSignature signature;
  signature.cpu_model = json.at("cpu_model").get<std::string>();
  signature.cores = json.at("cores").get<int>();
  signature.caches = json.at("caches").get<std::vector<std::string>>();
  signature.isa_flags = json.at("isa_flags").get<std::vector<std::string>>();
  signature.blas = json.at("blas").get<std::string>();
  signature.dotpe_version = json.at("dotpe_version").get<std::string>();
  return signature;
}

std::string HardwareSignature::key() const {
  // nlohmann::json sorts object keys, so the dump is canonical.
  return fmt::format("{:016x}", fnv1a(to_json().dump()));
}

HardwareSignature detect_hardware() {
  HardwareSignature signature;
  signature.cpu_model = cpuinfo_value("model name");
  if (signature.cpu_model.empty()) {
    signature.cpu_model = trim(cpuinfo_value("CPU implementer") + " " + cpuinfo_value("CPU part"));
  }
  signature.cores = online_cores();
  signature.caches = cache_sizes();
  signature.isa_flags = simd_flags();
  signature.blas = trim(openblas_get_config());
  signature.dotpe_version = version();
  return signature;
}

}  // namespace dotpe::hpc
