// runtime-consumer LIB.so FUNC ARGS-JSON: calls one kernel through the installed loader
// (pyvc::loader) and prints the outcome as pyvc-call does; then loads the agent's embedded
// default config (pyvc::config) and prints how many pipelines it has.
#include "config/ConfigLoader.h"
#include "loader/KernelLibrary.h"
#include "loader/ValueJson.h"

#include <pyvc/kernel_abi.h>

#include <cstdio>
#include <variant>

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: runtime-consumer LIB.so FUNC ARGS-JSON\n");
    return 2;
  }
  auto library = pyvc::loader::KernelLibrary::open(argv[1]);
  if (!library) {
    std::fprintf(stderr, "runtime-consumer: %s\n", library.error().message.c_str());
    return 3;
  }
  const pyvc::loader::KernelFunction *function = (*library)->function(argv[2]);
  if (!function) {
    std::fprintf(stderr, "runtime-consumer: no function `%s`\n", argv[2]);
    return 3;
  }
  auto arguments = pyvc::loader::parseArgumentLine(argv[3]);
  if (!std::holds_alternative<std::vector<pyvc::loader::Value>>(arguments)) {
    std::fprintf(stderr, "runtime-consumer: bad arguments `%s`\n", argv[3]);
    return 2;
  }
  auto outcome = function->call(std::get<std::vector<pyvc::loader::Value>>(arguments));
  std::printf("%s\n", pyvc::loader::outcomeJson(outcome).c_str());

  pyvc::agent::ConfigLoad defaults = pyvc::agent::loadEmbeddedDefaultConfig();
  std::printf("abi %d, default config: %zu pipelines\n", PYVC_ABI_VERSION,
              defaults.ok() ? defaults.config->pipelines.size() : size_t{0});
  return 0;
}
