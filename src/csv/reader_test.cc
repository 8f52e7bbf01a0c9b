#include "csv/reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>

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

// A source that can only be read with ReadAt, like a file: the reader's buffered path, with
// carried-over partial records.
class ReadAtSource : public ByteSource {
 public:
  explicit ReadAtSource(std::string bytes, std::string name = "<memory>")
      : inner_(MemorySource(std::move(bytes), std::move(name))) {}
  Result<size_t> ReadAt(int64_t offset, char* out, size_t n) const override {
    return inner_->ReadAt(offset, out, n);
  }
  int64_t size() const override { return inner_->size(); }
  const std::string& name() const override { return inner_->name(); }

 private:
  std::unique_ptr<ByteSource> inner_;
};

std::vector<std::string> ReadAll(const std::string& text, const Dialect& d, int columns,
                                 ReadOptions options, ReadSummary* summary, bool in_memory = true) {
  std::unique_ptr<ByteSource> source =
      in_memory ? MemorySource(text) : std::make_unique<ReadAtSource>(text);
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
  for (bool in_memory : {true, false}) {
    for (int threads : {1, 2, 3}) {
      for (size_t block : {64, 1000, 4096}) {
        ReadOptions options;
        options.threads = threads;
        options.block_bytes = block;
        options.batch_rows = 7;
        auto got = ReadAll(text, d, 3, options, &many, in_memory);
        EXPECT_EQ(got, expected) << threads << " threads, " << block << " byte blocks, "
                                 << (in_memory ? "in memory" : "read");
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

// Comment lines are no rows, wherever they fall and whatever quotes they hold, on any block
// size; trailing comments end their record.
// Reads `text` in memory and through ReadAt, in blocks of 64, 333 and 1 MiB bytes on two
// threads, and hands each read's rows and summary to `check(rows, summary, block)`.
template <typename Check>
void ReadEveryWay(const std::string& text, const Dialect& d, int columns, Check&& check) {
  for (bool in_memory : {true, false}) {
    for (size_t block : {64, 333, 1 << 20}) {
      ReadOptions options;
      options.threads = 2;
      options.block_bytes = block;
      options.batch_rows = 5;
      ReadSummary summary;
      auto rows = ReadAll(text, d, columns, options, &summary, in_memory);
      check(rows, summary, block);
    }
  }
}

TEST(ReaderTest, CommentLinesAndTrailingComments) {
  std::string text;
  std::vector<std::string> expected;
  for (int i = 0; i < 400; ++i) {
    if (i % 7 == 3) text += "# a note with an odd \"quote, and a comma\n";
    const std::string row = std::to_string(i) + ",\"v " + std::to_string(i) + "\"";
    text += row + (i % 5 == 0 ? "   # checked, twice\n" : "\n");
    expected.push_back(row);
  }
  Dialect d;
  d.comment = '#';
  d.trailing_comments = true;
  ReadEveryWay(text, d, 2, [&](const auto& rows, const ReadSummary& summary, size_t block) {
    EXPECT_EQ(rows, expected) << block;
    EXPECT_EQ(summary.rows, 400);
    EXPECT_EQ(summary.diagnostics.Count(DiagnosticKind::kCommentLine), 57);
    EXPECT_EQ(summary.diagnostics.Count(DiagnosticKind::kTooManyFields), 0);
    ASSERT_FALSE(summary.diagnostics.kept().empty());
    EXPECT_EQ(summary.diagnostics.Sorted().front().line, 4);
  });
}

// A note right after a value (`7#late, "q`), when the dialect says so: same rows on every
// path and block size, the note's quote and delimiter read as text.
TEST(ReaderTest, UnspacedTrailingComments) {
  std::string text;
  std::vector<std::string> expected;
  for (int i = 0; i < 300; ++i) {
    if (i % 11 == 0) text += "# a note\n";
    const std::string row = std::to_string(i) + ";" + std::to_string(i * 2);
    text += row + (i % 4 == 0 ? "#late, \"q;x\n" : "\n");
    expected.push_back(row);
  }
  Dialect d;
  d.delimiter = ';';
  d.comment = '#';
  d.trailing_comments = true;
  d.unspaced_comments = true;
  ReadEveryWay(text, d, 2, [&](const auto& rows, const ReadSummary& summary, size_t block) {
    EXPECT_EQ(rows, expected) << block;
    EXPECT_EQ(summary.rows, 300);
    EXPECT_EQ(summary.diagnostics.Count(DiagnosticKind::kTooManyFields), 0);
    EXPECT_EQ(summary.diagnostics.Count(DiagnosticKind::kUnterminatedQuote), 0);
  });
}

// NUL bytes anywhere in the text are counted, and the first is reported with its offset and
// line, on every path and block size; the rows keep them.
TEST(ReaderTest, NulBytesAreReportedWithTheFirstOffset) {
  std::string text;
  for (int i = 0; i < 300; ++i) text += std::to_string(i) + ",v\n";
  const size_t first = text.size() + 3;
  text += std::string("x,a\0b\n", 6);  // line 301
  for (int i = 0; i < 300; ++i)
    text += std::to_string(i) + (i == 150 ? std::string("\0,v\n", 4) : ",v\n");
  for (bool in_memory : {true, false}) {
    for (size_t block : {64, 1 << 20}) {
      ReadOptions options;
      options.threads = 2;
      options.block_bytes = block;
      ReadSummary summary;
      auto rows = ReadAll(text, Dialect{}, 2, options, &summary, in_memory);
      ASSERT_EQ(rows.size(), 601u);
      EXPECT_EQ(rows[300], std::string("x,a\0b", 5));
      EXPECT_EQ(summary.nul_bytes, 2);
      ASSERT_EQ(summary.diagnostics.Count(DiagnosticKind::kNulByte), 1);
      ASSERT_EQ(summary.diagnostics.Total(), 1);
      const Diagnostic& d = summary.diagnostics.kept().front();
      EXPECT_EQ(d.line, 301);
      EXPECT_EQ(d.byte_offset, static_cast<int64_t>(first));
      EXPECT_NE(d.message.find("2 NUL byte(s)"), std::string::npos) << d.message;
    }
  }
}

// Reads `text` through both paths (in memory and ReadAt) and returns the two results.
std::vector<Result<ReadSummary>> ReadBothWays(const std::string& text, int columns,
                                              const ReadOptions& options) {
  std::vector<Result<ReadSummary>> out;
  for (bool in_memory : {true, false}) {
    std::unique_ptr<ByteSource> source =
        in_memory ? MemorySource(text, "big.csv") : std::make_unique<ReadAtSource>(text, "big.csv");
    struct Null : BatchConsumer {
      void Consume(const RecordBatch&) override {}
    };
    std::vector<Null> sinks(WorkerCount(options));
    out.push_back(
        ReadCsv(*source, Dialect{}, columns, 2, options, [&](int w) { return &sinks[w]; }));
  }
  return out;
}

TEST(ReaderTest, OverlongRecordFails) {
  std::string text = std::string(5000, 'x') + "\n1,2\n";
  ReadOptions options;
  options.block_bytes = 1024;
  options.limits.max_record_bytes = 2048;
  for (const auto& r : ReadBothWays(text, 2, options)) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
    EXPECT_EQ(r.status().reason(), kRecordTooLong);
    EXPECT_NE(r.status().message().find("big.csv: line 2: a record longer than 2 KiB"),
              std::string::npos)
        << r.status().message();
  }
}

TEST(ReaderTest, OverlongFieldFailsNamingLineAndColumn) {
  std::string text = "1,2\n3,4\n5," + std::string(3000, 'y') + "\n7,8\n";
  ReadOptions options;
  options.threads = 2;
  options.block_bytes = 64;
  options.limits.max_field_bytes = 2999;
  for (const auto& r : ReadBothWays(text, 2, options)) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().reason(), kFieldTooLong);
    EXPECT_NE(r.status().message().find("line 4, column 2: a field of 3000 bytes, over the limit "
                                        "of 2999 bytes"),
              std::string::npos)
        << r.status().message();
  }
  options.limits.max_field_bytes = 3000;
  for (const auto& r : ReadBothWays(text, 2, options)) EXPECT_TRUE(r.ok()) << r.status().message();
}

TEST(ReaderTest, RowLimitStopsTheRead) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + ",x\n";
  ReadOptions options;
  options.threads = 2;
  options.block_bytes = 100;
  options.limits.max_rows = 1000;
  for (const auto& r : ReadBothWays(text, 2, options)) {
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->rows, 1000);
  }
  options.limits.max_rows = 999;
  for (const auto& r : ReadBothWays(text, 2, options)) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
    EXPECT_EQ(r.status().reason(), kTooManyRows);
    EXPECT_NE(r.status().message().find("more than 999 data rows"), std::string::npos);
  }
}

