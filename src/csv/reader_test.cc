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

// A source that can only be read with ReadAt, like a file that cannot be mapped: the reader's
// buffered path, with carried-over partial records.
class UnmappedSource : public ByteSource {
 public:
  explicit UnmappedSource(std::string bytes) : inner_(MemorySource(std::move(bytes))) {}
  Result<size_t> ReadAt(int64_t offset, char* out, size_t n) const override {
    return inner_->ReadAt(offset, out, n);
  }
  int64_t size() const override { return inner_->size(); }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::unique_ptr<ByteSource> inner_;
};

std::vector<std::string> ReadAll(const std::string& text, const Dialect& d, int columns,
                                 ReadOptions options, ReadSummary* summary, bool mapped = true) {
  std::unique_ptr<ByteSource> source =
      mapped ? MemorySource(text) : std::make_unique<UnmappedSource>(text);
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
  for (bool mapped : {true, false}) {
    for (int threads : {1, 2, 3}) {
      for (size_t block : {64, 1000, 4096}) {
        ReadOptions options;
        options.threads = threads;
        options.block_bytes = block;
        options.batch_rows = 7;
        auto got = ReadAll(text, d, 3, options, &many, mapped);
        EXPECT_EQ(got, expected) << threads << " threads, " << block << " byte blocks, "
                                 << (mapped ? "mapped" : "read");
        EXPECT_EQ(many.rows, 3000);
        EXPECT_EQ(many.lines, 6000);
      }
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
  for (bool mapped : {true, false}) {
    std::unique_ptr<ByteSource> source =
        mapped ? MemorySource(text, "big.csv") : std::make_unique<UnmappedSource>(text);
    struct Null : BatchConsumer {
      void Consume(const RecordBatch&) override {}
    } sink;
    auto r = ReadCsv(*source, d, 2, 1, options, [&](int) { return &sink; });
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("line 2: a record longer"), std::string::npos)
        << r.status().message();
  }
}

}  // namespace
}  // namespace datastory::csv
