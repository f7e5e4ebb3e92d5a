// measure_stage: one stage of a candidate configuration on the first n_procs + 1 ranks. It runs
// on a sub-communicator so that one job can measure every candidate up to its own size; the
// protocol is TaskFarm's (rank 0 hands out tasks dynamically, two in flight per worker, waits
// with back-off instead of spinning), so the measured rate includes the farm's overheads.
#include <fmt/format.h>
#include <malloc.h>
#include <mpi.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"
#include "dotpe/core/memory.hpp"
#include "dotpe/core/timer.hpp"
#include "dotpe/hpc/autotune.hpp"
#include "messaging.hpp"

namespace dotpe::hpc {
namespace {

using detail::decode_task;
using detail::encode_task;
using detail::Message;
using detail::receive;
using detail::send;

enum Tag : int {
  kTaskTag = 201,
  kStopTag = 202,
  kResultTag = 203,
  kErrorTag = 204,
  kDoneTag = 205
};
constexpr std::size_t kTasksInFlightPerWorker = 2;

// MPI_Comm_split's communicator, freed when it goes out of scope.
class SubCommunicator {
 public:
  SubCommunicator(int colour, int key) { MPI_Comm_split(MPI_COMM_WORLD, colour, key, &comm_); }
  ~SubCommunicator() {
    if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
  }
  SubCommunicator(const SubCommunicator&) = delete;
  SubCommunicator& operator=(const SubCommunicator&) = delete;
  MPI_Comm get() const { return comm_; }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
};

// Starts a new peak-RSS window: memory a previous candidate freed goes back to the system and
// the kernel's high-water mark is reset to the current RSS (Linux ≥ 4.0).
void reset_peak_rss() {
  malloc_trim(0);
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
}

// VmHWM, the peak since reset_peak_rss; the process peak where /proc is unavailable.
double window_peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return 1024.0 * std::stod(line.substr(6));
  }
  return static_cast<double>(peak_rss_bytes());
}

struct Outcome {
  StageMeasurement measurement;
  std::string failure;
};

Outcome run_in_process(std::size_t n_units, std::int64_t batches_per_task,
                       const std::function<std::string(const Task&)>& compute) {
  reset_peak_rss();
  Outcome outcome;
  const WallTimer wall;
  for (const Task& task : make_tasks(n_units, static_cast<std::size_t>(batches_per_task))) {
    try {
      (void)compute(task);
    } catch (const std::exception& error) {
      outcome.failure = fmt::format("task {} failed: {}", task.id, error.what());
      return outcome;
    }
  }
  outcome.measurement.wall_seconds = wall.seconds();
  outcome.measurement.peak_rss_bytes_per_worker = window_peak_rss_bytes();
  return outcome;
}

Outcome coordinate(MPI_Comm comm, int size, std::size_t n_units, std::int64_t batches_per_task) {
  const std::vector<Task> tasks = make_tasks(n_units, static_cast<std::size_t>(batches_per_task));
  Outcome outcome;
  std::size_t next = 0;
  const auto hand_out = [&](int worker) {
    if (next < tasks.size()) send(comm, worker, kTaskTag, encode_task(tasks[next++]));
  };
  const WallTimer wall;
  for (std::size_t round = 0; round < kTasksInFlightPerWorker; ++round) {
    for (int worker = 1; worker < size; ++worker) hand_out(worker);
  }
  for (std::size_t done = 0; done < tasks.size(); ++done) {
    const Message message = receive(comm, MPI_ANY_SOURCE);
    if (message.tag == kErrorTag) {
      outcome.failure = fmt::format("rank {}: {}", message.source, message.payload);
      break;
    }
    hand_out(message.source);
  }
  outcome.measurement.wall_seconds = wall.seconds();
  for (int worker = 1; worker < size; ++worker) send(comm, worker, kStopTag, "");
  for (int stopped = 0; stopped < size - 1;) {
    if (receive(comm, MPI_ANY_SOURCE).tag == kDoneTag) ++stopped;
  }
  return outcome;
}

void work(MPI_Comm comm, const std::function<std::string(const Task&)>& compute) {
  bool failed = false;
  while (true) {
    const Message message = receive(comm, 0);
    if (message.tag == kStopTag) break;
    if (failed) continue;  // after a failure, wait for the stop
    try {
      send(comm, 0, kResultTag, compute(decode_task(message.payload)));
    } catch (const std::exception& error) {
      failed = true;
      send(comm, 0, kErrorTag, error.what());
    }
  }
  send(comm, 0, kDoneTag, "");
}

Outcome run_on_ranks(int participants, std::size_t n_units, std::int64_t batches_per_task,
                     const std::function<std::string(const Task&)>& compute) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const bool participating = rank < participants;
  const SubCommunicator group(participating ? 0 : MPI_UNDEFINED, rank);
  Outcome outcome;
  if (!participating) return outcome;
  reset_peak_rss();
  if (rank == 0) {
    outcome = coordinate(group.get(), participants, n_units, batches_per_task);
  } else {
    work(group.get(), compute);
  }
  // The coordinator's own memory is not a worker's: it reports 0.
  const double peak = rank == 0 ? 0.0 : window_peak_rss_bytes();
  double largest = 0.0;
  MPI_Reduce(&peak, &largest, 1, MPI_DOUBLE, MPI_MAX, 0, group.get());
  outcome.measurement.peak_rss_bytes_per_worker = largest;
  return outcome;
}

// Rank 0's outcome to every rank of the job.
void broadcast(Outcome& outcome) {
  std::array<double, 3> fields = {outcome.measurement.wall_seconds,
                                  outcome.measurement.peak_rss_bytes_per_worker,
                                  static_cast<double>(outcome.failure.size())};
  MPI_Bcast(fields.data(), 3, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  outcome.measurement.wall_seconds = fields[0];
  outcome.measurement.peak_rss_bytes_per_worker = fields[1];
  outcome.failure.resize(static_cast<std::size_t>(fields[2]));
  MPI_Bcast(outcome.failure.data(), static_cast<int>(outcome.failure.size()), MPI_CHAR, 0,
            MPI_COMM_WORLD);
}

}  // namespace

std::optional<StageMeasurement> measure_stage(
    const HPCConfig& candidate, std::size_t n_units,
    const std::function<std::string(const Task&)>& compute) {
  candidate.validate();
  int rank = 0;
  int size = 1;
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized != 0) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
  if (candidate.n_procs != 0 && candidate.n_procs + 1 > size) return std::nullopt;
  Outcome outcome;
  if (size == 1) {
    outcome = run_in_process(n_units, candidate.batches_per_task, compute);
  } else {
    const int participants = candidate.n_procs == 0 ? size : candidate.n_procs + 1;
    outcome = run_on_ranks(participants, n_units, candidate.batches_per_task, compute);
    broadcast(outcome);
  }
  if (!outcome.failure.empty()) {
    throw FarmAborted(fmt::format("autotune: a benchmark task failed on {}", outcome.failure),
                      rank == 0);
  }
  StageMeasurement measurement = outcome.measurement;
  measurement.units = n_units;
  measurement.units_per_second =
      static_cast<double>(n_units) / std::max(measurement.wall_seconds, 1e-9);
  return measurement;
}

}  // namespace dotpe::hpc
