# Turns a binary file into a C++ source defining `llvm::ArrayRef<unsigned char> SYMBOL()`.
# Usage: cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name -P EmbedFile.cmake
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hexLength)
math(EXPR byteCount "${hexLength} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT} by EmbedFile.cmake; do not edit.\n"
  "#include <cstddef>\n"
  "namespace pyvc::backends {\n"
  "alignas(8) extern const unsigned char ${SYMBOL}_data[] = {\n${bytes}};\n"
  "extern const size_t ${SYMBOL}_size = ${byteCount};\n"
  "} // namespace pyvc::backends\n")
