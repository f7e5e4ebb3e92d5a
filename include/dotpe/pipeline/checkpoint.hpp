// The checkpoint of a run (docs/pipeline.md, "Checkpoint and resume"): an append-only file in
// the run directory that rank 0 extends with every merged work unit of stages 2 and 5 and with
// the outputs of the serial stages (par0, extrinsic samples), so that `dotpe run --resume`
// continues a killed job without redoing finished work, with any number of ranks.
//
// Layout (little-endian):
//   header:  "DOTPECK1", u64 n, n bytes of JSON (the run signature), u32 CRC-32 of the JSON
//   records: u64 n, u32 CRC-32, n bytes of payload = [u32 stage length, stage, u64 unit, data]
// Each record is written with one write and flushed, so a kill -9 loses at most the units in
// flight; a truncated or corrupt last record is detected by its length or CRC and dropped.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace dotpe::pipeline {

class Checkpoint {
 public:
  // Starts a new checkpoint (an existing one is replaced).
  static Checkpoint create(const std::filesystem::path& path, const nlohmann::json& signature);

  // Opens an existing checkpoint for resuming: its signature must equal `signature` (otherwise
  // Error naming the first option or input that differs); records after the last intact one
  // are dropped (and the file truncated there).
  static Checkpoint resume(const std::filesystem::path& path, const nlohmann::json& signature);

  // Appends one unit's result and flushes it to the operating system.
  void append(const std::string& stage, std::uint64_t unit, const std::string& data);

  // Units of a stage completed before the resume: unit -> data (appended ones are not kept).
  const std::map<std::uint64_t, std::string>& completed(const std::string& stage) const;
  std::size_t dropped_records() const { return dropped_records_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  struct FileCloser {
    void operator()(std::FILE* file) const;
  };
  Checkpoint(std::filesystem::path path, std::unique_ptr<std::FILE, FileCloser> file);

  std::filesystem::path path_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  std::map<std::string, std::map<std::uint64_t, std::string>> records_;
  std::size_t dropped_records_ = 0;
};

// CRC-32 (zlib) of a file's bytes, for the run signature.
std::uint32_t file_crc32(const std::filesystem::path& path);

// CRC-32 (zlib) of a byte range, continuing from `crc` (0 to start).
std::uint32_t bytes_crc32(const void* data, std::size_t size, std::uint32_t crc = 0);

}  // namespace dotpe::pipeline
