// Per-library symbols (kernel_abi.h): every export carries the module name, nothing else is
// exported, two libraries that both define `mean` link into one C program and load into one
// process, and `--emit=manifest` is byte for byte the manifest the library embeds.
#include "TestSupport.h"

#include "loader/KernelLibrary.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

using namespace pyvc::compiler::testing;

namespace {

const char *kWindows = "def mean(xs: list[float]) -> float:\n    return sum(xs) / len(xs)\n\n\n"
                       "def hot(v: float) -> bool:\n    return v > 35.0\n";
const char *kPeaks = "def mean(xs: list[float]) -> float:\n    return max(xs)\n";

struct Workspace {
  TemporaryDirectory directory;
  std::string path(const std::string &name) const { return directory.path() + "/" + name; }
  // Runs pyvc with `arguments`, no cache; stdout and stderr together.
  CommandResult pyvc(const std::string &arguments) const {
    return runShell("PYVC_CACHE_DIR='" + path("cache") + "' timeout 120 " PYVC_BINARY " " + arguments +
                    " 2>&1");
  }
  // Writes NAME.py and compiles it to NAME.so; returns the library's path.
  std::string compile(const std::string &name, const std::string &source, const std::string &options = "") {
    writeBytes(path(name + ".py"), source);
    CommandResult result = pyvc("compile --no-cache " + path(name + ".py") + " -o " + path(name + ".so") + " " + options);
    EXPECT_EQ(result.exitCode, 0) << result.output;
    return path(name + ".so");
  }
};

std::vector<std::string> exportedSymbols(const std::string &library) {
  std::istringstream lines(runCommand("nm -D --defined-only --format=just-symbols " + library));
  std::vector<std::string> names;
  for (std::string line; std::getline(lines, line);)
    if (!line.empty())
      names.push_back(line);
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace

TEST(ModuleSymbols, ExportsAreExactlyTheModulesNames) {
  Workspace workspace;
  std::string library = workspace.compile("windows", kWindows);
  EXPECT_EQ(exportedSymbols(library),
            (std::vector<std::string>{"pyvc_windows_batch_hot", "pyvc_windows_fn_hot", "pyvc_windows_fn_mean",
                                      "pyvc_windows_free", "pyvc_windows_manifest"}));
  auto manifest = nlohmann::json::parse(readElfSection(library, ".pyvc_manifest").c_str());
  EXPECT_EQ(manifest["module"], "windows");
  EXPECT_EQ(manifest["functions"][0]["symbol"], "pyvc_windows_fn_mean");
}

TEST(ModuleSymbols, ModuleNameOptionAndFileNamesThatAreNotIdentifiers) {
  Workspace workspace;
  std::string named = workspace.compile("windows", kPeaks, "--module-name gateway_peaks");
  EXPECT_EQ(exportedSymbols(named), (std::vector<std::string>{"pyvc_gateway_peaks_fn_mean", "pyvc_gateway_peaks_free",
                                                              "pyvc_gateway_peaks_manifest"}));
  std::string dashed = workspace.compile("sensor-rules.v2", kPeaks);
  EXPECT_EQ(exportedSymbols(dashed), (std::vector<std::string>{"pyvc_sensor_rules_v2_fn_mean",
                                                               "pyvc_sensor_rules_v2_free",
                                                               "pyvc_sensor_rules_v2_manifest"}));
  CommandResult bad = workspace.pyvc("compile " + workspace.path("windows.py") + " --module-name a-b");
  EXPECT_EQ(bad.exitCode, 2) << bad.output;
  EXPECT_NE(bad.output.find("`a-b` is not a C identifier"), std::string::npos) << bad.output;
}

TEST(ModuleSymbols, TwoLibrariesWithTheSameFunctionLinkIntoOneCProgram) {
  Workspace workspace;
  std::string windows = workspace.compile("windows", kWindows);
  std::string peaks = workspace.compile("peaks", kPeaks);
  for (const char *name : {"windows", "peaks"}) {
    CommandResult header = workspace.pyvc("compile --no-cache " + workspace.path(std::string(name) + ".py") +
                                          " --emit=header -o " + workspace.path(std::string(name) + ".h"));
    ASSERT_EQ(header.exitCode, 0) << header.output;
  }
  writeBytes(workspace.path("main.c"), R"C(#include "windows.h"
#include "peaks.h"
#include <stdio.h>

int main(void) {
  double xs[] = {1.0, 2.0, 6.0}, average = 0, peak = 0;
  if (pyvc_windows_fn_mean(xs, 3, &average, NULL) != PYVC_OK ||
      PYVC_FN(peaks, mean)(xs, 3, &peak, NULL) != PYVC_OK)
    return 1;
  printf("%g %g\n", average, peak);
  return 0;
}
)C");
  std::string program = workspace.path("both");
  CommandResult build = runShell("gcc -std=c11 -Wall -Werror -I" PYVC_ABI_INCLUDE_DIR " " + workspace.path("main.c") +
                                 " " + windows + " " + peaks + " -Wl,-rpath," + workspace.path("") + " -o " +
                                 program + " 2>&1");
  ASSERT_EQ(build.exitCode, 0) << build.output;
  CommandResult run = runShell(program);
  EXPECT_EQ(run.exitCode, 0);
  EXPECT_EQ(run.output, "3 6\n");
}

TEST(ModuleSymbols, TwoLibrariesWithTheSameFunctionLoadIntoOneProcess) {
  Workspace workspace;
  auto windows = pyvc::loader::KernelLibrary::open(workspace.compile("windows", kWindows));
  auto peaks = pyvc::loader::KernelLibrary::open(workspace.compile("peaks", kPeaks));
  ASSERT_TRUE(windows.ok()) << windows.error().message;
  ASSERT_TRUE(peaks.ok()) << peaks.error().message;
  std::vector<pyvc::loader::Value> arguments = {pyvc::loader::Value::floatList({1.0, 2.0, 6.0})};
  auto average = (*windows)->function("mean")->call(arguments);
  auto peak = (*peaks)->function("mean")->call(arguments);
  ASSERT_TRUE(average.ok());
  ASSERT_TRUE(peak.ok());
  EXPECT_EQ(average.value().asFloat(), 3.0);
  EXPECT_EQ(peak.value().asFloat(), 6.0);
}

// What --emit=manifest prints is what the library carries, for every kind of target.
TEST(ModuleSymbols, EmittedManifestIsTheEmbeddedOne) {
  Workspace workspace;
  writeBytes(workspace.path("windows.py"), kWindows);
  for (const char *target : {"host", "x86-64", "x86-64-v3", "aarch64", "aarch64-cortex-a76"}) {
    std::string options = " --no-cache --target " + std::string(target) + " ";
    CommandResult emitted = runShell(PYVC_BINARY " compile" + options + workspace.path("windows.py") +
                                     " --emit=manifest");
    ASSERT_EQ(emitted.exitCode, 0) << target;
    std::string library = workspace.path(std::string(target) + ".so");
    ASSERT_EQ(workspace.pyvc("compile" + options + workspace.path("windows.py") + " -o " + library).exitCode, 0);
    EXPECT_EQ(emitted.output + '\0', readElfSection(library, ".pyvc_manifest")) << target;
    EXPECT_EQ(nlohmann::json::parse(emitted.output)["target"]["name"], target);
  }
}
