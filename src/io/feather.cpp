#include "dotpe/io/feather.hpp"

#include <lz4frame.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>

#include "dotpe/core/error.hpp"

namespace dotpe::io {
namespace {

// ---------------------------------------------------------------------------------------------
// Minimal read-only FlatBuffers access (https://flatbuffers.dev/internals/): a table starts
// with a signed offset to its vtable; the vtable lists the byte offset of each field in the
// table (0 = absent); references to tables, vectors and strings are unsigned offsets relative
// to where they are stored.

class FlatBuffer {
 public:
  FlatBuffer(const std::uint8_t* data, std::size_t size, std::string source)
      : data_(data), size_(size), source_(std::move(source)) {}

  template <typename T>
  T load(std::size_t position) const {
    require(position <= size_ && sizeof(T) <= size_ - position,
            "{}: corrupt Arrow metadata (offset {} out of range)", source_, position);
    T value;
    std::memcpy(&value, data_ + position, sizeof(T));
    return value;
  }
  std::size_t root() const { return load<std::uint32_t>(0); }
  std::size_t follow(std::size_t position) const {
    return position + load<std::uint32_t>(position);
  }
  // Position of field `field` of the table at `table`, or nullopt when absent.
  std::optional<std::size_t> field(std::size_t table, int field) const {
    const std::size_t vtable =
        static_cast<std::size_t>(static_cast<std::int64_t>(table) - load<std::int32_t>(table));
    const std::size_t vtable_size = load<std::uint16_t>(vtable);
    const std::size_t slot = 4 + 2 * static_cast<std::size_t>(field);
    if (slot + 2 > vtable_size) return std::nullopt;
    const std::uint16_t offset = load<std::uint16_t>(vtable + slot);
    if (offset == 0) return std::nullopt;
    return table + offset;
  }
  template <typename T>
  T scalar(std::size_t table, int field, T fallback) const {
    const auto position = this->field(table, field);
    return position ? load<T>(*position) : fallback;
  }
  std::optional<std::size_t> table(std::size_t table, int field) const {
    const auto position = this->field(table, field);
    if (!position) return std::nullopt;
    return follow(*position);
  }
  // (position of the first element, element count) of a vector field whose elements take
  // `element_size` bytes; the whole vector lies inside the buffer.
  std::pair<std::size_t, std::size_t> vector(std::size_t table, int field,
                                             std::size_t element_size) const {
    const auto position = this->field(table, field);
    if (!position) return {0, 0};
    const std::size_t start = follow(*position);
    const std::size_t count = load<std::uint32_t>(start);
    require(count <= (size_ - start - 4) / element_size,
            "{}: corrupt Arrow metadata (a vector of {} elements runs past the end)", source_,
            count);
    return {start + 4, count};
  }
  std::string string(std::size_t table, int field) const {
    const auto [start, length] = vector(table, field, 1);
    return std::string(reinterpret_cast<const char*>(data_ + start), length);
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::string source_;
};

// Arrow enums (Schema.fbs / Message.fbs).
constexpr std::uint8_t kTypeInt = 2;
constexpr std::uint8_t kTypeFloatingPoint = 3;
constexpr std::uint8_t kHeaderRecordBatch = 3;
constexpr std::int8_t kCodecLz4Frame = 0;

struct ColumnType {
  std::string name;
  bool floating = true;
  int width_bytes = 8;
  bool is_signed = true;
};

std::vector<std::uint8_t> read_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  require(file.good(), "cannot open '{}'", path.string());
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(file)),
                                   std::istreambuf_iterator<char>());
}

std::vector<ColumnType> read_schema(const FlatBuffer& footer, std::size_t footer_table,
                                    const std::string& source) {
  const auto schema = footer.table(footer_table, 1);
  require(schema.has_value(), "{}: the Arrow footer has no schema", source);
  const auto [fields_start, field_count] = footer.vector(*schema, 1, 4);
  std::vector<ColumnType> columns;
  for (std::size_t k = 0; k < field_count; ++k) {
    const std::size_t field = footer.follow(fields_start + 4 * k);
    ColumnType column;
    column.name = footer.string(field, 0);
    const auto type_kind = footer.scalar<std::uint8_t>(field, 2, 0);
    const auto type = footer.table(field, 3);
    if (type_kind == kTypeFloatingPoint && type) {
      const auto precision = footer.scalar<std::int16_t>(*type, 0, 0);
      require(precision == 1 || precision == 2, "{}: column '{}' is a half-precision float", source,
              column.name);
      column.width_bytes = precision == 2 ? 8 : 4;
    } else if (type_kind == kTypeInt && type) {
      column.floating = false;
      column.width_bytes = footer.scalar<std::int32_t>(*type, 0, 0) / 8;
      column.is_signed = footer.scalar<std::uint8_t>(*type, 1, 0) != 0;
      require(column.width_bytes == 4 || column.width_bytes == 8,
              "{}: integer column '{}' has an unsupported width", source, column.name);
    } else {
      throw Error("{}: column '{}' is not numeric (Arrow type {}); only numeric columns are read",
                  source, column.name, type_kind);
    }
    for (const auto& other : columns) {
      require(other.name != column.name, "{}: two columns are named '{}'", source, column.name);
    }
    columns.push_back(column);
  }
  return columns;
}

