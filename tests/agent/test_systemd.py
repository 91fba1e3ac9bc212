"""The service manager's side: pyvc-agent speaks sd_notify(3) to a real AF_UNIX datagram socket
the test binds, as systemd does for a Type=notify unit with WatchdogSec=. READY=1 only once the
agent answers /readyz, RELOADING=1/READY=1 around SIGHUP, STOPPING=1 on SIGTERM, WATCHDOG=1
keep-alives while the workers make progress — and none once a kernel hangs a worker."""
import os
import signal
import socket
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent_harness as h  # noqa: E402
from http_client import IngestClient  # noqa: E402
from test_operations import NOW_MS, http_config  # noqa: E402


class NotifySocket:
    """What systemd listens on: one datagram per message."""

    def __init__(self, folder, abstract=False):
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = f"pyvc-test-{os.getpid()}-{time.time_ns()}"
            self.socket.bind("\0" + name)
            self.address = "@" + name
        else:
            self.address = os.path.join(folder, "notify.sock")
            self.socket.bind(self.address)
        self.messages = []

    def _receive(self, seconds):
        """Each message arriving within `seconds`, as a dict of its KEY=value lines."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            self.socket.settimeout(max(0.01, deadline - time.time()))
            try:
                data = self.socket.recv(4096).decode()
            except socket.timeout:
                return
            fields = dict(line.split("=", 1) for line in data.splitlines() if "=" in line)
            self.messages.append(fields)
            yield fields

    def next(self, predicate, timeout=30):
        """The first message from here on for which predicate(fields) holds."""
        for fields in self._receive(timeout):
            if predicate(fields):
                return fields
        raise AssertionError(f"no such message in {timeout} s; got {self.messages[-10:]}")

    def collect(self, seconds):
        """Every message that arrives in the next `seconds`."""
        return list(self._receive(seconds))


def agent_under_systemd(config, metrics_port, notify, watchdog_usec=None, watchdog_pid=None):
    """The agent started as systemd starts a Type=notify unit with WatchdogSec=."""
    environment = {"NOTIFY_SOCKET": notify.address}
    if watchdog_usec is not None:
        environment["WATCHDOG_USEC"] = str(watchdog_usec)
    if watchdog_pid is not None:
        environment["WATCHDOG_PID"] = str(watchdog_pid)
    return h.AgentProcess(config, metrics_port=metrics_port, environment=environment)


def readyz(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as answer:
        return answer.status


class Notifications(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="pyvc-agent-systemd-")
        self.http_port, self.metrics_port = h.free_port(), h.free_port()
        self.config = http_config(self.folder, self.http_port, self.metrics_port)

    def notify_socket(self, abstract=False):
        notify = NotifySocket(self.folder, abstract)
        self.addCleanup(notify.socket.close)
        return notify

    def test_ready_reload_stopping_and_watchdog_keepalives(self):
        notify = self.notify_socket()
        agent = agent_under_systemd(self.config, self.metrics_port, notify,
                                    watchdog_usec=400_000)
        ready = notify.next(lambda m: m.get("READY") == "1")
        self.assertIn("running: 1 sources, 1 pipelines", ready["STATUS"])
        self.assertEqual(readyz(self.metrics_port), 200)  # ready means ready
        # A keep-alive every quarter of the 0.4 s interval: ~10 in two seconds, and at least one
        # per interval even on a loaded machine (else systemd would restart a healthy agent).
        keepalives = [m for m in notify.collect(2.0) if m.get("WATCHDOG") == "1"]
        self.assertGreaterEqual(len(keepalives), 5)
        self.assertLessEqual(len(keepalives), 30)

        agent.signal(signal.SIGHUP)
        reloading = notify.next(lambda m: m.get("RELOADING") == "1")
        self.assertGreater(int(reloading["MONOTONIC_USEC"]), 0)
        after = notify.next(lambda m: m.get("READY") == "1")
        self.assertNotIn("refused", after["STATUS"])

        # A broken config: the reload is refused, the manager still hears READY=1 (it would
        # otherwise wait in "reloading" until its timeout), and the status says why.
        with open(self.config, "a") as out:
            out.write("\nnot_a_section: {\n")
        agent.signal(signal.SIGHUP)
        notify.next(lambda m: m.get("RELOADING") == "1")
        refused = notify.next(lambda m: m.get("READY") == "1")
        self.assertIn("last reload refused", refused["STATUS"])

        agent.signal(signal.SIGTERM)
        notify.next(lambda m: m.get("STOPPING") == "1")
        code, _ = agent.finish()
        self.assertEqual(code, 0)

    def test_abstract_socket_and_no_keepalives_for_another_pid(self):
        notify = self.notify_socket(abstract=True)
        # WATCHDOG_PID names another process (the manager watches that one): no keep-alives.
        agent = agent_under_systemd(self.config, self.metrics_port, notify, watchdog_usec=200_000,
                                    watchdog_pid=1)
        notify.next(lambda m: m.get("READY") == "1")
        self.assertEqual([m for m in notify.collect(0.6) if "WATCHDOG" in m], [])
        code, _ = agent.stop()
        self.assertEqual(code, 0)

    def test_a_hung_kernel_stops_the_keepalives(self):
        kernels = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels")
        h.compile_kernels(os.path.join(kernels, "stuck_rules.py"),
                          os.path.join(self.folder, "stuck.so"))
        rules = ("    rules:\n      - {name: stuck, on: readings, "
                 "function: \"stuck.so:never_returns_above_hundred\"}")
        config = http_config(self.folder, self.http_port, self.metrics_port, rules=rules)
        notify = self.notify_socket()
        agent = agent_under_systemd(config, self.metrics_port, notify, watchdog_usec=1_000_000)
        notify.next(lambda m: m.get("READY") == "1")
        client = IngestClient(self.http_port)
        self.assertEqual(client.post([("k.s", NOW_MS, 36.0)]), 200)  # returns: fine
        self.assertTrue([m for m in notify.collect(1.0) if m.get("WATCHDOG") == "1"])
        client.post_raw(b'[{"sensor": "k.s", "timestamp_ms": %d, "value": 150.0}]' % NOW_MS,
                        timeout=2)
        stalled = notify.next(lambda m: m.get("STATUS", "").startswith("stalled"), timeout=10)
        self.assertIn("worker", stalled["STATUS"])
        # From now on, nothing that would keep systemd from restarting the agent.
        self.assertEqual([m for m in notify.collect(1.5) if m.get("WATCHDOG") == "1"], [])
        self.assertIn('"stage_stalled"', agent.logs())
        agent.kill()


if __name__ == "__main__":
    unittest.main()
