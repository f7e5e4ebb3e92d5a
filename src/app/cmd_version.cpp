#include <H5public.h>
#include <fmt/format.h>
#include <mpi.h>

#include <Eigen/Core>
#include <boost/version.hpp>
#include <iostream>

#include "dotpe/core/version.hpp"
#include "subcommands.hpp"

namespace dotpe::app {

int version_command(const Arguments& /*arguments*/) {
  unsigned hdf5_major = 0;
  unsigned hdf5_minor = 0;
  unsigned hdf5_release = 0;
  H5get_libversion(&hdf5_major, &hdf5_minor, &hdf5_release);
  char mpi_library[MPI_MAX_LIBRARY_VERSION_STRING];
  int mpi_library_length = 0;
  MPI_Get_library_version(mpi_library, &mpi_library_length);
  std::string mpi_first_line(mpi_library, static_cast<std::size_t>(mpi_library_length));
  mpi_first_line = mpi_first_line.substr(0, mpi_first_line.find_first_of(",\n"));

  std::cout << fmt::format("dotpe {}\n", version()) << fmt::format("  MPI    {}\n", mpi_first_line)
            << fmt::format("  HDF5   {}.{}.{} (parallel)\n", hdf5_major, hdf5_minor, hdf5_release)
            << fmt::format("  Boost  {}.{}.{}\n", BOOST_VERSION / 100000,
                           BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100)
            << fmt::format("  Eigen  {}.{}.{}\n", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION,
                           EIGEN_MINOR_VERSION)
            << fmt::format("  data   {}\n", data_dir().string());
  return 0;
}

}  // namespace dotpe::app
