// Ed25519 key files (KeyFiles.h). OpenSSL objects live in unique_ptrs with their free functions,
// so every early return releases them.
#include "trust/KeyFiles.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace pyvc::trust {

namespace {

using PkeyPointer = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using BioPointer = std::unique_ptr<BIO, decltype(&BIO_free)>;

// Key files are a few hundred bytes; the cap keeps a wrong path (a device, a huge file) cheap.
constexpr size_t kMaxKeyFileBytes = 64 * 1024;

std::string hex(const unsigned char *bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (size_t i = 0; i < size; ++i) {
    text.push_back(kDigits[bytes[i] >> 4]);
    text.push_back(kDigits[bytes[i] & 15]);
  }
  return text;
}

Result<std::string> readSmallFile(const std::filesystem::path &path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error))
    return makeError(
        path.string() + ": " +
        (std::filesystem::exists(path, error) ? "not a regular file" : "no such key file"));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return makeError(path.string() + ": cannot read: " + std::strerror(errno));
  std::string text;
  text.resize(kMaxKeyFileBytes + 1);
  in.read(text.data(), std::streamsize(text.size()));
  text.resize(size_t(in.gcount()));
  if (text.size() > kMaxKeyFileBytes)
    return makeError(path.string() + ": too large for a key file");
  return text;
}

// Refuses to prompt for a passphrase: a signing key for a build is unencrypted, protected by its
// file mode (and an encrypted one must fail with a message, not hang on a terminal).
int noPassphrase(char *, int, int, void *) { return -1; }

Result<std::string> rawKeyOf(EVP_PKEY *key, bool isPrivate, const std::filesystem::path &path) {
  unsigned char raw[32];
  size_t size = sizeof raw;
  int ok = isPrivate ? EVP_PKEY_get_raw_private_key(key, raw, &size)
                     : EVP_PKEY_get_raw_public_key(key, raw, &size);
  if (ok != 1 || size != sizeof raw)
    return makeError(path.string() + ": cannot read the raw Ed25519 key");
  return std::string(reinterpret_cast<char *>(raw), size);
}

Result<std::string> pemOf(EVP_PKEY *key, bool isPrivate) {
  BioPointer bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio)
    return makeError("out of memory");
  int ok = isPrivate
               ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
               : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1)
    return makeError("cannot encode the key as PEM");
  char *data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size_t(size));
}

// O_EXCL: a key that exists is never replaced (it may be the only copy of a signing key).
Result<void> writeNewFile(const std::filesystem::path &path, const std::string &text, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return makeError(path.string() + ": " +
                     (errno == EEXIST ? std::string("exists already; a key is never overwritten")
                                      : std::string("cannot create: ") + std::strerror(errno)));
  // The umask may have taken bits away; the private key's mode must be exactly 0600.
  bool ok = ::fchmod(fd, mode) == 0;
  size_t written = 0;
  while (ok && written < text.size()) {
    ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    ok = n > 0;
    if (ok)
      written += size_t(n);
  }
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    return makeError(path.string() + ": cannot write the key");
  }
  return {};
}

} // namespace

std::string keyIdOf(const std::string &rawPublicKey) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(rawPublicKey.data(), rawPublicKey.size(), digest, &size, EVP_sha256(), nullptr);
  return hex(digest, 8);
}

Result<PublicKey> generateKeyPair(const std::filesystem::path &privatePath,
                                  const std::filesystem::path &publicPath) {
  std::error_code error;
  for (const std::filesystem::path &path : {privatePath, publicPath})
    if (std::filesystem::exists(path, error))
      return makeError(path.string() + ": exists already; a key is never overwritten");
  PkeyPointer key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"), EVP_PKEY_free);
  if (!key)
    return makeError("cannot generate an Ed25519 key");
  auto privatePem = pemOf(key.get(), true);
  auto publicPem = pemOf(key.get(), false);
  auto raw = rawKeyOf(key.get(), false, publicPath);
  if (!privatePem || !publicPem || !raw)
    return makeError("cannot encode the new key");
  if (auto written = writeNewFile(privatePath, *privatePem, 0600); !written)
    return written.error();
  if (auto written = writeNewFile(publicPath, *publicPem, 0644); !written) {
    std::filesystem::remove(privatePath, error); // no half pair left behind
    return written.error();
  }
  return PublicKey{*raw, keyIdOf(*raw), publicPath};
}

Result<PrivateKey> readPrivateKey(const std::filesystem::path &path) {
  auto text = readSmallFile(path);
  if (!text)
    return text.error();
  BioPointer bio(BIO_new_mem_buf(text->data(), int(text->size())), BIO_free);
  PkeyPointer key(PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr),
                  EVP_PKEY_free);
  ERR_clear_error();
  if (!key)
    return makeError(path.string() +
                     ": not an unencrypted PEM private key (make one with `pyvc keygen`)");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    return makeError(path.string() + ": a " + EVP_PKEY_get0_type_name(key.get()) +
                     " key; pyvc signs with Ed25519 keys (`pyvc keygen`)");
  auto raw = rawKeyOf(key.get(), true, path);
  auto rawPublic = rawKeyOf(key.get(), false, path);
  if (!raw || !rawPublic)
    return makeError(path.string() + ": cannot read the Ed25519 key");
  return PrivateKey{*raw, keyIdOf(*rawPublic)};
}

Result<PublicKey> readPublicKey(const std::filesystem::path &path) {
  auto text = readSmallFile(path);
  if (!text)
    return text.error();
  BioPointer bio(BIO_new_mem_buf(text->data(), int(text->size())), BIO_free);
  PkeyPointer key(PEM_read_bio_PUBKEY(bio.get(), nullptr, noPassphrase, nullptr), EVP_PKEY_free);
  ERR_clear_error();
  if (!key)
    return makeError(path.string() + ": not a PEM public key (\"BEGIN PUBLIC KEY\")");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    return makeError(path.string() + ": a " + EVP_PKEY_get0_type_name(key.get()) +
                     " key; kernel signatures are Ed25519");
  auto raw = rawKeyOf(key.get(), false, path);
  if (!raw)
    return raw.error();
  return PublicKey{*raw, keyIdOf(*raw), path};
}

} // namespace pyvc::trust
