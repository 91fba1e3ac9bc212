// The light half of the driver's interface (no LLVM): emit kinds and reading source files.
// The thin `pyvc` executable uses these before deciding whether to load the compiler at all.
#include "compiler/Options.h"

#include <fstream>
#include <sstream>

namespace pyvc::compiler {

namespace {

struct EmitName {
  EmitKind kind;
  const char *name;
};
const EmitName kEmitNames[] = {
    {EmitKind::Tokens, "tokens"}, {EmitKind::Ast, "ast"},       {EmitKind::Ir, "ir"}, {EmitKind::IrAfter, "ir-after"},
    {EmitKind::Llvm, "llvm"},     {EmitKind::Asm, "asm"},       {EmitKind::Obj, "obj"},
    {EmitKind::So, "so"},         {EmitKind::Header, "header"}, {EmitKind::Manifest, "manifest"},
};

} // namespace

std::optional<EmitKind> parseEmitKind(std::string_view name) {
  for (const EmitName &entry : kEmitNames)
    if (name == entry.name)
      return entry.kind;
  return std::nullopt;
}

const char *emitKindName(EmitKind kind) {
  for (const EmitName &entry : kEmitNames)
    if (entry.kind == kind)
      return entry.name;
  return "?";
}

bool isTextualEmit(EmitKind kind) { return kind != EmitKind::Obj && kind != EmitKind::So; }

std::optional<std::string> readWholeFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad())
    return std::nullopt;
  return contents.str();
}

CompileOutcome runOnSourceFile(const CompileOptions &options,
                               const std::function<CompileOutcome(const std::string &text)> &run) {
  std::optional<std::string> text = readWholeFile(options.sourcePath);
  if (!text) {
    CompileOutcome outcome;
    outcome.exitCode = ExitInternal;
    outcome.errorMessage = "cannot read " + options.sourcePath;
    return outcome;
  }
  return run(*text);
}

const std::vector<std::string> &targetNames() {
  // Must match the table in Targets.cpp (a test checks that every name resolves there).
  static const std::vector<std::string> names = {"host", "x86-64", "x86-64-v3", "aarch64",
                                                 "aarch64-cortex-a72", "aarch64-cortex-a76"};
  return names;
}

} // namespace pyvc::compiler
