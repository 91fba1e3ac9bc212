"""Real parts for the agent's end-to-end tests: the pyvc-agent process itself, a loopback HTTP
receiver, a mosquitto broker on a free port, an MQTT subscriber, kernels compiled by pyvc, and
readers for the agent's SQLite files. Every test drives the shipped binary, never a library."""
import gzip
import http.server
import json
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import tempfile
import threading
import time
import urllib.request

TOOLS = {
    "agent": os.environ.get("PYVC_AGENT", "build/bin/pyvc-agent"),
    "pyvc": os.environ.get("PYVC", "build/bin/pyvc"),
}
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# A cross-built agent runs under an emulator ("qemu-aarch64 -L /usr/aarch64-linux-gnu"), and the
# kernels it loads are compiled for its target (tests/agent/test_aarch64.py, docs/CROSS.md).
AGENT_EMULATOR = os.environ.get("PYVC_AGENT_EMULATOR", "").split()
KERNEL_TARGET = ["--target", os.environ["PYVC_KERNEL_TARGET"]] \
    if os.environ.get("PYVC_KERNEL_TARGET") else []


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def batch_items(bodies):
    """Every item of every batch body, decoded; a batch sent again (same batch_id) counts once."""
    seen, items = set(), []
    for body in bodies:
        batch = json.loads(body)
        if batch["batch_id"] in seen:
            continue
        seen.add(batch["batch_id"])
        items.extend(batch["items"])
    return items


def compile_kernels(source, output, *flags):
    subprocess.run([TOOLS["pyvc"], "compile", source, "-o", output, *KERNEL_TARGET, *flags],
                   check=True)
    return output


def compile_rules(config, output):
    subprocess.run([TOOLS["pyvc"], "compile", "--config", config, "-o", output, *KERNEL_TARGET],
                   check=True)
    return output


class Receiver:
    """A loopback HTTP receiver: records every body (gunzipped), answers 200 unless told to
    answer something else or to be slow."""

    def __init__(self, delay=0.0, status=200):
        self.bodies = []
        self.requests = 0
        self.delay = delay
        self.status = status
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.requests += 1
                    status = receiver.status
                    if status == 200:
                        receiver.bodies.append(body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/ingest"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def items(self):
        with self.lock:
            return batch_items(list(self.bodies))

    def raw(self):
        with self.lock:
            return b"".join(self.bodies)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Broker:
    """A mosquitto broker on a free loopback port, for the test's lifetime."""

    def __init__(self, folder):
        self.port = free_port()
        config = os.path.join(folder, "mosquitto.conf")
        with open(config, "w") as out:
            out.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
                      f"persistence true\npersistence_location {folder}/\n")
        self.process = subprocess.Popen(["mosquitto", "-c", config],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def close(self):
        self.process.terminate()
        self.process.wait(10)


class Subscriber:
    """Collects every message on `topic` (QoS 1) with paho."""

    def __init__(self, port, topic):
        import paho.mqtt.client as mqtt
        self.messages = []
        self.lock = threading.Lock()
        self.client = mqtt.Client(client_id=f"test-sub-{os.getpid()}-{time.time_ns()}")
        self.client.on_message = self._message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *args: subscribed.set()
        self.client.on_connect = lambda client, *args: client.subscribe(topic, qos=1)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        if not subscribed.wait(10):
            raise RuntimeError("subscription not confirmed")

    def _message(self, client, userdata, message):
        with self.lock:
            self.messages.append(message.payload)

    def items(self):
        with self.lock:
            return batch_items(list(self.messages))

    def raw(self):
        with self.lock:
            return b"".join(self.messages)

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


def publish(port, topic, payloads, qos=1, client_id=None):
    import paho.mqtt.client as mqtt
    client = mqtt.Client(client_id=client_id or f"test-pub-{time.time_ns()}")
    client.connect("127.0.0.1", port)
    client.loop_start()
    infos = [client.publish(topic, payload, qos=qos) for payload in payloads]
    for info in infos:
        info.wait_for_publish(10)
    client.loop_stop()
    client.disconnect()


class AgentProcess:
    """pyvc-agent run CONFIG as a child process; stderr (JSON-lines logs) goes to a file."""

    def __init__(self, config_path, *args, metrics_port=None, environment=None):
        """`environment`: variables added to the agent's (e.g. systemd's NOTIFY_SOCKET)."""
        self.config_path = config_path
        self.log_path = config_path + f".{time.time_ns()}.log"
        self.log = open(self.log_path, "wb")
        self.metrics_port = metrics_port
        self.process = subprocess.Popen([*AGENT_EMULATOR, TOOLS["agent"], "run", config_path,
                                         *args],
                                        stdout=subprocess.PIPE, stderr=self.log,
                                        env={**os.environ, **(environment or {})})

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"agent exited with {self.process.returncode}: {self.logs()}")
            try:
                with urllib.request.urlopen(
                        f"http://127.0.0.1:{self.metrics_port}/readyz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("agent not ready: " + self.logs())

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics",
                                    timeout=5) as answer:
            return answer.read().decode()

    def signal(self, number):
        self.process.send_signal(number)

    def kill(self):
        self.process.kill()
        self.process.wait(10)
        self.log.close()

    def finish(self, timeout=60):
        """Waits for exit; returns (returncode, stdout)."""
        out, _ = self.process.communicate(timeout=timeout)
        self.log.close()
        return self.process.returncode, out.decode()

    def stop(self, timeout=60):
        self.signal(signal.SIGTERM)
        return self.finish(timeout)

    def logs(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as source:
            return source.read().decode(errors="replace")


def metric_value(text, name, **labels):
    """The sum of the samples of `name` whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        head, _, value = line.rpartition(" ")
        metric, _, label_text = head.partition("{")
        if metric != name:
            continue
        if all(f'{key}="{val}"' in label_text for key, val in labels.items()):
            total += float(value)
    return total


def sqlite_rows(path, query):
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


def _varint(blob, position):
    value, shift = 0, 0
    while True:
        byte = blob[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7


def stored_readings(path):
    """(sensor, timestamp_ms, value) of every reading in a reading store file: its blocks decoded
    as docs/RUNTIME-store.md describes them (times as deltas, then sequences, then values)."""
    readings = []
    for name, first_ms, count, blob in sqlite_rows(
            path, "SELECT s.name, b.first_ms, b.count, b.blob FROM reading_blocks b "
                  "JOIN sensors s ON s.id = b.sensor_id"):
        assert blob[0] == 1, "block format version 1"
        position, time_ms, times = 1, first_ms, []
        for _ in range(count):
            delta, position = _varint(blob, position)
            time_ms = (time_ms + delta + 2**63) % 2**64 - 2**63
            times.append(time_ms)
        for _ in range(count):
            _, position = _varint(blob, position)
        values = struct.unpack_from(f"<{count}d", blob, position)
        readings += [(name, t, v) for t, v in zip(times, values)]
    return readings


def stored_reading_count(path):
    return sqlite_rows(path, "SELECT coalesce(sum(count), 0) FROM reading_blocks")[0][0]


def all_bytes(folder):
    """Every byte of every file under `folder` (SQLite files, WAL, queue), for leak checks."""
    chunks = []
    for root, _, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as source:
                chunks.append(source.read())
    return b"".join(chunks)


def write(path, text):
    with open(path, "w") as out:
        out.write(text)
    return path
