// The detached signature of a kernel library, LIB.so.sig next to LIB.so, and the one check the
// agent, pyvc-call and `pyvc verify` run before a library is dlopened. Format, version 1 (four
// lines of text, docs/CLI.md "pyvc sign"):
//
//   pyvc-kernel-signature v1
//   key-id 3f2a9c1b7d6e5a40          the signer's key id (KeyFiles.h)
//   sha256 <64 hex>                  SHA-256 of the library's bytes, to tell "altered" apart
//   ed25519 <128 hex>                Ed25519 over kSignedPrefix followed by that 32-byte digest
//
// What is signed is the prefix (domain separation: these bytes mean "a pyvc kernel library",
// never anything else the key might sign) and the digest of the whole file, so a signature for
// another file, or of one flipped byte, fails. The sha256 line is not trusted: the digest is
// always computed from the bytes being checked.
#pragma once

#include "core/Result.h"
#include "trust/KeyFiles.h"
#include "trust/TrustedKeys.h"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pyvc::trust {

inline constexpr std::string_view kSignatureHeader = "pyvc-kernel-signature v1";
inline constexpr std::string_view kSignedPrefix = "pyvc-kernel-signature v1\n";

// LIB.so -> LIB.so.sig
std::filesystem::path signaturePathOf(const std::filesystem::path &library);

struct KernelSignature {
  std::string keyId;     // 16 hex digits
  std::string sha256;    // 32 raw bytes
  std::string signature; // 64 raw bytes
};

// The signature file's text, and back; a malformed text is an Error saying which line is wrong.
std::string formatSignature(const KernelSignature &signature);
Result<KernelSignature> parseSignature(std::string_view text);

// Signs the bytes of a library.
Result<KernelSignature> signLibraryBytes(std::string_view library, const PrivateKey &key);

// Why a library is refused.
enum class Refusal {
  MissingSignature,   // no LIB.so.sig
  MalformedSignature, // LIB.so.sig is not a version 1 signature
  UntrustedKey,       // signed, by a key that is not trusted
  OtherContent,       // the signature is for other bytes (the library was altered, or swapped)
  BadSignature,       // the Ed25519 signature does not verify with the trusted key it names
};

struct SignatureCheck {
  std::optional<Refusal> refusal; // empty: the library is signed by `key`
  const PublicKey *key = nullptr; // the trusted key that signed it
  std::string reason;             // why it is refused, lower-case, without the library's name
};

// Checks library bytes against the text of their signature file (nullopt: there is none).
SignatureCheck checkSignature(std::string_view library,
                              const std::optional<std::string> &signatureText,
                              const TrustedKeys &trusted);

// A library read once into memory. Load exactly these bytes (KernelLibrary::openImage), never
// the file again: the file may change after the check.
struct LibraryImage {
  std::string bytes;
  const PublicKey *signer = nullptr; // nullptr when read without verification
};

// Reads a library without verification (the explicit `allow_unsigned` opt-out).
Result<LibraryImage> readLibraryImage(const std::filesystem::path &library);

// Reads LIB.so and LIB.so.sig once each and checks them; the Error names the library and says
// why it is refused ("LIB.so: refused: no signature: ...").
Result<LibraryImage> readVerifiedLibrary(const std::filesystem::path &library,
                                         const TrustedKeys &trusted);

} // namespace pyvc::trust
