// Loading a kernel library: manifest first (read from the file, no code runs), architecture and
// CPU feature checks, dlopen, then every symbol resolved and every libffi interface prepared up
// front so that a missing symbol is a load error rather than a failure in the middle of the data
// path.
#include "loader/KernelLibrary.h"

#include "loader/CpuFeatures.h"
#include "loader/ManifestReader.h"
#include "pyvc/kernel_abi.h"
#include "pyvc/kernel_symbols.h"

#include <dlfcn.h>

#include <cstring>

namespace pyvc::loader {
namespace {

template <typename FunctionPointer>
FunctionPointer symbolAs(void *handle, const std::string &name) {
  return reinterpret_cast<FunctionPointer>(dlsym(handle, name.c_str()));
}

} // namespace

Result<std::unique_ptr<KernelLibrary>> KernelLibrary::open(const std::string &path) {
  auto manifest = readManifest(path);
  if (!manifest)
    return manifest.error();
  // dlopen searches the library path for names without a slash; a kernel file is always meant.
  std::string openPath = path.find('/') == std::string::npos ? "./" + path : path;
  return load(path, std::move(*manifest), openPath, std::nullopt);
}

Result<std::unique_ptr<KernelLibrary>> KernelLibrary::openImage(const std::string &name,
                                                                std::string_view bytes) {
  auto manifest = readManifestFromImage(
      std::span(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size()), name);
  if (!manifest)
    return manifest.error();
  size_t slash = name.find_last_of('/');
  auto image =
      SealedFile::create(slash == std::string::npos ? name : name.substr(slash + 1), bytes);
  if (!image)
    return image.error();
  std::string openPath = image->path();
  return load(name, std::move(*manifest), openPath, std::move(*image));
}

Result<std::unique_ptr<KernelLibrary>> KernelLibrary::load(const std::string &name,
                                                           Manifest manifest,
                                                           const std::string &openPath,
                                                           std::optional<SealedFile> image) {
  std::string libraryArchitecture = manifest.target.architecture();
  if (libraryArchitecture != hostArchitecture())
    return makeError(name + ": compiled for " + manifest.target.triple + " (" +
                     manifest.target.name + "), but this machine is " + hostArchitecture());
  // Before dlopen: a library's constructors could already use the instructions.
  std::vector<std::string> missing = missingCpuFeatures(manifest.target.features);
  if (!missing.empty()) {
    std::string names;
    for (const std::string &feature : missing)
      names += (names.empty() ? "" : ", ") + feature;
    return makeError(name + ": compiled for " + manifest.target.name + " (cpu " +
                     manifest.target.cpu + "), needs CPU feature" +
                     (missing.size() > 1 ? "s " : " ") + names + " that this " +
                     hostArchitecture() +
                     " CPU lacks; compile it for an older target or with --target host here");
  }

  std::unique_ptr<KernelLibrary> library(new KernelLibrary());
  library->path_ = name;
  library->manifest_ = std::move(manifest);
  library->image_ = std::move(image);
  // The dynamic loader returns a library still loaded under the same path instead of loading the
  // file again. A sealed file's path is unique while it is open, and it is closed only after
  // dlclose; a library that dlclose kept in memory would still answer for it: refuse that.
  if (library->image_)
    if (void *stale = dlopen(openPath.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD)) {
      dlclose(stale);
      return makeError("cannot load " + name + ": another library is still loaded as " + openPath);
    }
  library->handle_ = dlopen(openPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library->handle_) {
    const char *reason = dlerror();
    return makeError("cannot load " + name + ": " + (reason ? reason : "dlopen failed"));
  }
  if (auto resolved = library->resolveFunctions(); !resolved)
    return resolved.error();
  return library;
}

Result<void> KernelLibrary::resolveFunctions() {
  // The exported copy of the manifest must be the section we parsed: a library whose two copies
  // disagree was not produced by a conforming compiler, and we would call it by the wrong types.
  std::string manifestSymbol = abi::manifestSymbol(manifest_.module);
  const char *exported = static_cast<const char *>(dlsym(handle_, manifestSymbol.c_str()));
  if (!exported)
    return makeError(path_ + ": does not export " + manifestSymbol);
  if (std::string_view(exported) != manifest_.json)
    return makeError(path_ + ": the exported " + manifestSymbol + " differs from the " +
                     std::string(PYVC_MANIFEST_SECTION) + " section");
  std::string freeSymbol = abi::freeSymbol(manifest_.module);
  free_ = symbolAs<void (*)(void *)>(handle_, freeSymbol);
  if (!free_)
    return makeError(path_ + ": does not export " + freeSymbol);

  for (const FunctionDescription &description : manifest_.functions) {
    std::unique_ptr<KernelFunction> function(new KernelFunction());
    function->description_ = &description;
    function->free_ = free_;
    function->entry_ = symbolAs<void (*)()>(handle_, description.symbol);
    if (!function->entry_)
      return makeError(path_ + ": function `" + description.name + "`: symbol " +
                       description.symbol + " is missing");
    auto signature = FunctionSignature::forFunction(description);
    if (!signature)
      return signature.error();
    function->signature_ = std::move(*signature);
    if (description.batchSymbol) {
      function->batchEntry_ = symbolAs<void (*)()>(handle_, *description.batchSymbol);
      if (!function->batchEntry_)
        return makeError(path_ + ": function `" + description.name + "`: batch symbol " +
                         *description.batchSymbol + " is missing");
      auto batchSignature = FunctionSignature::forBatch(description);
      if (!batchSignature)
        return batchSignature.error();
      function->batchSignature_ = std::move(*batchSignature);
    }
    functions_.push_back(std::move(function));
  }
  return {};
}

KernelLibrary::~KernelLibrary() {
  if (handle_)
    dlclose(handle_);
}

const KernelFunction *KernelLibrary::function(std::string_view name) const {
  for (const auto &function : functions_)
    if (function->name() == name)
      return function.get();
  return nullptr;
}

} // namespace pyvc::loader
