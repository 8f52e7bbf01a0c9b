#include "csv/reader.h"

#include <gtest/gtest.h>

#include <mutex>

namespace datastory::csv {
namespace {

// Collects every row with its block index, from any number of workers.
class Collector : public BatchConsumer {
 public:
  Collector(std::mutex* mu, std::vector<std::pair<int64_t, std::string>>* rows)
      : mu_(mu), rows_(rows) {}
  void Consume(const RecordBatch& b) override {
    std::lock_guard lock(*mu_);
    for (int64_t r = 0; r < b.rows; ++r) {
      rows_->emplace_back(b.block_index * 1000000 + b.first_row_in_block + r,
                          std::string(b.RowBytes(r)));
    }
  }

 private:
  std::mutex* mu_;
  std::vector<std::pair<int64_t, std::string>>* rows_;
};

std::vector<std::string> ReadAll(const std::string& text, const Dialect& d, int columns,
                                 ReadOptions options, ReadSummary* summary) {
  auto source = MemorySource(text);
  std::mutex mu;
  std::vector<std::pair<int64_t, std::string>> rows;
  std::vector<std::unique_ptr<Collector>> consumers;
  for (int w = 0; w < WorkerCount(options); ++w)
    consumers.push_back(std::make_unique<Collector>(&mu, &rows));
  auto r = ReadCsv(*source, d, columns, 1, options, [&](int w) { return consumers[w].get(); });
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (r.ok()) *summary = std::move(r).value();
  std::sort(rows.begin(), rows.end());
  std::vector<std::string> out;
  for (auto& [_, row] : rows) out.push_back(row);
  return out;
}

TEST(ReaderTest, SameRowsWhateverTheBlockSizeAndThreads) {
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    text +=
        std::to_string(i) + ",\"quoted, with comma\",\"line\nbreak " + std::to_string(i) + "\"\n";
  }
  Dialect d;
  ReadSummary one, many;
  ReadOptions whole;
  whole.threads = 1;
  whole.block_bytes = 1 << 20;
  auto expected = ReadAll(text, d, 3, whole, &one);
  ASSERT_EQ(expected.size(), 3000u);
  for (int threads : {1, 2, 3}) {
    for (size_t block : {64, 1000, 4096}) {
      ReadOptions options;
      options.threads = threads;
      options.block_bytes = block;
      options.batch_rows = 7;
      auto got = ReadAll(text, d, 3, options, &many);
      EXPECT_EQ(got, expected) << threads << " threads, " << block << " byte blocks";
      EXPECT_EQ(many.rows, 3000);
      EXPECT_EQ(many.lines, 6000);
    }
  }
}

TEST(ReaderTest, DiagnosticsCarryFileLines) {
  std::string text = "1,2\n3,4\n\"a\nb\",5\n6\n7,8\n";
  Dialect d;
  ReadOptions options;
  options.threads = 2;
  options.block_bytes = 5;
  ReadSummary summary;
  ReadAll(text, d, 2, options, &summary);
  ASSERT_EQ(summary.diagnostics.Count(DiagnosticKind::kTooFewFields), 1);
  EXPECT_EQ(summary.diagnostics.kept()[0].line, 5);
  EXPECT_EQ(summary.diagnostics.kept()[0].byte_offset, 16);
}

TEST(ReaderTest, OverlongRecordFails) {
  std::string text = "a,b\n" + std::string(5000, 'x');
  Dialect d;
  ReadOptions options;
  options.block_bytes = 1024;
  options.max_record_bytes = 2048;
  text += "\n1,2\n";
  auto source = MemorySource(text, "big.csv");
  struct Null : BatchConsumer {
    void Consume(const RecordBatch&) override {}
  } sink;
  auto r = ReadCsv(*source, d, 2, 1, options, [&](int) { return &sink; });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("big.csv: line 2"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace datastory::csv
