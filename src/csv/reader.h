// Reader: streams a CSV source through the Tokenizer on several threads, in bounded memory.
//
// One producer cuts the source into blocks at record boundaries (found by quote parity) and
// hands them to worker threads. A UTF-8 source held in memory (ByteSource::InMemory) is cut in
// place; other sources are read with ReadAt into (threads + 2) pooled buffers and transcoded to
// UTF-8. Either way the memory used does not grow with the file. Workers check that UTF-8 text
// is valid, block by block, and the limits (csv/limits.h) as they go. Each worker owns a
// BatchConsumer and receives the batches of the blocks it tokenizes. Blocks are numbered in file
// order, so consumers can merge order-sensitive state in that order and get the same result on any
// thread count.
#ifndef DATASTORY_CSV_READER_H_
#define DATASTORY_CSV_READER_H_

#include <cstdint>
#include <functional>

#include "csv/diagnostic.h"
#include "csv/dialect.h"
#include "csv/limits.h"
#include "csv/source.h"
#include "csv/tokenizer.h"
#include "datastory/result.h"

namespace datastory::csv {

struct ReadOptions {
  int threads = 0;               // workers; 0 = the number of cores
  size_t block_bytes = 8 << 20;  // bytes read per block
  Limits limits;
  // Invalid bytes in the encoding fail the read (InvalidArgument, reason INVALID_ENCODING)
  // instead of being reported and replaced by U+FFFD: for an encoding the user set.
  bool strict_encoding = false;
  int64_t batch_rows = 512;  // rows per RecordBatch, fewer for wide tables (kCellsPerBatch)
  // Called by the reading thread after each block is read: bytes of the source read so far and
  // its size. Must be cheap and thread-safe; unset = no progress.
  std::function<void(int64_t done, int64_t total)> progress;
  // Asked by the reading thread before each block: true stops the read with Cancelled. Must be
  // cheap and thread-safe; unset = never.
  std::function<bool()> cancelled;
};

struct BlockInfo {
  int64_t index = 0;        // 0, 1, 2 … in file order
  int64_t first_line = 1;   // physical line of the block's first byte
  int64_t byte_offset = 0;  // offset of the block in the decoded text
};

// Receives the batches of one worker. Calls for one block come together, between BeginBlock
// and EndBlock, in file order within the block; blocks arrive in any order across workers.
class BatchConsumer {
 public:
  virtual ~BatchConsumer() = default;
  virtual void BeginBlock(const BlockInfo& /*block*/) {}
  virtual void Consume(const RecordBatch& batch) = 0;
  virtual void EndBlock(const BlockInfo& /*block*/) {}
};

struct ReadSummary {
  int64_t rows = 0;         // data records
  int64_t blank_lines = 0;  // empty lines, skipped
  int64_t lines = 0;        // physical lines in the data part
  int64_t bytes = 0;        // bytes of the source read
  int64_t blocks = 0;
  int64_t invalid_encoding_bytes = 0;
  int64_t first_invalid_encoding_offset = -1;  // in the decoded text, or -1
  int64_t nul_bytes = 0;      // NUL bytes in the text (kept in their values; one diagnostic)
  DiagnosticLog diagnostics;  // in file order
};

// Reads `source` from the dialect's data_offset (the first data record, after any header) to
// the end. `columns` is the record width. `consumer_for_worker(w)` is called once per worker
// (w in [0, threads)) before reading starts; the consumers must outlive the call. Fails on an
// I/O error (a file that shrinks: DataLoss), a limit crossed (ResourceExhausted, with the
// limit's reason), or invalid text under strict_encoding; ragged rows and invalid bytes
// otherwise are diagnostics. On failure the consumers may have seen part of the file.
Result<ReadSummary> ReadCsv(const ByteSource& source, const Dialect& dialect, int columns,
                            int64_t first_data_line, const ReadOptions& options,
                            const std::function<BatchConsumer*(int worker)>& consumer_for_worker);

// The number of workers ReadCsv will use for `options`.
int WorkerCount(const ReadOptions& options);

}  // namespace datastory::csv

#endif  // DATASTORY_CSV_READER_H_
