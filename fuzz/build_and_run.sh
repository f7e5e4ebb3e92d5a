#!/usr/bin/env bash
# Builds dotpe's file-reader fuzzers with clang's libFuzzer (+ AddressSanitizer and
# UndefinedBehaviorSanitizer) into build-fuzz/ and runs them. Outside CI and outside the main
# CMake build; needs clang (Debian: apt-get install clang) besides scripts/setup's packages.
#
#   fuzz/build_and_run.sh build                   # build the four targets only
#   fuzz/build_and_run.sh seeds                   # (re)make the seed corpora (needs build/dotpe
#                                                 #  and build/venv with numpy and pyarrow)
#   fuzz/build_and_run.sh run TARGET [SECONDS]    # run one target (default 600 s)
#   fuzz/build_and_run.sh all [SECONDS]           # build, seed, then run all four, two at a time
#
# TARGET: npy_fuzzer, npz_fuzzer, feather_fuzzer, hdf5_event_fuzzer. Corpora grow in
# build-fuzz/corpus/TARGET, crashes land in build-fuzz/artifacts/TARGET, logs in build-fuzz/logs.
# Reproduce a crash: build-fuzz/TARGET build-fuzz/artifacts/TARGET/crash-...
# DOTPE_FUZZ_TIMEOUT (seconds, default 20): an input running longer is reported as a hang.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${DOTPE_FUZZ_DIR:-$ROOT/build-fuzz}"
CXX="${CXX_FUZZ:-clang++}"
TARGETS=(npy_fuzzer npz_fuzzer feather_fuzzer hdf5_event_fuzzer)

# The main build's include paths, definitions and libraries (CMakeLists.txt, cmake/).
HDF5_INCLUDE=/usr/include/hdf5/openmpi
HDF5_LIB=/usr/lib/x86_64-linux-gnu/hdf5/openmpi/libhdf5.so
CXXFLAGS=(-std=c++20 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
  -DDOTPE_DEFAULT_DATA_DIR=\""$ROOT/data"\" -DDOTPE_VERSION_STRING=\"fuzz\"
  -DFMT_SHARED -DSPDLOG_COMPILED_LIB -DSPDLOG_FMT_EXTERNAL -DSPDLOG_SHARED_LIB
  -I"$ROOT/include" -I"$ROOT/fuzz" -isystem "$HDF5_INCLUDE"
  $(pkg-config --cflags-only-I ompi-cxx 2>/dev/null | sed 's/-I/-isystem /g'))
