// pyvc-reload-huge-pages FILE...: puts each FILE into the page cache in 2 MiB folios
// (HugePages.h). The build runs it on pyvc-driver after every link. Huge pages only make the
// driver faster, so a file it cannot reload gets a warning, never a failed build.
#include "HugePages.h"

#include <cstdio>
#include <string>

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    std::string error;
    if (!pyvc::tools::reloadAsHugePages(argv[i], error))
      std::fprintf(stderr, "%s: warning: %s (the driver still works, on 4 KiB pages)\n", argv[0], error.c_str());
  }
  return 0;
}
