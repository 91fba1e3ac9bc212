// The self-contained SHA-256 against the FIPS 180-4 example vectors and against OpenSSL's
// `openssl dgst -sha256` on inputs around every padding boundary.
#include "compiler/Sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

using pyvc::compiler::sha256Hex;

TEST(Sha256, FipsExampleVectors) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// `openssl dgst` is an independent implementation; the lengths straddle the 55/56/64-byte
// boundaries where the padding spills into a second block.
TEST(Sha256, AgreesWithOpensslAcrossPaddingBoundaries) {
  char folder[] = "/tmp/pyvc-sha256-XXXXXX";
  ASSERT_NE(mkdtemp(folder), nullptr);
  std::string path = std::string(folder) + "/input";
  for (size_t length : {1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000}) {
    std::string bytes;
    for (size_t i = 0; i < length; ++i)
      bytes += static_cast<char>((i * 131 + length) & 0xff);
    std::ofstream(path, std::ios::binary) << bytes;
    std::string command = "openssl dgst -sha256 -r " + path;
    FILE *pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char line[256] = {};
    ASSERT_NE(fgets(line, sizeof line, pipe), nullptr);
    pclose(pipe);
    EXPECT_EQ(sha256Hex(bytes), std::string(line).substr(0, 64)) << "length " << length;
  }
  std::remove(path.c_str());
  rmdir(folder);
}
