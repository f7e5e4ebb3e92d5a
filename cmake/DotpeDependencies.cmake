# Every dependency comes from a Debian package via find_package; nothing is vendored.
find_package(MPI REQUIRED COMPONENTS C CXX)
find_package(Boost 1.74 REQUIRED COMPONENTS mpi serialization program_options)
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)

find_package(GSL REQUIRED)
find_package(PkgConfig REQUIRED)
# libzip through pkg-config: Debian 12's CMake package config references tools it does not ship.
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
add_library(libzip::zip ALIAS PkgConfig::LIBZIP)
# LZ4 frame decompression, for the Arrow IPC (feather) columns of dot-PE banks.
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)

# HDF5: the parallel (Open MPI) build of the C library, for MPI-IO file access.
set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "dotpe needs the parallel HDF5 C library (Debian: libhdf5-openmpi-dev); "
                      "found a serial one at ${HDF5_INCLUDE_DIRS}. Run scripts/setup.")
endif()
add_library(dotpe_hdf5 INTERFACE)
target_include_directories(dotpe_hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS})
target_link_libraries(dotpe_hdf5 INTERFACE ${HDF5_C_LIBRARIES} MPI::MPI_C)
target_compile_definitions(dotpe_hdf5 INTERFACE ${HDF5_DEFINITIONS})
add_library(dotpe::hdf5 ALIAS dotpe_hdf5)

# BLAS for Eigen's large products: OpenBLAS (pinned to one thread per rank by hpc/).
pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
add_library(dotpe_blas INTERFACE)
target_link_libraries(dotpe_blas INTERFACE PkgConfig::OPENBLAS)
add_library(dotpe::blas ALIAS dotpe_blas)

# Random123 (counter-based RNGs, D. E. Shaw Research): header-only.
find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(Random123::Random123 INTERFACE IMPORTED)
target_include_directories(Random123::Random123 SYSTEM INTERFACE ${RANDOM123_INCLUDE_DIR})

if(DOTPE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(DOTPE_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
