// Version and the location of dotpe's bundled data.
#pragma once

#include <filesystem>
#include <string>

namespace dotpe {

std::string version();

// Directory of the bundled data (default ASDs, the example event): $DOTPE_DATA_DIR when set,
// otherwise the data/ folder of the source tree the program was built from.
std::filesystem::path data_dir();

}  // namespace dotpe
