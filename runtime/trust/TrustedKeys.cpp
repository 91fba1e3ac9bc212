// Loading the trusted public keys (TrustedKeys.h).
#include "trust/TrustedKeys.h"

#include <algorithm>

namespace pyvc::trust {

namespace fs = std::filesystem;

namespace {

Result<std::vector<fs::path>> publicKeyFilesIn(const fs::path &folder) {
  std::vector<fs::path> files;
  std::error_code error;
  for (fs::directory_iterator entry(folder, error), end; !error && entry != end;
       entry.increment(error))
    if (entry->path().extension() == ".pub" && entry->is_regular_file(error))
      files.push_back(entry->path());
  if (error)
    return makeError(folder.string() + ": cannot list the folder: " + error.message());
  if (files.empty())
    return makeError(folder.string() + ": the folder holds no public key (*.pub)");
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

Result<TrustedKeys> TrustedKeys::load(std::span<const fs::path> paths) {
  TrustedKeys trusted;
  for (const fs::path &path : paths) {
    std::error_code error;
    std::vector<fs::path> files = {path};
    if (fs::is_directory(path, error)) {
      auto inFolder = publicKeyFilesIn(path);
      if (!inFolder)
        return inFolder.error();
      files = std::move(*inFolder);
    } else if (!fs::exists(path, error)) {
      return makeError(path.string() + ": no such key file or folder");
    }
    for (const fs::path &file : files) {
      auto key = readPublicKey(file);
      if (!key)
        return key.error();
      trusted.add(std::move(*key));
    }
  }
  return trusted;
}

void TrustedKeys::add(PublicKey key) {
  if (!find(key.id))
    keys_.push_back(std::move(key));
}

const PublicKey *TrustedKeys::find(std::string_view id) const {
  for (const PublicKey &key : keys_)
    if (key.id == id)
      return &key;
  return nullptr;
}

std::string TrustedKeys::describe() const {
  std::string text;
  for (const PublicKey &key : keys_)
    text += (text.empty() ? "" : ", ") + key.id + " (" + key.origin.string() + ")";
  return text.empty() ? "none" : text;
}

} // namespace pyvc::trust
