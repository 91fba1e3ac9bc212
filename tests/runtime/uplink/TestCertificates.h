// Throwaway PKI for the TLS tests, made at test time with the openssl command line: a CA, a
// server certificate for 127.0.0.1 signed by it, a client certificate signed by it, and a
// second, unrelated CA the server is not signed by.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace pyvc::uplink::testing {

struct TestCertificates {
  std::string caFile, otherCaFile;
  std::string serverCertFile, serverKeyFile;
  std::string clientCertFile, clientKeyFile;
  std::string error; // non-empty when generation failed
};

inline TestCertificates makeTestCertificates(const std::string &directory) {
  TestCertificates files;
  auto path = [&](const char *name) { return directory + "/" + name; };
  files.caFile = path("ca.pem");
  files.otherCaFile = path("other-ca.pem");
  files.serverCertFile = path("server.pem");
  files.serverKeyFile = path("server.key");
  files.clientCertFile = path("client.pem");
  files.clientKeyFile = path("client.key");
  std::ofstream(path("server.ext")) << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  std::ofstream(path("client.ext")) << "extendedKeyUsage=clientAuth\n";

  // EC keys: generated in milliseconds, unlike RSA.
  const std::string key = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const std::string quiet = " >/dev/null 2>&1";
  const std::string cd = "cd '" + directory + "' && ";
  const std::string commands[] = {
      "openssl req -x509" + key + " -keyout ca.key -out ca.pem -days 2 -subj '/CN=pyvc test CA'",
      "openssl req -x509" + key +
          " -keyout other-ca.key -out other-ca.pem -days 2 "
          "-subj '/CN=someone else CA'",
      "openssl req" + key + " -keyout server.key -out server.csr -subj '/CN=127.0.0.1'",
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
      "-out server.pem -days 2 -extfile server.ext",
      "openssl req" + key + " -keyout client.key -out client.csr -subj '/CN=pyvc-gateway'",
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
      "-out client.pem -days 2 -extfile client.ext",
  };
  for (const std::string &command : commands)
    if (std::system((cd + command + quiet).c_str()) != 0) {
      files.error = "openssl failed: " + command;
      break;
    }
  return files;
}

} // namespace pyvc::uplink::testing
