#include "csv/reader.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "base/text.h"
#include "csv/encoding.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace datastory::csv {
namespace {

// A growable byte buffer that does not zero what it is about to overwrite.
class Buffer {
 public:
  char* data() { return data_.get(); }
  size_t size() const { return size_; }
  void Reserve(size_t capacity) {
    if (capacity <= capacity_) return;
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }
  void Resize(size_t size) {
    Reserve(size);
    size_ = size;
  }
  void Append(const char* bytes, size_t n) {
    if (n == 0) return;
    Reserve(size_ + n);
    std::memcpy(data_.get() + size_, bytes, n);
    size_ += n;
  }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

// What the producer's pass over a block saw, so the workers look closer only when needed.
struct ByteFlags {
  bool non_ascii = true;  // a byte outside ASCII: the block may hold invalid UTF-8
  bool nul = true;        // a NUL byte
};

// One block for a worker: bytes of a pooled buffer, or a range of a source in memory.
struct Job {
  BlockInfo info;
  std::unique_ptr<Buffer> buffer;  // null for a block of a source in memory
  const char* data = nullptr;
  size_t length = 0;
  ByteFlags flags;  // cleared by the producer for what it saw none of
};

struct BlockResult {
  TokenizeResult tokens;
  DiagnosticLog diagnostics;
  int64_t byte_offset = 0;  // the block's, in the decoded text
  Utf8Errors invalid_utf8;
  int64_t invalid_utf8_line = 0;
  int64_t nul_bytes = 0;
  size_t first_nul = 0;  // in the block
  int64_t first_nul_line = 0;
  Status failure;  // a limit crossed or invalid text under strict_encoding
};

// The physical line of byte `offset` of a block that starts at line `first_line`.
int64_t LineAt(std::string_view block, size_t offset, int64_t first_line, char terminator) {
  return first_line +
         std::count(block.begin(), block.begin() + static_cast<ptrdiff_t>(offset), terminator);
}

// The first field of `batch` longer than `limit`, as a failure naming its line and column; OK
// when there is none. A record no longer than the limit cannot hold one, so only long records
// are looked into.
Status CheckFieldLengths(const RecordBatch& batch, std::string_view block, const BlockInfo& info,
                         const Dialect& dialect, size_t limit) {
  for (int64_t r = 0; r < batch.rows; ++r) {
    if (batch.row_end[r] - batch.row_begin[r] <= limit) continue;
    for (int c = 0; c < batch.columns; ++c) {
      const Cell& cell = batch.cell(r, c);
      if (cell.absent() || cell.end() - cell.begin <= limit) continue;
      const int64_t line =
          LineAt(block, batch.row_begin[r], info.first_line, dialect.RecordTerminator());
      return Status::ResourceExhausted(
                 "line " + std::to_string(line) + ", column " + std::to_string(c + 1) +
                 ": a field of " + std::to_string(cell.end() - cell.begin) +
                 " bytes, over the limit of " + ByteCount(limit) + " for one field")
          .WithReason(kFieldTooLong);
    }
  }
  return Status::Ok();
}

// Counts the bytes equal to `a` and to `b` in one pass (the quote and the terminator), and
// says whether any byte is outside ASCII (an ASCII block is valid UTF-8 without a closer look)
// and whether any is NUL.
void CountTwo(const char* data, size_t n, char a, char b, int64_t* count_a, int64_t* count_b,
              ByteFlags* flags) {
  int64_t ca = 0, cb = 0;
  unsigned high = 0;
  bool nul = false;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), zero = _mm_setzero_si128();
  __m128i any = zero, least = _mm_set1_epi8(-1);
  while (i + 16 <= n) {
    // Byte lanes count matches (cmpeq gives -1) for up to 255 steps, then fold them with SAD.
    __m128i acc_a = zero, acc_b = zero;
    size_t steps = std::min<size_t>((n - i) / 16, 255);
    for (size_t s = 0; s < steps; ++s, i += 16) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
      acc_a = _mm_sub_epi8(acc_a, _mm_cmpeq_epi8(v, va));
      acc_b = _mm_sub_epi8(acc_b, _mm_cmpeq_epi8(v, vb));
      any = _mm_or_si128(any, v);
      least = _mm_min_epu8(least, v);
    }
    __m128i sa = _mm_sad_epu8(acc_a, zero), sb = _mm_sad_epu8(acc_b, zero);
    ca += _mm_cvtsi128_si64(sa) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sa, sa));
    cb += _mm_cvtsi128_si64(sb) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sb, sb));
  }
  high = static_cast<unsigned>(_mm_movemask_epi8(any));
  nul = _mm_movemask_epi8(_mm_cmpeq_epi8(least, zero)) != 0;
