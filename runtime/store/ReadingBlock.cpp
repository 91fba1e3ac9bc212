// Encoding and decoding of reading blocks (format in ReadingBlock.h).
#include "store/ReadingBlock.h"

#include "store/Crc32c.h"

#include <bit>
#include <cassert>
#include <cmath>
#include <cstring>
#include <limits>

namespace pyvc::store {

namespace {

static_assert(std::endian::native == std::endian::little,
              "values are copied as little-endian IEEE-754 bits");
constexpr unsigned char kFormatVersion = 1;

void appendVarint(std::string &out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void appendSized(std::string &out, std::string_view text) {
  appendVarint(out, uint64_t(text.size()) + 1);
  out.append(text);
}

// Reads the blob front to back; any read past its end or malformed varint sets `failed`.
struct BlobReader {
  std::string_view bytes;
  size_t position = 0;
  bool failed = false;

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (position >= bytes.size())
        break;
      auto byte = static_cast<unsigned char>(bytes[position++]);
      value |= uint64_t(byte & 0x7F) << shift;
      if (!(byte & 0x80))
        return value;
    }
    failed = true;
    return 0;
  }
  std::string_view take(uint64_t size) {
    if (failed || size > bytes.size() - position) {
      failed = true;
      return {};
    }
    std::string_view taken = bytes.substr(position, size_t(size));
    position += size_t(size);
    return taken;
  }
};

} // namespace

void BlockEncoder::start(int64_t firstSequence) {
  firstSequence_ = firstSequence;
  count_ = 0;
  for (std::string *column : {&times_, &sequences_, &values_, &units_, &extras_})
    column->clear();
  previousUnit_.clear();
}

void BlockEncoder::add(int64_t timestampMs, int64_t sequence, double value, std::string_view unit,
                       std::string_view extra) {
  assert(sequence >= firstSequence_ && "a block's sequences start at its first_sequence");
  if (count_ == 0)
    firstMs_ = lastMs_ = timestampMs;
  assert(timestampMs >= lastMs_ && "readings are added sorted by time");
  appendVarint(times_, uint64_t(timestampMs) - uint64_t(lastMs_));
  lastMs_ = timestampMs;
  appendVarint(sequences_, uint64_t(sequence - firstSequence_));
  if (std::isnan(value))
    value = std::numeric_limits<double>::quiet_NaN();
  char bits[8];
  std::memcpy(bits, &value, 8);
  values_.append(bits, 8);
  if (unit == previousUnit_) { // "" before the first reading, as the decoder assumes
    units_.push_back(0);
  } else {
    appendSized(units_, unit);
    previousUnit_.assign(unit);
  }
  if (extra.empty())
    extras_.push_back(0);
  else
    appendSized(extras_, extra);
  ++count_;
}

BlockHeader BlockEncoder::header() const {
  assert(count_ > 0 && "a block holds at least one reading");
  return {firstMs_, lastMs_, firstSequence_, count_};
}

const std::string &BlockEncoder::finish() {
  blob_.clear();
  blob_.reserve(1 + times_.size() + sequences_.size() + values_.size() + units_.size() +
                extras_.size());
  blob_.push_back(static_cast<char>(kFormatVersion));
  for (const std::string *column : {&times_, &sequences_, &values_, &units_, &extras_})
    blob_ += *column;
  return blob_;
}

uint32_t blockChecksum(int64_t sensorId, const BlockHeader &header, std::string_view blob) {
  unsigned char fixed[40];
  const uint64_t fields[] = {uint64_t(sensorId), uint64_t(header.firstMs), uint64_t(header.lastMs),
                             uint64_t(header.firstSequence), uint64_t(header.count)};
  for (size_t field = 0; field < 5; ++field)
    for (size_t byte = 0; byte < 8; ++byte)
      fixed[field * 8 + byte] = static_cast<unsigned char>(fields[field] >> (8 * byte));
  uint32_t crc = crc32c(std::string_view(reinterpret_cast<const char *>(fixed), sizeof fixed));
  return crc32c(blob, crc);
}

bool decodeBlock(const BlockHeader &header, std::string_view blob, std::vector<BlockReading> &out) {
  if (header.count <= 0 || blob.empty() || static_cast<unsigned char>(blob[0]) != kFormatVersion)
    return false;
  // Every reading takes at least 12 bytes, so a count the blob cannot hold is refused before
  // anything is allocated for it.
  if (uint64_t(header.count) > blob.size() / 12)
    return false;
  const size_t base = out.size();
  const auto count = size_t(header.count);
  out.resize(base + count);
  BlobReader reader{blob, 1};
  uint64_t time = uint64_t(header.firstMs);
  for (size_t index = 0; index < count; ++index) {
    time += reader.varint();
    out[base + index].timestampMs = int64_t(time);
  }
  for (size_t index = 0; index < count; ++index)
    out[base + index].sequence = header.firstSequence + int64_t(reader.varint());
  std::string_view values = reader.take(uint64_t(count) * 8);
  for (size_t index = 0; index < count && !reader.failed; ++index)
    std::memcpy(&out[base + index].value, values.data() + index * 8, 8);
  std::string_view unit;
  for (size_t index = 0; index < count; ++index) {
    if (uint64_t size = reader.varint(); size > 0)
      unit = reader.take(size - 1);
    out[base + index].unit.assign(unit);
  }
  for (size_t index = 0; index < count; ++index)
    if (uint64_t size = reader.varint(); size > 0)
      out[base + index].extra.assign(reader.take(size - 1));
  bool valid = !reader.failed && reader.position == blob.size() &&
               out[base].timestampMs == header.firstMs &&
               out[base + count - 1].timestampMs == header.lastMs;
  if (!valid)
    out.resize(base);
  return valid;
}

} // namespace pyvc::store
