# Cross-compiling the runtime, pyvc-call, pyvc-agent and their tests for aarch64 Linux from
# x86-64 Debian (scripts/build-aarch64.sh; docs/CROSS.md).
#
# Libraries are Debian's arm64 multiarch packages, in /usr/lib/aarch64-linux-gnu next to the
# host's /usr/lib/x86_64-linux-gnu, plus yaml-cpp unpacked into /opt/pyvc-cross/arm64
# (scripts/install-deps.sh says why). The search root "/" with CMAKE_LIBRARY_ARCHITECTURE makes
# find_library, find_package(... CONFIG) and the Find modules look in lib/aarch64-linux-gnu,
# never in lib/x86_64-linux-gnu; pkg-config reads only the arm64 .pc files. Header-only
# packages (nlohmann_json, CLI11) come from /usr/share/cmake, which is not arch-specific.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

set(PYVC_CROSS_UNPACKED_ROOT /opt/pyvc-cross/arm64 CACHE PATH
    "arm64 packages unpacked rather than installed (scripts/install-deps.sh)")
set(CMAKE_FIND_ROOT_PATH ${PYVC_CROSS_UNPACKED_ROOT} /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Tests, test discovery and add_custom_command(... $<TARGET_FILE:...>) run aarch64 programs
# through qemu with the multiarch libc6:arm64 (its loader /lib/ld-linux-aarch64.so.1, pulled in by
# the -dev:arm64 packages): under `-L /usr/aarch64-linux-gnu`, the cross toolchain's own libc, the
# first pthread_create of a program spins forever under Debian 12's qemu 7.2 (measured with a
# five-line std::thread program; docs/CROSS.md), which hangs the agent at start.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /)

# pkg-config must describe the arm64 libraries, never the host's. PKG_CONFIG_SYSROOT_DIR stays
# empty: the multiarch .pc files already name /usr/lib/aarch64-linux-gnu.
set(ENV{PKG_CONFIG_LIBDIR}
    /usr/lib/aarch64-linux-gnu/pkgconfig:${PYVC_CROSS_UNPACKED_ROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