#endif
  for (; i < n; ++i) {
    ca += data[i] == a;
    cb += data[i] == b;
    high |= static_cast<unsigned char>(data[i]) & 0x80;
    nul |= data[i] == '\0';
  }
  *count_a = ca;
  *count_b = cb;
  flags->non_ascii = high != 0;
  flags->nul = nul;
}

// The end (one past the terminator) of the last complete record in data[0, n), for a buffer that
// starts outside quotes, or 0 when there is none; *lines gets the number of terminators before
// that end (the physical lines of the block), counted in the same pass, and *flags what
// data[0, n) may hold (bytes outside ASCII, NUL).
size_t LastRecordEnd(const char* data, size_t n, const Dialect& dialect, int64_t* lines,
                     ByteFlags* flags) {
  const char terminator = dialect.RecordTerminator();
  const char quote = dialect.quote;
  if (dialect.HasSimpleQuoting()) {
    int64_t quotes = 0, terminators = 0;
    CountTwo(data, n, quote != '\0' ? quote : terminator, terminator, &quotes, &terminators, flags);
    bool inside = quote != '\0' && (quotes & 1);
    for (size_t i = n; i-- > 0;) {
      char c = data[i];
      if (c == terminator) {
        if (!inside) {
          *lines = terminators;
          return i + 1;
        }
        --terminators;  // inside a quoted field that the next block finishes
      }
      if (c == quote) inside = !inside;
    }
    return 0;
  }
  *flags = ByteFlags{};  // not looked at here
  const char escape = dialect.escape;
  const bool backslash = escape != '\0' && escape != quote;
  const char delimiter = dialect.delimiter;
  const char comment = dialect.comment;
  bool inside = false;
  size_t last = 0, field_begin = 0, closed_at = SIZE_MAX;
  int64_t terminators = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = data[i];
    if (c == terminator) ++terminators;
    if (comment != '\0' && c == comment && !inside &&
        (i == last || (dialect.trailing_comments &&
                       (dialect.unspaced_comments || data[i - 1] == ' ' || data[i - 1] == '\t')))) {
      // A comment runs to the end of its line, quotes and all (as in the tokenizer).
      const void* end = std::memchr(data + i, terminator, n - i);
      if (end == nullptr) break;
      i = static_cast<size_t>(static_cast<const char*>(end) - data);
      ++terminators;
      field_begin = last = i + 1;
      *lines = terminators;
      continue;
    }
    if (backslash && c == escape) {
      if (i + 1 < n && data[i + 1] == terminator) ++terminators;
      ++i;
    } else if (quote != '\0' && c == quote) {
      if (inside || !dialect.literal_inner_quotes || i == field_begin || closed_at + 1 == i) {
        if (inside) closed_at = i;
        inside = !inside;
      }
    } else if (!inside && (c == delimiter || c == terminator)) {
      field_begin = i + 1;
      if (c == terminator) {
        last = i + 1;
        *lines = terminators;
      }
    }
  }
  return last;
}

// Hands blocks from the producer to the workers; bounded so memory stays bounded.
class JobQueue {
 public:
  explicit JobQueue(size_t capacity) : capacity_(capacity) {}
  void Push(Job job) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < capacity_; });
    queue_.push_back(std::move(job));
    not_empty_.notify_one();
  }
  bool Pop(Job* job) {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || closed_; });
    if (queue_.empty()) return false;
    *job = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return true;
  }
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

 private:
  size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Job> queue_;
  bool closed_ = false;
};

