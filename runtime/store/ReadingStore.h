// ReadingStore: the gateway's local evidence of every reading that passed the privacy firewall,
// in SQLite (WAL), with batched inserts, indexed range queries and retention by age and size.
// Guarantees and their bounds are in docs/RUNTIME-store.md.
#pragma once

#include "core/Reading.h"
#include "core/Result.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pyvc {

namespace store {
struct BlockHeader;
struct BlockReading;
struct StoredBlock;
} // namespace store

// How hard SQLite pushes a commit to the disk (PRAGMA synchronous, in WAL mode):
//   Normal: a committed batch survives the process being killed at any instant; a power cut can
//           lose the last commits since the latest WAL checkpoint (never corrupts the file).
//   Full:   a committed batch also survives a power cut (an fsync of the WAL at every commit).
enum class StoreDurability { Normal, Full };

struct StoreOptions {
  StoreDurability durability = StoreDurability::Normal;
  // Hard cap on the database size in pages (PRAGMA max_page_count; 0 = none). An insert that
  // would grow past it fails with SQLITE_FULL and is rolled back whole, exactly as on a full disk.
  int64_t maxPageCount = 0;
  // How long a write waits for another connection's lock before failing with SQLITE_BUSY.
  int busyTimeoutMs = 5000;
};

// What a store found wrong with its file, since this object opened it (each event is also logged
// on stderr). docs/RUNTIME-store.md, "No silent loss".
struct StoreIntegrity {
  // An emptied (0-byte) or missing file where a store used to be (its sidecar counted readings):
  // the remains were moved aside to "<path>.corrupt-<UTC time>" and a fresh store started.
  int64_t filesMovedAside = 0;
  // Readings committed before (per the sidecar) that the file no longer holds: WAL frames lost
  // (damaged, or a power cut under Normal durability).
  int64_t lostReadingsOnOpen = 0;
  // Readings left out because their block no longer matches the CRC32C written with it (bytes
  // changed on disk): by query(), by retention (which deletes such a block whole), and by the
  // migration of a version-2 file (rows whose own checksum failed). Never returned.
  int64_t corruptRowsSkipped = 0;
};

// Not thread-safe: one ReadingStore per thread (several may open the same file).
class ReadingStore {
public:
  // Opens or creates the database: WAL mode, incremental auto-vacuum (new files), the schema
  // (a version-1 or version-2 file is migrated, see StoreSchema.h). Errors name the file and carry
  // SQLite's message.
  static Result<std::unique_ptr<ReadingStore>> open(const std::filesystem::path &path,
                                                    StoreOptions options = {});
  ~ReadingStore();
  ReadingStore(const ReadingStore &) = delete;
  ReadingStore &operator=(const ReadingStore &) = delete;

  // Inserts all readings in one transaction, as one block per sensor (readings sorted by time,
  // equal times in the caller's order). On success the batch is committed (durable as `durability`
  // says); on any error nothing of it is stored. Readings with equal sensor and time are all kept.
  Result<void> insertBatch(std::span<const Reading> readings);

  // Readings of `sensor` with fromMs <= timestampMs < toMs, oldest first (equal times in
  // insertion order), at most `limit`; served by the (sensor, first time) primary key of the
  // blocks. A negative limit means none.
  Result<std::vector<Reading>> query(std::string_view sensor, int64_t fromMs, int64_t toMs,
                                     int64_t limit = INT64_MAX);

  // Retention by age: deletes exactly the readings with timestampMs < cutoffMs (a block the
  // cutoff falls into is written again without them), and the sensors left without readings.
  // Returns how many readings.
  Result<int64_t> deleteOlderThan(int64_t cutoffMs);

  // Retention by size: while the database is over `maxBytes`, deletes the oldest readings (in
  // insertion order) and the sensors left without readings, and gives their pages back to the
  // file system (incremental vacuum), then truncates the WAL. Returns how many readings were
  // deleted. See RUNTIME-store.md for the bound between calls and the cost of a call.
  Result<int64_t> enforceSizeLimit(int64_t maxBytes);

  Result<int64_t> countReadings();
  // Rows of the sensors table: the names that still have readings.
  Result<int64_t> countSensors();
  // Logical size of the database: page_count x page_size (what enforceSizeLimit bounds).
  Result<int64_t> databaseBytes();
  // EXPLAIN QUERY PLAN of the statement query() runs, one detail line per plan row.
  Result<std::string> explainRangeQuery();
  StoreIntegrity integrity() const;

private:
  struct State;
  ReadingStore();
  Result<void> rollBack();
  // Reads store_state inside the open write transaction: the first sequence number of the next
  // batch, and whether retention deleted sensors since the memo of ids was filled (then the
  // memo is dropped, since deleted ids may be reused for other names).
  Result<int64_t> beginBatchSequence();
  // The id of sensor `name`, from the memo or the sensors table, added (inside the open
  // transaction) when missing.
  Result<int64_t> idOfSensor(const std::string &name);
  // Deletes the `rows` readings with the smallest sequence numbers (gaps left by retention by age
  // do not matter), and the sensors left without readings. Returns how many readings.
  Result<int64_t> deleteOldestRows(int64_t rows);
  // Runs `remove` (which returns the readings it deleted), prunes the sensors left without
  // readings, all in one write transaction; bumps sensors_generation when sensors went, so every
  // connection drops its memo of ids before its next batch.
  Result<int64_t> deleteAndPrune(std::string_view what,
                                 const std::function<Result<int64_t>()> &remove);
  // Deletes each block and writes it again with only the readings `keep(time, sequence)` keeps
  // (none: nothing written). Damaged blocks are deleted whole. Returns the readings removed.
  Result<int64_t> rewriteBlocks(std::vector<store::StoredBlock> &blocks,
                                const std::function<bool(int64_t, int64_t)> &keep);
  // Checks a block's CRC32C and decodes it into `out`; a damaged block is logged, counted in
  // corruptRowsSkipped and leaves `out` as it was (false).
  bool decodeVerified(int64_t sensorId, const store::BlockHeader &header, uint32_t crc,
                      std::string_view blob, std::vector<store::BlockReading> &out);
  Result<void> reclaimFreePages();
  // Compares the file with its commit sidecar (lost readings are logged and counted) and
  // records where the file stands.
  Result<void> checkAgainstSidecar();

  std::unique_ptr<State> state_;
};

} // namespace pyvc
