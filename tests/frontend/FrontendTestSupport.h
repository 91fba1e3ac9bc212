// Helpers shared by the frontend unit tests: compile a snippet, list diagnostic codes, print
// and verify the IR.
#pragma once

#include "frontend-py/Frontend.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pyvc::frontend::testing {

// A snippet and the diagnostic codes it must produce, for parameterised tests named by `name`.
struct CodesCase {
  const char *name;
  const char *source;
  std::vector<std::string> codes;
};

inline std::string caseName(const ::testing::TestParamInfo<CodesCase> &info) { return info.param.name; }

struct Compiled {
  std::unique_ptr<ir::Module> module;
  DiagnosticEngine diags;
  std::string text;

  std::vector<std::string> codes() const {
    std::vector<std::string> result;
    for (const Diagnostic &diagnostic : diags.diagnostics())
      result.push_back(diagnostic.code);
    return result;
  }
  std::string rendered() const { return renderDiagnostics(diags.diagnostics(), "test.py", text, DiagnosticFormat::Text, false); }
  std::string ir() const { return module ? ir::printModule(*module) : "<no module>\n" + rendered(); }
  const ir::Function &function(const std::string &name) const {
    int index = module->findFunction(name);
    EXPECT_GE(index, 0) << name;
    return module->functions[static_cast<size_t>(index)];
  }
};

inline std::unique_ptr<Compiled> compile(const std::string &text) {
  auto compiled = std::make_unique<Compiled>();
  compiled->text = text;
  compiled->module = buildIR("test.py", text, compiled->diags);
  return compiled;
}

// Compiles a snippet that must be accepted, and checks the IR with the verifier.
inline std::unique_ptr<Compiled> compileValid(const std::string &text) {
  auto compiled = compile(text);
  EXPECT_TRUE(compiled->module != nullptr) << compiled->rendered();
  if (compiled->module) {
    std::vector<std::string> problems = ir::verifyModule(*compiled->module);
    std::string joined;
    for (const std::string &problem : problems)
      joined += problem + "\n";
    EXPECT_TRUE(problems.empty()) << joined << ir::printModule(*compiled->module);
  }
  return compiled;
}

} // namespace pyvc::frontend::testing