TEST(ReaderTest, FileSizeLimit) {
  ReadOptions options;
  options.limits.max_file_bytes = 7;
  for (const auto& r : ReadBothWays("1,2\n3,4\n", 2, options)) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().reason(), kFileTooLarge);
    EXPECT_NE(r.status().message().find("8 bytes, over the limit of 7 bytes"), std::string::npos);
  }
}

TEST(ReaderTest, InvalidUtf8IsCountedWithItsFirstOffset) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "row" + std::to_string(i) + ",ok\n";
  const size_t first = text.size() + 2;
  text += "ab\xff,c\xc3\n";    // line 501: a stray byte and a sequence cut short
  text += "d,\xe2\x82\xac\n";  // valid (the euro sign)
  ReadOptions options;
  options.threads = 2;
  options.block_bytes = 256;
  for (const auto& r : ReadBothWays(text, 2, options)) {
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->invalid_encoding_bytes, 2);
    EXPECT_EQ(r->first_invalid_encoding_offset, static_cast<int64_t>(first));
    ASSERT_EQ(r->diagnostics.Count(DiagnosticKind::kInvalidEncoding), 1);
    const Diagnostic& d = r->diagnostics.kept().back();
    EXPECT_EQ(d.line, 502);  // the reads start at line 2
    EXPECT_NE(d.message.find("2 bytes invalid in utf-8"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("the first at byte offset " + std::to_string(first)),
              std::string::npos)
        << d.message;
  }
  options.strict_encoding = true;
  for (const auto& r : ReadBothWays(text, 2, options)) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().reason(), kInvalidEncoding);
    EXPECT_NE(r.status().message().find("invalid UTF-8 at byte offset " + std::to_string(first) +
                                        " (line 502)"),
              std::string::npos)
        << r.status().message();
  }
}

