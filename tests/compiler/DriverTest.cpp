// End-to-end tests of the `pyvc` command: exit codes, every --emit kind, the cache (hits,
// corruption, concurrent compiles), byte-identical output, the manifest inside the .so, its
// DT_NEEDED entries, cross-compiling for aarch64, and hostile inputs that must never crash it.
#include "TestSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <dlfcn.h>

using namespace pyvc::compiler::testing;

namespace {

const char *kKernels = R"PY("""Test kernels for the driver."""
import math

LIMIT = 35.0


def bucket(ms: int, width_ms: int) -> int:
    """The window a timestamp falls in."""
    return ms // width_ms


def hot(v: float) -> bool:
    return v > LIMIT


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def sum_sq_gt(xs: list[float], t: float) -> float:
    acc = 0.0
    for x in xs:
        if x > t:
            acc += x * x
    return acc


def first_above(xs: list[float], t: float) -> int:
    for i, x in enumerate(xs):
        if x > t:
            return i
    return -1
)PY";

// Runs pyvc with `arguments` (already shell-quoted) and an isolated cache directory.
struct Pyvc {
  TemporaryDirectory directory;
  std::string cacheDir = directory.path() + "/cache";
  std::string source = directory.path() + "/kernels.py";

  Pyvc() { writeBytes(source, kKernels); }

  CommandResult run(const std::string &arguments, const std::string &stderrFile = "/dev/null") const {
    return runShell("PYVC_CACHE_DIR='" + cacheDir + "' timeout 120 " PYVC_BINARY " " + arguments +
                    " 2>" + stderrFile);
  }
  // stdout and stderr together, for checking messages.
  CommandResult runMerged(const std::string &arguments) const {
    return runShell("PYVC_CACHE_DIR='" + cacheDir + "' timeout 120 " PYVC_BINARY " " + arguments + " 2>&1");
  }
  std::string path(const std::string &name) const { return directory.path() + "/" + name; }
};

} // namespace

TEST(Driver, VersionAndHelp) {
  Pyvc pyvc;
  CommandResult version = pyvc.run("--version");
  EXPECT_EQ(version.exitCode, 0);
  EXPECT_EQ(version.output.rfind("pyvc 0.1.0 (LLVM 19.1.", 0), 0u) << version.output;
  for (const char *help : {"--help", "compile --help", "explain --help"}) {
    CommandResult result = pyvc.run(help);
    EXPECT_EQ(result.exitCode, 0) << help;
    EXPECT_NE(result.output.find("Usage:"), std::string::npos) << help;
  }
}

TEST(Driver, UsageErrorsExitTwo) {
  Pyvc pyvc;
  for (const std::string &arguments : std::vector<std::string>{"", "compile", "compile " + pyvc.source + " -O7",
                                "compile " + pyvc.source + " --emit=pdf", std::string("frobnicate"),
                                "compile " + pyvc.source + " --diag-format=xml"}) {
    EXPECT_EQ(pyvc.run(arguments).exitCode, 2) << arguments;
  }
}

TEST(Driver, EnvironmentErrorsExitThreeWithOneLine) {
  Pyvc pyvc;
  CommandResult target = pyvc.runMerged("compile " + pyvc.source + " --target riscv64");
  EXPECT_EQ(target.exitCode, 3);
  EXPECT_EQ(target.output, "error: unknown target `riscv64` (known: host, x86-64, x86-64-v3, aarch64, "
                           "aarch64-cortex-a72, aarch64-cortex-a76)\n");
  CommandResult missing = pyvc.runMerged("compile " + pyvc.path("absent.py"));
  EXPECT_EQ(missing.exitCode, 3);
  EXPECT_EQ(missing.output, "error: cannot read " + pyvc.path("absent.py") + "\n");
  CommandResult unwritable = pyvc.runMerged("compile " + pyvc.source + " -o " + pyvc.path("no/such/dir/k.so"));
  EXPECT_EQ(unwritable.exitCode, 3);
  EXPECT_EQ(unwritable.output, "error: cannot write " + pyvc.path("no/such/dir/k.so") + "\n");
}

// `pyvc` answers --version, --help and cache hits itself and execs build/libexec/pyvc-driver for
// the rest: with the driver missing, hits still work and everything else fails in one line.
TEST(Driver, CacheHitsNeedNoDriverAndMissesNameIt) {
  Pyvc pyvc;
  std::string out = pyvc.path("k.so");
  ASSERT_EQ(pyvc.run("compile " + pyvc.source + " -o " + out).exitCode, 0); // fills the cache
  std::string reference = readBytes(out);
  std::filesystem::remove(out);
  const std::string noDriver = "PYVC_DRIVER=" + pyvc.path("no-driver") + " ";

  CommandResult version = runShell(noDriver + PYVC_BINARY " --version 2>&1");
  EXPECT_EQ(version.exitCode, 0) << version.output;
  CommandResult hit = runShell(noDriver + "PYVC_CACHE_DIR='" + pyvc.cacheDir + "' " PYVC_BINARY " compile " +
                               pyvc.source + " -o " + out + " 2>&1");
  EXPECT_EQ(hit.exitCode, 0) << hit.output;
  EXPECT_TRUE(readBytes(out) == reference) << "a hit answered without the driver differs";

  std::string expected = "error: cannot run the compiler driver " + pyvc.path("no-driver") +
                         ": No such file or directory\n";
  for (const std::string &arguments : {"compile --no-cache " + pyvc.source + " -o " + out,
                                       "compile --strict-fp " + pyvc.source + " -o " + out, // a miss
                                       "explain " + pyvc.source}) {
    CommandResult miss = runShell(noDriver + "PYVC_CACHE_DIR='" + pyvc.cacheDir + "' " PYVC_BINARY " " +
                                  arguments + " 2>&1");
    EXPECT_EQ(miss.exitCode, 3) << arguments;
    EXPECT_EQ(miss.output, expected) << arguments;
  }
}

// The driver gets pyvc's arguments unchanged, and glibc malloc settings ahead of the user's own
// (which therefore win).
TEST(Driver, DriverGetsTheArgumentsAndMallocTunables) {
  Pyvc pyvc;
  std::string fakeDriver = pyvc.path("fake-driver");
  writeBytes(fakeDriver, "#!/bin/sh\nprintf '%s\\n' \"$GLIBC_TUNABLES\" \"$@\"\n");
  std::filesystem::permissions(fakeDriver, std::filesystem::perms::owner_all);
  const std::string ours = "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=4194304";
  CommandResult plain = runShell("env -u GLIBC_TUNABLES PYVC_DRIVER=" + fakeDriver + " " PYVC_BINARY
                                 " compile --no-cache " + pyvc.source + " -O3 2>&1");
  EXPECT_EQ(plain.exitCode, 0);
  EXPECT_EQ(plain.output, ours + "\ncompile\n--no-cache\n" + pyvc.source + "\n-O3\n");
  CommandResult users = runShell("GLIBC_TUNABLES=glibc.malloc.hugetlb=0 PYVC_DRIVER=" + fakeDriver + " " PYVC_BINARY
                                 " explain " + pyvc.source + " 2>&1");
  EXPECT_EQ(users.exitCode, 0);
  EXPECT_EQ(users.output, ours + ":glibc.malloc.hugetlb=0\nexplain\n" + pyvc.source + "\n");
}

TEST(Driver, SourceErrorsExitOneWithDiagnostics) {
  Pyvc pyvc;
  writeBytes(pyvc.path("bad.py"), "def f(x: float) -> float:\n    return {1: 2}\n\n\ndef g(y: int) -> int:\n"
                                  "    return y +\n");
  CommandResult text = pyvc.runMerged("compile --no-cache " + pyvc.path("bad.py") + " --color=never");
  EXPECT_EQ(text.exitCode, 1);
  EXPECT_NE(text.output.find("error["), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("--> " + pyvc.path("bad.py") + ":"), std::string::npos) << text.output;
  CommandResult json = pyvc.run("compile --no-cache " + pyvc.path("bad.py") + " --diag-format=json",
                                pyvc.path("diagnostics.json"));
  EXPECT_EQ(json.exitCode, 1);
  auto diagnostics = nlohmann::json::parse(readBytes(pyvc.path("diagnostics.json")), nullptr, false);
  ASSERT_FALSE(diagnostics.is_discarded()) << readBytes(pyvc.path("diagnostics.json"));
  ASSERT_TRUE(diagnostics.is_array());
  EXPECT_GE(diagnostics.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(pyvc.path("bad.so")));
}

TEST(Driver, EveryEmitKind) {
  Pyvc pyvc;
  struct Expectation {
    const char *emit;
    const char *contains;
  } expectations[] = {
      {"tokens", "bucket"},           {"ast", "bucket"},
      {"ir", "def bucket(ms#"},       {"llvm", "define"},
      {"asm", "pyvc_kernels_fn_bucket:"},     {"header", "pyvc_status pyvc_kernels_fn_bucket(int64_t ms, int64_t width_ms"},
      {"manifest", "\"pyvc_kernels_fn_bucket\""},
  };
  for (const Expectation &expectation : expectations) {
    CommandResult result = pyvc.run("compile " + pyvc.source + " --emit=" + expectation.emit);
    EXPECT_EQ(result.exitCode, 0) << expectation.emit;
    EXPECT_NE(result.output.find(expectation.contains), std::string::npos)
        << expectation.emit << ":\n" << result.output.substr(0, 2000);
  }
  EXPECT_EQ(pyvc.run("compile " + pyvc.source + " --emit=obj").exitCode, 0);
  EXPECT_EQ(readBytes(pyvc.path("kernels.o")).substr(0, 4), "\x7f" "ELF");
  EXPECT_EQ(pyvc.run("compile " + pyvc.source + " --emit=llvm -o " + pyvc.path("k.ll")).exitCode, 0);
  EXPECT_NE(readBytes(pyvc.path("k.ll")).find("pyvc_kernels_manifest"), std::string::npos);
}

TEST(Driver, OutputToAPipeIsWrittenNotReplaced) {
  // A pipe stands for /dev/null and /dev/stdout, which a test must not risk replacing: renaming
  // a finished file over the output would swap the pipe for a regular file, and the reader
  // would see nothing.
  Pyvc pyvc;
  std::string pipe = pyvc.path("out.pipe"), received = pyvc.path("received.ll");
  ASSERT_EQ(runShell("mkfifo '" + pipe + "'").exitCode, 0);
  // The compile writes in the background; the reader waits for it (at most 20 s, if nothing
  // ever opens the pipe for writing).
  CommandResult result = runShell("PYVC_CACHE_DIR='" + pyvc.cacheDir + "' timeout 60 " PYVC_BINARY " compile " +
                                  pyvc.source + " --emit=llvm -o '" + pipe + "' & writer=$!; timeout 20 cat '" +
                                  pipe + "' > '" + received + "'; wait $writer && test -p '" + pipe + "'");
  EXPECT_EQ(result.exitCode, 0) << "the pipe must still be a pipe";
  EXPECT_NE(readBytes(received).find("define"), std::string::npos) << "the reader gets the module";
}

TEST(Driver, HostLibraryRunsAndCarriesItsManifest) {
  Pyvc pyvc;
  ASSERT_EQ(pyvc.run("compile " + pyvc.source).exitCode, 0);
  std::string library = pyvc.path("kernels.so");
  ASSERT_TRUE(std::filesystem::exists(library)) << "default output is FILE.so next to the input";

  void *handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  using Bucket = int32_t (*)(int64_t, int64_t, int64_t *, const char **);
  auto bucket = reinterpret_cast<Bucket>(dlsym(handle, "pyvc_kernels_fn_bucket"));
  ASSERT_NE(bucket, nullptr);
  int64_t result = 0;
  const char *message = nullptr;
  EXPECT_EQ(bucket(-7, 2, &result, &message), 0);
  EXPECT_EQ(result, -4) << "floor division";
  EXPECT_EQ(bucket(1, 0, &result, &message), 1) << "ZeroDivisionError";
  ASSERT_NE(message, nullptr);
  EXPECT_NE(std::string(message).find("division"), std::string::npos) << message;
  std::string symbolManifest = static_cast<const char *>(dlsym(handle, "pyvc_kernels_manifest"));
  dlclose(handle);

  std::string section = readElfSection(library, ".pyvc_manifest");
  ASSERT_FALSE(section.empty());
  EXPECT_EQ(section, symbolManifest + '\0') << "the section and the symbol hold the same bytes";
  auto manifest = nlohmann::json::parse(symbolManifest);
  EXPECT_EQ(manifest["source"]["path"], pyvc.source);
  EXPECT_EQ(manifest["target"]["name"], "host");
  std::vector<std::string> names;
  for (const auto &function : manifest["functions"])
    names.push_back(function["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"bucket", "hot", "mean", "sum_sq_gt", "first_above"}));
  EXPECT_EQ(manifest["functions"][0]["batch_symbol"], "pyvc_kernels_batch_bucket");
  EXPECT_EQ(manifest["functions"][0]["classification"], "scalar");
  EXPECT_EQ(manifest["functions"][0]["doc"], "The window a timestamp falls in.");
  EXPECT_EQ(manifest["functions"][2]["classification"], "kernel");
  EXPECT_TRUE(manifest["functions"][2]["batch_symbol"].is_null());

  std::string dynamic = runCommand("llvm-readelf-19 -d " + library);
  for (const std::string &needed : neededLibraries(dynamic))
    EXPECT_TRUE(needed == "libc.so.6" || needed == "libm.so.6") << needed;
}

TEST(Driver, Aarch64CrossCompile) {
  Pyvc pyvc;
  for (const char *target : {"aarch64", "aarch64-cortex-a72", "aarch64-cortex-a76"}) {
    std::string out = pyvc.path(std::string(target) + ".so");
    ASSERT_EQ(pyvc.run("compile " + pyvc.source + " --target " + target + " -o " + out).exitCode, 0) << target;
    std::string library = readBytes(out);
    ASSERT_GE(library.size(), 64u);
    EXPECT_EQ(static_cast<unsigned char>(library[18]) | (static_cast<unsigned char>(library[19]) << 8), 183)
        << target << " must be an AArch64 ELF";
    auto manifest = nlohmann::json::parse(readElfSection(out, ".pyvc_manifest").c_str());
    EXPECT_EQ(manifest["target"]["triple"], "aarch64-unknown-linux-gnu");
  }
}

TEST(Driver, HeaderCompilesWithGcc) {
  Pyvc pyvc;
  ASSERT_EQ(pyvc.run("compile " + pyvc.source + " --emit=header -o " + pyvc.path("kernels.h")).exitCode, 0);
  for (std::string flags : {std::string(""), std::string("-I" PYVC_ABI_INCLUDE_DIR)}) {
    CommandResult result = runShell("gcc -fsyntax-only -Wall -Werror -x c " + flags + " " + pyvc.path("kernels.h") +
                                    " 2>&1");
    EXPECT_EQ(result.exitCode, 0) << result.output;
  }
}

TEST(Driver, SameSourceSameBytesWithAndWithoutCache) {
  Pyvc pyvc;
  std::string a = pyvc.path("a/k.so"), b = pyvc.path("b/k.so"), c = pyvc.path("c/k.so");
  for (const char *dir : {"a", "b", "c"})
    std::filesystem::create_directories(pyvc.path(dir));
  ASSERT_EQ(pyvc.run("compile --no-cache " + pyvc.source + " -o " + a).exitCode, 0);
  ASSERT_EQ(pyvc.run("compile --no-cache " + pyvc.source + " -o " + b).exitCode, 0);
  EXPECT_FALSE(std::filesystem::exists(pyvc.cacheDir)) << "--no-cache must not touch the cache";
  ASSERT_EQ(pyvc.run("compile " + pyvc.source + " -o " + c).exitCode, 0); // miss, stores
  std::string reference = readBytes(a);
  EXPECT_TRUE(reference == readBytes(b)) << "two cold compiles differ";
  EXPECT_TRUE(reference == readBytes(c)) << "a cached compile differs from a cold one";
  std::filesystem::remove(c);
  CommandResult hit = pyvc.runMerged("compile " + pyvc.source + " -o " + c + " --time-phases");
  EXPECT_NE(hit.output.find("(cache hit)"), std::string::npos) << hit.output;
  EXPECT_TRUE(reference == readBytes(c)) << "a cache hit differs from a cold compile";
  // Different flags are a different entry, not a stale hit.
  CommandResult strict = pyvc.runMerged("compile " + pyvc.source + " -o " + c + " --strict-fp --time-phases");
  EXPECT_EQ(strict.output.find("(cache hit)"), std::string::npos) << strict.output;
}

// The library's codegen units run on threads: whichever finishes first, and on whatever core
// count, the bytes must not change. The benchmark kernels give both units real work.
TEST(Driver, TenColdCompilesGiveTheSameBytes) {
  Pyvc pyvc;
  const std::string source = PYVC_SOURCE_DIR "/bench/kernels/kernels.py";
  for (const char *target : {"x86-64-v3", "aarch64-cortex-a72"}) {
    std::string reference;
    for (int run = 0; run < 10; ++run) {
      // One file name for every run: it is the library's soname.
      std::string folder = pyvc.path(std::string(target) + "-" + std::to_string(run));
      std::filesystem::create_directories(folder);
      std::string out = folder + "/k.so";
      CommandResult result =
          pyvc.runMerged("compile --no-cache --target " + std::string(target) + " " + source + " -o " + out +
                         (run == 0 ? " --time-phases" : ""));
      ASSERT_EQ(result.exitCode, 0) << result.output;
      if (run == 0) {
        EXPECT_NE(result.output.find("optimise+codegen"), std::string::npos) << result.output;
        reference = readBytes(out);
        ASSERT_GT(reference.size(), 1000u);
        continue;
      }
      EXPECT_TRUE(readBytes(out) == reference) << target << ": compile " << run << " differs from the first";
    }
  }
}

TEST(Driver, CorruptCacheEntryIsReplaced) {
  Pyvc pyvc;
  std::string out = pyvc.path("k.so");
  ASSERT_EQ(pyvc.run("compile " + pyvc.source + " -o " + out).exitCode, 0);
  std::string reference = readBytes(out);
  int entries = 0;
  for (auto &entry : std::filesystem::directory_iterator(pyvc.cacheDir)) {
    std::string bytes = readBytes(entry.path());
    writeBytes(entry.path(), bytes.substr(0, bytes.size() / 2)); // truncate every entry
    ++entries;
  }
  ASSERT_EQ(entries, 1);
  CommandResult again = pyvc.runMerged("compile " + pyvc.source + " -o " + out + " --time-phases");
  EXPECT_EQ(again.exitCode, 0);
  EXPECT_EQ(again.output.find("(cache hit)"), std::string::npos) << "a truncated entry is a miss";
  EXPECT_TRUE(readBytes(out) == reference);
  CommandResult hit = pyvc.runMerged("compile " + pyvc.source + " -o " + out + " --time-phases");
  EXPECT_NE(hit.output.find("(cache hit)"), std::string::npos) << "the entry was rewritten";
}

TEST(Driver, ConcurrentCompilesOfOneFile) {
  Pyvc pyvc;
  std::string script;
  for (int i = 0; i < 5; ++i) {
    std::filesystem::create_directories(pyvc.path("run" + std::to_string(i)));
    script += "PYVC_CACHE_DIR='" + pyvc.cacheDir + "' timeout 120 " PYVC_BINARY " compile " + pyvc.source +
              " -o " + pyvc.path("run" + std::to_string(i) + "/k.so") + " & ";
  }
  CommandResult all = runShell("(" + script + "wait) 2>&1");
  EXPECT_EQ(all.output, "");
  std::string reference = readBytes(pyvc.path("run0/k.so"));
  ASSERT_GT(reference.size(), 1000u);
  for (int i = 1; i < 5; ++i)
    EXPECT_TRUE(readBytes(pyvc.path("run" + std::to_string(i) + "/k.so")) == reference) << i;
  int files = 0;
  for ([[maybe_unused]] auto &entry : std::filesystem::directory_iterator(pyvc.cacheDir))
    ++files;
  EXPECT_EQ(files, 1) << "one entry, no temporaries left";
}

TEST(Driver, ExplainNamesFunctionsAndLoops) {
  Pyvc pyvc;
  CommandResult result = pyvc.run("explain " + pyvc.source);
  ASSERT_EQ(result.exitCode, 0);
  const std::string &text = result.output;
  EXPECT_NE(text.find("def bucket(ms: int, width_ms: int) -> int"), std::string::npos) << text;
  EXPECT_NE(text.find("batch variant: pyvc_kernels_batch_bucket"), std::string::npos) << text;
  EXPECT_NE(text.find("classification: kernel"), std::string::npos) << text;
  EXPECT_NE(text.find("errors: ZeroDivisionError"), std::string::npos) << text;
  EXPECT_NE(text.find("early exit (return)"), std::string::npos) << text;
  EXPECT_NE(text.find("vectorized by pyvc"), std::string::npos) << text;
  CommandResult strict = pyvc.run("explain " + pyvc.source + " --strict-fp --target aarch64");
  ASSERT_EQ(strict.exitCode, 0);
  EXPECT_NE(strict.output.find("--strict-fp"), std::string::npos) << strict.output;
}

TEST(Driver, HostileInputsNeverCrash) {
  Pyvc pyvc;
  std::string garbage;
  for (int i = 0; i < 4096; ++i)
    garbage += static_cast<char>((i * 7919 + 13) % 256);
  std::string nested = "def f(x: int) -> int:\n    return " + std::string(5000, '(') + "x" +
                       std::string(5000, ')') + "\n";
  std::string huge = "def f(x: float) -> float:\n    return x";
  while (huge.size() < (1 << 20))
    huge += " + x";
  huge += "\n";
  struct Input {
    const char *name;
    std::string text;
  } inputs[] = {{"garbage.py", garbage}, {"nested.py", nested}, {"huge.py", huge}, {"empty.py", ""},
                {"nul.py", std::string("def f(x: int) -> int:\n    return x\0\n", 36)}};
  for (const Input &input : inputs) {
    writeBytes(pyvc.path(input.name), input.text);
    CommandResult result = pyvc.run("compile --no-cache " + pyvc.path(input.name));
    EXPECT_EQ(result.signal, 0) << input.name;
    EXPECT_TRUE(result.exitCode == 0 || result.exitCode == 1) << input.name << " exit " << result.exitCode;
  }
}

TEST(Driver, PassesRunOnFrontendIR) {
  Pyvc pyvc;
  writeBytes(pyvc.path("dot.py"), "def dot(xs: list[float], ys: list[float]) -> float:\n"
                                  "    acc = 0.0\n"
                                  "    for i in range(min(len(xs), len(ys))):\n"
                                  "        acc += xs[i] * ys[i]\n"
                                  "    return acc\n");
  CommandResult lanes = pyvc.run("compile --no-cache " + pyvc.path("dot.py") + " --emit=ir");
  ASSERT_EQ(lanes.exitCode, 0);
  // The accumulation loop became a fixed-lane sum, and both subscripts were proven in bounds.
  EXPECT_NE(lanes.output.find("sum[fixed_lanes]"), std::string::npos) << lanes.output;
  EXPECT_EQ(lanes.output.find("    for i#"), std::string::npos) << lanes.output;
  EXPECT_NE(lanes.output.find("inbounds] * ys#"), std::string::npos) << lanes.output;
  EXPECT_NE(lanes.output.find("errors: none"), std::string::npos) << lanes.output;
  CommandResult strict = pyvc.run("compile --no-cache " + pyvc.path("dot.py") + " --emit=ir --strict-fp");
  ASSERT_EQ(strict.exitCode, 0);
  EXPECT_NE(strict.output.find("    for i#"), std::string::npos) << "--strict-fp keeps the loop:\n" << strict.output;
  CommandResult manifest = pyvc.run("compile --no-cache " + pyvc.path("dot.py") + " --emit=manifest --strict-fp -O3");
  auto json = nlohmann::json::parse(manifest.output);
  EXPECT_EQ(json["options"]["strict_fp"], true);
  EXPECT_EQ(json["options"]["opt_level"], 3);
  EXPECT_EQ(json["functions"][0]["errors"], nlohmann::json::array());
}

// --emit=ir-after=PASS shows the IR between passes: after the accumulation-loop pass the loop is
// a fixed-lane sum whose subscripts are still checked; after the last pass it is --emit=ir.
// --print-after-all prints every pass's IR on stderr, in pass order, the last one --emit=ir too.
TEST(Driver, IrAfterPassesAndPrintAfterAll) {
  Pyvc pyvc;
  writeBytes(pyvc.path("dot.py"), "def dot(xs: list[float], ys: list[float]) -> float:\n"
                                  "    acc = 0.0\n"
                                  "    for i in range(min(len(xs), len(ys))):\n"
                                  "        acc += xs[i] * ys[i]\n"
                                  "    return acc\n");
  std::string compile = "compile --no-cache " + pyvc.path("dot.py");
  CommandResult finalIr = pyvc.run(compile + " --emit=ir");
  ASSERT_EQ(finalIr.exitCode, 0);
  CommandResult last = pyvc.run(compile + " --emit=ir-after=recompute-possible-errors");
  ASSERT_EQ(last.exitCode, 0);
  EXPECT_EQ(last.output, finalIr.output);
  CommandResult recognized = pyvc.run(compile + " --emit=ir-after=recognize-accumulation-loops");
  ASSERT_EQ(recognized.exitCode, 0);
  EXPECT_NE(recognized.output.find("sum[fixed_lanes]"), std::string::npos) << recognized.output;
  EXPECT_EQ(recognized.output.find("inbounds]"), std::string::npos) << recognized.output;
  EXPECT_NE(finalIr.output.find("inbounds]"), std::string::npos) << finalIr.output;

  std::string stderrPath = pyvc.path("passes.txt");
  CommandResult all = pyvc.run(compile + " --emit=ir --print-after-all", stderrPath);
  ASSERT_EQ(all.exitCode, 0);
  EXPECT_EQ(all.output, finalIr.output);
  std::string printed = readBytes(stderrPath);
  const char *passes[] = {"classify", "possible-errors", "select-reduction-order", "recognize-accumulation-loops",
                          "eliminate-bounds-checks", "prove-no-overflow", "recompute-possible-errors"};
  size_t at = 0;
  for (const char *pass : passes) {
    size_t found = printed.find(std::string("; IR after ") + pass + "\n", at);
    ASSERT_NE(found, std::string::npos) << pass << " missing or out of order:\n" << printed;
    at = found + 1;
  }
  std::string lastHeader = "; IR after recompute-possible-errors\n";
  EXPECT_EQ(printed.substr(printed.rfind(lastHeader) + lastHeader.size()), finalIr.output);

  CommandResult unknown = pyvc.runMerged(compile + " --emit=ir-after=no-such-pass");
  EXPECT_EQ(unknown.exitCode, 3);
  EXPECT_NE(unknown.output.find("no IR pass is named `no-such-pass`"), std::string::npos) << unknown.output;
}

// The compile runs on the default stack (no large-stack thread): the parser caps nesting at 200
// (MaxNestingDepth, frontend-py/Parser.h; a function body and its `return` take two levels) and
// expression size at 400 (MaxExpressionDepth). The deepest input of each shape it accepts
// compiles at -O3 for both targets with a 1 MiB stack, an eighth of the usual 8 MiB (at 256 KiB
// the nested ones overflow); one level more is the nesting diagnostic, not a crash.
TEST(Driver, DeepestInputsCompileOnASmallStack) {
  Pyvc pyvc;
  auto nested = [](const std::string &open, const std::string &close, int depth) {
    std::string text = "def f(x: float) -> float:\n    return ";
    for (int i = 0; i < depth; ++i)
      text += open;
    text += "x";
    for (int i = 0; i < depth; ++i)
      text += close;
    return text + "\n";
  };
  auto chain = [](int terms) {
    std::string text = "def f(x: float) -> float:\n    return x";
    for (int i = 1; i < terms; ++i)
      text += " + x";
    return text + "\n";
  };
  auto ifs = [](int depth) {
    std::string text = "def f(x: int) -> int:\n    y = 0\n";
    for (int i = 0; i < depth; ++i)
      text += std::string(4 * (i + 1), ' ') + "if x > " + std::to_string(i) + ":\n";
    return text + std::string(4 * (depth + 1), ' ') + "y = 1\n    return y\n";
  };
  struct Input {
    const char *name;
    std::string deepest, tooDeep;
  } inputs[] = {{"parentheses", nested("(", ")", 198), nested("(", ")", 199)},
                {"calls", nested("abs(", ")", 198), nested("abs(", ")", 199)},
                {"negations", nested("-", "", 198), nested("-", "", 199)},
                {"ifs", ifs(198), ifs(199)},
                {"chain", chain(400), ""}};
  for (const Input &input : inputs) {
    std::string deepest = pyvc.path(std::string(input.name) + ".py");
    writeBytes(deepest, input.deepest);
    for (const char *target : {"x86-64-v3", "aarch64"}) {
      CommandResult result = runShell("ulimit -s 1024; PYVC_CACHE_DIR='" + pyvc.cacheDir + "' timeout 120 " PYVC_BINARY
                                      " compile --no-cache -O3 --target " + std::string(target) + " " + deepest +
                                      " -o " + pyvc.path("deep.so") + " 2>&1");
      EXPECT_EQ(result.exitCode, 0) << input.name << " on " << target << ": " << result.output;
    }
    if (input.tooDeep.empty())
      continue;
    std::string tooDeep = pyvc.path(std::string(input.name) + "_too_deep.py");
    writeBytes(tooDeep, input.tooDeep);
    CommandResult rejected = pyvc.runMerged("compile --no-cache " + tooDeep);
    EXPECT_EQ(rejected.exitCode, 1) << input.name;
    EXPECT_NE(rejected.output.find("error[E0206]: expression is nested too deeply"), std::string::npos)
        << input.name << ": " << rejected.output;
  }
}
