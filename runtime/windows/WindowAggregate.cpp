// WindowAggregate: binds a compiled `f(xs: list[float]) -> scalar` and calls its C entry point
// directly (kernel_abi.h), skipping libffi and Values: the window's span is the kernel's list.
#include "windows/WindowAggregate.h"

#include "pyvc/kernel_abi.h"

namespace pyvc::windows {

namespace {

using FloatEntry = pyvc_status (*)(const double *, int64_t, double *, const char **);
using IntEntry = pyvc_status (*)(const double *, int64_t, int64_t *, const char **);
using BoolEntry = pyvc_status (*)(const double *, int64_t, uint8_t *, const char **);

template <typename Entry> Entry entryAs(const loader::KernelFunction &function) {
  return reinterpret_cast<Entry>(function.entry());
}

} // namespace

Result<WindowAggregate> WindowAggregate::bind(std::string name,
                                              const loader::KernelFunction &function) {
  const loader::FunctionDescription &description = function.description();
  bool takesOneFloatList = description.params.size() == 1 && description.params[0].type.isList() &&
                           description.params[0].type.scalar == loader::ScalarKind::Float;
  if (!takesOneFloatList || !description.returns.isScalar())
    return makeError("function `" + description.name +
                     "` must have the signature f(xs: list[float]) -> float|int|bool, it has " +
                     description.signatureText());
  if (!function.entry())
    return makeError("function `" + description.name + "` has no entry point");
  WindowAggregate aggregate;
  aggregate.name_ = std::move(name);
  aggregate.function_ = &function;
  aggregate.result_ = description.returns.scalar;
  return aggregate;
}

AggregateOutcome WindowAggregate::call(std::span<const double> values) const {
  const double *data = values.empty() ? nullptr : values.data();
  int64_t count = int64_t(values.size());
  const char *message = nullptr;
  AggregateOutcome outcome;
  pyvc_status status = PYVC_OK;
  switch (result_) {
  case loader::ScalarKind::Float:
    status = entryAs<FloatEntry>(*function_)(data, count, &outcome.value, &message);
    break;
  case loader::ScalarKind::Int: {
    int64_t result = 0;
    status = entryAs<IntEntry>(*function_)(data, count, &result, &message);
    outcome.value = double(result);
    break;
  }
  case loader::ScalarKind::Bool: {
    uint8_t result = 0;
    status = entryAs<BoolEntry>(*function_)(data, count, &result, &message);
    outcome.value = result ? 1.0 : 0.0;
    break;
  }
  }
  if (status != PYVC_OK) {
    outcome.value = 0.0;
    outcome.error =
        loader::KernelError{loader::statusExceptionName(status),
                            message ? message : "kernel status " + std::to_string(status)};
  }
  return outcome;
}

} // namespace pyvc::windows
