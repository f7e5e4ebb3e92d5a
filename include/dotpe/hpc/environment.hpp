// The MPI environment of a dotpe process. Create one Environment at the start of main() (RAII:
// MPI is finalised when it goes out of scope); every rank then pins its math libraries to one
// thread and prefixes its log lines with its rank.
#pragma once

#include <memory>
#include <string>

namespace dotpe::hpc {

class Environment {
 public:
  Environment(int& argc, char**& argv);
  Environment();  // for subcommands, which do not see main's argv
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_coordinator() const { return rank_ == 0; }
  // Ends the whole job at once (every rank) with the exit code: for failures that a rank cannot
  // report through the task farm.
  [[noreturn]] void abort(int exit_code) const;

 private:
  void set_up();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int rank_ = 0;
  int size_ = 1;
};

// Sets OpenBLAS, Eigen and OpenMP to one thread (workers are single-threaded ranks, whatever
// the environment says); returns a one-line description of what was found and set.
std::string pin_math_threads_to_one();

}  // namespace dotpe::hpc
