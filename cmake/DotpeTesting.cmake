# Test registration. Environment shared by every test: Open MPI may run as root and oversubscribe,
# and tests find the bundled data and the Python oracle environment (build/venv) through variables.
# The oracle environment made by scripts/python-env (LALSuite, numpy, h5py, pyarrow, ...).
set(DOTPE_TEST_PYTHON ${PROJECT_SOURCE_DIR}/build/venv/bin/python
    CACHE FILEPATH "Python interpreter with the test oracles")
set(DOTPE_TEST_ENV
    "OMPI_ALLOW_RUN_AS_ROOT=1"
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"
    "OMPI_MCA_rmaps_base_oversubscribe=1"
    "OMPI_MCA_btl_vader_single_copy_mechanism=none"
    "DOTPE_DATA_DIR=${PROJECT_SOURCE_DIR}/data"
    "DOTPE_TEST_SOURCE_DIR=${PROJECT_SOURCE_DIR}/tests"
    "DOTPE_TEST_WORK_DIR=${PROJECT_BINARY_DIR}/test-work"
    "DOTPE_PYTHON=${DOTPE_TEST_PYTHON}"
    "XDG_CACHE_HOME=${PROJECT_BINARY_DIR}/test-work/xdg-cache"
    "DOTPE_EXE=$<TARGET_FILE:dotpe>")
set(DOTPE_MPI_TEST_RANKS 1 2 3 5 CACHE STRING "World sizes for the MPI tests")
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/test-work)

function(dotpe_module_tests name)
  file(GLOB unit_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${name}/*_test.cpp)
  if(unit_sources)
    add_executable(test_${name} ${unit_sources})
    target_link_libraries(test_${name} PRIVATE dotpe_${name} dotpe_test_support GTest::gtest_main
                                               GTest::gmock)
    dotpe_project_warnings(test_${name} RELAXED)
    # CMake 3.25's gtest_discover_tests splits list-valued PROPERTIES, so the environment of the
    # unit tests is compiled into dotpe_test_support instead (set at start-up unless already set).
    gtest_discover_tests(test_${name} TEST_PREFIX "${name}." DISCOVERY_TIMEOUT 60
                         PROPERTIES LABELS ${name} TIMEOUT 600)
  endif()
  file(GLOB mpi_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${name}/*_mpitest.cpp)
  if(mpi_sources)
    add_executable(mpitest_${name} ${mpi_sources})
    target_link_libraries(mpitest_${name} PRIVATE dotpe_${name} dotpe_test_support
                                                  dotpe_mpi_test_main)
    dotpe_project_warnings(mpitest_${name} RELAXED)
    foreach(ranks IN LISTS DOTPE_MPI_TEST_RANKS)
      add_test(NAME ${name}.mpi.np${ranks}
               COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${ranks} --oversubscribe
                       $<TARGET_FILE:mpitest_${name}>)
      set_tests_properties(${name}.mpi.np${ranks} PROPERTIES ENVIRONMENT "${DOTPE_TEST_ENV}"
                           LABELS "mpi;${name}" TIMEOUT 600 PROCESSORS ${ranks})
    endforeach()
  endif()
endfunction()

# Command-line and Python-oracle tests live in tests/cli/*.sh and tests/oracle/*.py; each script is
# one CTest test, run with the environment above.
function(dotpe_add_cli_tests)
  file(GLOB cli_scripts CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/cli/*.sh)
  foreach(script IN LISTS cli_scripts)
    get_filename_component(stem ${script} NAME_WE)
    add_test(NAME cli.${stem} COMMAND bash ${script})
    set_tests_properties(cli.${stem} PROPERTIES ENVIRONMENT "${DOTPE_TEST_ENV}" LABELS cli
                                                TIMEOUT 900)
  endforeach()
endfunction()

# Shared helpers for tests (paths to data and work directories, numpy fixture generation).
add_library(dotpe_test_support STATIC ${PROJECT_SOURCE_DIR}/tests/support/test_paths.cpp)
target_include_directories(dotpe_test_support PUBLIC ${PROJECT_SOURCE_DIR}/tests/support)
target_link_libraries(dotpe_test_support PUBLIC GTest::gtest)
string(REPLACE ";" "\n" joined_env "${DOTPE_TEST_ENV}")
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/generated/dotpe_test_environment.inc
     CONTENT "R\"dotpe_env(${joined_env})dotpe_env\"\n")
target_include_directories(dotpe_test_support PRIVATE ${PROJECT_BINARY_DIR}/generated)
dotpe_project_warnings(dotpe_test_support RELAXED)

add_library(dotpe_mpi_test_main STATIC ${PROJECT_SOURCE_DIR}/tests/support/mpi_test_main.cpp)
target_link_libraries(dotpe_mpi_test_main PUBLIC GTest::gtest Boost::mpi MPI::MPI_CXX)
dotpe_project_warnings(dotpe_mpi_test_main RELAXED)
