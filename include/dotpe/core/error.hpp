// The one exception type of dotpe. Its message is meant for the user: it names the input that is
// wrong, what is wrong with it, and what to do about it.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace dotpe {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}

  template <typename... Args>
  explicit Error(fmt::format_string<Args...> format, Args&&... args)
      : std::runtime_error(fmt::format(format, std::forward<Args>(args)...)) {}
};

// Throws Error(message) unless `condition` holds.
template <typename... Args>
void require(bool condition, fmt::format_string<Args...> format, Args&&... args) {
  if (!condition) throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace dotpe