std::vector<std::uint8_t> lz4_frame_decompress(const std::uint8_t* data, std::size_t size,
                                               std::size_t expected, const std::string& source) {
  LZ4F_dctx* raw_context = nullptr;
  require(!LZ4F_isError(LZ4F_createDecompressionContext(&raw_context, LZ4F_VERSION)),
          "LZ4: cannot create a decompression context");
  const std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> context(
      raw_context, &LZ4F_freeDecompressionContext);
  std::vector<std::uint8_t> output(expected);
  std::size_t produced = 0;
  std::size_t consumed = 0;
  while (consumed < size) {
    std::size_t out_size = expected - produced;
    std::size_t in_size = size - consumed;
    const std::size_t status = LZ4F_decompress(context.get(), output.data() + produced, &out_size,
                                               data + consumed, &in_size, nullptr);
    require(!LZ4F_isError(status), "{}: corrupt LZ4 data in a column ({})", source,
            LZ4F_getErrorName(status));
    produced += out_size;
    consumed += in_size;
    if (status == 0) break;
    require(in_size > 0 || out_size > 0, "{}: LZ4 decompression made no progress", source);
  }
  require(produced == expected, "{}: a column decompressed to {} bytes, expected {}", source,
          produced, expected);
  return output;
}

// The largest expansion of LZ4 (a run of 255-byte length extensions), with room for a frame's
// headers: a buffer claiming to decompress to more than this is corrupt.
constexpr std::size_t kMaxLz4Ratio = 256;
constexpr std::size_t kLz4Slack = 1 << 16;

// A record batch's byte range in the file: metadata at `offset`, then the body.
struct BlockRange {
  std::size_t offset = 0;
  std::size_t metadata_length = 0;
  std::size_t body_length = 0;
};

// The bytes of one body buffer, decompressed when the batch is compressed. The buffer must lie
// inside the batch's body.
std::vector<std::uint8_t> buffer_bytes(const std::vector<std::uint8_t>& file,
                                       const BlockRange& block, std::int64_t offset,
                                       std::int64_t length, bool compressed,
                                       const std::string& source) {
  require(offset >= 0 && length >= 0 && static_cast<std::size_t>(offset) <= block.body_length &&
              static_cast<std::size_t>(length) <= block.body_length - offset,
          "{}: a column buffer lies outside its record batch (truncated or corrupt file?)", source);
  const std::uint8_t* data =
      file.data() + block.offset + block.metadata_length + static_cast<std::size_t>(offset);
  const auto size = static_cast<std::size_t>(length);
  if (!compressed || size == 0) return std::vector<std::uint8_t>(data, data + size);
  require(size >= 8, "{}: a compressed column buffer is shorter than its 8-byte length prefix",
          source);
  std::int64_t uncompressed = 0;
  std::memcpy(&uncompressed, data, 8);
  if (uncompressed == -1) return std::vector<std::uint8_t>(data + 8, data + size);
  require(uncompressed >= 0 &&
              static_cast<std::size_t>(uncompressed) <= kMaxLz4Ratio * (size - 8) + kLz4Slack,
          "{}: a column buffer claims to decompress to {} bytes from {}, more than LZ4 can", source,
          uncompressed, size - 8);
  return lz4_frame_decompress(data + 8, size - 8, static_cast<std::size_t>(uncompressed), source);
}

void append_values(const std::vector<std::uint8_t>& bytes, const ColumnType& column,
                   std::size_t rows, std::vector<double>& out, const std::string& source) {
  require(rows <= bytes.size() / static_cast<std::size_t>(column.width_bytes),
          "{}: column '{}' holds fewer values than the batch has rows", source, column.name);
  for (std::size_t row = 0; row < rows; ++row) {
    const std::uint8_t* element = bytes.data() + row * static_cast<std::size_t>(column.width_bytes);
    double value = 0.0;
    if (column.floating && column.width_bytes == 8) {
      std::memcpy(&value, element, 8);
    } else if (column.floating) {
      float narrow = 0.0F;
      std::memcpy(&narrow, element, 4);
      value = narrow;
    } else if (column.width_bytes == 8) {
      std::int64_t integer = 0;
      std::memcpy(&integer, element, 8);
      value = static_cast<double>(integer);
    } else {
      std::int32_t integer = 0;
      std::memcpy(&integer, element, 4);
      value = integer;
    }
    out.push_back(value);
  }
}