// A wide table gets short batches, so the cells of one batch stay small whatever the width.
TEST(ReaderTest, WideTablesGetShortBatches) {
  const int columns = 20000;
  std::string row;
  for (int c = 0; c < columns; ++c) row += c ? ",1" : "1";
  std::string text;
  for (int r = 0; r < 40; ++r) text += row + "\n";
  struct Widest : BatchConsumer {
    int64_t cells = 0, rows = 0;
    void Consume(const RecordBatch& b) override {
      cells = std::max(cells, b.rows * b.columns);
      rows += b.rows;
    }
  } sink;
  ReadOptions options;
  options.threads = 1;
  auto source = MemorySource(text);
  auto r = ReadCsv(*source, Dialect{}, columns, 1, options, [&](int) { return &sink; });
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(sink.rows, 40);
  EXPECT_LE(sink.cells, kCellsPerBatch);
}

// A file truncated by another process while it is read: a clean DataLoss, on a worker thread,
// where a memory map would have killed the process with SIGBUS.
TEST(ReaderTest, FileThatShrinksWhileReadIsAnError) {
  const std::string path = ::testing::TempDir() + "/shrinking.csv";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string line = "12345,abcdefghij,0.5\n";
    for (int i = 0; i < 400000; ++i) std::fwrite(line.data(), 1, line.size(), f);  // 8.8 MB
    std::fclose(f);
  }
  Status status;
  std::thread worker([&] {
    auto source = OpenFile(path);
    ASSERT_TRUE(source.ok());
    struct Null : BatchConsumer {
      void Consume(const RecordBatch&) override {}
    } sinks[2];
    ReadOptions options;
    options.threads = 2;
    options.block_bytes = 1 << 20;
    bool truncated = false;
    options.progress = [&](int64_t, int64_t) {
      if (!truncated) truncated = ::truncate(path.c_str(), 1 << 20) == 0;
    };
    auto r = ReadCsv(**source, Dialect{}, 3, 1, options, [&](int w) { return &sinks[w]; });
    status = r.status();
  });
  worker.join();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kDataLoss);
  EXPECT_NE(status.message().find("the file shrank while it was read"), std::string::npos)
      << status.message();
  std::remove(path.c_str());
}

}  // namespace
}  // namespace datastory::csv
