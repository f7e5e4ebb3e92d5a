#include "dotpe/io/hdf5.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "dotpe/core/error.hpp"

namespace dotpe::io::h5 {
namespace {

// HDF5 prints its own error stack by default; dotpe reports errors through exceptions instead.
void silence_hdf5_errors() {
  static const bool silenced = [] {
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)silenced;
}

hid_t checked(hid_t id, const std::string& what) {
  if (id < 0) throw Error("HDF5: could not {}", what);
  return id;
}

void checked_status(herr_t status, const std::string& what) {
  if (status < 0) throw Error("HDF5: could not {}", what);
}

template <typename Real>
Handle complex_type() {
  const hid_t real_type = std::same_as<Real, double> ? H5T_NATIVE_DOUBLE : H5T_NATIVE_FLOAT;
  Handle type(H5Tcreate(H5T_COMPOUND, 2 * sizeof(Real)), H5Tclose);
  H5Tinsert(type.get(), "r", 0, real_type);
  H5Tinsert(type.get(), "i", sizeof(Real), real_type);
  return type;
}

// Memory type of an element; complex needs an owned compound type, the others are predefined.
template <Element T>
Handle memory_type() {
  if constexpr (std::same_as<T, complex>) {
    return complex_type<double>();
  } else if constexpr (std::same_as<T, complex_float>) {
    return complex_type<float>();
  } else {
    hid_t predefined = -1;
    if constexpr (std::same_as<T, double>) predefined = H5T_NATIVE_DOUBLE;
    if constexpr (std::same_as<T, float>) predefined = H5T_NATIVE_FLOAT;
    if constexpr (std::same_as<T, std::int64_t>) predefined = H5T_NATIVE_INT64;
    if constexpr (std::same_as<T, std::int32_t>) predefined = H5T_NATIVE_INT32;
    if constexpr (std::same_as<T, std::uint8_t>) predefined = H5T_NATIVE_UINT8;
    return Handle(H5Tcopy(predefined), H5Tclose);
  }
}

// Object creation properties without modification times, so that the same content always gives
// the same bytes (outputs are bitwise reproducible).
Handle untimed_properties(hid_t property_class) {
  Handle properties(H5Pcreate(property_class), H5Pclose);
  H5Pset_obj_track_times(properties.get(), false);
  return properties;
}

Handle string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

std::vector<hsize_t> to_hsize(const Shape& shape) {
  return std::vector<hsize_t>(shape.begin(), shape.end());
}

std::size_t element_count(const Shape& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

Handle make_space(const Shape& shape) {
  if (shape.empty()) return Handle(H5Screate(H5S_SCALAR), H5Sclose);
  const auto dims = to_hsize(shape);
  return Handle(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose);
}

Shape space_shape(hid_t space) {
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) throw Error("HDF5: could not read the shape of a dataset or attribute");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) {
    checked_status(H5Sget_simple_extent_dims(space, dims.data(), nullptr) == rank ? 0 : -1,
                   "read the shape of a dataset or attribute");
  }
  return Shape(dims.begin(), dims.end());
}

// Number of elements of `shape`, or an error naming `what` when it overflows.
std::size_t checked_element_count(const Shape& shape, const std::string& what) {
  std::size_t count = 1;
  for (const std::size_t extent : shape) {
    require(!__builtin_mul_overflow(count, extent, &count),
            "{} declares an impossible shape (its element count overflows): the file is damaged",
            what);
  }
  return count;
}

// Size of the file that holds `object`, in bytes.
std::size_t file_size_of(hid_t object) {
  const Handle file(H5Iget_file_id(object), H5Fclose);
  hsize_t size = 0;
  checked_status(file.valid() ? H5Fget_filesize(file.get(), &size) : -1, "get a file's size");
  return static_cast<std::size_t>(size);
}

// Reads below this size are not checked against the stored bytes (fill values are allowed).
constexpr std::size_t kUncheckedReadBytes = std::size_t{1} << 20;
// No HDF5 filter dotpe meets (deflate at most ~1032:1) expands data more than this.
constexpr std::size_t kMaxCompressionRatio = 1100;

// Refuses to read `count` elements of a dataset when the file cannot hold them: a damaged file
// can declare any shape, and reading it would allocate that much memory. The stored bytes
// (`count` elements of the stored type) must be at most kMaxCompressionRatio times the bytes the
// dataset has in the file, which must lie in the file.
void check_dataset_read(hid_t dataset, hid_t stored_type, std::size_t count,
                        const std::string& what) {
  const std::size_t element_size = H5Tget_size(stored_type);
  std::size_t bytes = 0;
  require(element_size > 0 && !__builtin_mul_overflow(count, element_size, &bytes),
          "{} declares an impossible size: the file is damaged", what);
  if (bytes <= kUncheckedReadBytes) return;
  const std::size_t stored = H5Dget_storage_size(dataset);
  const std::size_t file_size = file_size_of(dataset);
  require(stored <= file_size,
          "{} claims {} bytes of storage in a file of {} bytes: the file is damaged or truncated",
          what, stored, file_size);
  require(bytes / kMaxCompressionRatio <= stored,
          "{}: reading {} elements needs {} bytes but the file stores only {} bytes for it "
          "(damaged file, or a dataset never written)",
          what, count, bytes, stored);
}

// The same for an attribute, whose values are stored uncompressed in the file.
void check_attribute_read(hid_t attribute, hid_t stored_type, std::size_t count,
                          const std::string& what) {
  const std::size_t element_size = H5Tget_size(stored_type);
  std::size_t bytes = 0;
  require(element_size > 0 && !__builtin_mul_overflow(count, element_size, &bytes) &&
              bytes <= file_size_of(attribute),
          "attribute {} declares {} elements, more than its file holds: the file is damaged", what,
          count);
}

// The HDF5 class a stored dataset must have to be read as T (a readable error beats HDF5's).
template <Element T>
bool stored_type_matches(hid_t stored_type) {
  const H5T_class_t stored_class = H5Tget_class(stored_type);
  if constexpr (std::same_as<T, complex> || std::same_as<T, complex_float>) {
    return stored_class == H5T_COMPOUND && H5Tget_nmembers(stored_type) == 2;
  } else if constexpr (std::same_as<T, double> || std::same_as<T, float>) {
    return stored_class == H5T_FLOAT || stored_class == H5T_INTEGER;
  } else {
    return stored_class == H5T_INTEGER;
  }
}

template <Element T>
const char* element_name() {
  if constexpr (std::same_as<T, complex> || std::same_as<T, complex_float>) return "complex";
  if constexpr (std::same_as<T, double> || std::same_as<T, float>) return "floating-point";
  return "integer";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Table

std::size_t Table::rows() const {
  if (columns.empty()) return 0;
  return std::visit([](const auto& column) { return column.size(); }, columns.front());
}

void Table::add(std::string name, std::vector<double> values) {
  names.push_back(std::move(name));
  columns.emplace_back(std::move(values));
}

void Table::add(std::string name, std::vector<std::int64_t> values) {
  names.push_back(std::move(name));
  columns.emplace_back(std::move(values));
}

bool Table::contains(const std::string& name) const {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const std::vector<double>& Table::doubles(const std::string& name) const {
  const auto found = std::find(names.begin(), names.end(), name);
  require(found != names.end(), "table has no column '{}'", name);
  const auto* column = std::get_if<std::vector<double>>(&columns[found - names.begin()]);
  require(column != nullptr, "table column '{}' holds integers, not floating-point numbers", name);
  return *column;
}

const std::vector<std::int64_t>& Table::integers(const std::string& name) const {
  const auto found = std::find(names.begin(), names.end(), name);
  require(found != names.end(), "table has no column '{}'", name);
  const auto* column = std::get_if<std::vector<std::int64_t>>(&columns[found - names.begin()]);
  require(column != nullptr, "table column '{}' holds floating-point numbers, not integers", name);
  return *column;
}

// ---------------------------------------------------------------------------------------------
// Group

Group::Group(Handle handle, std::string path_for_messages)
    : handle_(std::move(handle)), path_(std::move(path_for_messages)) {}

std::string Group::describe(const std::string& name) const {
  return "'" + name + "' in " + path_;
}

bool Group::contains(const std::string& name) const {
  if (name.empty()) return false;
  // Check each component so that "a/b" on a missing "a" is false rather than an error.
  std::size_t position = 0;
  while (true) {
    const std::size_t slash = name.find('/', position);
    const std::string prefix = name.substr(0, slash);
    if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
    position = slash + 1;
  }
}

Group Group::group(const std::string& name) const {
  require(contains(name), "{} has no group '{}'", path_, name);
  return Group(
      Handle(checked(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), "open group " + describe(name)),
             H5Gclose),
      path_ + ":" + name);
}

Group Group::create_group(const std::string& name) const {
  const Handle properties = untimed_properties(H5P_GROUP_CREATE);
  return Group(
      Handle(checked(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, properties.get(), H5P_DEFAULT),
                     "create group " + describe(name)),
             H5Gclose),
      path_ + ":" + name);
}

Group Group::require_group(const std::string& name) const {
  return contains(name) ? group(name) : create_group(name);
}

bool Group::is_group(const std::string& name) const {
  if (!contains(name)) return false;
  const Handle object(H5Oopen(id(), name.c_str(), H5P_DEFAULT), H5Oclose);
  return object.valid() && H5Iget_type(object.get()) == H5I_GROUP;
}

std::vector<std::string> Group::member_names() const {
  H5G_info_t info{};
  checked_status(H5Gget_info(id(), &info), "list members of " + path_);
  std::vector<std::string> names;
  for (hsize_t k = 0; k < info.nlinks; ++k) {
    const ssize_t length =
        H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, k, nullptr, 0, H5P_DEFAULT);
    checked_status(length < 0 ? -1 : 0,
                   "read the name of member " + std::to_string(k) + " of " + path_);
    std::string name(static_cast<std::size_t>(length), '\0');
    H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, k, name.data(), name.size() + 1,
                       H5P_DEFAULT);
    names.push_back(std::move(name));
  }
  return names;
}

