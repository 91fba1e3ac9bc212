// The CPU check of a kernel library: which of the features its manifest requires
// (pyvc/cpu_features.def names) the running CPU lacks, asked of the CPU itself (cpuid and XCR0
// on x86-64, the auxiliary vector's hardware capabilities on aarch64).
#pragma once

#include <string>
#include <vector>

namespace pyvc::loader {

// The names in `required` that this CPU (or its operating system) does not support, in order.
// A name the table does not know for this machine counts as missing: code that needs it must
// not run unchecked.
std::vector<std::string> missingCpuFeatures(const std::vector<std::string> &required);

} // namespace pyvc::loader
