# pyvc_add_kernels(NAME SOURCES a.py [b.py ...] [TARGET t] [OPT_LEVEL 0..3] [STRICT_FP]
#                  [SIGN_KEY key])
#
# Compiles typed Python kernel files at build time with `pyvc compile` (docs/CLI.md) and makes
# NAME a library target to link: each a.py becomes a.so (linked, found through the RPATH CMake
# gives the build tree) and a.h (its C header, on NAME's include path: `#include "a.h"`).
# One custom command per file, so editing a.py recompiles a.so and a.h only.
#
#   TARGET     a pyvc target (docs/CLI.md): by default `host` for a native build and, under a
#              cross toolchain file, the toolchain's processor (aarch64 -> aarch64, x86_64 ->
#              x86-64); pyvc itself always runs on the build machine
#   OPT_LEVEL  -O level, 0 to 3 (pyvc's default is 2)
#   STRICT_FP  CPython's sequential float summation order (--strict-fp)
#   SIGN_KEY   after each compile, `pyvc sign a.so --key KEY` writes a.so.sig next to it
#
# NAME's properties PYVC_LIBRARIES, PYVC_HEADERS and PYVC_SIGNATURES list the files, for
# install(FILES) or packaging. A file's exported symbols carry its module name, the file's name
# (a.py: pyvc_a_fn_<function>, pyvc_a_free), so two files may define the same function name;
# two files of one program must not have the same name.
# Modelled on Halide's add_halide_library; needs PYVC_EXECUTABLE (set by pyvcConfig.cmake).
include_guard(GLOBAL)

# The pyvc target for the processor this build compiles for (CMAKE_SYSTEM_PROCESSOR).
function(_pyvc_default_target out)
  if(NOT CMAKE_CROSSCOMPILING)
    set(${out} host PARENT_SCOPE)
    return()
  endif()
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" processor)
  if(processor MATCHES "^(aarch64|arm64)$")
    set(${out} aarch64 PARENT_SCOPE)
  elseif(processor MATCHES "^(x86_64|amd64)$")
    set(${out} x86-64 PARENT_SCOPE)
  else()
    message(FATAL_ERROR "pyvc_add_kernels: pyvc compiles for aarch64 and x86-64, and this build "
                        "is for `${CMAKE_SYSTEM_PROCESSOR}`; pass TARGET to choose one")
  endif()
endfunction()

function(pyvc_add_kernels name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "STRICT_FP" "TARGET;OPT_LEVEL;SIGN_KEY" "SOURCES")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "pyvc_add_kernels(${name}): unknown arguments `${arg_UNPARSED_ARGUMENTS}`")
  endif()
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "pyvc_add_kernels(${name}): SOURCES names no kernel file")
  endif()
  if(TARGET ${name})
    message(FATAL_ERROR "pyvc_add_kernels(${name}): a target named `${name}` already exists")
  endif()
  if(NOT PYVC_EXECUTABLE OR NOT EXISTS "${PYVC_EXECUTABLE}")
    message(FATAL_ERROR "pyvc_add_kernels(${name}): no pyvc compiler (PYVC_EXECUTABLE is "
                        "`${PYVC_EXECUTABLE}`); install pyvc or set PYVC_EXECUTABLE")
  endif()

  set(options)
  if(arg_TARGET)
    set(target ${arg_TARGET})
  else()
    _pyvc_default_target(target)
  endif()
  list(APPEND options --target ${target})
  if(DEFINED arg_OPT_LEVEL)
    if(NOT arg_OPT_LEVEL MATCHES "^[0-3]$")
      message(FATAL_ERROR "pyvc_add_kernels(${name}): OPT_LEVEL must be 0, 1, 2 or 3, is `${arg_OPT_LEVEL}`")
    endif()
    list(APPEND options -O${arg_OPT_LEVEL})
  endif()
  if(arg_STRICT_FP)
    list(APPEND options --strict-fp)
  endif()
  if(arg_SIGN_KEY)
    get_filename_component(key "${arg_SIGN_KEY}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()

  # pyvc writes each output to a temporary name in its folder and renames it: the folders exist
  # before any build step runs.
  set(folder "${CMAKE_CURRENT_BINARY_DIR}/${name}.pyvc")
  file(MAKE_DIRECTORY "${folder}/include")
  set(libraries)
  set(headers)
  set(signatures)
  set(imported)
  set(stems)
  foreach(source IN LISTS arg_SOURCES)
    get_filename_component(source "${source}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_source_file_property(generated "${source}" GENERATED)
    if(NOT EXISTS "${source}" AND NOT generated)
      message(FATAL_ERROR "pyvc_add_kernels(${name}): no kernel file ${source}")
    endif()
    get_filename_component(stem "${source}" NAME_WE)
    if(stem IN_LIST stems)
      message(FATAL_ERROR "pyvc_add_kernels(${name}): two sources make `${stem}.so`")
    endif()
    list(APPEND stems ${stem})
    set(library "${folder}/${stem}.so")
    set(header "${folder}/include/${stem}.h")
    set(outputs "${library}" "${header}")
    set(commands
      COMMAND "${PYVC_EXECUTABLE}" compile "${source}" ${options} -o "${library}"
      COMMAND "${PYVC_EXECUTABLE}" compile "${source}" ${options} --emit=header -o "${header}")
    set(depends "${source}" "${PYVC_EXECUTABLE}")
    if(arg_SIGN_KEY)
      list(APPEND outputs "${library}.sig")
      list(APPEND commands COMMAND "${PYVC_EXECUTABLE}" sign "${library}" --key "${key}")
      list(APPEND depends "${key}")
      list(APPEND signatures "${library}.sig")
    endif()
    add_custom_command(OUTPUT ${outputs} ${commands}
      DEPENDS ${depends}
      COMMENT "pyvc: compiling ${stem}.py for ${target}"
      VERBATIM)
    list(APPEND libraries "${library}")
    list(APPEND headers "${header}")

    # The DT_SONAME pyvc gives a library is its file name (docs/CLI.md).
    add_library(${name}.${stem} SHARED IMPORTED GLOBAL)
    set_target_properties(${name}.${stem} PROPERTIES
      IMPORTED_LOCATION "${library}" IMPORTED_SONAME "${stem}.so")
    list(APPEND imported ${name}.${stem})
  endforeach()

  add_custom_target(${name}.compile DEPENDS ${libraries} ${headers} ${signatures})
  add_library(${name} INTERFACE)
  target_include_directories(${name} INTERFACE "${folder}/include")
  # <pyvc/kernel_abi.h> for the headers. Never -I/usr/include: under a cross compiler it would
  # put the build machine's C headers before the target's.
  if(PYVC_INCLUDE_DIR AND NOT PYVC_INCLUDE_DIR STREQUAL "/usr/include"
     AND EXISTS "${PYVC_INCLUDE_DIR}/pyvc/kernel_abi.h")
    target_include_directories(${name} INTERFACE "${PYVC_INCLUDE_DIR}")
  endif()
  target_link_libraries(${name} INTERFACE ${imported})
  # Whatever links NAME waits for the kernels (interface libraries pass dependencies on).
  add_dependencies(${name} ${name}.compile)
  set_target_properties(${name} PROPERTIES
    PYVC_LIBRARIES "${libraries}" PYVC_HEADERS "${headers}" PYVC_SIGNATURES "${signatures}")
endfunction()
