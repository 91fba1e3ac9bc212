// Building libffi call interfaces from manifest types (kernel_abi.h gives the C layout).
#include "loader/FunctionSignature.h"

namespace pyvc::loader {

ffi_type *scalarFfiType(ScalarKind kind) {
  switch (kind) {
  case ScalarKind::Bool:
    return &ffi_type_uint8;
  case ScalarKind::Int:
    return &ffi_type_sint64;
  case ScalarKind::Float:
    return &ffi_type_double;
  }
  return &ffi_type_void;
}

size_t resultPointerCount(const ValueType &type) {
  switch (type.shape) {
  case TypeShape::None:
    return 0;
  case TypeShape::Scalar:
    return 1;
  case TypeShape::List:
    return 2;
  case TypeShape::Tuple:
    return type.members.size();
  }
  return 0;
}

Result<std::unique_ptr<FunctionSignature>>
FunctionSignature::forFunction(const FunctionDescription &function) {
  std::unique_ptr<FunctionSignature> signature(new FunctionSignature());
  for (const Parameter &param : function.params) {
    if (param.type.isScalar()) {
      signature->argumentTypes_.push_back(scalarFfiType(param.type.scalar));
      continue;
    }
    signature->argumentTypes_.push_back(&ffi_type_pointer); // const E *data
    signature->argumentTypes_.push_back(&ffi_type_sint64);  // int64_t length
  }
  for (size_t i = 0; i < resultPointerCount(function.returns); ++i)
    signature->argumentTypes_.push_back(&ffi_type_pointer);
  signature->argumentTypes_.push_back(&ffi_type_pointer); // const char **message
  if (auto prepared = signature->prepare(function.symbol); !prepared)
    return prepared.error();
  return signature;
}

Result<std::unique_ptr<FunctionSignature>>
FunctionSignature::forBatch(const FunctionDescription &function) {
  if (!function.allScalar() || !function.batchSymbol)
    return makeError("function `" + function.name + "` has no batch variant");
  std::unique_ptr<FunctionSignature> signature(new FunctionSignature());
  for (size_t i = 0; i < function.params.size(); ++i)
    signature->argumentTypes_.push_back(&ffi_type_pointer); // const P *
  signature->argumentTypes_.push_back(&ffi_type_sint64);    // int64_t count
  for (size_t i = 0; i < resultPointerCount(function.returns); ++i)
    signature->argumentTypes_.push_back(&ffi_type_pointer); // R *
  signature->argumentTypes_.push_back(&ffi_type_pointer);   // int64_t *error_index
  signature->argumentTypes_.push_back(&ffi_type_pointer);   // const char **message
  if (auto prepared = signature->prepare(*function.batchSymbol); !prepared)
    return prepared.error();
  return signature;
}

Result<void> FunctionSignature::prepare(const std::string &name) {
  ffi_status status =
      ffi_prep_cif(&cif_, FFI_DEFAULT_ABI, static_cast<unsigned>(argumentTypes_.size()),
                   &ffi_type_sint32, argumentTypes_.data());
  if (status != FFI_OK)
    return makeError("libffi cannot prepare a call to " + name + " (ffi status " +
                     std::to_string(int(status)) + ")");
  return {};
}

} // namespace pyvc::loader