// Recycles buffers so the producer never holds more than a fixed number.
class BufferPool {
 public:
  explicit BufferPool(size_t count) {
    for (size_t i = 0; i < count; ++i) free_.push_back(std::make_unique<Buffer>());
  }
  std::unique_ptr<Buffer> Take() {
    std::unique_lock lock(mu_);
    available_.wait(lock, [&] { return !free_.empty(); });
    auto b = std::move(free_.back());
    free_.pop_back();
    return b;
  }
  void Give(std::unique_ptr<Buffer> b) {
    std::lock_guard lock(mu_);
    free_.push_back(std::move(b));
    available_.notify_one();
  }

 private:
  std::mutex mu_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Buffer>> free_;
};

// Reads the source's decoded text from the dialect's data offset, one piece at a time.
class TextStream {
 public:
  TextStream(const ByteSource& source, const Dialect& dialect, std::unique_ptr<Decoder> decoder,
             size_t bom)
      : source_(source), decoder_(std::move(decoder)), file_pos_(static_cast<int64_t>(bom)) {
    if (decoder_->IsIdentity()) {
      file_pos_ += dialect.data_offset;
    } else {
      skip_ = dialect.data_offset;
    }
  }

  // Appends up to about `want` bytes of text to `out`; sets *eof at the end of the source.
  Status ReadInto(Buffer* out, size_t want, bool* eof) {
    if (decoder_->IsIdentity()) {
      size_t old = out->size();
      out->Resize(old + want);
      auto got = source_.ReadAt(file_pos_, out->data() + old, want);
      if (!got.ok()) return got.status();
      out->Resize(old + *got);
      file_pos_ += static_cast<int64_t>(*got);
      bytes_ += static_cast<int64_t>(*got);
      *eof = *got < want || file_pos_ >= source_.size();
      return Status::Ok();
    }
    raw_.resize(want);
    auto got = source_.ReadAt(file_pos_, raw_.data(), want);
    if (!got.ok()) return got.status();
    file_pos_ += static_cast<int64_t>(*got);
    bytes_ += static_cast<int64_t>(*got);
    *eof = *got < want || file_pos_ >= source_.size();
    text_.clear();
    decoder_->Decode(std::string_view(raw_.data(), *got), *eof, &text_);
    size_t skip = std::min<size_t>(skip_, text_.size());
    skip_ -= static_cast<int64_t>(skip);
    out->Append(text_.data() + skip, text_.size() - skip);
    return Status::Ok();
  }
  // `want`, or less at the end of the source (plus slack for a growing UTF-8 transcoding).
  size_t NextReadSize(size_t want) const {
    int64_t left = source_.size() - file_pos_;
    return static_cast<size_t>(std::clamp<int64_t>(left + 1, 1, static_cast<int64_t>(want)));
  }
  int64_t bytes() const { return bytes_; }
  bool IsIdentity() const { return decoder_->IsIdentity(); }
  int64_t invalid_bytes() const { return decoder_->IsIdentity() ? 0 : decoder_->invalid_bytes(); }

 private:
  const ByteSource& source_;
  std::unique_ptr<Decoder> decoder_;
  int64_t file_pos_;
  int64_t skip_ = 0;
  int64_t bytes_ = 0;
  std::string raw_, text_;
};

}  // namespace

