#include "dotpe/io/files.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "dotpe/core/error.hpp"
#include "test_paths.hpp"

namespace dotpe::io {
namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

TEST(AtomicWrite, WritesTheWholeFileAndNoTemporary) {
  const auto directory = testing::fresh_work_dir("atomic_ok");
  write_text_atomically(directory / "out.txt", "complete\n");
  EXPECT_EQ(read_text(directory / "out.txt"), "complete\n");
  EXPECT_FALSE(std::filesystem::exists(directory / "out.txt.tmp"));
}

TEST(AtomicWrite, AnExceptionLeavesNothingBehind) {
  const auto directory = testing::fresh_work_dir("atomic_throw");
  const auto target = directory / "out.h5";
  EXPECT_THROW(write_atomically(target,
                                [](const std::filesystem::path& temporary) {
                                  std::ofstream(temporary) << "half of it";
                                  throw Error("interrupted");
                                }),
               Error);
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_FALSE(std::filesystem::exists(directory / "out.h5.tmp"));
}

TEST(AtomicWrite, AnExistingFileSurvivesAFailedRewrite) {
  const auto directory = testing::fresh_work_dir("atomic_keep");
  write_text_atomically(directory / "out.txt", "old\n");
  EXPECT_THROW(write_atomically(directory / "out.txt",
                                [](const std::filesystem::path&) { throw Error("no"); }),
               Error);
  EXPECT_EQ(read_text(directory / "out.txt"), "old\n");
}

TEST(AtomicWrite, KillDuringTheWriteLeavesNoPartialOutput) {
  const auto directory = testing::fresh_work_dir("atomic_kill");
  const auto target = directory / "out.txt";
  int ready_pipe[2];
  ASSERT_EQ(pipe(ready_pipe), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child writes half its output, tells the parent, then waits to be killed.
    write_atomically(target, [&](const std::filesystem::path& temporary) {
      std::ofstream file(temporary);
      file << "first half" << std::flush;
      const char byte = 'x';
      (void)!::write(ready_pipe[1], &byte, 1);
      pause();
    });
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready_pipe[0], &byte, 1), 1);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_FALSE(std::filesystem::exists(target)) << "a killed writer left a partial output";
}

TEST(Json, RoundTripAndParseErrorNamesTheFile) {
  const auto directory = testing::fresh_work_dir("json");
  const nlohmann::json value = {{"n_ext", 1024}, {"bank", {"a.h5", "b.h5"}}, {"x", 0.1}};
  write_json(directory / "config.json", value);
  EXPECT_EQ(read_json(directory / "config.json"), value);
  write_text_atomically(directory / "broken.json", "{\"n_ext\": ");
  try {
    read_json(directory / "broken.json");
    FAIL() << "broken JSON was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("broken.json"), std::string::npos);
  }
  EXPECT_THROW(read_json(directory / "absent.json"), Error);
}

}  // namespace
}  // namespace dotpe::io