template <Element T>
void Group::write(const std::string& name, std::span<const T> values, const Shape& shape) const {
  require(values.size() == element_count(shape),
          "internal error writing {}: {} values for a shape of {} elements", describe(name),
          values.size(), element_count(shape));
  const Handle type = memory_type<T>();
  const Handle space = make_space(shape);
  const Handle dataset(
      checked(H5Dcreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                         untimed_properties(H5P_DATASET_CREATE).get(), H5P_DEFAULT),
              "create dataset " + describe(name)),
      H5Dclose);
  checked_status(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                 "write dataset " + describe(name));
}

template <Element T>
Dataset Group::create_dataset(const std::string& name, const Shape& shape,
                              const Shape& chunk) const {
  const Handle type = memory_type<T>();
  const Handle space = make_space(shape);
  const Handle properties = untimed_properties(H5P_DATASET_CREATE);
  if (!chunk.empty()) {
    require(chunk.size() == shape.size(), "internal error: chunk rank differs from shape rank");
    const auto chunk_dims = to_hsize(chunk);
    checked_status(
        H5Pset_chunk(properties.get(), static_cast<int>(chunk_dims.size()), chunk_dims.data()),
        "set chunking of " + describe(name));
  }
  Handle dataset(checked(H5Dcreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                    properties.get(), H5P_DEFAULT),
                         "create dataset " + describe(name)),
                 H5Dclose);
  return Dataset(std::move(dataset), describe(name));
}

