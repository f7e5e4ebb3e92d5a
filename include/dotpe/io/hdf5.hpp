// RAII wrapper over the HDF5 C API: files (serial or MPI-IO), groups, datasets, attributes.
// Complex numbers are stored as the compound {r, i} that h5py and numpy read as complex128.
// Every failure throws dotpe::Error naming the file and the object.
#pragma once

#include <hdf5.h>
#include <mpi.h>

#include <complex>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dotpe::io::h5 {

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept { swap(other); }
  Handle& operator=(Handle&& other) noexcept {
    Handle moved(std::move(other));
    swap(moved);
    return *this;
  }
  ~Handle() {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  void swap(Handle& other) noexcept {
    std::swap(id_, other.id_);
    std::swap(closer_, other.closer_);
  }
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

using Shape = std::vector<std::size_t>;
using complex = std::complex<double>;
using complex_float = std::complex<float>;

// An n-dimensional array in C (row-major) order.
template <typename T>
struct Array {
  std::vector<T> values;
  Shape shape;
  std::size_t size() const { return values.size(); }
};

// A table of named columns of equal length, stored as a compound dataset (a numpy structured
// array in h5py).
struct Table {
  using Column = std::variant<std::vector<double>, std::vector<std::int64_t>>;
  std::vector<std::string> names;
  std::vector<Column> columns;

  std::size_t rows() const;
  void add(std::string name, std::vector<double> values);
  void add(std::string name, std::vector<std::int64_t> values);
  const std::vector<double>& doubles(const std::string& name) const;
  const std::vector<std::int64_t>& integers(const std::string& name) const;
  bool contains(const std::string& name) const;
};

// Element types the wrapper reads and writes.
template <typename T>
concept Element = std::same_as<T, double> || std::same_as<T, float> ||
    std::same_as<T, std::int64_t> || std::same_as<T, std::int32_t> ||
    std::same_as<T, std::uint8_t> || std::same_as<T, complex> || std::same_as<T, complex_float>;

class Dataset;

// A group or a file's root group: everything that holds datasets, groups and attributes.
class Group {
 public:
  Group(Handle handle, std::string path_for_messages);

  bool contains(const std::string& name) const;
  Group group(const std::string& name) const;
  Group create_group(const std::string& name) const;
  Group require_group(const std::string& name) const;
  bool is_group(const std::string& name) const;
  std::vector<std::string> member_names() const;

  template <Element T>
  void write(const std::string& name, std::span<const T> values, const Shape& shape) const;
  template <Element T>
  void write(const std::string& name, const std::vector<T>& values) const {
    write<T>(name, std::span<const T>(values), Shape{values.size()});
  }
  template <Element T>
  void write_scalar(const std::string& name, T value) const {
    write<T>(name, std::span<const T>(&value, 1), Shape{});
  }
  void write_string(const std::string& name, const std::string& value) const;
  void write_strings(const std::string& name, const std::vector<std::string>& values) const;
  void write_table(const std::string& name, const Table& table) const;
  // A second name for an existing object (an HDF5 hard link: one copy on disk, two paths).
  // `target` is a path from the file's root, e.g. "/prob_samples".
  void link(const std::string& name, const std::string& target) const;

  // A chunked dataset to fill piece by piece with Dataset::write_slab.
  template <Element T>
  Dataset create_dataset(const std::string& name, const Shape& shape, const Shape& chunk) const;

  template <Element T>
  Array<T> read(const std::string& name) const;
  template <Element T>
  T read_scalar(const std::string& name) const;
  std::string read_string(const std::string& name) const;
  std::vector<std::string> read_strings(const std::string& name) const;
  Table read_table(const std::string& name) const;
  Dataset dataset(const std::string& name) const;

  // Attributes: scalars, strings and 1-D arrays of double.
  bool has_attribute(const std::string& name) const;
  void set_attribute(const std::string& name, double value) const;
  void set_attribute(const std::string& name, std::int64_t value) const;
  void set_attribute(const std::string& name, const std::string& value) const;
  void set_attribute(const std::string& name, const char* value) const {
    set_attribute(name, std::string(value));
  }
  void set_attribute(const std::string& name, const std::vector<double>& values) const;
  double attribute_double(const std::string& name) const;
  std::int64_t attribute_int(const std::string& name) const;
  std::string attribute_string(const std::string& name) const;
  std::vector<double> attribute_doubles(const std::string& name) const;

  hid_t id() const { return handle_.get(); }
  const std::string& path() const { return path_; }

 private:
  std::string describe(const std::string& name) const;
  Handle handle_;
  std::string path_;
};

// An open dataset, for reading or writing hyperslabs (blocks of rows) of large arrays.
class Dataset {
 public:
  Dataset(Handle handle, std::string description);
  Shape shape() const;
  // Reads/writes the block starting at `offset` with extent `count` (one entry per dimension).
  template <Element T>
  std::vector<T> read_slab(const Shape& offset, const Shape& count) const;
  template <Element T>
  void write_slab(const Shape& offset, const Shape& count, std::span<const T> values) const;

 private:
  Handle handle_;
  std::string description_;
};

enum class Mode { read, read_write, create };

// With `communicator` set, the file is opened through MPI-IO (parallel HDF5): every rank of the
// communicator must open it, and collective calls must be made by all.
class File {
 public:
  File(const std::filesystem::path& path, Mode mode);
  File(const std::filesystem::path& path, Mode mode, MPI_Comm communicator);

  Group& root() { return root_; }
  const Group& root() const { return root_; }
  const std::filesystem::path& path() const { return path_; }
  void flush() const;

 private:
  std::filesystem::path path_;
  Handle file_;
  Group root_;  // declared after file_: closed before it
};

}  // namespace dotpe::io::h5
