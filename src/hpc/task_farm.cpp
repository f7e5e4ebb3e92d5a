#include "dotpe/hpc/task_farm.hpp"

#include <fmt/format.h>
#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <boost/serialization/vector.hpp>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <thread>

#include "dotpe/core/log.hpp"
#include "dotpe/core/memory.hpp"
#include "dotpe/core/timer.hpp"
#include "messaging.hpp"

namespace dotpe::hpc {
namespace {

using detail::decode_task;
using detail::encode_task;
using detail::Message;
using detail::receive;
using detail::send;

// Message tags of the farm protocol.
enum Tag : int {
  kTaskTag = 101,
  kStopTag = 102,
  kResultTag = 103,
  kErrorTag = 104,
  kDoneTag = 105
};

// Tasks kept in flight per worker: the one it computes and the next one, already in its queue,
// so that a worker never waits for a round trip to the coordinator.
constexpr std::size_t kTasksInFlightPerWorker = 2;

std::string encode_id(std::uint64_t id) {
  return std::string(reinterpret_cast<const char*>(&id), 8);
}

std::uint64_t decode_id(const std::string& payload) {
  std::uint64_t id = 0;
  std::memcpy(&id, payload.data(), 8);
  return id;
}

// Progress on rank 0: a live line on a terminal, a log line every 10 s otherwise.
class Progress {
 public:
  Progress(std::string stage, std::size_t total)
      : stage_(std::move(stage)), total_(total), terminal_(isatty(STDERR_FILENO) != 0) {}
  void update(std::size_t done) {
    const double elapsed = timer_.seconds();
    const bool finished = done == total_;
    if (!finished && elapsed - last_report_ < (terminal_ ? 0.5 : 10.0)) return;
    last_report_ = elapsed;
    const double rate = static_cast<double>(done) / std::max(elapsed, 1e-9);
    const double eta = rate > 0.0 ? static_cast<double>(total_ - done) / rate : 0.0;
    const std::string line =
        fmt::format("{}: {}/{} tasks ({:.0f}%), {:.1f} tasks/s, ETA {:.0f} s", stage_, done, total_,
                    100.0 * static_cast<double>(done) / static_cast<double>(total_), rate, eta);
    if (terminal_ && log::level() <= log::Level::info) {
      fmt::print(stderr, "\r{}{}", line, finished ? "\n" : "");
      std::fflush(stderr);
    } else if (finished || elapsed >= 10.0) {
      log::info("{}", line);
    }
  }

 private:
  std::string stage_;
  std::size_t total_;
  bool terminal_;
  WallTimer timer_;
  double last_report_ = -1e9;
};

struct Coordinator {
  const std::vector<Task>& tasks;
  const std::function<void(const Task&, std::string&&)>& merge;
  StageProfile::Rank& profile;
  int size;

  // Returns the failure message, if a task failed.
  std::optional<std::string> run(const std::string& stage) {
    Progress progress(stage, tasks.size());
    std::size_t next_task = 0;
    std::size_t next_merge = 0;
    std::map<std::size_t, std::string> ready;  // reorder buffer
    const auto hand_out = [&](int worker) {
      if (next_task == tasks.size()) return;
      send(MPI_COMM_WORLD, worker, kTaskTag, encode_task(tasks[next_task++]), &profile.bytes_sent);
    };
    for (std::size_t round = 0; round < kTasksInFlightPerWorker; ++round) {
      for (int worker = 1; worker < size; ++worker) hand_out(worker);
    }
    while (next_merge < tasks.size()) {
      Message message = receive(MPI_COMM_WORLD, MPI_ANY_SOURCE, &profile.bytes_received);
      const std::uint64_t id = decode_id(message.payload);
      if (message.tag == kErrorTag) {
        return fmt::format("task {} (units {}-{}) failed on rank {}: {}", id, tasks[id].first_unit,
                           tasks[id].first_unit + tasks[id].unit_count - 1, message.source,
                           message.payload.substr(8));
      }
      hand_out(message.source);
      ready.emplace(id, message.payload.substr(8));
      const WallTimer merging;
      for (auto found = ready.find(next_merge); found != ready.end();
           found = ready.find(next_merge)) {
        try {
          merge(tasks[next_merge], std::move(found->second));
        } catch (const std::exception& error) {
          // The workers must still be stopped: report it like a failed task.
          return fmt::format("merging task {} on rank 0 failed: {}", next_merge, error.what());
        }
        ready.erase(found);
        ++next_merge;
        profile.tasks += 1.0;
      }
      profile.busy_seconds += merging.seconds();
      progress.update(next_merge);
    }
    return std::nullopt;
  }

