#include "dotpe/app/cli.hpp"

int main(int argc, char** argv) {
  return dotpe::app::main(argc, argv);
}
