// `pyvc compile` as a list of phases, read top to bottom, stopping after the one whose output
// --emit asks for. The cache sits in front: a hit skips every phase.
#include "compiler/Pipeline.h"

#include "compiler/Cache.h"
#include "compiler/Header.h"
#include "compiler/Manifest.h"
#include "compiler/Phases.h"
#include "ir/Printer.h"

#include <llvm/Support/raw_ostream.h>

#include <fstream>
#include <sstream>

namespace pyvc::compiler {

namespace {

struct EmitName {
  EmitKind kind;
  const char *name;
};
const EmitName kEmitNames[] = {
    {EmitKind::Tokens, "tokens"}, {EmitKind::Ast, "ast"},       {EmitKind::Ir, "ir"},
    {EmitKind::Llvm, "llvm"},     {EmitKind::Asm, "asm"},       {EmitKind::Obj, "obj"},
    {EmitKind::So, "so"},         {EmitKind::Header, "header"}, {EmitKind::Manifest, "manifest"},
};

std::string printLlvmModule(const llvm::Module &module) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  module.print(stream, nullptr);
  stream.flush();
  return text;
}

// Everything that decides the output bytes goes into the key.
std::string cacheKeyOf(const CompileOptions &options, const TargetDescription &target,
                       const std::string &sourceText) {
  return CompileCache::key({compilerVersion(), sourceText, options.sourcePath, target.name,
                            target.triple, target.cpu, target.features,
                            std::to_string(options.optLevel), options.strictFp ? "strict" : "lanes",
                            emitKindName(options.emit), options.soname});
}

// The phases after the frontend, stopping where --emit says.
bool runBackHalf(CompilationState &state) {
  EmitKind emit = state.options.emit;
  if (!timed(state, "verify", verifyIR) || !timed(state, "analyses", runAnalyses) ||
      !timed(state, "passes", runPasses))
    return false;
  if (emit == EmitKind::Ir) {
    state.outcome.output = ir::printModule(*state.module);
    return true;
  }
  if (emit == EmitKind::Header) {
    state.outcome.output = emitHeader(*state.module);
    return true;
  }
  if (emit == EmitKind::Manifest) {
    addManifest(state);
    state.outcome.output = state.manifest;
    return true;
  }
  if (!timed(state, "target", selectTarget) || !timed(state, "lower", lowerToLlvm) ||
      !timed(state, "manifest", addManifest) || !timed(state, "optimise", optimise))
    return false;
  if (emit == EmitKind::Llvm) {
    state.outcome.output = printLlvmModule(*state.llvmModule);
    return true;
  }
  bool assembly = emit == EmitKind::Asm;
  if (!timed(state, "codegen", [&](CompilationState &s) { return generateCode(s, assembly); }))
    return false;
  if (emit == EmitKind::Asm || emit == EmitKind::Obj) {
    state.outcome.output = std::move(state.machineCode);
    return true;
  }
  return timed(state, "link", linkLibrary);
}

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

CompileOutcome compileSource(const CompileOptions &options, const std::string &sourceText) {
  CompilationState state(options, sourceText);
  if (options.emit == EmitKind::Tokens || options.emit == EmitKind::Ast) {
    timed(state, "parse", emitTokensOrAst);
    return std::move(state.outcome);
  }

  // The cache key needs the resolved target (host features), which is cheap to compute.
  std::optional<CompileCache> cache;
  std::string key;
  if (options.useCache) {
    Result<TargetDescription> target = findTarget(options.targetName);
    if (!target) {
      state.fail(ExitInternal, target.error().message);
      return std::move(state.outcome);
    }
    Result<CompileCache> opened = CompileCache::open();
    if (!opened) {
      state.fail(ExitInternal, opened.error().message);
      return std::move(state.outcome);
    }
    cache.emplace(std::move(opened.value()));
    key = cacheKeyOf(options, target.value(), sourceText);
    if (std::optional<std::string> hit = cache->lookup(key)) {
      state.outcome.output = std::move(*hit);
      state.outcome.cacheHit = true;
      return std::move(state.outcome);
    }
  }

  if (!timed(state, "parse+sema", parseAndAnalyse) || !runBackHalf(state))
    return std::move(state.outcome);

  if (cache) {
    // A cache that cannot be written costs speed, not correctness: the output stands.
    (void)cache->store(key, state.outcome.output);
  }
  return std::move(state.outcome);
}

CompileOutcome compileFile(const CompileOptions &options) {
  std::optional<std::string> text = readWholeFile(options.sourcePath);
  if (!text) {
    CompileOutcome outcome;
    outcome.exitCode = ExitInternal;
    outcome.errorMessage = "cannot read " + options.sourcePath;
    return outcome;
  }
  return compileSource(options, *text);
}

} // namespace pyvc::compiler
