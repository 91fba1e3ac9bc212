// Kernel library signatures: the file format, signing, and the check before dlopen
// (KernelSignature.h).
#include "trust/KernelSignature.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

namespace pyvc::trust {

namespace fs = std::filesystem;

namespace {

using PkeyPointer = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using DigestContextPointer = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

// The same bound as the loader's manifest reader: far above any kernel library, far below a
// mistaken path to a disk image.
constexpr uintmax_t kMaxLibraryBytes = uintmax_t(1) << 30;
constexpr size_t kMaxSignatureBytes = 4096;

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (unsigned char byte : bytes) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 15]);
  }
  return text;
}

// Lower-case hex of exactly `size` bytes, else nullopt.
std::optional<std::string> unhex(std::string_view text, size_t size) {
  if (text.size() != 2 * size)
    return std::nullopt;
  auto digit = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  std::string bytes;
  for (size_t i = 0; i < text.size(); i += 2) {
    int high = digit(text[i]), low = digit(text[i + 1]);
    if (high < 0 || low < 0)
      return std::nullopt;
    bytes.push_back(char(high << 4 | low));
  }
  return bytes;
}

std::string sha256(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char *>(digest), size);
}

std::string signedMessage(const std::string &digest) { return std::string(kSignedPrefix) + digest; }

bool ed25519Verify(const PublicKey &key, const std::string &message, const std::string &signature) {
  PkeyPointer pkey(EVP_PKEY_new_raw_public_key(
                       EVP_PKEY_ED25519, nullptr,
                       reinterpret_cast<const unsigned char *>(key.raw.data()), key.raw.size()),
                   EVP_PKEY_free);
  DigestContextPointer context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!pkey || !context ||
      EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, pkey.get()) != 1)
    return false;
  return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char *>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char *>(message.data()),
                          message.size()) == 1;
}

// Reads a whole file of at most `limit` bytes; nullopt when it does not exist.
Result<std::optional<std::string>> readFile(const fs::path &path, uintmax_t limit,
                                            const char *what) {
  std::error_code error;
  if (!fs::exists(path, error))
    return std::optional<std::string>();
  if (!fs::is_regular_file(path, error))
    return makeError(path.string() + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return makeError(path.string() + ": cannot read the " + what + ": " + std::strerror(errno));
  std::string bytes;
  std::vector<char> buffer(1 << 16);
  while (in.read(buffer.data(), std::streamsize(buffer.size())) || in.gcount() > 0) {
    bytes.append(buffer.data(), size_t(in.gcount()));
    if (bytes.size() > limit)
      return makeError(path.string() + ": too large for a " + what);
  }
  if (in.bad())
    return makeError(path.string() + ": cannot read the " + what);
  return std::optional<std::string>(std::move(bytes));
}

} // namespace

fs::path signaturePathOf(const fs::path &library) {
  fs::path signature = library;
  signature += ".sig";
  return signature;
}

std::string formatSignature(const KernelSignature &signature) {
  return std::string(kSignatureHeader) + "\nkey-id " + signature.keyId + "\nsha256 " +
         hex(signature.sha256) + "\ned25519 " + hex(signature.signature) + "\n";
}

Result<KernelSignature> parseSignature(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      return makeError("the last line has no newline (a truncated file?)");
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (lines.empty() || lines[0] != kSignatureHeader)
    return makeError("line 1: expected `" + std::string(kSignatureHeader) +
                     "` (another format or version)");
  static constexpr std::string_view kFields[] = {"key-id", "sha256", "ed25519"};
  static constexpr size_t kSizes[] = {8, 32, 64};
  if (lines.size() != 4)
    return makeError("expected 4 lines, found " + std::to_string(lines.size()));
  std::string values[3];
  for (size_t field = 0; field < 3; ++field) {
    std::string_view line = lines[field + 1];
    std::string prefix = std::string(kFields[field]) + " ";
    std::optional<std::string> bytes;
    if (line.substr(0, prefix.size()) == prefix)
      bytes = unhex(line.substr(prefix.size()), kSizes[field]);
    if (!bytes)
      return makeError("line " + std::to_string(field + 2) + ": expected `" + prefix + "` and " +
                       std::to_string(2 * kSizes[field]) + " lower-case hex digits");
    values[field] = field == 0 ? std::string(line.substr(prefix.size())) : *bytes;
  }
  return KernelSignature{values[0], values[1], values[2]};
}

Result<KernelSignature> signLibraryBytes(std::string_view library, const PrivateKey &key) {
  PkeyPointer pkey(EVP_PKEY_new_raw_private_key(
                       EVP_PKEY_ED25519, nullptr,
                       reinterpret_cast<const unsigned char *>(key.raw.data()), key.raw.size()),
                   EVP_PKEY_free);
  DigestContextPointer context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  KernelSignature signature{key.publicId, sha256(library), std::string(64, '\0')};
  std::string message = signedMessage(signature.sha256);
  size_t size = signature.signature.size();
  if (!pkey || !context ||
      EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(signature.signature.data()),
                     &size, reinterpret_cast<const unsigned char *>(message.data()),
                     message.size()) != 1 ||
      size != 64)
    return makeError("cannot sign with the Ed25519 key " + key.publicId);
  return signature;
}

SignatureCheck checkSignature(std::string_view library,
                              const std::optional<std::string> &signatureText,
                              const TrustedKeys &trusted) {
  if (!signatureText)
    return {Refusal::MissingSignature, nullptr, "no signature"};
  auto signature = parseSignature(*signatureText);
  if (!signature)
    return {Refusal::MalformedSignature, nullptr,
            "malformed signature: " + signature.error().message};
  const PublicKey *key = trusted.find(signature->keyId);
  if (!key)
    return {Refusal::UntrustedKey, nullptr,
            "signed by an untrusted key " + signature->keyId + " (trusted: " + trusted.describe() +
                ")"};
  std::string digest = sha256(library);
  if (digest != signature->sha256)
    return {Refusal::OtherContent, nullptr,
            "bad signature: it was made for other bytes (sha256 " + hex(signature->sha256) +
                ", the library's is " + hex(digest) + "): the library was altered or replaced"};
  if (!ed25519Verify(*key, signedMessage(digest), signature->signature))
    return {Refusal::BadSignature, nullptr,
            "bad signature: it does not verify with key " + key->id + " (" + key->origin.string() +
                ")"};
  return {std::nullopt, key, ""};
}

Result<LibraryImage> readLibraryImage(const fs::path &library) {
  auto bytes = readFile(library, kMaxLibraryBytes, "kernel library");
  if (!bytes)
    return bytes.error();
  if (!*bytes)
    return makeError(library.string() + ": no such kernel library");
  return LibraryImage{std::move(**bytes), nullptr};
}

Result<LibraryImage> readVerifiedLibrary(const fs::path &library, const TrustedKeys &trusted) {
  auto image = readLibraryImage(library);
  if (!image)
    return image.error();
  fs::path signaturePath = signaturePathOf(library);
  auto signatureText = readFile(signaturePath, kMaxSignatureBytes, "signature");
  if (!signatureText)
    return makeError(library.string() + ": refused: " + signatureText.error().message);
  SignatureCheck check = checkSignature(image->bytes, *signatureText, trusted);
  if (check.refusal == Refusal::MissingSignature)
    return makeError(library.string() + ": refused: no signature (" + signaturePath.string() +
                     " does not exist; sign it with `pyvc sign " + library.string() +
                     " --key KEY`)");
  if (check.refusal)
    return makeError(library.string() + ": refused: " + check.reason);
  image->signer = check.key;
  return image;
}

} // namespace pyvc::trust
