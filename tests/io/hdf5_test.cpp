#include "dotpe/io/hdf5.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <numeric>

#include "dotpe/core/error.hpp"
#include "dotpe/io/files.hpp"
#include "test_paths.hpp"

namespace dotpe::io::h5 {
namespace {

std::string interop_script() {
  const char* source = std::getenv("DOTPE_TEST_SOURCE_DIR");
  return std::string(source != nullptr ? source : "tests") + "/io/h5py_interop.py";
}

template <typename T>
std::vector<T> counting(std::size_t count, T step) {
  std::vector<T> values(count);
  for (std::size_t k = 0; k < count; ++k) values[k] = static_cast<T>(k) * step;
  return values;
}

TEST(Hdf5, RoundTripsArraysOfEveryRankAndType) {
  const auto path = testing::fresh_work_dir("hdf5_roundtrip") / "arrays.h5";
  const std::vector<Shape> shapes = {{7}, {3, 4}, {2, 3, 4}, {2, 1, 3, 2}, {2, 2, 1, 3, 2}};
  {
    File file(path, Mode::create);
    for (std::size_t rank = 0; rank < shapes.size(); ++rank) {
      const std::size_t size = std::accumulate(shapes[rank].begin(), shapes[rank].end(),
                                               std::size_t{1}, std::multiplies<>());
      const auto doubles = counting<double>(size, 0.125);
      const auto integers = counting<std::int64_t>(size, -3);
      std::vector<complex> complexes;
      for (std::size_t k = 0; k < size; ++k) complexes.emplace_back(k * 0.5, -1.0 * k);
      const std::string suffix = std::to_string(rank + 1);
      file.root().write<double>("double" + suffix, doubles, shapes[rank]);
      file.root().write<std::int64_t>("int" + suffix, integers, shapes[rank]);
      file.root().write<complex>("complex" + suffix, complexes, shapes[rank]);
    }
    file.root().write_scalar("scalar", 2.5);
  }
  const File file(path, Mode::read);
  for (std::size_t rank = 0; rank < shapes.size(); ++rank) {
    const std::string suffix = std::to_string(rank + 1);
    const auto doubles = file.root().read<double>("double" + suffix);
    EXPECT_EQ(doubles.shape, shapes[rank]);
    EXPECT_EQ(doubles.values, counting<double>(doubles.size(), 0.125));
    EXPECT_EQ(file.root().read<std::int64_t>("int" + suffix).values,
              counting<std::int64_t>(doubles.size(), -3));
    const auto complexes = file.root().read<complex>("complex" + suffix);
    EXPECT_EQ(complexes.shape, shapes[rank]);
    for (std::size_t k = 0; k < complexes.size(); ++k) {
      ASSERT_EQ(complexes.values[k], complex(k * 0.5, -1.0 * k));
    }
  }
  EXPECT_EQ(file.root().read_scalar<double>("scalar"), 2.5);
}

TEST(Hdf5, RoundTripsStringsAttributesAndGroups) {
  const auto path = testing::fresh_work_dir("hdf5_strings") / "strings.h5";
  {
    File file(path, Mode::create);
    const Group group = file.root().create_group("config");
    group.set_attribute("approximant", "IMRPhenomHM");
    group.set_attribute("f_ref", 50.0);
    group.set_attribute("seed", std::int64_t{12345});
    group.set_attribute("fbin", std::vector<double>{15.0, 20.0, 1600.0});
    group.set_attribute("f_ref", 60.0);  // overwriting an attribute replaces it
    file.root().write_string("event", "GW170104");
    file.root().write_strings("detectors", {"H1", "L1", "V1"});
    file.root().require_group("a").require_group("b");
  }
  const File file(path, Mode::read);
  const Group group = file.root().group("config");
  EXPECT_EQ(group.attribute_string("approximant"), "IMRPhenomHM");
  EXPECT_EQ(group.attribute_double("f_ref"), 60.0);
  EXPECT_EQ(group.attribute_int("seed"), 12345);
  EXPECT_EQ(group.attribute_doubles("fbin"), (std::vector<double>{15.0, 20.0, 1600.0}));
  EXPECT_EQ(file.root().read_string("event"), "GW170104");
  EXPECT_EQ(file.root().read_strings("detectors"), (std::vector<std::string>{"H1", "L1", "V1"}));
  EXPECT_TRUE(file.root().contains("a/b"));
  EXPECT_TRUE(file.root().is_group("a"));
  EXPECT_FALSE(file.root().contains("a/c"));
  EXPECT_FALSE(file.root().contains("missing/deeper"));
  EXPECT_EQ(file.root().member_names(),
            (std::vector<std::string>{"a", "config", "detectors", "event"}));
}

TEST(Hdf5, RoundTripsCompoundTables) {
  const auto path = testing::fresh_work_dir("hdf5_table") / "table.h5";
  Table table;
  table.add("m1", std::vector<double>{30.0, 31.5, 29.0});
  table.add("index", std::vector<std::int64_t>{4, 5, 6});
  table.add("lnl", std::vector<double>{-1.0, 2.0, 1e300});
  {
    File file(path, Mode::create);
    file.root().write_table("samples", table);
  }
  const File file(path, Mode::read);
  const Table read_back = file.root().read_table("samples");
  EXPECT_EQ(read_back.names, table.names);
  EXPECT_EQ(read_back.rows(), 3U);
  EXPECT_EQ(read_back.doubles("m1"), table.doubles("m1"));
  EXPECT_EQ(read_back.integers("index"), table.integers("index"));
  EXPECT_EQ(read_back.doubles("lnl"), table.doubles("lnl"));
  EXPECT_THROW(read_back.doubles("index"), Error);
  EXPECT_THROW(read_back.doubles("m3"), Error);
}

TEST(Hdf5, SinglePrecisionComplexReadsAsDoubleExactly) {
  // Stored complex64 read as complex128 (the bank's waveforms): every value widened exactly,
  // on the fast path that reads the floats and widens them outside HDF5.
  const auto path = testing::fresh_work_dir("hdf5_complex64") / "single.h5";
  std::vector<complex_float> stored;
  for (int k = 0; k < 24; ++k) stored.emplace_back(0.1f * static_cast<float>(k), -1.0f / (k + 1));
  {
    File file(path, Mode::create);
    const Dataset dataset = file.root().create_dataset<complex_float>("w", {4, 6}, {2, 6});
    dataset.write_slab<complex_float>({0, 0}, {4, 6}, stored);
  }
  const File file(path, Mode::read);
  const auto widened = file.root().dataset("w").read_slab<complex>({1, 0}, {2, 6});
  ASSERT_EQ(widened.size(), 12U);
  for (std::size_t k = 0; k < widened.size(); ++k) {
    EXPECT_EQ(widened[k], complex(stored[6 + k].real(), stored[6 + k].imag())) << k;
  }
}

TEST(Hdf5, ChunkedDatasetsAreWrittenAndReadInBlocks) {
  const auto path = testing::fresh_work_dir("hdf5_slabs") / "slabs.h5";
  const Shape shape = {10, 2, 3};
  {
    File file(path, Mode::create);
    const Dataset dataset = file.root().create_dataset<complex>("waveforms", shape, {4, 2, 3});
    for (std::size_t start = 0; start < 10; start += 4) {
      const std::size_t rows = std::min<std::size_t>(4, 10 - start);
      std::vector<complex> block;
      for (std::size_t k = 0; k < rows * 6; ++k) block.emplace_back(start * 6 + k, 1.0);
      dataset.write_slab<complex>({start, 0, 0}, {rows, 2, 3}, block);
    }
  }
  const File file(path, Mode::read);
  const Dataset dataset = file.root().dataset("waveforms");
  EXPECT_EQ(dataset.shape(), shape);
  const auto middle = dataset.read_slab<complex>({3, 0, 0}, {5, 2, 3});
  ASSERT_EQ(middle.size(), 30U);
  for (std::size_t k = 0; k < middle.size(); ++k) EXPECT_EQ(middle[k], complex(18.0 + k, 1.0));
  EXPECT_THROW(dataset.read_slab<complex>({8, 0, 0}, {5, 2, 3}), Error);
  EXPECT_THROW(dataset.read_slab<double>({0, 0, 0}, {1, 2, 3}), Error);
}

TEST(Hdf5, ClearErrorsForMissingThings) {
  const auto directory = testing::fresh_work_dir("hdf5_errors");
  EXPECT_THROW(File(directory / "absent.h5", Mode::read), Error);
  write_text_atomically(directory / "text.h5", "not hdf5");
  try {
    File file(directory / "text.h5", Mode::read);
    FAIL() << "a text file opened as HDF5";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("not an HDF5 file"), std::string::npos);
  }
  { File file(directory / "empty.h5", Mode::create); }
  const File file(directory / "empty.h5", Mode::read);
  try {
    file.root().read<double>("strain");
    FAIL() << "reading a missing dataset did not throw";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("strain"), std::string::npos);
  }
  EXPECT_THROW(file.root().attribute_double("f_ref"), Error);
}

