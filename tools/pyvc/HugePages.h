// Transparent huge pages for pyvc-driver's code. A cold compile runs ~35 MB of LLVM code once:
// on 4 KiB pages that is ~550 page faults and a TLB miss for nearly every page it enters, about
// a fifth of the driver's time. The driver's loadable segments are aligned to 2 MiB
// (compiler/LlvmLibraries.cmake), so once the page cache holds the file in 2 MiB folios the
// kernel maps them with one page-table entry each (Linux with large folios on the driver's
// filesystem, e.g. ext4 from 6.16; elsewhere nothing changes).
#pragma once

#include <string>

namespace pyvc::tools {

// Asks for huge pages on the running program's read-only segments, so that whatever of them
// the kernel reads in from now on comes in 2 MiB folios (after the page cache dropped them).
void adviseHugePagesForProgram();

// Drops `path` from the page cache and reads it back through a mapping that asks for huge
// pages, so that the page cache holds it in 2 MiB folios. The linker writes the driver in
// 4 KiB folios, which the kernel would keep for as long as the file stays cached. Pages that a
// running process maps stay as they are. Returns false, with `error` set, if the file cannot
// be read; a kernel without huge page support is not an error.
bool reloadAsHugePages(const std::string &path, std::string &error);

} // namespace pyvc::tools
