// Reader for Feather v2 files (the Arrow IPC file format), as written by pandas.to_feather and
// pyarrow.feather.write_feather: the format of dot-PE's intrinsic_sample_bank.feather.
// Supports numeric columns (float64/float32/int64/int32) without nulls, uncompressed or
// LZ4_FRAME-compressed buffers, and any number of record batches. Specification:
// https://arrow.apache.org/docs/format/Columnar.html (IPC file format, Schema.fbs, Message.fbs).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace dotpe::io {

// Columns by name, converted to double, in file order of rows.
struct FeatherTable {
  std::vector<std::string> names;  // in schema order
  std::map<std::string, std::vector<double>> columns;
  std::size_t rows = 0;
};

FeatherTable read_feather(const std::filesystem::path& path);

}  // namespace dotpe::io