TEST(Hdf5, H5pyReadsWhatDotpeWritesAndViceVersa) {
  const auto directory = testing::fresh_work_dir("hdf5_h5py");
  const auto ours = directory / "dotpe.h5";
  {
    File file(ours, Mode::create);
    const Group nested = file.root().create_group("nested");
    nested.write<complex>("cplx", std::vector<complex>{{1, 2}, {3, -4}, {0.5, 0}, {0, 0}}, {2, 2});
    nested.set_attribute("name", "dot-PE");
    nested.set_attribute("values", std::vector<double>{1.0, 2.0});
    Table table;
    table.add("m1", std::vector<double>{1.5, 2.5});
    table.add("index", std::vector<std::int64_t>{7, 8});
    file.root().write_table("table", table);
    file.root().write_scalar("scalar", 3.25);
    file.root().write_string("text", "hello");
  }
  const auto report_path = directory / "report.json";
  ASSERT_EQ(testing::run_command(testing::python() + " " + interop_script() + " check " +
                                 ours.string() + " " + report_path.string()),
            0);
  const auto report = read_json(report_path);
  EXPECT_EQ(report["cplx_dtype"], "complex128");
  EXPECT_EQ(report["cplx_shape"], (std::vector<int>{2, 2}));
  EXPECT_EQ(report["cplx_sum"][0].get<double>(), 4.5);
  EXPECT_EQ(report["cplx_sum"][1].get<double>(), -2.0);
  EXPECT_EQ(report["table_fields"], (std::vector<std::string>{"m1", "index"}));
  EXPECT_EQ(report["table_m1"], (std::vector<double>{1.5, 2.5}));
  EXPECT_EQ(report["table_index"], (std::vector<int>{7, 8}));
  EXPECT_EQ(report["attr_name"], "dot-PE");
  EXPECT_EQ(report["attr_values"], (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(report["scalar"].get<double>(), 3.25);
  EXPECT_EQ(report["text"], "hello");

  const auto theirs = directory / "h5py.h5";
  ASSERT_EQ(testing::run_command(testing::python() + " " + interop_script() + " write " +
                                 theirs.string()),
            0);
  const File file(theirs, Mode::read);
  EXPECT_EQ(file.root().read<double>("real").values, counting<double>(12, 0.125));
  const auto cplx = file.root().read<complex>("cplx");
  EXPECT_EQ(cplx.shape, (Shape{2, 3}));
  for (std::size_t k = 0; k < 6; ++k) EXPECT_EQ(cplx.values[k], complex(k, -2.5 * k));
  EXPECT_EQ(file.root().read<std::int64_t>("ints").values, (std::vector<std::int64_t>{5, -6, 7}));
  const Table table = file.root().read_table("table");
  EXPECT_EQ(table.names, (std::vector<std::string>{"m1", "index", "m2"}));
  EXPECT_EQ(table.doubles("m2"), (std::vector<double>{20.0, 21.0, 22.0}));
  EXPECT_EQ(table.integers("index"), (std::vector<std::int64_t>{10, 11, 12}));
  EXPECT_EQ(file.root().read_strings("names"), (std::vector<std::string>{"H1", "L1"}));
  const Group group = file.root().group("group");
  EXPECT_EQ(group.attribute_double("f_ref"), 50.0);
  EXPECT_EQ(group.attribute_string("approximant"), "IMRPhenomHM");
  EXPECT_EQ(group.attribute_doubles("m_arr"), (std::vector<double>{2.0, 1.0, 3.0, 4.0}));
  EXPECT_EQ(group.attribute_int("count"), 17);
}

}  // namespace
}  // namespace dotpe::io::h5
