# Compiler flags for project code. Third-party headers are included as SYSTEM so that
# warnings-as-errors applies to dotpe's own code only.
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  set(CMAKE_CXX_FLAGS_RELEASE "-O3 -DNDEBUG")
endif()

# dotpe_project_warnings(TARGET [RELAXED]): RELAXED (tests, benchmarks) drops -Wconversion, whose
# integer-to-floating warnings add casts without catching bugs in test arithmetic.
function(dotpe_project_warnings target)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    return()
  endif()
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
  if(NOT "RELAXED" IN_LIST ARGN)
    target_compile_options(${target} PRIVATE -Wconversion -Wno-sign-conversion)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 reports '__Y may be used uninitialized' inside its own AVX-512 intrinsic headers when
    # Eigen is inlined (GCC bug 105593): a false positive that -Werror would turn into a failure.
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
    if(DOTPE_SANITIZE)
      # Under -fsanitize the same false positive is reported as -Wuninitialized.
      target_compile_options(${target} PRIVATE -Wno-uninitialized)
    endif()
  endif()
  if(DOTPE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(DOTPE_NATIVE)
    target_compile_options(${target} PRIVATE -march=native)
  endif()
  if(DOTPE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()
