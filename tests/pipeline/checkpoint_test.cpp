// The checkpoint file: records survive a reopen, a damaged tail is dropped (and only the tail),
// and a changed run signature is refused with the name of what changed.
#include "dotpe/pipeline/checkpoint.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dotpe/core/error.hpp"
#include "test_paths.hpp"

namespace dotpe::pipeline {
namespace {

const nlohmann::json kSignature = {{"n_phi", 50}, {"seed", 3}, {"bank_crc32", {1, 2}}};

std::filesystem::path fresh_checkpoint(const std::string& name) {
  const auto path = testing::fresh_work_dir(name) / "checkpoint.dotpe";
  Checkpoint checkpoint = Checkpoint::create(path, kSignature);
  checkpoint.append("incoherent_bank_0", 0, "first");
  checkpoint.append("incoherent_bank_0", 2, std::string("with\0zero", 9));
  checkpoint.append("coherent_bank_0", 7, "last");
  return path;
}

TEST(Checkpoint, RecordsSurviveAReopen) {
  const auto path = fresh_checkpoint("checkpoint_reopen");
  Checkpoint resumed = Checkpoint::resume(path, kSignature);
  EXPECT_EQ(resumed.dropped_records(), 0U);
  const auto& stage2 = resumed.completed("incoherent_bank_0");
  ASSERT_EQ(stage2.size(), 2U);
  EXPECT_EQ(stage2.at(0), "first");
  EXPECT_EQ(stage2.at(2), std::string("with\0zero", 9));
  EXPECT_EQ(resumed.completed("coherent_bank_0").at(7), "last");
  EXPECT_TRUE(resumed.completed("extrinsic").empty());
  // Appending after a resume extends the same file.
  resumed.append("coherent_bank_0", 8, "more");
  EXPECT_EQ(Checkpoint::resume(path, kSignature).completed("coherent_bank_0").size(), 2U);
}

TEST(Checkpoint, TruncatedLastRecordIsDroppedAndTheRestKept) {
  const auto path = fresh_checkpoint("checkpoint_truncated");
  const auto full = std::filesystem::file_size(path);
  for (const std::uintmax_t cut : {1U, 5U, 15U}) {
    std::filesystem::resize_file(path, full - cut);
    Checkpoint resumed = Checkpoint::resume(path, kSignature);
    EXPECT_EQ(resumed.dropped_records(), 1U);
    EXPECT_TRUE(resumed.completed("coherent_bank_0").empty()) << "cut " << cut;
    EXPECT_EQ(resumed.completed("incoherent_bank_0").size(), 2U);
    resumed.append("coherent_bank_0", 7, "last");  // restores the full file
  }
}

TEST(Checkpoint, CorruptRecordIsDetectedByItsChecksum) {
  const auto path = fresh_checkpoint("checkpoint_corrupt");
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-2, std::ios::end);
    file.put('X');  // inside the payload of the last record
  }
  Checkpoint resumed = Checkpoint::resume(path, kSignature);
  EXPECT_EQ(resumed.dropped_records(), 1U);
  EXPECT_TRUE(resumed.completed("coherent_bank_0").empty());
  EXPECT_EQ(resumed.completed("incoherent_bank_0").size(), 2U);
}

TEST(Checkpoint, ChangedSignatureIsRefusedNamingTheOption) {
  const auto path = fresh_checkpoint("checkpoint_signature");
  nlohmann::json changed = kSignature;
  changed["n_phi"] = 64;
  try {
    Checkpoint::resume(path, changed);
    FAIL() << "a changed n_phi was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("n_phi"), std::string::npos) << error.what();
  }
  EXPECT_THROW(Checkpoint::resume(path.parent_path() / "none.dotpe", kSignature), Error);
  std::ofstream(path.parent_path() / "garbage.dotpe") << "not a checkpoint";
  EXPECT_THROW(Checkpoint::resume(path.parent_path() / "garbage.dotpe", kSignature), Error);
}

TEST(Checkpoint, FileCrcMatchesZlibOnTheWholeContent) {
  const auto path = testing::fresh_work_dir("checkpoint_crc") / "data.bin";
  const std::string content = "The quick brown fox jumps over the lazy dog";
  std::ofstream(path, std::ios::binary) << content;
  // Published CRC-32 of this sentence (IEEE 802.3 polynomial).
  EXPECT_EQ(file_crc32(path), 0x414FA339U);
}

}  // namespace
}  // namespace dotpe::pipeline