void read_record_batch(const std::vector<std::uint8_t>& file, const BlockRange& block,
                       const std::vector<ColumnType>& columns, FeatherTable& table,
                       const std::string& source) {
  const std::size_t position = block.offset;
  require(block.metadata_length >= 8, "{}: record batch metadata is too short", source);
  std::uint32_t prefix = 0;
  std::memcpy(&prefix, file.data() + position, 4);
  std::size_t flatbuffer_start = position + 4;
  if (prefix == 0xFFFFFFFFU) flatbuffer_start += 4;  // continuation marker, then the length
  const FlatBuffer message(file.data() + flatbuffer_start,
                           position + block.metadata_length - flatbuffer_start, source);
  const std::size_t message_table = message.root();
  require(message.scalar<std::uint8_t>(message_table, 1, 0) == kHeaderRecordBatch,
          "{}: expected a record batch message", source);
  const auto batch = message.table(message_table, 2);
  require(batch.has_value(), "{}: record batch without header", source);
  const auto declared_rows = message.scalar<std::int64_t>(*batch, 0, 0);
  require(declared_rows >= 0, "{}: a record batch has a negative row count ({})", source,
          declared_rows);
  const auto rows = static_cast<std::size_t>(declared_rows);
  const auto [nodes_start, node_count] = message.vector(*batch, 1, 16);
  const auto [buffers_start, buffer_count] = message.vector(*batch, 2, 16);
  require(node_count == columns.size() && buffer_count == 2 * columns.size(),
          "{}: record batch layout does not match the schema", source);
  bool compressed = false;
  if (const auto compression = message.table(*batch, 3)) {
    const auto codec = message.scalar<std::int8_t>(*compression, 0, 0);
    require(codec == kCodecLz4Frame,
            "{}: columns are ZSTD-compressed; re-save with compression='lz4' or 'uncompressed'",
            source);
    compressed = true;
  }
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const auto null_count = message.load<std::int64_t>(nodes_start + 16 * c + 8);
    require(null_count == 0, "{}: column '{}' has missing values", source, columns[c].name);
    const std::size_t data_buffer = buffers_start + 16 * (2 * c + 1);
    const auto bytes =
        buffer_bytes(file, block, message.load<std::int64_t>(data_buffer),
                     message.load<std::int64_t>(data_buffer + 8), compressed, source);
    append_values(bytes, columns[c], rows, table.columns[columns[c].name], source);
  }
  table.rows += rows;
}

}  // namespace

FeatherTable read_feather(const std::filesystem::path& path) {
  const std::string source = path.string();
  const std::vector<std::uint8_t> file = read_file(path);
  constexpr std::size_t kMagicSize = 6;
  require(file.size() > 2 * kMagicSize + 4 && std::memcmp(file.data(), "ARROW1", 6) == 0 &&
              std::memcmp(file.data() + file.size() - 6, "ARROW1", 6) == 0,
          "'{}' is not a Feather v2 / Arrow IPC file (re-save it with pandas.to_feather)", source);
  std::int32_t footer_length = 0;
  std::memcpy(&footer_length, file.data() + file.size() - 10, 4);
  require(footer_length > 0 && static_cast<std::size_t>(footer_length) + 10 < file.size(),
          "'{}': corrupt Arrow footer", source);
  const std::size_t footer_start = file.size() - 10 - static_cast<std::size_t>(footer_length);
  const FlatBuffer footer(file.data() + footer_start, static_cast<std::size_t>(footer_length),
                          source);
  const std::size_t footer_table = footer.root();
  const auto columns = read_schema(footer, footer_table, source);

  FeatherTable table;
  for (const auto& column : columns) {
    table.names.push_back(column.name);
    table.columns[column.name] = {};
  }
  // struct Block {int64 offset; int32 metaDataLength; pad; int64 bodyLength}. Record batches
  // lie in the file before the footer, in order and without overlapping: each byte of the file
  // is read once.
  const auto [blocks_start, block_count] = footer.vector(footer_table, 3, 24);
  std::size_t end_of_previous = kMagicSize;
  for (std::size_t k = 0; k < block_count; ++k) {
    const std::size_t entry = blocks_start + 24 * k;
    const auto offset = footer.load<std::int64_t>(entry);
    const auto metadata_length = footer.load<std::int32_t>(entry + 8);
    const auto body_length = footer.load<std::int64_t>(entry + 16);
    require(offset >= 0 && metadata_length >= 0 && body_length >= 0 &&
                static_cast<std::size_t>(offset) >= end_of_previous &&
                static_cast<std::size_t>(offset) <= footer_start &&
                static_cast<std::size_t>(metadata_length) <=
                    footer_start - static_cast<std::size_t>(offset) &&
                static_cast<std::size_t>(body_length) <=
                    footer_start - static_cast<std::size_t>(offset) -
                        static_cast<std::size_t>(metadata_length),
            "'{}': record batch {} lies outside the data section or overlaps another (corrupt "
            "Arrow footer)",
            source, k);
    const BlockRange block{static_cast<std::size_t>(offset),
                           static_cast<std::size_t>(metadata_length),
                           static_cast<std::size_t>(body_length)};
    read_record_batch(file, block, columns, table, source);
    end_of_previous = block.offset + block.metadata_length + block.body_length;
  }
  return table;
}

}  // namespace dotpe::io
