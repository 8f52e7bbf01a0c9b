// Runs every file of a fuzz target's corpus (DS_FUZZ_CORPUS, a folder under fuzz/) through it,
// so each build replays the corpus (with the sanitizers, in `make asan`) even without libFuzzer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// DS_FUZZ_SUITE names the test, one per target.
TEST(DS_FUZZ_SUITE, CorpusRunsClean) {
  std::filesystem::path dir = std::filesystem::path(DS_SOURCE_DIR) / "fuzz" / DS_FUZZ_CORPUS;
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string bytes = buffer.str();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    ++files;
  }
  EXPECT_GE(files, 10);
}
