// pyvc-call LIB.so FUNC: reads one JSON array of arguments per line on stdin and prints one JSON
// line per call, {"ok": result} or {"error": "ZeroDivisionError", "message": "..."}. With --batch
// it reads every line first and answers them, identically, through the batch variant.
// Exit codes: 0 ok, 2 usage (unknown function), 3 environment (the library cannot be loaded, or
// its signature is refused).
//
// Signatures (docs/CLI.md "pyvc-call"): with --trusted-key, the library must be signed by one of
// those keys (checked before dlopen, on the bytes that are then loaded); with --allow-unsigned it
// is loaded unchecked. With neither, the installed trusted-keys folder decides: where it exists
// (a gateway with the pyvc-agent package) every library must be signed by one of its keys;
// where it does not (a development machine), the library is loaded unchecked with a warning.
#include "loader/KernelLibrary.h"
#include "loader/ManifestReader.h"
#include "loader/ValueJson.h"
#include "trust/KernelSignature.h"
#include "trust/TrustedKeys.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

namespace {

constexpr int ExitUsage = 2;
constexpr int ExitEnvironment = 3;

#ifndef PYVC_DEFAULT_TRUSTED_KEYS
#define PYVC_DEFAULT_TRUSTED_KEYS "/etc/pyvc-agent/trusted-keys"
#endif

using LibraryPointer = std::unique_ptr<pyvc::loader::KernelLibrary>;

// Opens the library under the signature policy above; an Error says why it is not loaded.
pyvc::Result<LibraryPointer> openLibrary(const std::string &path,
                                         std::vector<std::filesystem::path> trustedKeys,
                                         bool allowUnsigned) {
  std::error_code ignored;
  if (trustedKeys.empty() && !allowUnsigned) {
    if (!std::filesystem::exists(PYVC_DEFAULT_TRUSTED_KEYS, ignored)) {
      std::cerr << "pyvc-call: warning: " << path
                << " is loaded without a signature check: no trusted key is configured "
                   "(--trusted-key, or the folder " PYVC_DEFAULT_TRUSTED_KEYS
                   "); --allow-unsigned says this is meant\n";
      return pyvc::loader::KernelLibrary::open(path);
    }
    trustedKeys.push_back(PYVC_DEFAULT_TRUSTED_KEYS);
  }
  if (trustedKeys.empty())
    return pyvc::loader::KernelLibrary::open(path);
  auto trusted = pyvc::trust::TrustedKeys::load(trustedKeys);
  if (!trusted)
    return pyvc::makeError("trusted keys: " + trusted.error().message);
  auto image = pyvc::trust::readVerifiedLibrary(path, *trusted);
  if (!image)
    return image.error();
  return pyvc::loader::KernelLibrary::openImage(path, image->bytes);
}

void listFunctions(const pyvc::loader::KernelLibrary &library, std::ostream &out) {
  for (const auto &function : library.functions()) {
    const auto &description = function->description();
    out << "  " << description.signatureText();
    if (function->hasBatchVariant())
      out << "  [batch]";
    out << "\n";
  }
}

using Arguments = std::vector<pyvc::loader::Value>;

// Reads `in` line by line: blank lines are skipped, every other line is parsed into the
// arguments of one call (or the InputError/TypeError that line answers with) and handed over.
template <typename OnLine> void forEachArgumentLine(std::istream &in, OnLine onLine) {
  std::string line;
  while (std::getline(in, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos)
      onLine(pyvc::loader::parseArgumentLine(line));
}

// Answers every line as soon as it is read.
void serveCalls(const pyvc::loader::KernelFunction &function, std::istream &in) {
  forEachArgumentLine(in, [&](auto parsed) {
    if (auto *error = std::get_if<pyvc::loader::KernelError>(&parsed))
      std::cout << pyvc::loader::errorJson(error->name, error->message) << '\n' << std::flush;
    else
      std::cout << pyvc::loader::outcomeJson(function.call(std::get<Arguments>(parsed))) << '\n'
                << std::flush;
  });
}

// --batch: the same answers as serveCalls, computed by the function's batch variant over all the
// lines of `in` at once.
void serveCallsInBatches(const pyvc::loader::KernelFunction &function, std::istream &in) {
  std::vector<std::optional<std::string>> answers; // set now for lines that do not parse
  std::vector<Arguments> argumentLists;
  forEachArgumentLine(in, [&](auto parsed) {
    if (auto *error = std::get_if<pyvc::loader::KernelError>(&parsed)) {
      answers.push_back(pyvc::loader::errorJson(error->name, error->message));
    } else {
      answers.emplace_back();
      argumentLists.push_back(std::move(std::get<Arguments>(parsed)));
    }
  });
  std::vector<pyvc::loader::CallOutcome> outcomes = function.callInBatches(argumentLists);
  size_t next = 0;
  for (const std::optional<std::string> &answer : answers)
    std::cout << (answer ? *answer : pyvc::loader::outcomeJson(outcomes[next++])) << '\n';
  std::cout << std::flush;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"pyvc-call: call a function of a pyvc-compiled library with JSON arguments.\n"
               "Reads one JSON array of arguments per line on stdin, e.g. [[1.0, 2.5], 3], and\n"
               "prints one JSON line per call: {\"ok\": result} or {\"error\": \"Name\", "
               "\"message\": \"...\"}.\nNaN, Infinity and -Infinity are accepted and printed as "
               "bare tokens."};
  std::string libraryPath, functionName;
  bool list = false, showManifest = false, batch = false, allowUnsigned = false;
  std::vector<std::filesystem::path> trustedKeys;
  app.add_option("LIBRARY", libraryPath, "the compiled kernel library (.so)")->required();
  app.add_option("FUNCTION", functionName, "the Python name of the function to call");
  app.add_flag("--list", list, "list the functions and their signatures, then exit");
  app.add_flag("--manifest", showManifest, "print the manifest JSON, then exit");
  app.add_flag("--batch", batch,
               "read every line first, then answer them all through the function's vectorized "
               "batch variant (all-scalar functions only); the answers are the same");
  CLI::Option *trustedKeyOption = app.add_option(
      "--trusted-key", trustedKeys,
      "load the library only if LIBRARY.sig is a good signature by this public key (a PEM file, "
      "or a folder of *.pub files; repeatable); default: the folder " PYVC_DEFAULT_TRUSTED_KEYS
      " where it exists")
      // One path per --trusted-key, so `--trusted-key K LIB FUNC` leaves LIB and FUNC alone.
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--allow-unsigned", allowUnsigned,
               "load the library without checking its signature (development)")
      ->excludes(trustedKeyOption);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &error) {
    int code = app.exit(error);
    return code == 0 ? 0 : ExitUsage;
  }

  if (showManifest) {
    auto manifest = pyvc::loader::readManifest(libraryPath);
    if (!manifest) {
      std::cerr << "pyvc-call: error: " << manifest.error().message << "\n";
      return ExitEnvironment;
    }
    std::cout << manifest->json << "\n";
    return 0;
  }
  auto library = openLibrary(libraryPath, trustedKeys, allowUnsigned);
  if (!library) {
    std::cerr << "pyvc-call: error: " << library.error().message << "\n";
    return ExitEnvironment;
  }
  if (list) {
    listFunctions(**library, std::cout);
    return 0;
  }
  if (functionName.empty()) {
    std::cerr << "pyvc-call: error: name the FUNCTION to call; the library has:\n";
    listFunctions(**library, std::cerr);
    return ExitUsage;
  }
  const pyvc::loader::KernelFunction *function = (*library)->function(functionName);
  if (!function) {
    std::cerr << "pyvc-call: error: " << libraryPath << " has no function `" << functionName
              << "`; it has:\n";
    listFunctions(**library, std::cerr);
    return ExitUsage;
  }
  if (batch && !function->description().allScalar()) {
    std::cerr << "pyvc-call: error: --batch needs a function whose parameters and results are all "
                 "scalars; `"
              << functionName << "` takes or returns lists\n";
    return ExitUsage;
  }
  if (batch)
    serveCallsInBatches(*function, std::cin);
  else
    serveCalls(*function, std::cin);
  return 0;
}
