// The mosquitto broker child process and the recording subscriber; see MosquittoBroker.h.
#include "MosquittoBroker.h"

#include "TestHttpServer.h" // findFreePort
#include "TestSupport.h"    // eventually

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace pyvc::uplink::testing {

namespace {

bool acceptsConnections(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(uint16_t(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool connected = connect(fd, (sockaddr *)&address, sizeof(address)) == 0;
  close(fd);
  return connected;
}

} // namespace

bool MosquittoBroker::installed() { return access(Executable, X_OK) == 0; }

MosquittoBroker::MosquittoBroker(std::string directory, bool persistence,
                                 std::optional<BrokerTls> tls)
    : directory_(std::move(directory)), persistence_(persistence), tls_(std::move(tls)) {}

MosquittoBroker::~MosquittoBroker() { stop(); }

bool MosquittoBroker::start(int port) {
  if (!installed()) {
    error_ = std::string(Executable) + " is not installed (Debian package mosquitto; "
                                       "scripts/install-deps.sh installs it)";
    return false;
  }
  port_ = port ? port : findFreePort();
  std::string configPath = directory_ + "/mosquitto.conf";
  {
    std::ofstream config(configPath);
    config << "listener " << port_ << " 127.0.0.1\n"
           << "allow_anonymous true\n"
           << "log_dest file " << directory_ << "/mosquitto.log\n";
    // Run as whoever runs the tests: as root mosquitto would otherwise switch to the user
    // "mosquitto", who cannot write into our private temporary directory.
    if (passwd *user = getpwuid(getuid()))
      config << "user " << user->pw_name << "\n";
    if (persistence_)
      config << "persistence true\npersistence_location " << directory_ << "/\n";
    else
      config << "persistence false\n";
    if (tls_) {
      config << "cafile " << tls_->caFile << "\ncertfile " << tls_->certFile << "\nkeyfile "
             << tls_->keyFile << "\n";
      if (tls_->requireClientCertificate)
        config << "require_certificate true\n";
    }
  }
  pid_ = fork();
  if (pid_ == 0) {
    int devNull = open("/dev/null", O_WRONLY);
    dup2(devNull, STDOUT_FILENO);
    dup2(devNull, STDERR_FILENO);
    execl(Executable, Executable, "-c", configPath.c_str(), static_cast<char *>(nullptr));
    _exit(127);
  }
  if (pid_ < 0) {
    error_ = "fork failed";
    return false;
  }
  bool ready = eventually(
      [&] {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1; // exited: a bad configuration or the port was taken
          return true;
        }
        return acceptsConnections(port_);
      },
      std::chrono::seconds(10));
  if (pid_ < 0 || !ready) {
    error_ = "mosquitto did not start on port " + std::to_string(port_) + "; see " + directory_ +
             "/mosquitto.log";
    stop();
    return false;
  }
  return true;
}

void MosquittoBroker::stop() {
  if (pid_ <= 0)
    return;
  kill(pid_, SIGTERM);
  int status = 0;
  bool exited =
      eventually([&] { return waitpid(pid_, &status, WNOHANG) == pid_; }, std::chrono::seconds(10));
  if (!exited) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

TestSubscriber::TestSubscriber(int port, std::string topic, bool persistentSession)
    : topic_(std::move(topic)) {
  mosquitto_lib_init();
  std::string id = "pyvc-test-subscriber-" + std::to_string(getpid());
  client_ = mosquitto_new(id.c_str(), /*clean_session=*/!persistentSession, this);
  if (!persistentSession)
    mosquitto_int_option(client_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
  mosquitto_connect_v5_callback_set(client_, &TestSubscriber::onConnect);
  mosquitto_subscribe_v5_callback_set(client_, &TestSubscriber::onSubscribe);
  mosquitto_message_v5_callback_set(client_, &TestSubscriber::onMessage);
  mosquitto_reconnect_delay_set(client_, 1, 1, false);
  mosquitto_connect(client_, "127.0.0.1", port, 30);
  mosquitto_loop_start(client_);
}

TestSubscriber::~TestSubscriber() {
  mosquitto_disconnect(client_);
  mosquitto_loop_stop(client_, true);
  mosquitto_destroy(client_);
}

void TestSubscriber::onConnect(mosquitto *client, void *self, int rc, int,
                               const mosquitto_property *) {
  auto *subscriber = static_cast<TestSubscriber *>(self);
  if (rc == 0)
    mosquitto_subscribe(client, nullptr, subscriber->topic_.c_str(), 1);
}

void TestSubscriber::onSubscribe(mosquitto *, void *self, int, int, const int *,
                                 const mosquitto_property *) {
  auto *subscriber = static_cast<TestSubscriber *>(self);
  std::lock_guard lock(subscriber->mutex_);
  subscriber->subscribed_ = true;
  subscriber->changed_.notify_all();
}

void TestSubscriber::onMessage(mosquitto *, void *self, const mosquitto_message *message,
                               const mosquitto_property *properties) {
  auto *subscriber = static_cast<TestSubscriber *>(self);
  ReceivedMessage received;
  received.payload.assign(static_cast<const char *>(message->payload), size_t(message->payloadlen));
  received.qos = message->qos;
  char *name = nullptr, *value = nullptr;
  if (mosquitto_property_read_string_pair(properties, MQTT_PROP_USER_PROPERTY, &name, &value,
                                          false)) {
    if (std::string(name) == "batch_id")
      received.batchIdProperty = value;
    free(name);
    free(value);
  }
  std::lock_guard lock(subscriber->mutex_);
  subscriber->messages_.push_back(std::move(received));
  subscriber->changed_.notify_all();
}

bool TestSubscriber::waitUntilSubscribed(std::chrono::milliseconds guard) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, guard, [&] { return subscribed_; });
}

bool TestSubscriber::waitForMessages(size_t count, std::chrono::milliseconds guard) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, guard, [&] { return messages_.size() >= count; });
}

std::vector<ReceivedMessage> TestSubscriber::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

} // namespace pyvc::uplink::testing
