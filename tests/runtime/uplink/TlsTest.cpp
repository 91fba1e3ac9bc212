// TLS for both uplinks with certificates made at test time: verification is on by default
// (a server signed by an unknown CA is refused), the configured CA is trusted, and mutual TLS
// works with a client certificate and fails without one.
#include "MosquittoBroker.h"
#include "TestCertificates.h"
#include "TestHttpServer.h"
#include "TestSupport.h"
#include "uplink/HttpUplink.h"
#include "uplink/MqttUplink.h"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using namespace pyvc;
using namespace pyvc::uplink;
using namespace pyvc::uplink::testing;

namespace {

sync::Batch oneItemBatch() {
  sync::Batch batch;
  batch.batchId = "tls-batch";
  batch.items.push_back(sync::QueueItem{1, readingPayload(1), 0, 1, 0, 0});
  return batch;
}

class UplinkTls : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(directory.path().empty());
    certificates = makeTestCertificates(directory.path());
    ASSERT_TRUE(certificates.error.empty()) << certificates.error;
  }

  Delivery sendOverHttps(TestHttpServer &server, HttpUplinkOptions options) {
    options.url = server.url();
    options.connectTimeout = 5s;
    options.totalTimeout = 10s;
    auto uplink = HttpUplink::create(options);
    EXPECT_TRUE(uplink.ok()) << (uplink ? "" : uplink.error().message);
    return uplink ? uplink.value()->send(oneItemBatch()) : Delivery{};
  }

  TemporaryDirectory directory;
  TestCertificates certificates;
};

} // namespace

TEST_F(UplinkTls, HttpsVerifiesTheServerAgainstTheConfiguredCa) {
  TestHttpServer server(TlsFiles{certificates.serverCertFile, certificates.serverKeyFile, ""});
  ASSERT_GT(server.start(), 0);

  // Default options: the system store does not know our CA.
  Delivery unknownCa = sendOverHttps(server, {});
  EXPECT_EQ(unknownCa.kind, DeliveryKind::Retry);
  EXPECT_EQ(unknownCa.failure, FailureKind::Transport);
  EXPECT_NE(unknownCa.detail.find("curl error 60"), std::string::npos) << unknownCa.detail;

  HttpUplinkOptions wrongCa;
  wrongCa.caFile = certificates.otherCaFile;
  EXPECT_EQ(sendOverHttps(server, wrongCa).kind, DeliveryKind::Retry);

  HttpUplinkOptions rightCa;
  rightCa.caFile = certificates.caFile;
  Delivery trusted = sendOverHttps(server, rightCa);
  EXPECT_EQ(trusted.kind, DeliveryKind::Ack) << trusted.detail;
  ASSERT_EQ(server.requests().size(), 1u) << "only the verified connection got a request through";
  EXPECT_EQ(server.requests()[0].idempotencyKey, "tls-batch");
}

TEST_F(UplinkTls, HttpsMutualTlsNeedsTheClientCertificate) {
  TestHttpServer server(
      TlsFiles{certificates.serverCertFile, certificates.serverKeyFile, certificates.caFile});
  ASSERT_GT(server.start(), 0);

  HttpUplinkOptions anonymous;
  anonymous.caFile = certificates.caFile;
  Delivery refused = sendOverHttps(server, anonymous);
  EXPECT_EQ(refused.kind, DeliveryKind::Retry);
  EXPECT_EQ(refused.failure, FailureKind::Transport);

  HttpUplinkOptions mutual = anonymous;
  mutual.clientCertFile = certificates.clientCertFile;
  mutual.clientKeyFile = certificates.clientKeyFile;
  Delivery accepted = sendOverHttps(server, mutual);
  EXPECT_EQ(accepted.kind, DeliveryKind::Ack) << accepted.detail;
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(UplinkTls, MqttOverTlsWithMutualAuthentication) {
  ASSERT_TRUE(MosquittoBroker::installed())
      << MosquittoBroker::Executable << " is missing: install the Debian package mosquitto";
  MosquittoBroker broker(directory.path(), /*persistence=*/false,
                         BrokerTls{certificates.caFile, certificates.serverCertFile,
                                   certificates.serverKeyFile, /*requireClient=*/true});
  ASSERT_TRUE(broker.start()) << broker.error();

  auto sendWith = [&](const std::string &caFile, bool clientCertificate,
                      std::chrono::milliseconds connectWait) {
    MqttUplinkOptions options;
    options.port = broker.port();
    options.topic = "gateway/tls";
    options.caFile = caFile;
    if (clientCertificate) {
      options.clientCertFile = certificates.clientCertFile;
      options.clientKeyFile = certificates.clientKeyFile;
    }
    options.connectWait = connectWait; // a refused handshake never connects: a short wait
    options.publishTimeout = 5s;
    auto uplink = MqttUplink::create(options);
    EXPECT_TRUE(uplink.ok()) << (uplink ? "" : uplink.error().message);
    return uplink ? uplink.value()->send(oneItemBatch()) : Delivery{};
  };

  EXPECT_EQ(sendWith(certificates.otherCaFile, true, 500ms).kind, DeliveryKind::Retry)
      << "a broker signed by an unknown CA must not be trusted";
  EXPECT_EQ(sendWith(certificates.caFile, false, 500ms).kind, DeliveryKind::Retry)
      << "the broker requires a client certificate";
  Delivery delivered = sendWith(certificates.caFile, true, 10s);
  EXPECT_EQ(delivered.kind, DeliveryKind::Ack) << delivered.detail;
}