LIBS=(-lspdlog -lfmt "$HDF5_LIB" $(pkg-config --libs ompi-c) -lzip -llz4 -lgsl -lgslcblas -lm)
# Sources of the readers and what they call: core, io, physics (event data, detectors), bank
# (bank file and its configuration checks).
SOURCES=("$ROOT"/src/core/*.cpp "$ROOT"/src/io/*.cpp "$ROOT"/src/physics/event_data.cpp
  "$ROOT"/src/physics/detectors.cpp "$ROOT"/src/bank/bank_file.cpp "$ROOT"/src/bank/fbin.cpp
  "$ROOT"/src/bank/sampling.cpp "$ROOT"/src/bank/halton.cpp)

build() {
  mkdir -p "$OUT/obj"
  local objects=() source object
  for source in "${SOURCES[@]}"; do
    object="$OUT/obj/$(basename "$(dirname "$source")")_$(basename "$source" .cpp).o"
    if [[ ! -f "$object" || "$source" -nt "$object" ]]; then
      echo "compile $source"
      "$CXX" "${CXXFLAGS[@]}" -fsanitize=fuzzer-no-link -c "$source" -o "$object"
    fi
    objects+=("$object")
  done
  local target
  for target in "${TARGETS[@]}"; do
    echo "link $target"
    "$CXX" "${CXXFLAGS[@]}" -fsanitize=fuzzer "$ROOT/fuzz/$target.cpp" "${objects[@]}" \
      "${LIBS[@]}" -o "$OUT/$target"
  done
}

seeds() {
  local dotpe="$ROOT/build/dotpe" python="$ROOT/build/venv/bin/python"
  local work="$OUT/seed-work"
  mkdir -p "$work" "$OUT"/seeds/{npy_fuzzer,npz_fuzzer,feather_fuzzer,hdf5_event_fuzzer}
  "$python" "$ROOT/fuzz/make_seeds.py" "$ROOT" "$OUT/seeds"
  # Small event and bank files from dotpe itself.
  "$dotpe" inject -q --out "$work/event.h5" --duration 4 --fmax 128 --detectors H1,L1
  "$dotpe" inject -q --out "$work/event_injection.h5" --duration 4 --fmin 20 --fmax 64 \
    --detectors H1 --approximant TaylorF2 --m1 30 --m2 25
  rm -f "$work/bank.h5" "$work/bank_hm.h5"
  "$dotpe" bank -q --out "$work/bank.h5" --size 8 --blocksize 4 --mchirp-min 20 --mchirp-max 30 \
    --fbin "$OUT/seeds/fbin.npy"
  "$dotpe" bank -q --out "$work/bank_hm.h5" --size 6 --blocksize 4 --mchirp-min 20 \
    --mchirp-max 30 --fbin "$OUT/seeds/fbin.npy" --precision double --approximant IMRPhenomHM \
    --modes 22,33
  cp "$work"/*.h5 "$OUT/seeds/hdf5_event_fuzzer/"
}

# Runs TARGET for SECONDS in total. A crash stops libFuzzer: its input is kept in artifacts/ and
# the run goes on from the grown corpus until the time is used (crashes inside libhdf5, which
# dotpe cannot fix, must not end the search in dotpe's own code).
run() {
  local target="$1" seconds="${2:-600}"
  mkdir -p "$OUT/corpus/$target" "$OUT/artifacts/$target" "$OUT/logs"
  # HDF5 keeps free lists and caches across files: leak checking per input reports them.
  local extra=()
  [[ "$target" == hdf5_event_fuzzer ]] && extra+=(-detect_leaks=0)
  local start=$SECONDS remaining attempt=0
  : >"$OUT/logs/$target.log"
  while remaining=$((seconds - (SECONDS - start))) && ((remaining > 5)); do
    attempt=$((attempt + 1))
    echo "=== $target: attempt $attempt, ${remaining}s left" | tee -a "$OUT/logs/$target.log"
    ASAN_OPTIONS="${ASAN_OPTIONS:-allocator_may_return_null=0}" \
      UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}" \
      "$OUT/$target" "$OUT/corpus/$target" "$OUT/seeds/$target" \
      -max_total_time="$remaining" -rss_limit_mb=4096 -timeout="${DOTPE_FUZZ_TIMEOUT:-20}" -max_len=131072 \
      -artifact_prefix="$OUT/artifacts/$target/" -print_final_stats=1 "${extra[@]}" \
      >>"$OUT/logs/$target.log" 2>&1 || true
  done
  grep -E '^(=== |Done|stat::|SUMMARY)' "$OUT/logs/$target.log" || true
  echo "$target: $(ls "$OUT/corpus/$target" | wc -l) corpus files," \
    "$(ls "$OUT/artifacts/$target" | wc -l) artifacts"
}

case "${1:-all}" in
  build) build ;;
  seeds) seeds ;;
  run) run "$2" "${3:-600}" ;;
  all)
    build
    seeds
    run npy_fuzzer "${2:-600}" & run npz_fuzzer "${2:-600}"; wait
    run feather_fuzzer "${2:-600}" & run hdf5_event_fuzzer "${2:-600}"; wait
    ;;
  *)
    echo "usage: $0 build | seeds | run TARGET [SECONDS] | all [SECONDS]" >&2
    exit 2
    ;;
esac