int WorkerCount(const ReadOptions& options) {
  if (options.threads > 0) return options.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

Result<ReadSummary> ReadCsv(const ByteSource& source, const Dialect& dialect, int columns,
                            int64_t first_data_line, const ReadOptions& options,
                            const std::function<BatchConsumer*(int worker)>& consumer_for_worker) {
  const Limits& limits = options.limits;
  if (limits.max_file_bytes > 0 && source.size() > limits.max_file_bytes) {
    return Status::ResourceExhausted(source.name() + ": the file has " +
                                     std::to_string(source.size()) + " bytes, over the limit of " +
                                     ByteCount(static_cast<uint64_t>(limits.max_file_bytes)))
        .WithReason(kFileTooLarge);
  }
  if (dialect.footer_offset >= 0 && dialect.footer_offset < source.size()) {
    // The table ends where its footer lines (a totals row, notes) begin.
    const std::unique_ptr<ByteSource> table = FirstBytes(source, dialect.footer_offset);
    Dialect without_footer = dialect;
    without_footer.footer_offset = -1;
    return ReadCsv(*table, without_footer, columns, first_data_line, options, consumer_for_worker);
  }
  const int workers = WorkerCount(options);
  size_t bom = dialect.encoding == Encoding::kUtf8Bom ? 3 : 0;
  if ((dialect.encoding == Encoding::kUtf16Le || dialect.encoding == Encoding::kUtf16Be)) {
    std::string head(2, '\0');
    auto got = source.ReadAt(0, head.data(), 2);
    if (got.ok() && *got == 2 && (head == "\xFF\xFE" || head == "\xFE\xFF")) bom = 2;
  }
  DS_ASSIGN_OR_RETURN(std::unique_ptr<Decoder> decoder, Decoder::Create(dialect.encoding));
  TextStream stream(source, dialect, std::move(decoder), bom);
  // UTF-8 passes through undecoded, so the workers check it; other encodings are checked by
  // their decoder on the producer's thread.
  const bool check_utf8 = stream.IsIdentity();
  const int64_t batch_rows =
      std::clamp<int64_t>(kCellsPerBatch / std::max(columns, 1), 1, options.batch_rows);

  std::vector<BatchConsumer*> consumers(workers);
  for (int w = 0; w < workers; ++w) consumers[w] = consumer_for_worker(w);

  std::mutex results_mu;
  std::map<int64_t, BlockResult> results;
  BufferPool pool(static_cast<size_t>(workers) + 2);
  // Set when a block fails: the producer stops cutting and the workers skip what is queued.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> rows_read{0};

  auto run_job = [&](Tokenizer& tokenizer, BatchConsumer* consumer, Job& job) {
    BlockResult result;
    result.byte_offset = job.info.byte_offset;
    const std::string_view block(job.data, job.length);
    if (job.flags.nul) {
      // A NUL byte in text: kept in its value and reported (the sniffer refused runs of them).
      for (const char* at = static_cast<const char*>(std::memchr(block.data(), '\0', block.size()));
           at != nullptr; at = static_cast<const char*>(
                              std::memchr(at + 1, '\0', block.size() - (at + 1 - block.data())))) {
        if (result.nul_bytes++ == 0) {
          result.first_nul = static_cast<size_t>(at - block.data());
          result.first_nul_line =
              LineAt(block, result.first_nul, job.info.first_line, dialect.RecordTerminator());
        }
      }
    }
    if (check_utf8 && job.flags.non_ascii) {
      result.invalid_utf8 = CountInvalidUtf8(block);
      if (result.invalid_utf8.bytes > 0) {
        result.invalid_utf8_line = LineAt(block, result.invalid_utf8.first, job.info.first_line,
                                          dialect.RecordTerminator());
        if (options.strict_encoding) {
          result.failure = Status::InvalidArgument(
                               "invalid UTF-8 at byte offset " +
                               std::to_string(static_cast<int64_t>(bom) + job.info.byte_offset +
                                              static_cast<int64_t>(result.invalid_utf8.first)) +
                               " (line " + std::to_string(result.invalid_utf8_line) +
                               "); the encoding was set to utf-8")
                               .WithReason(kInvalidEncoding);
        }
      }
    }
    if (result.failure.ok()) {
      consumer->BeginBlock(job.info);
      result.tokens = tokenizer.Run(
          block, job.info.index, job.info.first_line, job.info.byte_offset,
          [&](const RecordBatch& batch) {
            if (!result.failure.ok()) return;
            result.failure =
                CheckFieldLengths(batch, block, job.info, dialect, limits.max_field_bytes);
            if (result.failure.ok()) consumer->Consume(batch);
          },
          &result.diagnostics);
      consumer->EndBlock(job.info);
      const int64_t rows = rows_read.fetch_add(result.tokens.rows) + result.tokens.rows;
      if (result.failure.ok() && limits.max_rows > 0 && rows > limits.max_rows) {
        result.failure =
            Status::ResourceExhausted("the file has more than " + std::to_string(limits.max_rows) +
                                      " data rows, the limit")
                .WithReason(kTooManyRows);
      }
    }
    if (!result.failure.ok()) stop = true;
    std::lock_guard lock(results_mu);
    results.emplace(job.info.index, std::move(result));
  };

  auto finish_job = [&](Job& job) {
    if (job.buffer) pool.Give(std::move(job.buffer));
  };

  JobQueue queue(static_cast<size_t>(workers));
  std::vector<std::thread> threads;
  std::unique_ptr<Tokenizer> inline_tokenizer;
  if (workers == 1) {
    inline_tokenizer = std::make_unique<Tokenizer>(dialect, columns, batch_rows);
  } else {
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        Tokenizer tokenizer(dialect, columns, batch_rows);
        Job job;
        while (queue.Pop(&job)) {
          if (!stop) run_job(tokenizer, consumers[w], job);
          finish_job(job);
        }
      });
    }
  }

  Status status;
  const char terminator = dialect.RecordTerminator();
  BlockInfo next{0, first_data_line, dialect.data_offset};
  int64_t lines = 0;
  auto submit = [&](Job job, int64_t block_lines) {
    next.index++;
    next.first_line += block_lines;
    next.byte_offset += static_cast<int64_t>(job.length);
    lines += block_lines;
    if (inline_tokenizer) {
      run_job(*inline_tokenizer, consumers[0], job);
      finish_job(job);
    } else {
      queue.Push(std::move(job));
    }
  };
  auto stop_if_cancelled = [&] {
    if (options.cancelled && options.cancelled())
      status = Status::Cancelled("the read was cancelled");
    return !status.ok();
  };
  auto too_long = [&] {
    return Status::ResourceExhausted(
               "line " + std::to_string(next.first_line) + ": a record longer than " +
               ByteCount(limits.max_record_bytes) +
               " (the limit for one row) with no line break, or an unclosed quote")
        .WithReason(kRecordTooLong);
  };

  // UTF-8 in memory: blocks are ranges of it, no copy at all.
  const std::string_view in_memory = source.InMemory();
  const bool use_memory = !in_memory.empty() && stream.IsIdentity();
  int64_t memory_bytes = 0;
  if (use_memory) {
    size_t pos = std::min(in_memory.size(), bom + static_cast<size_t>(dialect.data_offset));
    memory_bytes = static_cast<int64_t>(in_memory.size() - pos);
    while (pos < in_memory.size() && status.ok() && !stop && !stop_if_cancelled()) {
      size_t n = std::min(options.block_bytes, in_memory.size() - pos);
      size_t end = 0;
      int64_t block_lines = 0;
      ByteFlags flags;
      for (;;) {
        if (pos + n >= in_memory.size()) {  // the last block takes the rest
          end = n;
          int64_t unused;
          CountTwo(in_memory.data() + pos, end, terminator, terminator, &block_lines, &unused,
                   &flags);
          break;
        }
        end = LastRecordEnd(in_memory.data() + pos, n, dialect, &block_lines, &flags);
        if (end > 0) break;
        if (n > limits.max_record_bytes) {
          status = too_long();
          break;
        }
        n = std::min(n * 2, in_memory.size() - pos);
      }
      if (!status.ok()) break;
      if (options.progress) options.progress(static_cast<int64_t>(pos + end), source.size());
      Job job;
      job.info = next;
      job.data = in_memory.data() + pos;
      job.length = end;
      job.flags = flags;
      submit(std::move(job), block_lines);
      pos += end;
    }
  }

  std::unique_ptr<Buffer> carry;  // bytes after the last record boundary of the previous block
  bool eof = use_memory;
  while (!eof && !stop && !stop_if_cancelled()) {
    std::unique_ptr<Buffer> buffer = pool.Take();
    buffer->Resize(0);
    if (carry) buffer->Append(carry->data(), carry->size());
    size_t end = 0;
    int64_t block_lines = 0;  // terminators in [0, end)
    ByteFlags flags;
    for (;;) {
      // Small files get small buffers: touching 8 MiB of fresh pages costs more than reading.
      status = stream.ReadInto(buffer.get(), stream.NextReadSize(options.block_bytes), &eof);
      if (!status.ok()) break;
      if (eof) {
        end = buffer->size();
        int64_t unused;
        CountTwo(buffer->data(), end, terminator, terminator, &block_lines, &unused, &flags);
        break;
      }
      end = LastRecordEnd(buffer->data(), buffer->size(), dialect, &block_lines, &flags);
      if (end > 0) break;
      if (buffer->size() > limits.max_record_bytes) {
        status = too_long();
        break;
      }
    }
    if (!status.ok()) {
      pool.Give(std::move(buffer));
      break;
    }
    if (!carry) carry = std::make_unique<Buffer>();
    carry->Resize(0);
    carry->Append(buffer->data() + end, buffer->size() - end);
    if (end == 0) {
      pool.Give(std::move(buffer));
      continue;
    }
    if (options.progress) options.progress(stream.bytes(), source.size());
    Job job;
    job.info = next;
    job.data = buffer->data();
    job.length = end;
    job.flags = flags;
    job.buffer = std::move(buffer);
    submit(std::move(job), block_lines);
  }
  queue.Close();
  for (std::thread& t : threads) t.join();
  if (status.ok()) {
    // The earliest failing block speaks, whichever worker got there first.
    for (const auto& [index, result] : results) {
      if (!result.failure.ok()) {
        status = result.failure;
        break;
      }
    }
  }
  if (!status.ok()) {
    // A file that shrank says so with its own name already; a cancelled read has no file to
    // blame.
    if (status.code() == StatusCode::kDataLoss || status.code() == StatusCode::kCancelled) {
      return status;
    }
    return status.WithPrefix(source.name());
  }

  ReadSummary summary;
  summary.blocks = next.index;
  summary.bytes = use_memory ? memory_bytes : stream.bytes();
  summary.invalid_encoding_bytes = stream.invalid_bytes();
  summary.lines = lines;
  const BlockResult* first_invalid = nullptr;
  const BlockResult* first_nul = nullptr;
  for (auto& [index, result] : results) {
    summary.nul_bytes += result.nul_bytes;
    if (result.nul_bytes > 0 && !first_nul) first_nul = &result;
    summary.rows += result.tokens.rows;
    summary.blank_lines += result.tokens.blank_lines;
    summary.diagnostics.Merge(result.diagnostics);
    if (result.invalid_utf8.bytes > 0) {
      summary.invalid_encoding_bytes += result.invalid_utf8.bytes;
      if (!first_invalid) {
        first_invalid = &result;
        summary.first_invalid_encoding_offset =
            result.byte_offset + static_cast<int64_t>(result.invalid_utf8.first);
      }
    }
  }
  if (summary.invalid_encoding_bytes > 0) {
    std::string message = std::to_string(summary.invalid_encoding_bytes) + " bytes invalid in " +
                          std::string(EncodingName(dialect.encoding)) + " were replaced by U+FFFD";
    Diagnostic d{DiagnosticKind::kInvalidEncoding, 0, 0, ""};
    if (first_invalid) {
      d.line = first_invalid->invalid_utf8_line;
      d.byte_offset = summary.first_invalid_encoding_offset;
      message += "; the first at byte offset " +
                 std::to_string(static_cast<int64_t>(bom) + d.byte_offset) + " (line " +
                 std::to_string(d.line) + ")";
    }
    d.message = std::move(message);
    summary.diagnostics.Add(std::move(d));
  }
  if (first_nul) {
    const int64_t offset = first_nul->byte_offset + static_cast<int64_t>(first_nul->first_nul);
    summary.diagnostics.Add(
        Diagnostic{DiagnosticKind::kNulByte, first_nul->first_nul_line, offset,
                   std::to_string(summary.nul_bytes) +
                       " NUL byte(s) in the text, kept in their values; the first at byte offset " +
                       std::to_string(static_cast<int64_t>(bom) + offset) + " (line " +
                       std::to_string(first_nul->first_nul_line) + ")"});
  }
  return summary;
}

}  // namespace datastory::csv
