// The libffi call interface of one kernel function or of its batch variant, derived from the
// manifest's types by the rules of kernel_abi.h and prepared once, when the library is loaded.
#pragma once

#include "core/Result.h"
#include "loader/Manifest.h"

#include <ffi.h>

#include <memory>
#include <vector>

namespace pyvc::loader {

class FunctionSignature {
public:
  // pyvc_<module>_fn_f(params..., results..., const char **message) -> pyvc_status
  static Result<std::unique_ptr<FunctionSignature>>
  forFunction(const FunctionDescription &function);
  // pyvc_<module>_batch_f(const P *..., int64_t count, R *..., int64_t *error_index,
  //                       const char **message) -> pyvc_status
  static Result<std::unique_ptr<FunctionSignature>> forBatch(const FunctionDescription &function);

  FunctionSignature(const FunctionSignature &) = delete;
  FunctionSignature &operator=(const FunctionSignature &) = delete;

  ffi_cif *cif() const { return &cif_; }
  size_t argumentCount() const { return argumentTypes_.size(); }

private:
  FunctionSignature() = default;
  Result<void> prepare(const std::string &name);

  mutable ffi_cif cif_{}; // ffi_call takes a non-const cif but never changes it
  std::vector<ffi_type *> argumentTypes_;
};

// The libffi type of a scalar as it crosses the ABI: double, int64_t or uint8_t.
ffi_type *scalarFfiType(ScalarKind kind);

// The number of C result pointers a result type needs (list: 2, tuple: one per member).
size_t resultPointerCount(const ValueType &type);

} // namespace pyvc::loader
