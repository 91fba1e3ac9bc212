# How LLVM and lld are linked. Everything that uses LLVM links `pyvc_llvm` (and the driver
# `pyvc_lld`); each linked binary picks the flavour by its own PYVC_STATIC_LLVM property:
#  - unset (tests, tools): the shared libLLVM-19.so and Debian's lld targets. Quick to link.
#  - ON (pyvc-driver when PYVC_STATIC_LLVM_DRIVER): the static archives of only the
#    components pyvc uses, so a cold `pyvc compile` does not relocate and initialise all of
#    libLLVM (every target, every pass's command-line options) before it starts.
# The static flavour needs nothing beyond llvm-19-dev and liblld-19-dev: lld's references to the
# targets and to Polly that pyvc never uses are satisfied by compiler/StaticLlvmStubs.cpp.

set(PYVC_LLVM_TARGET_COMPONENTS
  X86CodeGen X86AsmParser X86Desc X86Info
  AArch64CodeGen AArch64AsmParser AArch64Desc AArch64Info AArch64Utils)
# Ours: Passes, Linker, BitReader. lld's ELF driver: LTO, Option, DebugInfoDWARF, BitWriter.
set(PYVC_LLVM_COMPONENTS
  ${PYVC_LLVM_TARGET_COMPONENTS}
  Passes Linker BitReader BitWriter LTO Option DebugInfoDWARF Object CodeGen Target MC Core
  Analysis TransformUtils Support TargetParser)
llvm_map_components_to_libnames(PYVC_LLVM_STATIC_LIBRARIES ${PYVC_LLVM_COMPONENTS})

find_library(PYVC_LLD_ELF_ARCHIVE NAMES liblldELF.a HINTS ${LLVM_LIBRARY_DIRS} NO_DEFAULT_PATH REQUIRED)
find_library(PYVC_LLD_COMMON_ARCHIVE NAMES liblldCommon.a HINTS ${LLVM_LIBRARY_DIRS} NO_DEFAULT_PATH REQUIRED)

# LLVMExtensions names Polly (Debian builds it in statically) only for getPollyPluginInfo, which
# StaticLlvmStubs.cpp defines: without this, the link would want libpolly-19-dev's archives.
if(PYVC_STATIC_LLVM_DRIVER)
  set_property(TARGET LLVMExtensions PROPERTY INTERFACE_LINK_LIBRARIES LLVMSupport)
  # The driver is a fully static executable (no dynamic loader at start): LLVMSupport's
  # compression libraries as archives, and without Z3, which nothing pyvc runs uses.
  find_library(PYVC_ZLIB_ARCHIVE NAMES libz.a REQUIRED)
  find_library(PYVC_ZSTD_ARCHIVE NAMES libzstd.a REQUIRED)
  set_property(TARGET LLVMSupport PROPERTY INTERFACE_LINK_LIBRARIES
               rt dl m ${PYVC_ZLIB_ARCHIVE} ${PYVC_ZSTD_ARCHIVE} LLVMDemangle)
endif()

add_library(pyvc_llvm_static INTERFACE)
# One link group: lld's archives and LLVM's refer to each other in both directions.
target_link_libraries(pyvc_llvm_static INTERFACE
  "$<LINK_GROUP:RESCAN,${PYVC_LLD_ELF_ARCHIVE},${PYVC_LLD_COMMON_ARCHIVE}>"
  ${PYVC_LLVM_STATIC_LIBRARIES})

add_library(pyvc_lld_shared INTERFACE)
target_link_libraries(pyvc_lld_shared INTERFACE lldELF lldCommon)

set(pyvc_static_llvm_wanted "$<BOOL:$<TARGET_PROPERTY:PYVC_STATIC_LLVM>>")
add_library(pyvc_llvm INTERFACE)
target_include_directories(pyvc_llvm SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS} ${LLD_INCLUDE_DIRS})
separate_arguments(pyvc_llvm_definitions NATIVE_COMMAND ${LLVM_DEFINITIONS})
target_compile_definitions(pyvc_llvm INTERFACE ${pyvc_llvm_definitions})
target_link_libraries(pyvc_llvm INTERFACE "$<IF:${pyvc_static_llvm_wanted},pyvc_llvm_static,LLVM>")

add_library(pyvc_lld INTERFACE)
target_link_libraries(pyvc_lld INTERFACE "$<IF:${pyvc_static_llvm_wanted},pyvc_llvm_static,pyvc_lld_shared>")

# Linking the static driver reads ~150 MB of archives: lld does it in seconds, GNU ld in a minute.
# -B makes the compiler driver find lld-19's `ld.lld` (Debian's lld-19 installs no unversioned
# one on PATH, and an older lld may own that name).
if(PYVC_STATIC_LLVM_DRIVER)
  include(CheckLinkerFlag)
  set(pyvc_lld_flags -B${LLVM_TOOLS_BINARY_DIR} -fuse-ld=lld)
  set(CMAKE_REQUIRED_LINK_OPTIONS -B${LLVM_TOOLS_BINARY_DIR})
  check_linker_flag(CXX "-fuse-ld=lld" PYVC_HAVE_LLD_LINKER)
  unset(CMAKE_REQUIRED_LINK_OPTIONS)
  if(PYVC_HAVE_LLD_LINKER)
    set(PYVC_DRIVER_LINKER_FLAG ${pyvc_lld_flags})
  else()
    message(WARNING "lld-19 (${LLVM_TOOLS_BINARY_DIR}/ld.lld) does not link here: pyvc-driver is "
                    "linked by the default linker, slowly")
  endif()
endif()

# Links the executable `target` with the static LLVM and lld archives, position-dependent and
# fully static: its start then relocates nothing of LLVM (as a PIE or a shared library it applied
# ~160,000 relocations, ~25 ms, before every compile) and runs no dynamic loader (~1.7 ms less per
# compile than with libc, libm, libz and libzstd as shared libraries). --gc-sections drops what
# nothing reaches.
function(pyvc_link_static_llvm target)
  target_sources(${target} PRIVATE ${PROJECT_SOURCE_DIR}/compiler/StaticLlvmStubs.cpp)
  set_target_properties(${target} PROPERTIES PYVC_STATIC_LLVM ON POSITION_INDEPENDENT_CODE OFF)
  target_link_options(${target} PRIVATE
    -no-pie -static
    -Wl,--gc-sections -Wl,--as-needed -Wl,-O1 -Wl,-z,keep-text-section-prefix
    ${PYVC_DRIVER_LINKER_FLAG})
endfunction()
