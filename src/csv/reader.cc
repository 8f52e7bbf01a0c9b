#include "csv/reader.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

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

// One block for a worker: bytes of a pooled buffer, or a range of the mapped source.
struct Job {
  BlockInfo info;
  std::unique_ptr<Buffer> buffer;  // null for a mapped block
  const char* data = nullptr;
  size_t length = 0;
};

struct BlockResult {
  TokenizeResult tokens;
  DiagnosticLog diagnostics;
};

// Counts the bytes equal to `a` and to `b` in one pass (the quote and the terminator).
void CountTwo(const char* data, size_t n, char a, char b, int64_t* count_a, int64_t* count_b) {
  int64_t ca = 0, cb = 0;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b), zero = _mm_setzero_si128();
  while (i + 16 <= n) {
    // Byte lanes count matches (cmpeq gives -1) for up to 255 steps, then fold them with SAD.
    __m128i acc_a = zero, acc_b = zero;
    size_t steps = std::min<size_t>((n - i) / 16, 255);
    for (size_t s = 0; s < steps; ++s, i += 16) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
      acc_a = _mm_sub_epi8(acc_a, _mm_cmpeq_epi8(v, va));
      acc_b = _mm_sub_epi8(acc_b, _mm_cmpeq_epi8(v, vb));
    }
    __m128i sa = _mm_sad_epu8(acc_a, zero), sb = _mm_sad_epu8(acc_b, zero);
    ca += _mm_cvtsi128_si64(sa) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sa, sa));
    cb += _mm_cvtsi128_si64(sb) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sb, sb));
  }
#endif
  for (; i < n; ++i) {
    ca += data[i] == a;
    cb += data[i] == b;
  }
  *count_a = ca;
  *count_b = cb;
}

