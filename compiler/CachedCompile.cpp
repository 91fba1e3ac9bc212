// Cache lookups and stores around a compile; the host fingerprint that stands in for LLVM's
// host CPU name and features in the key.
#include "compiler/CachedCompile.h"

#include "compiler/Cache.h"
#include "compiler/Version.h"

#include <cstring>
#include <fstream>
#include <sys/utsname.h>

namespace pyvc::compiler {

namespace {

// The lines of the first processor entry that describe the CPU model and its features; the
// ones that change from second to second (MHz, bogomips) are left out.
std::string hostFingerprint() {
  std::string fingerprint;
  struct utsname names {};
  if (uname(&names) == 0)
    fingerprint += std::string(names.machine) + "\n";
  std::ifstream cpuinfo("/proc/cpuinfo");
  static const char *kKeys[] = {"vendor_id", "cpu family", "model", "model name", "flags",
                                "CPU implementer", "CPU architecture", "CPU variant", "CPU part",
                                "Features"};
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.empty())
      break; // end of the first processor
    for (const char *key : kKeys)
      if (line.compare(0, std::strlen(key), key) == 0 && line.find(':') != std::string::npos &&
          line.find_first_not_of(" \t", std::strlen(key)) == line.find(':'))
        fingerprint += line + "\n";
  }
  return fingerprint;
}

} // namespace

std::string compileCacheKey(const CompileOptions &options, const std::string &sourceText) {
  std::string target = options.targetName == "host" ? "host\n" + hostFingerprint() : options.targetName;
  return CompileCache::key({compilerVersionString(), sourceText, options.sourcePath, target,
                            std::to_string(options.optLevel), options.strictFp ? "strict" : "lanes",
                            options.irAfterPass.empty() ? std::string(emitKindName(options.emit))
                                                          : std::string("ir-after=") + options.irAfterPass,
                            options.soname, options.moduleName});
}

CompileOutcome compileWithCache(const CompileOptions &options, const std::string &sourceText,
                                const std::function<CompileOutcome()> &compile) {
  bool cacheable = options.useCache && options.emit != EmitKind::Tokens && options.emit != EmitKind::Ast;
  if (!cacheable)
    return compile();
  Result<CompileCache> cache = CompileCache::open();
  if (!cache) {
    CompileOutcome outcome;
    outcome.exitCode = ExitInternal;
    outcome.errorMessage = cache.error().message;
    return outcome;
  }
  std::string key = compileCacheKey(options, sourceText);
  if (std::optional<std::string> hit = cache->lookup(key)) {
    CompileOutcome outcome;
    outcome.output = std::move(*hit);
    outcome.cacheHit = true;
    return outcome;
  }
  CompileOutcome outcome = compile();
  if (outcome.exitCode == ExitOk)
    (void)cache->store(key, outcome.output); // an unwritable cache costs speed, not correctness
  return outcome;
}

} // namespace pyvc::compiler
