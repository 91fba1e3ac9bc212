# Turns a binary file into a C++ source defining `const unsigned char SYMBOL_data[]` and
# `const size_t SYMBOL_size` in namespace NAMESPACE (default pyvc::backends).
# Usage: cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name [-DNAMESPACE=ns] -P EmbedFile.cmake
if(NOT NAMESPACE)
  set(NAMESPACE pyvc::backends)
endif()
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hexLength)
math(EXPR byteCount "${hexLength} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT} by EmbedFile.cmake; do not edit.\n"
  "#include <cstddef>\n"
  "namespace ${NAMESPACE} {\n"
  "alignas(8) extern const unsigned char ${SYMBOL}_data[] = {\n${bytes}};\n"
  "extern const size_t ${SYMBOL}_size = ${byteCount};\n"
  "} // namespace ${NAMESPACE}\n")
