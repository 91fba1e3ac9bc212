# Where `cmake --install` puts pyvc's files (GNUInstallDirs, so FHS places under any prefix), and
# the build tree's mirror of what executables find relative to themselves: pyvc finds its driver
# in <bin>/../libexec (tools/pyvc/main.cpp), pyvc-agent its default kernels in
# <bin>/<PYVC_KERNEL_DIR_FROM_EXECUTABLE> (runtime/config/ConfigLoader.cpp). The build tree keeps
# executables in build/bin and helpers in build/libexec, so the same relative paths hold there.
include(GNUInstallDirs)

# pyvc execs ../libexec/pyvc-driver next to itself; another layout would install a pyvc that
# cannot find its compiler.
if(NOT CMAKE_INSTALL_BINDIR STREQUAL "bin" OR NOT CMAKE_INSTALL_LIBEXECDIR STREQUAL "libexec")
  message(FATAL_ERROR "pyvc finds its driver in ../libexec next to itself: CMAKE_INSTALL_BINDIR "
                      "must be `bin` (is `${CMAKE_INSTALL_BINDIR}`) and CMAKE_INSTALL_LIBEXECDIR "
                      "`libexec` (is `${CMAKE_INSTALL_LIBEXECDIR}`)")
endif()

set(PYVC_INSTALL_KERNELDIR "${CMAKE_INSTALL_LIBDIR}/pyvc/kernels" CACHE STRING
    "Folder of the agent's default kernels, relative to the install prefix")
if(IS_ABSOLUTE "${PYVC_INSTALL_KERNELDIR}")
  message(FATAL_ERROR "PYVC_INSTALL_KERNELDIR must be relative to the prefix, is `${PYVC_INSTALL_KERNELDIR}`")
endif()
# Debian's python3 searches lib/python3/dist-packages under /usr (and /usr/local).
set(PYVC_INSTALL_PYTHONDIR "lib/python3/dist-packages" CACHE STRING
    "Folder of the Python package, relative to the install prefix")

# Docs go to one folder per Debian package, named after it: share/doc/{pyvc,pyvc-agent,pyvc-dev}.
set(PYVC_INSTALL_DOCDIR "${CMAKE_INSTALL_DATADIR}/doc")

# Headers keep their folders under include/pyvc ("loader/KernelLibrary.h"); kernel_abi.h is
# <pyvc/kernel_abi.h>, so both include/pyvc and include are on a user's include path.
set(PYVC_INSTALL_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}/pyvc")
# pyvcConfig.cmake and pyvc_add_kernels are the same for every architecture (share/cmake/pyvc);
# the runtime's imported targets are per architecture (lib/<multiarch>/cmake/pyvc under /usr).
set(PYVC_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/pyvc")
set(PYVC_INSTALL_RUNTIME_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/pyvc")

file(RELATIVE_PATH PYVC_KERNEL_DIR_FROM_EXECUTABLE "/${CMAKE_INSTALL_BINDIR}" "/${PYVC_INSTALL_KERNELDIR}")
# The build tree's kernel folder: where pyvc-agent-default-kernels compiles them and where a
# pyvc-agent in build/bin looks.
set(PYVC_DEFAULT_KERNEL_DIR "${PROJECT_BINARY_DIR}/${PYVC_INSTALL_KERNELDIR}")
