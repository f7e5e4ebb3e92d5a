// The task farm: rank 0 hands out tasks dynamically to worker ranks and merges their results in
// task order (DESIGN.md §3, §5). A stage is "a number of work units, a pure function from a task
// (batches_per_task consecutive units) to a result, and a merge"; it never sees MPI:
//
//   hpc::TaskFarm farm(config);
//   std::vector<double> lnlike;                                  // filled on rank 0
//   farm.run<std::vector<double>>("incoherent", n_batches,
//       [&](const hpc::Task& task) { return score(task.first_unit, task.unit_count); },
//       [&](const hpc::Task&, std::vector<double>&& part) { append(lnlike, part); });
//
// Results travel as Boost.Serialization binary archives (include the serialization headers of
// the types you use). With one rank, tasks run in-process, in order, with no MPI traffic. The
// merged result depends only on the units, never on the world size, the arrival order or
// batches_per_task, as long as compute() treats the units of a task independently.
#pragma once

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "dotpe/core/error.hpp"
#include "dotpe/hpc/hpc_config.hpp"

namespace dotpe::hpc {

struct Task {
  std::size_t id = 0;          // position in the stage's task order
  std::size_t first_unit = 0;  // units [first_unit, first_unit + unit_count)
  std::size_t unit_count = 0;
};

// Thrown on every rank when a task failed on some worker. On rank 0 its message names the
// task and the rank; the other ranks carry the same message but should not print it again.
class FarmAborted : public Error {
 public:
  FarmAborted(const std::string& message, bool on_coordinator)
      : Error(message), on_coordinator_(on_coordinator) {}
  bool on_coordinator() const { return on_coordinator_; }

 private:
  bool on_coordinator_;
};

// Timings of one stage, per rank (gathered on rank 0).
struct StageProfile {
  struct Rank {
    double wall_seconds = 0.0;
    double busy_seconds = 0.0;  // computing (workers) or merging (coordinator)
    double cpu_seconds = 0.0;   // process CPU time during the stage
    double tasks = 0.0;
    double bytes_sent = 0.0;
    double bytes_received = 0.0;
    double peak_rss_bytes = 0.0;
  };
  std::string stage;
  std::size_t tasks = 0;
  std::vector<Rank> ranks;  // index = rank; complete on rank 0 only

  nlohmann::json to_json() const;
  // One line per rank: wall, busy, idle, tasks, MB sent/received, peak RSS.
  std::string table() const;
};

class TaskFarm {
 public:
  explicit TaskFarm(const HPCConfig& config);

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_coordinator() const { return rank_ == 0; }
  const HPCConfig& config() const { return config_; }

  template <typename Result>
  StageProfile run(const std::string& stage, std::size_t n_units,
                   const std::function<Result(const Task&)>& compute,
                   const std::function<void(const Task&, Result&&)>& merge);

  // Sends rank 0's `value` to every rank (read-only inputs, once per stage).
  template <typename T>
  void broadcast(T& value) const;

 private:
  using Bytes = std::string;
  StageProfile run_serialized(const std::string& stage, std::size_t n_units,
                              const std::function<Bytes(const Task&)>& compute,
                              const std::function<void(const Task&, Bytes&&)>& merge);
  void broadcast_bytes(Bytes& bytes) const;

  HPCConfig config_;
  int rank_ = 0;
  int size_ = 1;
};

// f(0..n-1) evaluated on the farm in units of `chunk` consecutive indices; every rank receives
// all values in index order (the result does not depend on the world size). Collective.
std::vector<double> farm_values(TaskFarm& farm, const std::string& stage, std::size_t n,
                                std::size_t chunk, const std::function<double(std::size_t)>& f);

// The tasks of a stage: consecutive runs of batches_per_task units, in order.
std::vector<Task> make_tasks(std::size_t n_units, std::size_t batches_per_task);

namespace detail {
template <typename T>
std::string serialize(const T& value) {
  std::ostringstream stream(std::ios::binary);
  {
    boost::archive::binary_oarchive archive(stream, boost::archive::no_header);
    archive << value;
  }
  return stream.str();
}
template <typename T>
T deserialize(const std::string& bytes) {
  std::istringstream stream(bytes, std::ios::binary);
  boost::archive::binary_iarchive archive(stream, boost::archive::no_header);
  T value;
  archive >> value;
  return value;
}
}  // namespace detail

template <typename Result>
StageProfile TaskFarm::run(const std::string& stage, std::size_t n_units,
                           const std::function<Result(const Task&)>& compute,
                           const std::function<void(const Task&, Result&&)>& merge) {
  if (size_ == 1) {
    // In-process: same tasks, same order, no serialization.
    return run_serialized(
        stage, n_units,
        [&](const Task& task) {
          merge(task, compute(task));
          return Bytes();
        },
        [](const Task&, Bytes&&) {});
  }
  return run_serialized(
      stage, n_units, [&](const Task& task) { return detail::serialize(compute(task)); },
      [&](const Task& task, Bytes&& bytes) { merge(task, detail::deserialize<Result>(bytes)); });
}

template <typename T>
void TaskFarm::broadcast(T& value) const {
  if (size_ == 1) return;
  Bytes bytes = is_coordinator() ? detail::serialize(value) : Bytes();
  broadcast_bytes(bytes);
  if (!is_coordinator()) value = detail::deserialize<T>(bytes);
}

}  // namespace dotpe::hpc
