// Links ELF objects into a self-contained shared library with lld, inside this process:
// only pyvc_* symbols exported, DT_NEEDED limited to libc.so.6 and libm.so.6, no build id, so
// the same object always gives the same bytes. No system linker or sysroot is involved.
#pragma once

#include "runtime/core/Result.h"

#include <string>
#include <vector>

namespace pyvc::compiler {

// `objectBytes` is an ELF relocatable object for x86-64 or aarch64; `soname` goes in DT_SONAME.
// Works in a private temporary directory (under $TMPDIR) that is removed afterwards.
// Thread-safe: lld is not, so calls are serialised.
Result<std::string> linkSharedLibrary(const std::string &objectBytes, const std::string &soname);

// The same for several objects of one machine (codegen units), linked in the order given.
Result<std::string> linkSharedLibrary(const std::vector<std::string> &objects, const std::string &soname);

// The objects of the codegen units joined into one relocatable ELF object (`ld.lld -r`), in the
// order given: `--emit=obj`. The code of every function is what the library holds.
Result<std::string> linkRelocatableObject(const std::vector<std::string> &objects);

} // namespace pyvc::compiler