// The end (one past the terminator) of the last complete record in data[0, n), for a buffer that
// starts outside quotes, or 0 when there is none; *lines gets the number of terminators before
// that end (the physical lines of the block), counted in the same pass.
size_t LastRecordEnd(const char* data, size_t n, const Dialect& dialect, int64_t* lines) {
  const char terminator = dialect.RecordTerminator();
  const char quote = dialect.quote;
  if (dialect.HasSimpleQuoting()) {
    int64_t quotes = 0, terminators = 0;
    CountTwo(data, n, quote != '\0' ? quote : terminator, terminator, &quotes, &terminators);
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
  const char escape = dialect.escape;
  const bool backslash = escape != '\0' && escape != quote;
  const char delimiter = dialect.delimiter;
  bool inside = false;
  size_t last = 0, field_begin = 0, closed_at = SIZE_MAX;
  int64_t terminators = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = data[i];
    if (c == terminator) ++terminators;
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
  const int workers = WorkerCount(options);
  size_t bom = dialect.encoding == Encoding::kUtf8Bom ? 3 : 0;
  if ((dialect.encoding == Encoding::kUtf16Le || dialect.encoding == Encoding::kUtf16Be)) {
    std::string head(2, '\0');
    auto got = source.ReadAt(0, head.data(), 2);
    if (got.ok() && *got == 2 && (head == "\xFF\xFE" || head == "\xFE\xFF")) bom = 2;
  }
  DS_ASSIGN_OR_RETURN(std::unique_ptr<Decoder> decoder, Decoder::Create(dialect.encoding));
  TextStream stream(source, dialect, std::move(decoder), bom);

  std::vector<BatchConsumer*> consumers(workers);
  for (int w = 0; w < workers; ++w) consumers[w] = consumer_for_worker(w);

  std::mutex results_mu;
  std::map<int64_t, BlockResult> results;
  BufferPool pool(static_cast<size_t>(workers) + 2);

  auto run_job = [&](Tokenizer& tokenizer, BatchConsumer* consumer, Job& job) {
    BlockResult result;
    consumer->BeginBlock(job.info);
    result.tokens = tokenizer.Run(
        std::string_view(job.data, job.length), job.info.index, job.info.first_line,
        job.info.byte_offset, [&](const RecordBatch& batch) { consumer->Consume(batch); },
        &result.diagnostics);
    consumer->EndBlock(job.info);
    std::lock_guard lock(results_mu);
    results.emplace(job.info.index, std::move(result));
  };

  auto finish_job = [&](Job& job) {
    if (job.buffer) {
      pool.Give(std::move(job.buffer));
    } else {
      source.Release(job.data, job.length);
    }
  };

  JobQueue queue(static_cast<size_t>(workers));
  std::vector<std::thread> threads;
  std::unique_ptr<Tokenizer> inline_tokenizer;
  if (workers == 1) {
    inline_tokenizer = std::make_unique<Tokenizer>(dialect, columns, options.batch_rows);
  } else {
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        Tokenizer tokenizer(dialect, columns, options.batch_rows);
        Job job;
        while (queue.Pop(&job)) {
          run_job(tokenizer, consumers[w], job);
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
  auto too_long = [&] {
    return Status::InvalidArgument(
        "line " + std::to_string(next.first_line) + ": a record longer than " +
        std::to_string(options.max_record_bytes >> 20) +
        " MiB with no line break (or an unclosed quote); this does not look like a table");
  };

  // UTF-8 from a mapped file or memory: blocks are ranges of the mapping, no copy at all.
  const std::string_view mapped = source.Mapped();
  const bool use_map = !mapped.empty() && stream.IsIdentity();
  int64_t mapped_bytes = 0;
  if (use_map) {
    size_t pos = std::min(mapped.size(), bom + static_cast<size_t>(dialect.data_offset));
    mapped_bytes = static_cast<int64_t>(mapped.size() - pos);
    while (pos < mapped.size() && status.ok()) {
      size_t n = std::min(options.block_bytes, mapped.size() - pos);
      size_t end = 0;
      int64_t block_lines = 0;
      for (;;) {
        if (n > options.max_record_bytes) {
          status = too_long();
          break;
        }
        if (pos + n >= mapped.size()) {  // the last block takes the rest
          end = n;
          int64_t unused;
          CountTwo(mapped.data() + pos, end, terminator, terminator, &block_lines, &unused);
          break;
        }
        end = LastRecordEnd(mapped.data() + pos, n, dialect, &block_lines);
        if (end > 0) break;
        n = std::min(n * 2, mapped.size() - pos);
      }
      if (!status.ok()) break;
      if (options.progress) options.progress(static_cast<int64_t>(pos + end), source.size());
      Job job;
      job.info = next;
      job.data = mapped.data() + pos;
      job.length = end;
      submit(std::move(job), block_lines);
      pos += end;
    }
  }

  std::unique_ptr<Buffer> carry;  // bytes after the last record boundary of the previous block
  bool eof = use_map;
  while (!eof) {
    std::unique_ptr<Buffer> buffer = pool.Take();
    buffer->Resize(0);
    if (carry) buffer->Append(carry->data(), carry->size());
    size_t end = 0;
    int64_t block_lines = 0;  // terminators in [0, end)
    for (;;) {
      // Small files get small buffers: touching 8 MiB of fresh pages costs more than reading.
      status = stream.ReadInto(buffer.get(), stream.NextReadSize(options.block_bytes), &eof);
      if (!status.ok()) break;
      if (eof) {
        end = buffer->size();
        int64_t unused;
        CountTwo(buffer->data(), end, terminator, terminator, &block_lines, &unused);
        break;
      }
      end = LastRecordEnd(buffer->data(), buffer->size(), dialect, &block_lines);
      if (end > 0) break;
      if (buffer->size() > options.max_record_bytes) {
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
    job.buffer = std::move(buffer);
    submit(std::move(job), block_lines);
  }
  queue.Close();
  for (std::thread& t : threads) t.join();
  if (!status.ok()) return status.WithPrefix(source.name());

  ReadSummary summary;
  summary.blocks = next.index;
  summary.bytes = use_map ? mapped_bytes : stream.bytes();
  summary.invalid_encoding_bytes = stream.invalid_bytes();
  summary.lines = lines;
  for (auto& [index, result] : results) {
    summary.rows += result.tokens.rows;
    summary.blank_lines += result.tokens.blank_lines;
    summary.diagnostics.Merge(result.diagnostics);
  }
  if (summary.invalid_encoding_bytes > 0) {
    summary.diagnostics.Add(
        Diagnostic{DiagnosticKind::kInvalidEncoding, 0, 0,
                   std::to_string(summary.invalid_encoding_bytes) + " bytes invalid in " +
                       std::string(EncodingName(dialect.encoding)) + " were replaced by U+FFFD"});
  }
  return summary;
}

}  // namespace datastory::csv
