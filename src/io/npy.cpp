#include "dotpe/io/npy.hpp"

#include <zip.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>
#include <numeric>

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

// Position of the first non-space character at or after `position`.
std::size_t skip_spaces(const std::string& text, std::size_t position) {
  while (position < text.size() && std::isspace(static_cast<unsigned char>(text[position]))) {
    ++position;
  }
  return position;
}

// The header is a Python dict literal: {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }
// Returns the value of `key`: the text inside '...' or (...), or True/False. A hand-written scan
// rather than std::regex, whose recursive matcher overflows the stack on long headers.
std::string header_field(const std::string& header, const std::string& key,
                         const std::string& source) {
  const std::string quoted = "'" + key + "'";
  for (std::size_t found = header.find(quoted); found != std::string::npos;
       found = header.find(quoted, found + 1)) {
    std::size_t position = skip_spaces(header, found + quoted.size());
    if (position >= header.size() || header[position] != ':') continue;
    position = skip_spaces(header, position + 1);
    if (position >= header.size()) continue;
    const char opening = header[position];
    if (opening == '\'' || opening == '(') {
      const std::size_t closing = header.find(opening == '(' ? ')' : '\'', position + 1);
      if (closing == std::string::npos) continue;
      return header.substr(position + 1, closing - position - 1);
    }
    for (const char* word : {"True", "False"}) {
      if (header.compare(position, std::strlen(word), word) == 0) return word;
    }
  }
  throw Error("{}: .npy header has no '{}' entry", source, key);
}

// a * b, or an error naming `source` when it does not fit in std::size_t.
std::size_t checked_product(std::size_t a, std::size_t b, const std::string& source) {
  std::size_t product = 0;
  require(!__builtin_mul_overflow(a, b, &product),
          "{}: .npy header declares an array too large to address ({} x {} overflows)", source, a,
          b);
  return product;
}

std::vector<std::size_t> parse_shape(const std::string& text, const std::string& source) {
  std::vector<std::size_t> shape;
  std::size_t position = 0;
  while (position < text.size()) {
    const std::size_t digit = text.find_first_of("0123456789", position);
    if (digit == std::string::npos) break;
    std::size_t end = digit;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    std::size_t extent = 0;
    const auto [last, error] = std::from_chars(text.data() + digit, text.data() + end, extent);
    require(error == std::errc() && last == text.data() + end,
            "{}: .npy header has an out-of-range dimension '{}' in its shape", source,
            text.substr(digit, end - digit));
    shape.push_back(extent);
    position = end;
  }
  return shape;
}

char dtype_kind(const std::string& descr) {
  return descr.size() >= 2 ? descr[1] : '?';
}

std::size_t dtype_width(const std::string& descr) {
  std::size_t width = 0;
  if (descr.size() > 2) {
    std::from_chars(descr.data() + 2, descr.data() + descr.size(), width);
  }
  return width;
}

// Checks that `descr` is a byte order, a kind letter and a width in bytes (characters for U),
// e.g. '<f8', '|u1', '<U2': the only dtypes the conversions read.
void check_descr(const std::string& descr, const std::string& source) {
  require(!descr.empty() && (descr[0] == '<' || descr[0] == '|'),
          "{}: dtype '{}' is not little-endian", source, descr);
  std::size_t width = 0;
  const char* digits = descr.data() + std::min<std::size_t>(descr.size(), 2);
  const auto [last, error] = std::from_chars(digits, descr.data() + descr.size(), width);
  require(descr.size() > 2 && std::isalpha(static_cast<unsigned char>(descr[1])) &&
              error == std::errc() && last == descr.data() + descr.size() && width > 0,
          "{}: unsupported dtype '{}' (expected a byte order, a kind and a non-zero width, as "
          "'<f8')",
          source, descr);
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
  require(bytes.size() >= 8 + length_bytes, "{}: truncated .npy header", source);
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
  array.shape = parse_shape(header_field(header, "shape", source), source);
  check_descr(array.descr, source);

  std::size_t elements = 1;
  for (const std::size_t extent : array.shape) elements = checked_product(elements, extent, source);
  const std::size_t width = dtype_kind(array.descr) == 'U'
                                ? checked_product(4, dtype_width(array.descr), source)
                                : dtype_width(array.descr);
  const std::size_t payload = checked_product(width, elements, source);
  const std::size_t data_start = header_start + header_length;
  require(bytes.size() - data_start >= payload,
          "{}: file is truncated ({} data bytes expected, {} present)", source, payload,
          bytes.size() - data_start);
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start),
                    bytes.begin() + static_cast<std::ptrdiff_t>(data_start + payload));
  return array;
}

std::vector<double> NpyArray::to_doubles() const {
  const char kind = dtype_kind(descr);
  const std::size_t width = dtype_width(descr);
  const bool supported = (kind == 'f' && (width == 8 || width == 4)) ||
                         (kind == 'i' && (width == 8 || width == 4)) ||
                         (kind == 'u' && (width == 8 || width == 1)) || (kind == 'b' && width == 1);
  require(supported, "{} has dtype '{}', which is not a real number type", source, descr);
  require(data.size() / width >= size(), "{}: holds fewer values than its shape needs", source);
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
  require(width == 16 || width == 8, "{} has unsupported complex dtype '{}'", source, descr);
  require(data.size() / width >= size(), "{}: holds fewer values than its shape needs", source);
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
  const std::size_t unit = kind == 'U' ? 4 : 1;
  require(characters > 0 && data.size() / unit / characters >= size(),
          "{}: holds fewer characters than its dtype '{}' and shape need", source, descr);
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
    require(zip_stat_index(archive.get(), static_cast<zip_uint64_t>(index), 0, &stat) == 0 &&
                (stat.valid & ZIP_STAT_NAME) != 0 && stat.name != nullptr &&
                (stat.valid & ZIP_STAT_SIZE) != 0,
            "'{}': cannot read zip entry {}", path.string(), index);
    std::string key = stat.name;
    if (key.size() > 4 && key.ends_with(".npy")) key.resize(key.size() - 4);
    const std::string source = path.string() + ":" + key;

    const std::unique_ptr<zip_file_t, decltype(&zip_fclose)> member(
        zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(index), 0), &zip_fclose);
    require(member != nullptr, "{}: cannot open member (unsupported compression?)", source);
    // Read in pieces rather than allocating the size the zip directory declares: a damaged
    // directory can declare any size, and only the bytes really present are kept.
    std::vector<std::byte> bytes;
    constexpr std::size_t kPiece = std::size_t{1} << 20;
    while (true) {
      const std::size_t held = bytes.size();
      bytes.resize(held + kPiece);
      const zip_int64_t read = zip_fread(member.get(), bytes.data() + held, kPiece);
      require(read >= 0, "{}: member is corrupt ({})", source, zip_file_strerror(member.get()));
      bytes.resize(held + static_cast<std::size_t>(read));
      require(bytes.size() <= stat.size, "{}: member holds more than the {} bytes declared", source,
              stat.size);
      if (read == 0) break;
    }
    require(bytes.size() == stat.size, "{}: member is truncated or corrupt ({} of {} bytes)",
            source, bytes.size(), stat.size);
    members.emplace(key, parse_npy(bytes, source));
  }
  return members;
}

}  // namespace dotpe::io