Dataset Group::dataset(const std::string& name) const {
  require(contains(name), "{} has no dataset '{}'", path_, name);
  return Dataset(
      Handle(checked(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), "open dataset " + describe(name)),
             H5Dclose),
      describe(name));
}

template <Element T>
Array<T> Group::read(const std::string& name) const {
  const Dataset opened = dataset(name);
  const Shape shape = opened.shape();
  return Array<T>{opened.read_slab<T>(Shape(shape.size(), 0), shape), shape};
}

template <Element T>
T Group::read_scalar(const std::string& name) const {
  const Array<T> array = read<T>(name);
  require(array.size() == 1, "{} should hold a single number but has {} elements", describe(name),
          array.size());
  return array.values.front();
}

void Group::link(const std::string& name, const std::string& target) const {
  checked_status(H5Lcreate_hard(id(), target.c_str(), id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                 "link " + describe(name) + " to '" + target + "'");
}

void Group::write_string(const std::string& name, const std::string& value) const {
  const Handle type = string_type();
  const Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  const Handle dataset(
      checked(H5Dcreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                         untimed_properties(H5P_DATASET_CREATE).get(), H5P_DEFAULT),
              "create dataset " + describe(name)),
      H5Dclose);
  const char* text = value.c_str();
  checked_status(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text),
                 "write string " + describe(name));
}

