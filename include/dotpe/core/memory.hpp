// Memory use of this process, for profiling and the memory budget.
#pragma once

#include <cstdint>

namespace dotpe {

// Peak resident set size since the process started, in bytes.
std::int64_t peak_rss_bytes();

// Current resident set size, in bytes (0 where /proc is unavailable).
std::int64_t current_rss_bytes();

}  // namespace dotpe
