#include "dotpe/io/npy.hpp"

#include <zip.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <numeric>
#include <regex>

#include "dotpe/core/error.hpp"

namespace dotpe::io {
namespace {

constexpr unsigned char kMagic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

template <typename T>
T load_little_endian(const std::byte* where) {
  T value;
  std::memcpy(&value, where, sizeof(T));  // x86-64 and aarch64 are little-endian
  return value;
}

// The header is a Python dict literal: {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
std::string header_field(const std::string& header, const std::string& key,
                         const std::string& source) {
  const std::regex pattern("'" + key + "'\\s*:\\s*('([^']*)'|\\(([^)]*)\\)|(True|False))");
  std::smatch match;
  require(std::regex_search(header, match, pattern), "{}: .npy header has no '{}' entry", source,
          key);
  for (int group = 2; group <= 4; ++group) {
    if (match[group].matched) return match[group].str();
  }
  return {};
}

std::vector<std::size_t> parse_shape(const std::string& text) {
  std::vector<std::size_t> shape;
  std::size_t position = 0;
  while (position < text.size()) {
    const std::size_t digit = text.find_first_of("0123456789", position);
    if (digit == std::string::npos) break;
    std::size_t end = digit;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    shape.push_back(std::stoull(text.substr(digit, end - digit)));
    position = end;
  }
  return shape;
}

char dtype_kind(const std::string& descr) {
  return descr.size() >= 2 ? descr[1] : '?';
}

std::size_t dtype_width(const std::string& descr) {
  return descr.size() > 2 ? std::stoull(descr.substr(2)) : 0;
}

}  // namespace

std::size_t NpyArray::size() const {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

NpyArray parse_npy(std::span<const std::byte> bytes, const std::string& source) {
  require(bytes.size() >= 10 && std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) == 0,
          "{} is not a .npy array (bad magic bytes)", source);
  const auto major = static_cast<unsigned>(bytes[6]);
  require(major >= 1 && major <= 3, "{}: unsupported .npy format version {}", source, major);
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  const std::size_t header_length = major == 1
                                        ? load_little_endian<std::uint16_t>(bytes.data() + 8)
                                        : load_little_endian<std::uint32_t>(bytes.data() + 8);
  const std::size_t header_start = 8 + length_bytes;
  require(bytes.size() >= header_start + header_length, "{}: truncated .npy header", source);
  const std::string header(reinterpret_cast<const char*>(bytes.data() + header_start),
                           header_length);

  NpyArray array;
  array.source = source;
  array.descr = header_field(header, "descr", source);
  require(header_field(header, "fortran_order", source) == "False",
          "{}: Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray",
          source);
  array.shape = parse_shape(header_field(header, "shape", source));
  require(!array.descr.empty() && (array.descr[0] == '<' || array.descr[0] == '|'),
          "{}: dtype '{}' is not little-endian", source, array.descr);

  const std::size_t width =
      dtype_kind(array.descr) == 'U' ? 4 * dtype_width(array.descr) : dtype_width(array.descr);
  const std::size_t payload = width * array.size();
  const std::size_t data_start = header_start + header_length;
  require(bytes.size() >= data_start + payload,
          "{}: file is truncated ({} data bytes expected, {} present)", source, payload,
          bytes.size() - data_start);
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start),
                    bytes.begin() + static_cast<std::ptrdiff_t>(data_start + payload));
  return array;
}

std::vector<double> NpyArray::to_doubles() const {
  const char kind = dtype_kind(descr);
  const std::size_t width = dtype_width(descr);
  std::vector<double> values(size());
  const std::byte* raw = data.data();
  for (std::size_t k = 0; k < values.size(); ++k) {
    const std::byte* element = raw + k * width;
    if (kind == 'f' && width == 8) {
      values[k] = load_little_endian<double>(element);
    } else if (kind == 'f' && width == 4) {
      values[k] = load_little_endian<float>(element);
    } else if (kind == 'i' && width == 8) {
      values[k] = static_cast<double>(load_little_endian<std::int64_t>(element));
    } else if (kind == 'i' && width == 4) {
      values[k] = load_little_endian<std::int32_t>(element);
    } else if (kind == 'u' && width == 8) {
      values[k] = static_cast<double>(load_little_endian<std::uint64_t>(element));
    } else if ((kind == 'u' || kind == 'b') && width == 1) {
      values[k] = static_cast<double>(load_little_endian<std::uint8_t>(element));
    } else {
      throw Error("{} has dtype '{}', which is not a real number type", source, descr);
    }
  }
  return values;
}

