// Dispatch throughput of the task farm's coordinator: empty tasks, many ranks.
//   mpirun -n 16 --oversubscribe build/bench/taskfarm_bench [tasks]
// Prints tasks/s and the coordinator overhead this implies for 128 workers with 10 ms tasks.
#include <fmt/format.h>
#include <mpi.h>

#include <boost/mpi/environment.hpp>
#include <cstdlib>
#include <vector>

#include "dotpe/core/timer.hpp"
#include "dotpe/hpc/task_farm.hpp"

int main(int argc, char** argv) {
  const boost::mpi::environment environment(argc, argv);
  const std::size_t tasks = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  dotpe::hpc::TaskFarm farm(dotpe::hpc::HPCConfig{});
  std::vector<double> medians;
  for (int repeat = 0; repeat < 3; ++repeat) {
    MPI_Barrier(MPI_COMM_WORLD);
    const dotpe::WallTimer timer;
    std::size_t merged = 0;
    farm.run<int>(
        "dispatch", tasks, [](const dotpe::hpc::Task&) { return 0; },
        [&](const dotpe::hpc::Task&, int&&) { ++merged; });
    medians.push_back(static_cast<double>(tasks) / timer.seconds());
  }
  std::sort(medians.begin(), medians.end());
  if (farm.is_coordinator()) {
    const double rate = medians[1];
    // 128 workers each finishing a 10 ms task ask for 12,800 tasks/s.
    const double demand = 128.0 / 0.010;
    fmt::print(
        "taskfarm_bench: {} ranks ({} workers), {} empty tasks: median {:.0f} tasks/s "
        "(min {:.0f}, max {:.0f})\n"
        "projection: 128 workers x 10 ms tasks need {:.0f} tasks/s = {:.1f}% of the coordinator's "
        "measured capacity\n",
        farm.size(), farm.size() - 1, tasks, rate, medians[0], medians[2], demand,
        100.0 * demand / rate);
  }
  return 0;
}
