// Ed25519 keys in PEM files, through OpenSSL's EVP API: generating a pair, reading a private key
// (PKCS#8, "BEGIN PRIVATE KEY") and a public key (SubjectPublicKeyInfo, "BEGIN PUBLIC KEY"), and
// the key id that signatures and error messages name a public key by.
#pragma once

#include "core/Result.h"

#include <filesystem>
#include <string>

namespace pyvc::trust {

// A public key: its 32 raw Ed25519 bytes and its id, the first 8 bytes of SHA-256 of the raw
// bytes in lower-case hex (16 characters). `origin` is the file it was read from, for messages.
struct PublicKey {
  std::string raw;
  std::string id;
  std::filesystem::path origin;
};

// A private key, as its 32 raw Ed25519 bytes (the seed), and the id of its public half.
struct PrivateKey {
  std::string raw;
  std::string publicId;
};

// The id of a raw Ed25519 public key (see PublicKey).
std::string keyIdOf(const std::string &rawPublicKey);

// A new key pair, written as PEM to `privatePath` (mode 0600) and `publicPath` (mode 0644).
// Neither file may exist: a signing key is never overwritten. Returns the public key.
Result<PublicKey> generateKeyPair(const std::filesystem::path &privatePath,
                                  const std::filesystem::path &publicPath);

// Reads a PEM Ed25519 private key; an encrypted key, another algorithm or anything else is an
// Error naming the file.
Result<PrivateKey> readPrivateKey(const std::filesystem::path &path);

// Reads a PEM Ed25519 public key; anything else is an Error naming the file.
Result<PublicKey> readPublicKey(const std::filesystem::path &path);

} // namespace pyvc::trust