void Group::write_strings(const std::string& name, const std::vector<std::string>& values) const {
  const Handle type = string_type();
  const Handle space = make_space(Shape{values.size()});
  const Handle dataset(
      checked(H5Dcreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                         untimed_properties(H5P_DATASET_CREATE).get(), H5P_DEFAULT),
              "create dataset " + describe(name)),
      H5Dclose);
  std::vector<const char*> pointers;
  for (const auto& value : values) pointers.push_back(value.c_str());
  checked_status(
      H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()),
      "write strings " + describe(name));
}

namespace {

// Reads every element of a string dataset or attribute, fixed- or variable-length.
template <typename ReadFunction>
std::vector<std::string> read_string_elements(hid_t stored_type, std::size_t count,
                                              const ReadFunction& read_into,
                                              const std::string& what) {
  require(H5Tget_class(stored_type) == H5T_STRING, "{} is not a string", what);
  std::vector<std::string> result;
  if (H5Tis_variable_str(stored_type) > 0) {
    const Handle type = string_type();
    std::vector<char*> pointers(count, nullptr);
    checked_status(read_into(type.get(), pointers.data()), "read strings " + what);
    for (char* text : pointers) {
      result.emplace_back(text != nullptr ? text : "");
      H5free_memory(text);
    }
    return result;
  }
  // One more byte than stored, so that a null-padded string of full width keeps its last char.
  const std::size_t width = H5Tget_size(stored_type) + 1;
  const Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), width);
  std::vector<char> buffer(width * count);
  checked_status(read_into(type.get(), buffer.data()), "read strings " + what);
  for (std::size_t k = 0; k < count; ++k) {
    const char* start = buffer.data() + k * width;
    result.emplace_back(start, strnlen(start, width));
  }
  return result;
}

}  // namespace

std::vector<std::string> Group::read_strings(const std::string& name) const {
  require(contains(name), "{} has no dataset '{}'", path_, name);
  const Handle handle(checked(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), "open " + describe(name)),
                      H5Dclose);
  const Handle stored_type(H5Dget_type(handle.get()), H5Tclose);
  const Handle space(H5Dget_space(handle.get()), H5Sclose);
  const std::size_t count = checked_element_count(space_shape(space.get()), describe(name));
  check_dataset_read(handle.get(), stored_type.get(), count, describe(name));
  return read_string_elements(
      stored_type.get(), count,
      [&](hid_t type, void* buffer) {
        return H5Dread(handle.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
      },
      describe(name));
}

std::string Group::read_string(const std::string& name) const {
  const auto values = read_strings(name);
  require(values.size() == 1, "{} should hold one string but has {}", describe(name),
          values.size());
  return values.front();
}

void Group::write_table(const std::string& name, const Table& table) const {
  const std::size_t rows = table.rows();
  const std::size_t row_bytes = 8 * table.columns.size();
  const Handle type(H5Tcreate(H5T_COMPOUND, std::max<std::size_t>(row_bytes, 8)), H5Tclose);
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const bool is_double = std::holds_alternative<std::vector<double>>(table.columns[c]);
    require(std::visit([](const auto& column) { return column.size(); }, table.columns[c]) == rows,
            "internal error writing table {}: column '{}' has a different length", describe(name),
            table.names[c]);
    H5Tinsert(type.get(), table.names[c].c_str(), 8 * c,
              is_double ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT64);
  }
  std::vector<std::byte> buffer(rows * row_bytes);
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    std::visit(
        [&](const auto& column) {
          for (std::size_t r = 0; r < rows; ++r) {
            std::memcpy(buffer.data() + r * row_bytes + 8 * c, &column[r], 8);
          }
        },
        table.columns[c]);
  }
  const Handle space = make_space(Shape{rows});
  const Handle dataset(
      checked(H5Dcreate2(id(), name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                         untimed_properties(H5P_DATASET_CREATE).get(), H5P_DEFAULT),
              "create table " + describe(name)),
      H5Dclose);
  checked_status(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()),
                 "write table " + describe(name));
}