  // Stops every worker and drains what they still send, so that no rank is left blocked.
  void shut_down(const std::optional<std::string>& failure) {
    const std::string stop = encode_id(failure ? 1 : 0) + failure.value_or("");
    for (int worker = 1; worker < size; ++worker)
      send(MPI_COMM_WORLD, worker, kStopTag, stop, &profile.bytes_sent);
    int done = 0;
    while (done < size - 1) {
      if (receive(MPI_COMM_WORLD, MPI_ANY_SOURCE, &profile.bytes_received).tag == kDoneTag) ++done;
    }
  }
};

// Returns the failure message the coordinator sent with its stop, if any.
std::optional<std::string> run_worker(const std::function<std::string(const Task&)>& compute,
                                      StageProfile::Rank& profile) {
  bool failed_here = false;
  while (true) {
    const Message message = receive(MPI_COMM_WORLD, 0, &profile.bytes_received);
    if (message.tag == kStopTag) {
      send(MPI_COMM_WORLD, 0, kDoneTag, encode_id(0), &profile.bytes_sent);
      if (decode_id(message.payload) == 0) return std::nullopt;
      return message.payload.substr(8);
    }
    const Task task = decode_task(message.payload);
    if (failed_here) continue;  // after a failure, wait for the stop
    const WallTimer computing;
    try {
      const std::string result = compute(task);
      profile.busy_seconds += computing.seconds();
      profile.tasks += 1.0;
      send(MPI_COMM_WORLD, 0, kResultTag, encode_id(task.id) + result, &profile.bytes_sent);
    } catch (const std::exception& error) {
      failed_here = true;
      send(MPI_COMM_WORLD, 0, kErrorTag, encode_id(task.id) + error.what(), &profile.bytes_sent);
    }
  }
}

}  // namespace

std::vector<Task> make_tasks(std::size_t n_units, std::size_t batches_per_task) {
  require(batches_per_task > 0, "--batches-per-task must be positive");
  std::vector<Task> tasks;
  for (std::size_t first = 0; first < n_units; first += batches_per_task) {
    tasks.push_back({tasks.size(), first, std::min(batches_per_task, n_units - first)});
  }
  return tasks;
}

TaskFarm::TaskFarm(const HPCConfig& config) : config_(config) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized != 0) {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  config_.check_world_size(size_);
}

StageProfile TaskFarm::run_serialized(const std::string& stage, std::size_t n_units,
                                      const std::function<Bytes(const Task&)>& compute,
                                      const std::function<void(const Task&, Bytes&&)>& merge) {
  const std::vector<Task> tasks =
      make_tasks(n_units, static_cast<std::size_t>(config_.batches_per_task));
  StageProfile profile{stage, tasks.size(), {}};
  StageProfile::Rank mine;
  const WallTimer wall;
  const CpuTimer cpu;
  std::optional<std::string> failure;
  if (size_ == 1) {
    Progress progress(stage, tasks.size());
    for (const Task& task : tasks) {
      const WallTimer computing;
      try {
        merge(task, compute(task));
      } catch (const std::exception& error) {
        throw FarmAborted(
            fmt::format("task {} (units {}-{}) failed on rank 0: {}", task.id, task.first_unit,
                        task.first_unit + task.unit_count - 1, error.what()),
            true);
      }
      mine.busy_seconds += computing.seconds();
      mine.tasks += 1.0;
      progress.update(task.id + 1);
    }
  } else if (is_coordinator()) {
    Coordinator coordinator{tasks, merge, mine, size_};
    failure = coordinator.run(stage);
    coordinator.shut_down(failure);
  } else {
    failure = run_worker(compute, mine);
  }
  mine.wall_seconds = wall.seconds();
  mine.cpu_seconds = cpu.seconds();
  mine.peak_rss_bytes = static_cast<double>(peak_rss_bytes());

  constexpr int kFields = 7;
  const double fields[kFields] = {mine.wall_seconds,  mine.busy_seconds, mine.cpu_seconds,
                                  mine.tasks,         mine.bytes_sent,   mine.bytes_received,
                                  mine.peak_rss_bytes};
  std::vector<double> gathered(static_cast<std::size_t>(kFields * size_));
  if (size_ > 1) {
    MPI_Gather(fields, kFields, MPI_DOUBLE, gathered.data(), kFields, MPI_DOUBLE, 0,
               MPI_COMM_WORLD);
  } else {
    std::copy(fields, fields + kFields, gathered.begin());
  }
  if (is_coordinator()) {
    for (int r = 0; r < size_; ++r) {
      const double* row = gathered.data() + kFields * r;
      profile.ranks.push_back({row[0], row[1], row[2], row[3], row[4], row[5], row[6]});
    }
  }
  if (failure) throw FarmAborted(*failure, is_coordinator());
  return profile;
}

