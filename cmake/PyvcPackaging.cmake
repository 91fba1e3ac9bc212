# The Debian packages, cut by CPack along the install components (cmake/PyvcInstall.cmake):
#   pyvc           the compiler (component compiler)
#   pyvc-agent     the agent, pyvc-call, the default kernels, the systemd unit and the packaged
#                  config in /etc/pyvc-agent (component agent)
#   pyvc-dev       the runtime's static libraries and headers, the CMake package, pkg-config (dev)
#   python3-pyvc   the Python loader (python)
# Build them with `cpack --config build/CPackConfig.cmake` (scripts/package.sh); run-time
# dependencies come from dpkg-shlibdeps, never a hand-written list.
#
# The systemd unit and the packaged config install under the prefix (lib/systemd/system,
# etc/pyvc-agent), so `cmake --install --prefix P` never writes outside P; in the packages, whose
# prefix is /usr, a pre-build script moves them to /lib/systemd and /etc, where Debian wants them
# (packaging/SystemFiles.cmake).

set(pyvc_packaging ${PROJECT_SOURCE_DIR}/packaging)

# Each package's /usr/share/doc/<package>: copyright and a changelog (lintian's must-haves).
set(pyvc_deb_packages compiler=pyvc agent=pyvc-agent dev=pyvc-dev python=python3-pyvc)
file(MAKE_DIRECTORY ${PROJECT_BINARY_DIR}/packaging)
execute_process(COMMAND gzip -9nc ${pyvc_packaging}/debian/changelog
                OUTPUT_FILE ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
foreach(entry IN LISTS pyvc_deb_packages)
  string(REPLACE "=" ";" pair "${entry}")
  list(GET pair 0 component)
  list(GET pair 1 package)
  install(FILES ${pyvc_packaging}/debian/copyright ${PROJECT_BINARY_DIR}/packaging/changelog.gz
          DESTINATION ${PYVC_INSTALL_DOCDIR}/${package} COMPONENT ${component})
endforeach()

# Lintian overrides, each with its reason (packaging/debian/lintian/).
install(FILES ${pyvc_packaging}/debian/lintian/pyvc DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
        COMPONENT compiler)

# The agent as a service.
if(TARGET pyvc-agent)
  install(FILES ${pyvc_packaging}/systemd/pyvc-agent.service
          DESTINATION lib/systemd/system COMPONENT agent)
  # The packaged config names the kernel folder as installed under the packages' prefix.
  set(PYVC_PACKAGED_KERNEL_DIR /usr/${PYVC_INSTALL_KERNELDIR})
  configure_file(${pyvc_packaging}/pyvc-agent/agent.yaml.in
                 ${PROJECT_BINARY_DIR}/packaging/agent.yaml @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/packaging/agent.yaml
          DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/pyvc-agent COMPONENT agent)
  if(TARGET pyvc-agent-default-kernels) # the public half of the key the default kernels carry
    install(FILES ${PROJECT_BINARY_DIR}/packaging/trusted-keys/pyvc-package.pub
            DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/pyvc-agent/trusted-keys COMPONENT agent)
  endif()
endif()

set(CPACK_PACKAGE_NAME pyvc)
set(CPACK_PACKAGE_VENDOR "the pyvc developers")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "pyvc developers <pyvc-dev@lists.pyvc.org>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
# A cross build (the runtime and agent for arm64, no compiler) makes pyvc-agent and pyvc-dev for
# its processor; the compiler and the architecture-independent Python package come from the host.
if(TARGET pyvc)
  set(CPACK_COMPONENTS_ALL compiler agent dev python)
else()
  set(CPACK_COMPONENTS_ALL agent dev)
endif()
if(CMAKE_CROSSCOMPILING)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
  else()
    message(FATAL_ERROR "packaging: no Debian architecture known for ${CMAKE_SYSTEM_PROCESSOR}")
  endif()
endif()
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${pyvc_packaging}/SystemFiles.cmake)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

set(CPACK_DEBIAN_COMPILER_PACKAGE_NAME pyvc)
string(CONCAT CPACK_COMPONENT_COMPILER_DESCRIPTION
    "ahead-of-time compiler of typed Python kernels to native libraries\n"
    "pyvc compiles type-annotated numeric Python functions into self-contained\n"
    "shared libraries for x86-64 and aarch64 with NEON, each with a C header and\n"
    "a manifest, and with the results CPython gives.")

set(CPACK_DEBIAN_AGENT_PACKAGE_NAME pyvc-agent)
set(CPACK_DEBIAN_AGENT_PACKAGE_SECTION net)
set(CPACK_DEBIAN_AGENT_PACKAGE_DEPENDS "procps")
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_EXTRA
    ${pyvc_packaging}/debian/pyvc-agent/postinst ${pyvc_packaging}/debian/pyvc-agent/prerm
    ${pyvc_packaging}/debian/pyvc-agent/postrm ${pyvc_packaging}/debian/pyvc-agent/conffiles)
set(CPACK_DEBIAN_AGENT_PACKAGE_CONTROL_STRICT_PERMISSION ON)
string(CONCAT CPACK_COMPONENT_AGENT_DESCRIPTION
    "edge gateway agent running compiled pyvc kernels\n"
    "pyvc-agent ingests sensor readings (MQTT, HTTP, file replay, simulator),\n"
    "runs windows and compiled rules on them, applies a per-sensor privacy\n"
    "firewall, stores them in SQLite and syncs what is allowed to the cloud over\n"
    "HTTPS or MQTT, through restarts and outages.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME pyvc-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# Static libraries carry no run-time dependencies for dpkg-shlibdeps to find: what linking them
# needs is the -dev packages of the libraries they use (cmake/pyvcRuntime.cmake.in's list).
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libffi-dev, libsqlite3-dev, libcurl4-openssl-dev | libcurl-dev, libmosquitto-dev, libssl-dev, libyaml-cpp-dev, zlib1g-dev")
string(CONCAT CPACK_COMPONENT_DEV_DESCRIPTION
    "pyvc runtime libraries and headers, and the CMake package\n"
    "Static libraries of the pyvc runtime (kernel loader, store, sync queue,\n"
    "privacy firewall, uplinks, agent engine) with their headers, kernel_abi.h,\n"
    "a CMake package whose pyvc_add_kernels() compiles Python kernels at build\n"
    "time, and a pkg-config file.")

set(CPACK_DEBIAN_PYTHON_PACKAGE_NAME python3-pyvc)
set(CPACK_DEBIAN_PYTHON_PACKAGE_SECTION python)
set(CPACK_DEBIAN_PYTHON_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_PYTHON_PACKAGE_DEPENDS "python3")
string(CONCAT CPACK_COMPONENT_PYTHON_DESCRIPTION
    "Python loader for pyvc-compiled kernel libraries\n"
    "Loads shared libraries made by pyvc and calls their functions from Python,\n"
    "checking argument types against the library's manifest and raising the\n"
    "exceptions CPython would.")

include(CPack)
