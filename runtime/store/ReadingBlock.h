// A reading block: the readings of one sensor from one commit group, sorted by (time, sequence),
// stored as one row of reading_blocks with its columns packed into one blob. The row layout and
// why it is shaped so are in docs/RUNTIME-store.md ("Blocks").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pyvc::store {

// One reading as a block holds it (the sensor is the block's; `extra` is compact JSON text or
// empty for none).
struct BlockReading {
  int64_t timestampMs = 0;
  int64_t sequence = 0;
  double value = 0.0;
  std::string unit;
  std::string extra;
};

// The columns of a reading_blocks row other than sensor_id and the blob itself.
struct BlockHeader {
  int64_t firstMs = 0;
  int64_t lastMs = 0;
  int64_t firstSequence = 0;
  int64_t count = 0;

  // lastMs - firstMs, saturated at INT64_MAX: a block's times may span the whole int64 range.
  int64_t spanMs() const {
    uint64_t span = uint64_t(lastMs) - uint64_t(firstMs);
    return span > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(span);
  }
};

// A block row read whole (for retention to rewrite).
struct StoredBlock {
  int64_t sensorId = 0;
  BlockHeader header;
  uint32_t crc = 0;
  std::string blob;
};

// Builds one block's blob column by column. Readings must be added sorted by (time, sequence),
// each sequence at least `firstSequence`. Reusable: start() empties it and keeps its buffers.
//
// Blob, version 1 (integers little-endian; varint = LEB128, unsigned):
//   byte 0: 1 (the format version)
//   count varints: timestamp minus the previous one (the first minus first_ms, so 0)
//   count varints: sequence minus first_sequence
//   count x 8 bytes: the value's IEEE-754 bits (every NaN stored as the one quiet NaN)
//   count units: varint 0 = the previous reading's unit ("" before the first), else
//                length + 1 and the bytes
//   count extras: varint 0 = none, else length + 1 and the JSON text
class BlockEncoder {
public:
  void start(int64_t firstSequence);
  void add(int64_t timestampMs, int64_t sequence, double value, std::string_view unit,
           std::string_view extra);
  // The header of what was added (count > 0 required) and the blob, valid until the next start.
  BlockHeader header() const;
  const std::string &finish();

private:
  int64_t firstSequence_ = 0, firstMs_ = 0, lastMs_ = 0, count_ = 0;
  std::string times_, sequences_, values_, units_, extras_, blob_;
  std::string previousUnit_;
};

// CRC32C of a row: sensor id and the header fields (8 bytes each, little-endian), then the blob.
uint32_t blockChecksum(int64_t sensorId, const BlockHeader &header, std::string_view blob);

// Decodes a blob whose header says `header`, appending its readings in stored order to `out`.
// False (and `out` as it was) when the blob does not hold exactly `header.count` readings of
// format version 1 with the header's first and last times: a damaged block.
bool decodeBlock(const BlockHeader &header, std::string_view blob, std::vector<BlockReading> &out);

} // namespace pyvc::store