std::vector<std::complex<double>> NpyArray::to_complex() const {
  const char kind = dtype_kind(descr);
  const std::size_t width = dtype_width(descr);
  if (kind != 'c') {
    const auto real = to_doubles();
    return std::vector<std::complex<double>>(real.begin(), real.end());
  }
  std::vector<std::complex<double>> values(size());
  for (std::size_t k = 0; k < values.size(); ++k) {
    const std::byte* element = data.data() + k * width;
    if (width == 16) {
      values[k] = {load_little_endian<double>(element), load_little_endian<double>(element + 8)};
    } else if (width == 8) {
      values[k] = {load_little_endian<float>(element), load_little_endian<float>(element + 4)};
    } else {
      throw Error("{} has unsupported complex dtype '{}'", source, descr);
    }
  }
  return values;
}

std::vector<std::string> NpyArray::to_strings() const {
  const char kind = dtype_kind(descr);
  require(kind == 'U' || kind == 'S', "{} has dtype '{}', which is not a string type", source,
          descr);
  const std::size_t characters = dtype_width(descr);
  std::vector<std::string> values;
  for (std::size_t k = 0; k < size(); ++k) {
    std::string text;
    for (std::size_t c = 0; c < characters; ++c) {
      std::uint32_t code = 0;
      if (kind == 'U') {
        code = load_little_endian<std::uint32_t>(data.data() + (k * characters + c) * 4);
      } else {
        code = static_cast<std::uint8_t>(data[k * characters + c]);
      }
      if (code == 0) break;
      require(code < 128, "{}: only ASCII strings are supported", source);
      text.push_back(static_cast<char>(code));
    }
    values.push_back(std::move(text));
  }
  return values;
}

double NpyArray::to_scalar() const {
  require(size() == 1, "{} should be a single number but has {} elements", source, size());
  return to_doubles().front();
}

std::string NpyArray::to_string() const {
  const auto values = to_strings();
  require(values.size() == 1, "{} should be a single string but has {} elements", source,
          values.size());
  return values.front();
}

NpyArray read_npy(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  require(file.good(), "cannot open '{}'", path.string());
  std::vector<char> content((std::istreambuf_iterator<char>(file)),
                            std::istreambuf_iterator<char>());
  return parse_npy(std::as_bytes(std::span(content)), path.string());
}

std::map<std::string, NpyArray> read_npz(const std::filesystem::path& path) {
  require(std::filesystem::exists(path), "file '{}' does not exist", path.string());
  int error_code = 0;
  const std::unique_ptr<zip_t, decltype(&zip_discard)> archive(
      zip_open(path.c_str(), ZIP_RDONLY, &error_code), &zip_discard);
  require(archive != nullptr, "'{}' is not a readable .npz (zip) archive", path.string());

  std::map<std::string, NpyArray> members;
  const zip_int64_t entries = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t index = 0; index < entries; ++index) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    require(zip_stat_index(archive.get(), static_cast<zip_uint64_t>(index), 0, &stat) == 0,
            "'{}': cannot read zip entry {}", path.string(), index);
    std::string key = stat.name;
    if (key.size() > 4 && key.ends_with(".npy")) key.resize(key.size() - 4);
    const std::string source = path.string() + ":" + key;

    const std::unique_ptr<zip_file_t, decltype(&zip_fclose)> member(
        zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(index), 0), &zip_fclose);
    require(member != nullptr, "{}: cannot open member (unsupported compression?)", source);
    std::vector<std::byte> bytes(stat.size);
    const zip_int64_t read = zip_fread(member.get(), bytes.data(), stat.size);
    require(read == static_cast<zip_int64_t>(stat.size), "{}: member is truncated or corrupt",
            source);
    members.emplace(key, parse_npy(bytes, source));
  }
  return members;
}

}  // namespace dotpe::io
