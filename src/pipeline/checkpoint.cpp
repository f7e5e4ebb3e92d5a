#include "dotpe/pipeline/checkpoint.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <vector>

#include "dotpe/core/error.hpp"
#include "dotpe/core/log.hpp"

namespace dotpe::pipeline {

namespace {

constexpr std::array<char, 8> kMagic = {'D', 'O', 'T', 'P', 'E', 'C', 'K', '1'};

std::uint32_t crc32_of(const std::string& bytes) {
  return bytes_crc32(bytes.data(), bytes.size());
}

template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(value));
}

template <typename T>
bool get(const std::string& in, std::size_t& offset, T& value) {
  if (offset + sizeof(T) > in.size()) return false;
  std::memcpy(&value, in.data() + offset, sizeof(T));
  offset += sizeof(T);
  return true;
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  require(stream.good(), "cannot read the checkpoint '{}'", path.string());
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

// The first key whose value differs, for the refusal message.
std::string first_difference(const nlohmann::json& stored, const nlohmann::json& current) {
  for (const auto& [key, value] : current.items()) {
    if (!stored.contains(key) || stored[key] != value) return key;
  }
  for (const auto& [key, value] : stored.items()) {
    if (!current.contains(key)) return key;
  }
  return "?";
}

}  // namespace

void Checkpoint::FileCloser::operator()(std::FILE* file) const {
  if (file != nullptr) std::fclose(file);
}

Checkpoint::Checkpoint(std::filesystem::path path, std::unique_ptr<std::FILE, FileCloser> file)
    : path_(std::move(path)), file_(std::move(file)) {}

Checkpoint Checkpoint::create(const std::filesystem::path& path, const nlohmann::json& signature) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  require(file != nullptr, "cannot create the checkpoint '{}' (is the run directory writable?)",
          path.string());
  const std::string json = signature.dump();
  std::string header(kMagic.begin(), kMagic.end());
  put<std::uint64_t>(header, json.size());
  header += json;
  put<std::uint32_t>(header, crc32_of(json));
  require(std::fwrite(header.data(), 1, header.size(), file.get()) == header.size() &&
              std::fflush(file.get()) == 0,
          "cannot write the checkpoint '{}'", path.string());
  return Checkpoint(path, std::move(file));
}

Checkpoint Checkpoint::resume(const std::filesystem::path& path, const nlohmann::json& signature) {
  require(std::filesystem::exists(path),
          "--resume: no checkpoint '{}' (the run was not started, or finished and its checkpoint "
          "was removed); start it again without --resume",
          path.string());
  const std::string bytes = read_all(path);
  std::size_t offset = kMagic.size();
  std::uint64_t json_size = 0;
  require(bytes.size() >= kMagic.size() &&
              std::equal(kMagic.begin(), kMagic.end(), bytes.begin()) &&
              get(bytes, offset, json_size) && offset + json_size + 4 <= bytes.size(),
          "--resume: '{}' is not a dotpe checkpoint or its header is damaged; start the run "
          "again without --resume",
          path.string());
  const std::string json = bytes.substr(offset, json_size);
  offset += json_size;
  std::uint32_t json_crc = 0;
  get(bytes, offset, json_crc);
  require(json_crc == crc32_of(json), "--resume: the header of '{}' is corrupt; start afresh",
          path.string());
  const nlohmann::json stored = nlohmann::json::parse(json);
  if (stored != signature) {
    const std::string key = first_difference(stored, signature);
    throw Error(
        "--resume: '{}' differs from the interrupted run ({} was {}, now {}); resume with the "
        "original options and inputs, or start a new run in another directory",
        key, key, stored.contains(key) ? stored[key].dump() : "absent",
        signature.contains(key) ? signature[key].dump() : "absent");
  }
  std::map<std::string, std::map<std::uint64_t, std::string>> records;
  std::size_t intact_end = offset;
  while (offset < bytes.size()) {
    std::uint64_t size = 0;
    std::uint32_t crc = 0;
    if (!get(bytes, offset, size) || !get(bytes, offset, crc) || offset + size > bytes.size())
      break;
    const std::string payload = bytes.substr(offset, size);
    if (crc32_of(payload) != crc) break;
    offset += size;
    std::size_t inner = 0;
    std::uint32_t stage_size = 0;
    std::uint64_t unit = 0;
    if (!get(payload, inner, stage_size) || inner + stage_size > payload.size()) break;
    const std::string stage = payload.substr(inner, stage_size);
    inner += stage_size;
    if (!get(payload, inner, unit)) break;
    records[stage][unit] = payload.substr(inner);
    intact_end = offset;
  }
  const bool damaged_tail = intact_end < bytes.size();
  if (damaged_tail) {
    log::warning("checkpoint '{}': dropping a truncated or corrupt last record ({} bytes)",
                 path.string(), bytes.size() - intact_end);
    std::filesystem::resize_file(path, intact_end);
  }
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "ab"));
  require(file != nullptr, "cannot append to the checkpoint '{}'", path.string());
  Checkpoint checkpoint(path, std::move(file));
  checkpoint.records_ = std::move(records);
  checkpoint.dropped_records_ = damaged_tail ? 1 : 0;
  return checkpoint;
}

void Checkpoint::append(const std::string& stage, std::uint64_t unit, const std::string& data) {
  std::string payload;
  put<std::uint32_t>(payload, static_cast<std::uint32_t>(stage.size()));
  payload += stage;
  put<std::uint64_t>(payload, unit);
  payload += data;
  std::string record;
  put<std::uint64_t>(record, payload.size());
  put<std::uint32_t>(record, crc32_of(payload));
  record += payload;
  require(std::fwrite(record.data(), 1, record.size(), file_.get()) == record.size() &&
              std::fflush(file_.get()) == 0,
          "cannot append to the checkpoint '{}' (disk full?)", path_.string());
}

const std::map<std::uint64_t, std::string>& Checkpoint::completed(const std::string& stage) const {
  static const std::map<std::uint64_t, std::string> none;
  const auto found = records_.find(stage);
  return found == records_.end() ? none : found->second;
}

std::uint32_t file_crc32(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  require(stream.good(), "cannot read '{}'", path.string());
  std::vector<char> buffer(1 << 22);
  std::uint32_t crc = 0;
  while (stream) {
    stream.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    crc = bytes_crc32(buffer.data(), static_cast<std::size_t>(stream.gcount()), crc);
  }
  return crc;
}

std::uint32_t bytes_crc32(const void* data, std::size_t size, std::uint32_t crc) {
  const auto* bytes = static_cast<const Bytef*>(data);
  uLong value = crc;
  // zlib takes the length as uInt: feed large ranges in pieces.
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  for (std::size_t offset = 0; offset < size; offset += kPiece) {
    value = ::crc32(value, bytes + offset, static_cast<uInt>(std::min(kPiece, size - offset)));
  }
  return static_cast<std::uint32_t>(value);
}

}  // namespace dotpe::pipeline
