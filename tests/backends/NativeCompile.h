// Test-only compilation of lowered modules: a TargetMachine for a triple, the O-level pipeline,
// object or assembly emission, linking a .so with ld.lld-19 and dlopen. (The real driver in
// compiler/ links in process; tests use the external linker to stay independent of it.)
#pragma once

#include "backends/Lowering.h"
#include "ir/IR.h"

#include <memory>
#include <string>

namespace pyvc::backends::test {

// A fresh temporary directory, removed with the object.
class TemporaryDirectory {
public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  const std::string &path() const { return path_; }

private:
  std::string path_;
};

// A lowered module compiled and loaded into this process.
class NativeLibrary {
public:
  ~NativeLibrary();
  template <typename Function> Function symbol(const std::string &name) const {
    return reinterpret_cast<Function>(rawSymbol(name));
  }
  void *rawSymbol(const std::string &name) const;
  const std::string &path() const { return path_; }

private:
  friend std::unique_ptr<NativeLibrary> compileForHost(const ir::Module &, int, const std::string &);
  TemporaryDirectory directory_;
  std::string path_;
  void *handle_ = nullptr;
};

struct TargetSpec {
  std::string triple = "x86_64-unknown-linux-gnu";
  std::string cpu = "x86-64";
  std::string features;
};

// Lowered and optimised LLVM IR text (no codegen).
std::string optimizedIR(const ir::Module &module, const TargetSpec &target, int optLevel);
// Assembly text after the optLevel pipeline.
std::string emitAssembly(const ir::Module &module, const TargetSpec &target, int optLevel);
// Writes an object file for `target` at `path`; false on failure.
bool emitObject(const ir::Module &module, const TargetSpec &target, int optLevel, const std::string &path);
// Compiles for x86-64 (the test host), links a .so, dlopens it; nullptr and a gtest failure if
// any step fails. `features` may add e.g. "+avx2,+fma" (fma is never used: no contraction).
std::unique_ptr<NativeLibrary> compileForHost(const ir::Module &module, int optLevel = 2,
                                              const std::string &cpu = "x86-64");
// Runs a shell command, returning its exit status and (optionally) its standard output.
int runCommand(const std::string &command, std::string *output = nullptr);

} // namespace pyvc::backends::test
