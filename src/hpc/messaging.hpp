// The task farm's point-to-point transport, shared by TaskFarm (MPI_COMM_WORLD) and the
// autotuner's measurements (a sub-communicator of the candidate's ranks). Internal to hpc/.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>

#include "dotpe/hpc/task_farm.hpp"

namespace dotpe::hpc::detail {

struct Message {
  int source = 0;
  int tag = 0;
  std::string payload;
};

// Waits for a message without burning a core: MPI_Iprobe in a tight loop for at most 100 µs
// (messages that follow each other closely are picked up at once), then sleeps that grow from
// 20 µs to 2 ms while nothing arrives (Open MPI's blocking receive would busy-poll a core,
// which matters most when workers + coordinator exceed the cores). Adds the payload's size to
// *bytes_received when given.
inline Message receive(MPI_Comm comm, int source, double* bytes_received = nullptr) {
  MPI_Status status;
  int flag = 0;
  const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(100);
  while (flag == 0 && std::chrono::steady_clock::now() < spin_until) {
    MPI_Iprobe(source, MPI_ANY_TAG, comm, &flag, &status);
  }
  auto pause = std::chrono::microseconds(20);
  while (flag == 0) {
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(2000));
    MPI_Iprobe(source, MPI_ANY_TAG, comm, &flag, &status);
  }
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  Message message{status.MPI_SOURCE, status.MPI_TAG,
                  std::string(static_cast<std::size_t>(count), '\0')};
  MPI_Recv(message.payload.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, comm,
           MPI_STATUS_IGNORE);
  if (bytes_received != nullptr) *bytes_received += count;
  return message;
}

inline void send(MPI_Comm comm, int destination, int tag, const std::string& payload,
                 double* bytes_sent = nullptr) {
  MPI_Send(payload.data(), static_cast<int>(payload.size()), MPI_CHAR, destination, tag, comm);
  if (bytes_sent != nullptr) *bytes_sent += static_cast<double>(payload.size());
}

inline std::string encode_task(const Task& task) {
  const std::uint64_t fields[3] = {task.id, task.first_unit, task.unit_count};
  return std::string(reinterpret_cast<const char*>(fields), sizeof(fields));
}

inline Task decode_task(const std::string& payload) {
  std::uint64_t fields[3] = {};
  std::memcpy(fields, payload.data(), sizeof(fields));
  return {fields[0], fields[1], fields[2]};
}

}  // namespace dotpe::hpc::detail
