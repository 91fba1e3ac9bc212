// Strict JSON parsing: nlohmann's (iterative) SAX parser driving our own DOM builder, which
// refuses duplicate keys and deep nesting as they are read, and names the place of every error.
#include "core/StrictJson.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <vector>

namespace pyvc {

using nlohmann::json;

namespace {

// A char iterator that records how far nlohmann's lexer has read, so that SAX events (which
// carry no position) can name one. The lexer reads at most one character ahead.
class TrackingIterator {
public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char *;
  using reference = const char &;

  TrackingIterator() = default;
  TrackingIterator(const char *current, const char **furthest)
      : current_(current), furthest_(furthest) {}

  reference operator*() const { return *current_; }
  TrackingIterator &operator++() {
    ++current_;
    if (furthest_ && current_ > *furthest_)
      *furthest_ = current_;
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const TrackingIterator &other) const { return current_ == other.current_; }
  bool operator!=(const TrackingIterator &other) const { return current_ != other.current_; }

private:
  const char *current_ = nullptr;
  const char **furthest_ = nullptr;
};

// "line 2, column 7" for the last of the first `consumed` bytes (1-based, columns in bytes).
std::string placeOf(std::string_view text, size_t consumed) {
  size_t index = consumed == 0 ? 0 : std::min(consumed, text.size()) - 1;
  size_t line = 1, lineStart = 0;
  for (size_t i = 0; i < index && i < text.size(); ++i)
    if (text[i] == '\n') {
      ++line;
      lineStart = i + 1;
    }
  return "line " + std::to_string(line) + ", column " + std::to_string(index - lineStart + 1);
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1,
// column 5: " prefix; we say where ourselves, the same way for every error.
std::string plainMessage(const std::string &what) {
  std::string message = what;
  if (message.rfind("[json.exception.", 0) == 0) {
    size_t close = message.find("] ");
    if (close != std::string::npos)
      message.erase(0, close + 2);
  }
  if (message.rfind("parse error", 0) == 0) {
    size_t colon = message.find(": ");
    if (colon != std::string::npos)
      message.erase(0, colon + 2);
  }
  return message;
}

// Builds the DOM from SAX events. A container is entered only after the depth check, and each
// object member is inserted when its key arrives, so a repeated key is seen at once.
class StrictDomBuilder {
public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  StrictDomBuilder(std::string_view text, const StrictJsonOptions &options, const char **furthest)
      : text_(text), options_(options), furthest_(furthest) {}

  bool null() { return place(json(nullptr)) != nullptr; }
  bool boolean(bool value) { return place(json(value)) != nullptr; }
  bool number_integer(number_integer_t value) { return place(json(value)) != nullptr; }
  bool number_unsigned(number_unsigned_t value) { return place(json(value)) != nullptr; }
  bool number_float(number_float_t value, const string_t &) {
    return place(json(value)) != nullptr;
  }
  bool string(string_t &value) { return place(json(std::move(value))) != nullptr; }
  bool binary(binary_t &) { return fail("binary values are not JSON"); }

  bool start_object(std::size_t) { return enter(json::object()); }
  bool start_array(std::size_t) { return enter(json::array()); }
  bool end_object() { return leave(); }
  bool end_array() { return leave(); }

  bool key(string_t &name) {
    Frame &frame = frames_.back();
    auto [member, inserted] = frame.value->get_ref<json::object_t &>().emplace(name, nullptr);
    if (!inserted)
      return failAt(keyStart(), "duplicate key `" + name + "`" + pathSuffix(/*ofLastObject=*/true));
    frame.key = name;
    pendingMember_ = &member->second;
    return true;
  }

  bool parse_error(std::size_t consumed, const std::string &,
                   const nlohmann::detail::exception &error) {
    if (!failed_) {
      failed_ = true;
      message_ = placeOf(text_, consumed) + ": " + plainMessage(error.what()) + pathSuffix();
    }
    return false;
  }

  bool failed() const { return failed_; }
  const std::string &message() const { return message_; }
  json takeRoot() { return std::move(root_); }

private:
  struct Frame {
    json *value;
    std::string key;  // the member being read, when value is an object
    size_t index = 0; // elements placed so far, when value is an array
  };

  // Fails at the last byte read (the `[` or `{` of a container too deep).
  bool fail(std::string problem) {
    return failAt(size_t(*furthest_ - text_.data()), std::move(problem));
  }

  bool failAt(size_t consumed, std::string problem) {
    failed_ = true;
    message_ = placeOf(text_, consumed) + ": " + std::move(problem);
    return false;
  }

  // Bytes up to and including the opening quote of the key just read. The lexer stopped right
  // after its closing quote; the opening one is the nearest quote before it not escaped by an
  // odd run of backslashes (a key holds no other unescaped quote).
  size_t keyStart() const {
    size_t close = size_t(*furthest_ - text_.data()) - 1;
    for (size_t i = close; i-- > 0;) {
      if (text_[i] != '"')
        continue;
      size_t backslashes = 0;
      while (backslashes < i && text_[i - 1 - backslashes] == '\\')
        ++backslashes;
      if (backslashes % 2 == 0)
        return i + 1;
    }
    return close + 1;
  }

  // Puts `value` where the parser is (root, next array element, or the member whose key came
  // last) and returns where it now lives. Addresses stay valid while the value is open: its
  // parent gets no other element until it is closed.
  json *place(json value) {
    if (frames_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Frame &parent = frames_.back();
    if (parent.value->is_array()) {
      ++parent.index;
      auto &array = parent.value->get_ref<json::array_t &>();
      array.push_back(std::move(value));
      return &array.back();
    }
    *pendingMember_ = std::move(value);
    return pendingMember_;
  }

  bool enter(json container) {
    if (int(frames_.size()) + 1 > options_.maxDepth + options_.outerLevels)
      return fail("nested deeper than the limit of " + std::to_string(options_.maxDepth) +
                  " levels" + pathSuffix());
    frames_.push_back(Frame{place(std::move(container)), {}, 0});
    return true;
  }

  bool leave() {
    frames_.pop_back();
    return true;
  }

  // " at `rules[0].action`": where the parser is (a member, an element, or the slot of the
  // next element), or nothing at the top level; `ofLastObject` stops at the innermost
  // object instead of naming its current member. Deep paths keep their first three and last
  // two steps, so a message stays short whatever the input.
  std::string pathSuffix(bool ofLastObject = false) const {
    std::vector<std::string> steps;
    for (size_t level = 0; level < frames_.size(); ++level) {
      const Frame &frame = frames_[level];
      if (ofLastObject && level + 1 == frames_.size())
        break;
      // An array that is not innermost holds the open container as its last element; the
      // innermost one is between elements, and the next one is where the parser is.
      bool innermost = level + 1 == frames_.size();
      if (frame.value->is_array())
        steps.push_back("[" + std::to_string(innermost ? frame.index : frame.index - 1) + "]");
      else if (!frame.key.empty() || frame.value->size() > 0)
        steps.push_back((steps.empty() ? "" : ".") + frame.key);
    }
    if (steps.empty())
      return "";
    std::string path;
    for (size_t i = 0; i < steps.size(); ++i) {
      if (steps.size() > 6 && i == 3) {
        path += "...";
        i = steps.size() - 3;
        continue;
      }
      path += steps[i];
    }
    return (ofLastObject ? " in `" : " at `") + path + "`";
  }

  std::string_view text_;
  const StrictJsonOptions &options_;
  const char **furthest_;
  std::vector<Frame> frames_;
  json *pendingMember_ = nullptr;
  json root_;
  bool failed_ = false;
  std::string message_;
};

} // namespace

Result<json> parseStrictJson(std::string_view text, const StrictJsonOptions &options) {
  if (size_t nul = text.find('\0'); nul != std::string_view::npos)
    return makeError(placeOf(text, nul + 1) + ": NUL byte (byte " + std::to_string(nul) +
                     "), which JSON text cannot hold");
  const char *furthest = text.data();
  StrictDomBuilder builder(text, options, &furthest);
  TrackingIterator first(text.data(), &furthest), last(text.data() + text.size(), nullptr);
  bool parsed = false;
  try {
    parsed = json::sax_parse(first, last, &builder);
  } catch (const std::exception &error) {
    // The SAX parser reports through parse_error; this is for allocation failures.
    return makeError(std::string("cannot parse JSON: ") + error.what());
  }
  if (!parsed || builder.failed())
    return makeError(builder.failed() ? builder.message() : "not valid JSON");
  return builder.takeRoot();
}

Result<void> checkJsonDepth(std::string_view text, int maxDepth) {
  int depth = 0;
  bool inString = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char byte = text[i];
    if (inString) {
      if (escaped)
        escaped = false;
      else if (byte == '\\')
        escaped = true;
      else if (byte == '"')
        inString = false;
      continue;
    }
    if (byte == '"') {
      inString = true;
    } else if (byte == '[' || byte == '{') {
      if (++depth > maxDepth)
        return makeError("JSON nested deeper than the limit of " + std::to_string(maxDepth) +
                         " levels at byte " + std::to_string(i));
    } else if ((byte == ']' || byte == '}') && depth > 0) {
      --depth;
    }
  }
  return {};
}

} // namespace pyvc