Table Group::read_table(const std::string& name) const {
  require(contains(name), "{} has no table '{}'", path_, name);
  const Handle handle(checked(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), "open " + describe(name)),
                      H5Dclose);
  const Handle stored_type(H5Dget_type(handle.get()), H5Tclose);
  require(H5Tget_class(stored_type.get()) == H5T_COMPOUND, "{} is not a table (compound dataset)",
          describe(name));
  const Handle space(H5Dget_space(handle.get()), H5Sclose);
  const std::size_t rows = checked_element_count(space_shape(space.get()), describe(name));
  check_dataset_read(handle.get(), stored_type.get(), rows, describe(name));
  Table table;
  const int members = H5Tget_nmembers(stored_type.get());
  for (int c = 0; c < members; ++c) {
    char* member_name = H5Tget_member_name(stored_type.get(), static_cast<unsigned>(c));
    require(member_name != nullptr, "HDF5: could not read the name of column {} of {}", c,
            describe(name));
    const std::string column_name(member_name);
    H5free_memory(member_name);
    const bool is_integer =
        H5Tget_member_class(stored_type.get(), static_cast<unsigned>(c)) == H5T_INTEGER;
    // Read one column at a time through a one-member compound type: HDF5 picks it out by name.
    const std::size_t width = 8;
    const Handle column_type(H5Tcreate(H5T_COMPOUND, width), H5Tclose);
    H5Tinsert(column_type.get(), column_name.c_str(), 0,
              is_integer ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE);
    if (is_integer) {
      std::vector<std::int64_t> values(rows);
      checked_status(
          H5Dread(handle.get(), column_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "read column '" + column_name + "' of " + describe(name));
      table.add(column_name, std::move(values));
    } else {
      std::vector<double> values(rows);
      checked_status(
          H5Dread(handle.get(), column_type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "read column '" + column_name + "' of " + describe(name));
      table.add(column_name, std::move(values));
    }
  }
  return table;
}

// ---------------------------------------------------------------------------------------------
// Attributes

bool Group::has_attribute(const std::string& name) const {
  return H5Aexists(id(), name.c_str()) > 0;
}

namespace {

void write_attribute(hid_t object, const std::string& name, hid_t type, const Shape& shape,
                     const void* data, const std::string& what) {
  if (H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
  const Handle space = make_space(shape);
  const Handle attribute(
      checked(H5Acreate2(object, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
              "create attribute " + what),
      H5Aclose);
  checked_status(H5Awrite(attribute.get(), type, data), "write attribute " + what);
}

}  // namespace

void Group::set_attribute(const std::string& name, double value) const {
  write_attribute(id(), name, H5T_NATIVE_DOUBLE, Shape{}, &value, describe(name));
}

void Group::set_attribute(const std::string& name, std::int64_t value) const {
  write_attribute(id(), name, H5T_NATIVE_INT64, Shape{}, &value, describe(name));
}

void Group::set_attribute(const std::string& name, const std::string& value) const {
  const Handle type = string_type();
  const char* text = value.c_str();
  write_attribute(id(), name, type.get(), Shape{}, &text, describe(name));
}

void Group::set_attribute(const std::string& name, const std::vector<double>& values) const {
  write_attribute(id(), name, H5T_NATIVE_DOUBLE, Shape{values.size()}, values.data(),
                  describe(name));
}

namespace {

Handle open_attribute(hid_t object, const std::string& name, const std::string& what) {
  require(H5Aexists(object, name.c_str()) > 0, "missing attribute {}", what);
  return Handle(checked(H5Aopen(object, name.c_str(), H5P_DEFAULT), "open attribute " + what),
                H5Aclose);
}

std::vector<double> read_numeric_attribute(hid_t object, const std::string& name,
                                           const std::string& what) {
  const Handle attribute = open_attribute(object, name, what);
  const Handle space(H5Aget_space(attribute.get()), H5Sclose);
  const Handle stored_type(H5Aget_type(attribute.get()), H5Tclose);
  const H5T_class_t stored_class = H5Tget_class(stored_type.get());
  require(stored_class == H5T_FLOAT || stored_class == H5T_INTEGER, "attribute {} is not numeric",
          what);
  const std::size_t count = checked_element_count(space_shape(space.get()), "attribute " + what);
  check_attribute_read(attribute.get(), stored_type.get(), count, what);
  std::vector<double> values(count);
  checked_status(H5Aread(attribute.get(), H5T_NATIVE_DOUBLE, values.data()),
                 "read attribute " + what);
  return values;
}

}  // namespace

double Group::attribute_double(const std::string& name) const {
  const auto values = read_numeric_attribute(id(), name, describe(name));
  require(values.size() == 1, "attribute {} should be one number", describe(name));
  return values.front();
}

std::int64_t Group::attribute_int(const std::string& name) const {
  const Handle attribute = open_attribute(id(), name, describe(name));
  const Handle stored_type(H5Aget_type(attribute.get()), H5Tclose);
  require(H5Tget_class(stored_type.get()) == H5T_INTEGER, "attribute {} is not an integer",
          describe(name));
  const Handle space(H5Aget_space(attribute.get()), H5Sclose);
  require(checked_element_count(space_shape(space.get()), describe(name)) == 1,
          "attribute {} should be one integer", describe(name));
  std::int64_t value = 0;
  checked_status(H5Aread(attribute.get(), H5T_NATIVE_INT64, &value),
                 "read attribute " + describe(name));
  return value;
}

std::string Group::attribute_string(const std::string& name) const {
  const Handle attribute = open_attribute(id(), name, describe(name));
  const Handle stored_type(H5Aget_type(attribute.get()), H5Tclose);
  const Handle space(H5Aget_space(attribute.get()), H5Sclose);
  require(checked_element_count(space_shape(space.get()), describe(name)) == 1,
          "attribute {} should be one string", describe(name));
  const auto values = read_string_elements(
      stored_type.get(), 1,
      [&](hid_t type, void* buffer) { return H5Aread(attribute.get(), type, buffer); },
      describe(name));
  return values.front();
}

std::vector<double> Group::attribute_doubles(const std::string& name) const {
  return read_numeric_attribute(id(), name, describe(name));
}

// ---------------------------------------------------------------------------------------------
// Dataset

Dataset::Dataset(Handle handle, std::string description)
    : handle_(std::move(handle)), description_(std::move(description)) {}

Shape Dataset::shape() const {
  const Handle space(H5Dget_space(handle_.get()), H5Sclose);
  return space_shape(space.get());
}

namespace {

// Selects the block [offset, offset + count) of the dataset's space; returns (file, memory)
// spaces.
std::pair<Handle, Handle> select_slab(hid_t dataset, const Shape& offset, const Shape& count,
                                      const std::string& what) {
  Handle file_space(H5Dget_space(dataset), H5Sclose);
  const Shape shape = space_shape(file_space.get());
  require(offset.size() == shape.size() && count.size() == shape.size(),
          "internal error: slab of rank {} for {} of rank {}", offset.size(), what, shape.size());
  for (std::size_t k = 0; k < shape.size(); ++k) {
    require(count[k] <= shape[k] && offset[k] <= shape[k] - count[k],
            "{}: requested rows {}..{} along axis {} but it has only {}", what, offset[k],
            offset[k] + count[k], k, shape[k]);
  }
  if (!shape.empty()) {
    const auto start = to_hsize(offset);
    const auto extent = to_hsize(count);
    checked_status(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                       extent.data(), nullptr),
                   "select a block of " + what);
  }
  Handle memory_space = make_space(count);
  return {std::move(file_space), std::move(memory_space)};
}

}  // namespace

template <Element T>
std::vector<T> Dataset::read_slab(const Shape& offset, const Shape& count) const {
  const Handle stored_type(H5Dget_type(handle_.get()), H5Tclose);
  require(stored_type_matches<T>(stored_type.get()), "{} does not hold {} numbers", description_,
          element_name<T>());
  const auto [file_space, memory_space] = select_slab(handle_.get(), offset, count, description_);
  const std::size_t elements = checked_element_count(count, description_);
  check_dataset_read(handle_.get(), stored_type.get(), elements, description_);
  if constexpr (std::same_as<T, complex>) {
    // A stored complex64 is read as it is and widened here. HDF5's own conversion of the
    // compound {r, i} of floats to one of doubles takes its generic struct path, which cost a
    // quarter of a stage-2 worker's time on bank blocks (more than the GEMM on them).
    if (H5Tget_size(stored_type.get()) == sizeof(complex_float)) {
      const std::vector<complex_float> stored = read_slab<complex_float>(offset, count);
      return {stored.begin(), stored.end()};
    }
  }
  std::vector<T> values(elements);
  if (values.empty()) return values;
  const Handle type = memory_type<T>();
  checked_status(H5Dread(handle_.get(), type.get(), memory_space.get(), file_space.get(),
                         H5P_DEFAULT, values.data()),
                 "read " + description_);
  return values;
}

template <Element T>
void Dataset::write_slab(const Shape& offset, const Shape& count, std::span<const T> values) const {
  require(values.size() == element_count(count), "internal error: {} values for a block of {}",
          values.size(), element_count(count));
  const auto [file_space, memory_space] = select_slab(handle_.get(), offset, count, description_);
  const Handle type = memory_type<T>();
  checked_status(H5Dwrite(handle_.get(), type.get(), memory_space.get(), file_space.get(),
                          H5P_DEFAULT, values.data()),
                 "write " + description_);
}

// ---------------------------------------------------------------------------------------------
// File

namespace {

Handle open_file(const std::filesystem::path& path, Mode mode, hid_t access_properties) {
  silence_hdf5_errors();
  const std::string name = path.string();
  if (mode == Mode::create) {
    return Handle(checked(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access_properties),
                          "create file '" + name + "' (is the directory writable?)"),
                  H5Fclose);
  }
  require(std::filesystem::exists(path), "file '{}' does not exist", name);
#if H5_VERSION_GE(1, 12, 0)
  const htri_t is_hdf5 = H5Fis_accessible(name.c_str(), access_properties);
#else
  const htri_t is_hdf5 = H5Fis_hdf5(name.c_str());
#endif
  require(is_hdf5 > 0, "file '{}' is not an HDF5 file (or is damaged)", name);
  const unsigned flags = mode == Mode::read ? H5F_ACC_RDONLY : H5F_ACC_RDWR;
  return Handle(checked(H5Fopen(name.c_str(), flags, access_properties),
                        "open file '" + name +
                            "': it is damaged or truncated (an interrupted copy or "
                            "write?); regenerate it or copy it again"),
                H5Fclose);
}

Group open_root(const Handle& file, const std::filesystem::path& path) {
  return Group(Handle(checked(H5Gopen2(file.get(), "/", H5P_DEFAULT),
                              "open root group of '" + path.string() + "'"),
                      H5Gclose),
               path.string());
}

}  // namespace

File::File(const std::filesystem::path& path, Mode mode)
    : path_(path), file_(open_file(path, mode, H5P_DEFAULT)), root_(open_root(file_, path)) {}

File::File(const std::filesystem::path& path, Mode mode, MPI_Comm communicator)
    : path_(path),
      file_([&] {
        const Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
        checked_status(H5Pset_fapl_mpio(access.get(), communicator, MPI_INFO_NULL),
                       "set MPI-IO access for '" + path.string() + "'");
        return open_file(path, mode, access.get());
      }()),
      root_(open_root(file_, path)) {}

void File::flush() const {
  checked_status(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "flush " + path_.string());
}

// Explicit instantiations for every supported element type.
#define DOTPE_H5_INSTANTIATE(T)                                                                    \
  template void Group::write<T>(const std::string&, std::span<const T>, const Shape&) const;       \
  template Dataset Group::create_dataset<T>(const std::string&, const Shape&, const Shape&) const; \
  template Array<T> Group::read<T>(const std::string&) const;                                      \
  template T Group::read_scalar<T>(const std::string&) const;                                      \
  template std::vector<T> Dataset::read_slab<T>(const Shape&, const Shape&) const;                 \
  template void Dataset::write_slab<T>(const Shape&, const Shape&, std::span<const T>) const;

DOTPE_H5_INSTANTIATE(double)
DOTPE_H5_INSTANTIATE(float)
DOTPE_H5_INSTANTIATE(std::int64_t)
DOTPE_H5_INSTANTIATE(std::int32_t)
DOTPE_H5_INSTANTIATE(std::uint8_t)
DOTPE_H5_INSTANTIATE(complex)
DOTPE_H5_INSTANTIATE(complex_float)
#undef DOTPE_H5_INSTANTIATE

}  // namespace dotpe::io::h5