void TaskFarm::broadcast_bytes(Bytes& bytes) const {
  std::uint64_t length = bytes.size();
  MPI_Bcast(&length, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
  bytes.resize(length);
  MPI_Bcast(bytes.data(), static_cast<int>(length), MPI_CHAR, 0, MPI_COMM_WORLD);
}

nlohmann::json StageProfile::to_json() const {
  nlohmann::json per_rank = nlohmann::json::array();
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    const Rank& rank = ranks[r];
    per_rank.push_back({{"rank", r},
                        {"wall_seconds", rank.wall_seconds},
                        {"busy_seconds", rank.busy_seconds},
                        {"idle_seconds", rank.wall_seconds - rank.busy_seconds},
                        {"cpu_seconds", rank.cpu_seconds},
                        {"tasks", rank.tasks},
                        {"bytes_sent", rank.bytes_sent},
                        {"bytes_received", rank.bytes_received},
                        {"peak_rss_bytes", rank.peak_rss_bytes}});
  }
  return {{"stage", stage}, {"tasks", tasks}, {"ranks", per_rank}};
}

std::string StageProfile::table() const {
  std::string text =
      fmt::format("{}: {} tasks\n{:>5} {:>9} {:>9} {:>9} {:>7} {:>9} {:>9} {:>9}\n", stage, tasks,
                  "rank", "wall s", "busy s", "idle s", "tasks", "sent MB", "recv MB", "RSS MB");
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    const Rank& rank = ranks[r];
    text += fmt::format("{:>5} {:>9.3f} {:>9.3f} {:>9.3f} {:>7.0f} {:>9.2f} {:>9.2f} {:>9.1f}\n", r,
                        rank.wall_seconds, rank.busy_seconds, rank.wall_seconds - rank.busy_seconds,
                        rank.tasks, rank.bytes_sent / 1e6, rank.bytes_received / 1e6,
                        rank.peak_rss_bytes / 1e6);
  }
  return text;
}

std::vector<double> farm_values(TaskFarm& farm, const std::string& stage, std::size_t n,
                                std::size_t chunk, const std::function<double(std::size_t)>& f) {
  require(chunk > 0, "farm_values: the chunk size must be positive");
  std::vector<double> values(n, 0.0);
  farm.run<std::vector<double>>(
      stage, (n + chunk - 1) / chunk,
      [&](const Task& task) {
        std::vector<double> part;
        const std::size_t end = std::min(n, (task.first_unit + task.unit_count) * chunk);
        for (std::size_t i = task.first_unit * chunk; i < end; ++i) part.push_back(f(i));
        return part;
      },
      [&](const Task& task, std::vector<double>&& part) {
        std::copy(part.begin(), part.end(),
                  values.begin() + static_cast<std::ptrdiff_t>(task.first_unit * chunk));
      });
  farm.broadcast(values);
  return values;
}

}  // namespace dotpe::hpc
