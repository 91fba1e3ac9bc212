// pyvc-keys: the signing half of the pyvc command line, run by `pyvc` (tools/pyvc/main.cpp) with
// the same arguments, from the subcommand on:
//   pyvc keygen [NAME]                       NAME.key (private, 0600) and NAME.pub
//   pyvc sign LIB.so --key NAME.key          LIB.so.sig next to the library
//   pyvc verify LIB.so --trusted-key PATH... the check the agent and pyvc-call run before dlopen
// Exit codes: 0 ok, 1 the library is refused (verify), 2 usage, 3 environment (files, keys).
#include "trust/KernelSignature.h"
#include "trust/TrustedKeys.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace pyvc;

namespace {

constexpr int kExitRefused = 1, kExitUsage = 2, kExitEnvironment = 3;

int fail(const Error &error, int status) {
  std::cerr << "error: " << error.message << "\n";
  return status;
}

int keygen(const std::string &name) {
  fs::path privatePath = name + ".key", publicPath = name + ".pub";
  auto key = trust::generateKeyPair(privatePath, publicPath);
  if (!key)
    return fail(key.error(), kExitEnvironment);
  std::cout << "key " << key->id << ": private " << privatePath.string() << " (keep it secret), "
            << "public " << publicPath.string() << " (copy it to the gateway's trusted keys)\n";
  return 0;
}

// Writes LIB.so.sig through a temporary file and a rename: a reader (the agent, reloading) never
// sees half a signature.
Result<void> writeSignature(const fs::path &path, const std::string &text) {
  fs::path temporary = path;
  temporary += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      return makeError(path.string() + ": cannot write the signature");
    }
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    fs::remove(temporary, error);
    return makeError(path.string() + ": cannot write the signature");
  }
  return {};
}

int sign(const fs::path &library, const fs::path &keyPath) {
  auto key = trust::readPrivateKey(keyPath);
  if (!key)
    return fail(key.error(), kExitEnvironment);
  auto image = trust::readLibraryImage(library);
  if (!image)
    return fail(image.error(), kExitEnvironment);
  auto signature = trust::signLibraryBytes(image->bytes, *key);
  if (!signature)
    return fail(signature.error(), kExitEnvironment);
  fs::path signaturePath = trust::signaturePathOf(library);
  if (auto written = writeSignature(signaturePath, trust::formatSignature(*signature)); !written)
    return fail(written.error(), kExitEnvironment);
  std::cout << signaturePath.string() << ": signed by key " << key->publicId << "\n";
  return 0;
}

int verify(const fs::path &library, const std::vector<fs::path> &keyPaths) {
  auto trusted = trust::TrustedKeys::load(keyPaths);
  if (!trusted)
    return fail(trusted.error(), kExitEnvironment);
  if (auto readable = trust::readLibraryImage(library); !readable)
    return fail(readable.error(), kExitEnvironment);
  auto image = trust::readVerifiedLibrary(library, *trusted);
  if (!image)
    return fail(image.error(), kExitRefused);
  std::cout << library.string() << ": good signature by key " << image->signer->id << " ("
            << image->signer->origin.string() << ")\n";
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  CLI::App app{"pyvc keygen | sign | verify: Ed25519 signatures of kernel libraries"};
  app.name("pyvc");
  app.require_subcommand(1);
  std::string name = "pyvc-signing", library, key;
  std::vector<fs::path> trustedKeys;
  CLI::App *keygenCommand = app.add_subcommand(
      "keygen", "Make an Ed25519 key pair: NAME.key (private, mode 0600) and NAME.pub");
  keygenCommand->add_option("NAME", name, "Path and name of the two files, without extension")
      ->default_str("pyvc-signing");
  CLI::App *signCommand =
      app.add_subcommand("sign", "Sign LIB.so with a private key: writes LIB.so.sig next to it");
  signCommand->add_option("LIB", library, "The kernel library")->required();
  signCommand->add_option("--key", key, "The private key (NAME.key from `pyvc keygen`)")
      ->required();
  CLI::App *verifyCommand = app.add_subcommand(
      "verify", "Check LIB.so's signature (LIB.so.sig) as the agent and pyvc-call do");
  verifyCommand->add_option("LIB", library, "The kernel library")->required();
  verifyCommand
      ->add_option("--trusted-key", trustedKeys,
                   "A public key file, or a folder of *.pub files; repeatable")
      ->required()
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &error) {
    int status = app.exit(error);
    return status == 0 ? 0 : kExitUsage;
  }
  if (*keygenCommand)
    return keygen(name);
  if (*signCommand)
    return sign(library, key);
  return verify(library, trustedKeys);
}
