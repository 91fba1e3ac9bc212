# What `cmake --install` puts where, and in which component (the Debian packages are cut along
# them):
#   compiler  pyvc, its libexec helpers, the compiler's docs (share/doc/pyvc)
#   agent     pyvc-agent, pyvc-call, the default config's kernels, the agent's docs
#             (share/doc/pyvc-agent)
#   dev       the runtime's static libraries (PIC) and headers, kernel_abi.h, the CMake package
#             (find_package(pyvc) with pyvc_add_kernels), the pkg-config file, docs/CMAKE.md and
#             docs/ABI.md (share/doc/pyvc-dev)
#   python    the pure-Python loader (runtime/python/pyvc)
# Folders come from cmake/PyvcInstallDirs.cmake. Installed executables carry no RPATH: every
# library they need is a system one.
include(CMakePackageConfigHelpers)

# --- compiler ---------------------------------------------------------------------------------
if(TARGET pyvc)
  install(TARGETS pyvc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT compiler)
  # The driver and the rules-module helper are only ever exec'd by pyvc (tools/pyvc/main.cpp).
  install(TARGETS pyvc-driver RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR} COMPONENT compiler)
  if(TARGET pyvc-rules-module)
    install(TARGETS pyvc-rules-module RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}
            COMPONENT compiler)
  endif()
  # `pyvc keygen | sign | verify` (tools/pyvc-keys), exec'd by pyvc like the driver.
  install(TARGETS pyvc-keys RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR} COMPONENT compiler)
  install(FILES README.md docs/CLI.md docs/LANGUAGE.md docs/DIAGNOSTICS.md docs/PERFORMANCE.md
          DESTINATION ${PYVC_INSTALL_DOCDIR}/pyvc COMPONENT compiler)
endif()

# --- agent ------------------------------------------------------------------------------------
install(TARGETS pyvc-call RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT agent)
if(TARGET pyvc-agent)
  install(TARGETS pyvc-agent RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT agent)
  install(FILES docs/AGENT.md docs/RUNTIME-privacy.md docs/RUNTIME-store.md docs/RUNTIME-sync.md
                docs/RUNTIME-uplink.md
          DESTINATION ${PYVC_INSTALL_DOCDIR}/pyvc-agent COMPONENT agent)
endif()
# The embedded default config's kernels, built only where the compiler is (tools/pyvc-agent).
if(TARGET pyvc-agent-default-kernels)
  install(FILES ${PYVC_DEFAULT_KERNEL_DIR}/windows.so ${PYVC_DEFAULT_KERNEL_DIR}/default-rules.so
                ${PYVC_DEFAULT_KERNEL_DIR}/windows.so.sig ${PYVC_DEFAULT_KERNEL_DIR}/default-rules.so.sig
          DESTINATION ${PYVC_INSTALL_KERNELDIR} COMPONENT agent)
endif()

# --- dev: the runtime libraries, their headers and how to find them ---------------------------
# Each library is exported as pyvc::<folder> (pyvc::loader, pyvc::agent, ...), with its
# dependencies; the order is the link order (users first).
set(pyvc_runtime_modules loader)
if(PYVC_BUILD_DATAPATH)
  set(pyvc_runtime_modules agent config ingest windows telemetry uplink sync store privacy trust loader
      core)
endif()
set(pyvc_runtime_targets pyvc_abi)
foreach(module IN LISTS pyvc_runtime_modules)
  list(APPEND pyvc_runtime_targets pyvc_${module})
  set_target_properties(pyvc_${module} PROPERTIES EXPORT_NAME ${module})
endforeach()
# The loader's headers use core's header-only Result.h, also when core is not built.
set(pyvc_header_modules ${pyvc_runtime_modules} core)
list(REMOVE_DUPLICATES pyvc_header_modules)
foreach(module IN LISTS pyvc_header_modules)
  install(DIRECTORY runtime/${module}/ DESTINATION ${PYVC_INSTALL_INCLUDEDIR}/${module}
          COMPONENT dev FILES_MATCHING PATTERN "*.h")
endforeach()
set_target_properties(pyvc_abi PROPERTIES EXPORT_NAME abi)
install(TARGETS ${pyvc_runtime_targets} EXPORT pyvcRuntimeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
        INCLUDES DESTINATION ${PYVC_INSTALL_INCLUDEDIR} ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES runtime/include/pyvc/kernel_abi.h DESTINATION ${PYVC_INSTALL_INCLUDEDIR}
        COMPONENT dev)
install(FILES docs/CMAKE.md docs/ABI.md DESTINATION ${PYVC_INSTALL_DOCDIR}/pyvc-dev COMPONENT dev)
install(EXPORT pyvcRuntimeTargets NAMESPACE pyvc:: DESTINATION ${PYVC_INSTALL_RUNTIME_CMAKEDIR}
        COMPONENT dev)

# pyvcRuntime.cmake: the processor the libraries were built for and the packages they need.
set(PYVC_RUNTIME_PROCESSOR ${CMAKE_SYSTEM_PROCESSOR})
configure_file(cmake/pyvcRuntime.cmake.in ${PROJECT_BINARY_DIR}/cmake/pyvcRuntime.cmake @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cmake/pyvcRuntime.cmake
        DESTINATION ${PYVC_INSTALL_RUNTIME_CMAKEDIR} COMPONENT dev)

# pyvcConfig.cmake: pyvc_add_kernels, the compiler's path, and the runtime of the architecture
# being built for when one is installed. Everything in it is relative to the prefix, and nothing
# names an architecture: the amd64 and arm64 builds install the same file.
configure_package_config_file(cmake/pyvcConfig.cmake.in ${PROJECT_BINARY_DIR}/cmake/pyvcConfig.cmake
  INSTALL_DESTINATION ${PYVC_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_INCLUDEDIR)
# 0.x: a minor version may break, so only the same major.minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/pyvcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/cmake/pyvcConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/pyvcConfigVersion.cmake
              cmake/PyvcAddKernels.cmake
        DESTINATION ${PYVC_INSTALL_CMAKEDIR} COMPONENT dev)

# pyvc-runtime.pc: the same libraries for pkg-config users, relocatable through ${pcfiledir}.
file(RELATIVE_PATH pyvc_pc_prefix_from_pcfiledir "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" pyvc_pc_prefix_from_pcfiledir "${pyvc_pc_prefix_from_pcfiledir}")
list(TRANSFORM pyvc_runtime_modules PREPEND "-lpyvc_" OUTPUT_VARIABLE pyvc_pc_libraries)
list(JOIN pyvc_pc_libraries " " PYVC_PC_LIBS)
set(PYVC_PC_REQUIRES "libffi nlohmann_json")
if(PYVC_BUILD_DATAPATH)
  string(APPEND PYVC_PC_REQUIRES " sqlite3 libcurl libmosquitto libcrypto zlib yaml-cpp cpp-httplib")
endif()
configure_file(cmake/pyvc-runtime.pc.in ${PROJECT_BINARY_DIR}/cmake/pyvc-runtime.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cmake/pyvc-runtime.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

# --- python -----------------------------------------------------------------------------------
install(DIRECTORY runtime/python/pyvc DESTINATION ${PYVC_INSTALL_PYTHONDIR} COMPONENT python
        PATTERN "__pycache__" EXCLUDE PATTERN "*.pyc" EXCLUDE)
