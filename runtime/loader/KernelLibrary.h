// A loaded kernel library: its manifest, read from the file before loading, and every function
// resolved up front, ready to be called through libffi with dynamic Values or batch columns.
#pragma once

#include "core/Result.h"
#include "loader/FunctionSignature.h"
#include "loader/KernelCall.h"
#include "loader/Manifest.h"
#include "loader/SealedFile.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pyvc::loader {

class KernelLibrary;

// One callable function of a loaded library. Owned by its KernelLibrary and valid while it lives.
// The loader adds no shared state to a call (its state is on the stack, the libffi interface is
// only read): concurrent calls are as safe as the kernel code itself is reentrant.
class KernelFunction {
public:
  const FunctionDescription &description() const { return *description_; }
  const std::string &name() const { return description_->name; }
  bool hasBatchVariant() const { return batchEntry_ != nullptr; }

  // Calls the function with Python-style argument conversion (ArgumentConversion.h). A list
  // result is copied into the Value and its array released with the library's pyvc_<module>_free.
  CallOutcome call(std::span<const Value> arguments) const;

  // Evaluates an all-scalar function over columns of equal length: one column per parameter, of
  // exactly the parameter's type. Uses the batch variant when the library has one and falls back
  // to one call per element otherwise. Stops at the first failing element.
  BatchOutcome callBatch(std::span<const ColumnView> columns) const;

  // Answers each argument list exactly as call() would, but evaluates the calls through the batch
  // variant (CallsInBatches.cpp): one batch call per run of calls between failures. A function
  // that takes or returns lists answers every call with a TypeError.
  std::vector<CallOutcome> callInBatches(std::span<const std::vector<Value>> argumentLists) const;

  // The raw entry points, for callers that want to skip the dynamic layer.
  void *entry() const { return reinterpret_cast<void *>(entry_); }
  void *batchEntry() const { return reinterpret_cast<void *>(batchEntry_); }

private:
  friend class KernelLibrary;
  KernelFunction() = default;
  BatchOutcome callBatchPerElement(std::span<const ColumnView> columns, int64_t count) const;

  const FunctionDescription *description_ = nullptr;
  void (*entry_)() = nullptr;
  void (*batchEntry_)() = nullptr;
  void (*free_)(void *) = nullptr;
  std::unique_ptr<FunctionSignature> signature_;
  std::unique_ptr<FunctionSignature> batchSignature_;
};

class KernelLibrary {
public:
  // Reads the manifest from the file (no code runs), checks that its target is this machine's
  // architecture and that this CPU has every feature the manifest lists, then dlopens the
  // library (RTLD_NOW | RTLD_LOCAL) and resolves pyvc_<module>_free, pyvc_<module>_manifest and
  // every function and batch symbol. Any failure is an Error naming the file and the reason.
  static Result<std::unique_ptr<KernelLibrary>> open(const std::string &path);
  // The same for the bytes of a library read earlier (and checked: a signature, runtime/trust),
  // loaded from a sealed in-memory copy (SealedFile.h), so exactly these bytes run whatever
  // happens to the file meanwhile. `name` (the library's path) names it in messages and path().
  static Result<std::unique_ptr<KernelLibrary>> openImage(const std::string &name,
                                                          std::string_view bytes);
  ~KernelLibrary();
  KernelLibrary(const KernelLibrary &) = delete;
  KernelLibrary &operator=(const KernelLibrary &) = delete;

  const std::string &path() const { return path_; }
  const Manifest &manifest() const { return manifest_; }
  const std::vector<std::unique_ptr<KernelFunction>> &functions() const { return functions_; }
  // The function named `name` (the Python name, not the symbol), or nullptr.
  const KernelFunction *function(std::string_view name) const;

private:
  KernelLibrary() = default;
  static Result<std::unique_ptr<KernelLibrary>> load(const std::string &name, Manifest manifest,
                                                     const std::string &openPath,
                                                     std::optional<SealedFile> image);
  Result<void> resolveFunctions();

  std::string path_;
  Manifest manifest_;
  void *handle_ = nullptr;
  void (*free_)(void *) = nullptr;
  std::vector<std::unique_ptr<KernelFunction>> functions_;
  std::optional<SealedFile> image_; // openImage: closed only after dlclose
};

} // namespace pyvc::loader
