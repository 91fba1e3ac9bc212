// One table (pyvc/cpu_features.def) says how to detect each feature; this file asks the CPU.
// On x86-64 a feature that uses the AVX or AVX-512 registers also needs the operating system to
// save them (XCR0), as the kernel reports in /proc/cpuinfo.
#include "loader/CpuFeatures.h"

#include <cstdint>
#include <string_view>

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <sys/auxv.h>
#endif

namespace pyvc::loader {
namespace {

#if defined(__x86_64__)
bool x86Has(unsigned leaf, unsigned subleaf, int reg, int bit, uint64_t state) {
  unsigned maximum = __get_cpuid_max(leaf & 0x80000000u, nullptr);
  if (maximum < leaf)
    return false;
  unsigned registers[4] = {};
  __cpuid_count(leaf, subleaf, registers[0], registers[1], registers[2], registers[3]);
  if (!(registers[reg] >> bit & 1))
    return false;
  if (state == 0)
    return true;
  unsigned eax, ebx, ecx, edx;
  __cpuid(1, eax, ebx, ecx, edx);
  if (!(ecx >> 27 & 1)) // OSXSAVE: the system uses XSAVE and XGETBV can be executed
    return false;
  uint32_t low, high;
  __asm__("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
  uint64_t enabled = static_cast<uint64_t>(high) << 32 | low;
  return (enabled & state) == state;
}

// 1 present, 0 absent, -1 not a feature of this table for this machine.
int hasFeature(std::string_view wanted) {
#define PYVC_X86_FEATURE(name, leaf, subleaf, reg, bit, state, flag)                               \
  if (wanted == name)                                                                              \
    return x86Has(leaf, subleaf, reg, bit, state) ? 1 : 0;
#include "pyvc/cpu_features.def"
  return -1;
}
#elif defined(__aarch64__)
int hasFeature(std::string_view wanted) {
#define PYVC_AARCH64_FEATURE(name, word, bit, flag)                                                \
  if (wanted == name)                                                                              \
    return (getauxval((word) == 1 ? AT_HWCAP : AT_HWCAP2) >> (bit) & 1) ? 1 : 0;
#include "pyvc/cpu_features.def"
  return -1;
}
#else
int hasFeature(std::string_view) { return -1; }
#endif

} // namespace

std::vector<std::string> missingCpuFeatures(const std::vector<std::string> &required) {
  std::vector<std::string> missing;
  for (const std::string &feature : required)
    if (hasFeature(feature) != 1)
      missing.push_back(feature);
  return missing;
}

} // namespace pyvc::loader
