// What a compile is asked for and what it gives back, without LLVM: emit kinds, the options,
// the outcome with its exit status, target names, reading source files. The thin `pyvc`
// executable uses these before deciding whether to load the compiler at all.
// Exit statuses: 0 ok, 1 errors in the user's source, 2 usage (the CLI's), 3 internal or
// environment error.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pyvc::compiler {

// What --emit asks for: the representation after one phase.
// IrAfter is the IR after one IR pass (--emit=ir-after=PASS, CompileOptions::irAfterPass).
enum class EmitKind { Tokens, Ast, Ir, IrAfter, Llvm, Asm, Obj, So, Header, Manifest };

std::optional<EmitKind> parseEmitKind(std::string_view name);
const char *emitKindName(EmitKind kind);
// Text goes to stdout by default; binary kinds (obj, so) go to a file.
bool isTextualEmit(EmitKind kind);

struct CompileOptions {
  std::string sourcePath; // as given on the command line; recorded in the manifest
  std::string targetName = "host";
  int optLevel = 2;
  bool strictFp = false;
  bool useCache = true;   // read by compileWithCache (CachedCompile.h), not by compileSource
  EmitKind emit = EmitKind::So;
  std::string irAfterPass; // EmitKind::IrAfter: the pass (Phases.h, irPassNames)
  bool printAfterAll = false; // the IR after every IR pass, to stderr (CompileOutcome::irAfterPasses)
  bool jsonDiagnostics = false;
  bool color = false;
  std::string soname = "kernels.so"; // DT_SONAME of the library (EmitKind::So)
  std::string moduleName;            // prefixes the exported symbols; empty: from sourcePath
};

enum ExitStatus : int { ExitOk = 0, ExitSourceErrors = 1, ExitUsage = 2, ExitInternal = 3 };

struct PhaseTiming {
  std::string phase;
  double milliseconds;
};

struct CompileOutcome {
  int exitCode = ExitOk;
  std::string output;       // the requested representation (exit 0)
  std::string diagnostics;  // rendered source diagnostics for stderr (errors: exit 1; or warnings)
  std::string errorMessage; // exit 3: one line, without the "error: " prefix
  std::string irAfterPasses; // --print-after-all, for stderr
  bool cacheHit = false;
  std::vector<PhaseTiming> timings; // in pipeline order
};

// The names accepted by --target, in the order the help lists them (Targets.h has the details).
const std::vector<std::string> &targetNames();

// Reads a whole file; nullopt when it cannot be read.
std::optional<std::string> readWholeFile(const std::string &path);

// Reads options.sourcePath and runs `run` on its text; an unreadable file is exit 3.
CompileOutcome runOnSourceFile(const CompileOptions &options,
                               const std::function<CompileOutcome(const std::string &text)> &run);

} // namespace pyvc::compiler
