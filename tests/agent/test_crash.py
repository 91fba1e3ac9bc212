"""Crash: pyvc-agent is killed with SIGKILL under load at random moments, 30 times, and
restarted on the same data folder. With FULL durability every reading the HTTP source
acknowledged is in the store and is delivered to the uplink; a duplicate on the wire is only
ever a redelivery of the same batch (the same idempotency key)."""
import json
import os
import random
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent_harness as h  # noqa: E402
from http_client import IngestClient  # noqa: E402

KILLS = int(os.environ.get("PYVC_AGENT_CRASH_KILLS", "30"))

CONFIG = """
agent:
  data_dir: data
  durability: full
  commit: {{max_readings: 2000, max_delay: 2ms}}
metrics: {{listen: "127.0.0.1:{metrics_port}"}}
privacy: {{policy_inline: {{default: allow}}}}
sources:
  - {{name: webhook, type: http, listen: "127.0.0.1:{http_port}", path: /ingest}}
pipelines:
  - name: all
    sensors: ["*"]
    store: {{readings: all, windows: false, events: false}}
    sync: {{readings: all, windows: false, events: false}}
uplinks:
  - {{name: cloud, type: http, url: "{url}"}}
"""


T0 = int(time.time() * 1000) - 600_000  # inside the agent's timestamp bounds


def load(client, stop, sensor, counter):
    """Posts batches of 20 readings with values unique to this run until told to stop."""
    while not stop.is_set():
        base = next(counter)
        batch = [(sensor, T0 + base * 20 + i, float(base * 20 + i))
                 for i in range(20)]
        if client.post(batch, timeout=10) is None:
            time.sleep(0.02)


class Crash(unittest.TestCase):
    def test_acknowledged_readings_survive_kill_9(self):
        folder = tempfile.mkdtemp(prefix="pyvc-agent-crash-")
        receiver = h.Receiver()
        metrics_port, http_port = h.free_port(), h.free_port()
        config = h.write(os.path.join(folder, "agent.yaml"), CONFIG.format(
            metrics_port=metrics_port, http_port=http_port, url=receiver.url))
        client = IngestClient(http_port)
        counter = iter(range(10**9))
        rng = random.Random(11)
        for kill in range(KILLS):
            agent = h.AgentProcess(config, metrics_port=metrics_port)
            agent.wait_ready()
            stop = threading.Event()
            loaders = [threading.Thread(target=load, args=(client, stop, f"crash.s{n}", counter))
                       for n in range(3)]
            for loader in loaders:
                loader.start()
            time.sleep(rng.uniform(0.05, 0.6))
            agent.kill()
            stop.set()
            for loader in loaders:
                loader.join()
        # A last clean run delivers the backlog.
        agent = h.AgentProcess(config, "--duration", "1s", "--sync-wait", "60s",
                               metrics_port=metrics_port)
        code, _ = agent.finish(timeout=120)
        self.assertEqual(code, 0, agent.logs())

        acked = set(client.acked)
        self.assertGreater(len(acked), 1000, client.statuses)
        stored = set(h.stored_readings(os.path.join(folder, "data", "readings.db")))
        missing = acked - stored
        self.assertFalse(missing, f"{len(missing)} acknowledged readings not stored, e.g. "
                                  f"{sorted(missing)[:5]}")

        batches_of = {}
        for body in receiver.bodies:
            batch = json.loads(body)
            for item in batch["items"]:
                for reading in item["readings"]:
                    key = (reading["sensor"], reading["timestamp_ms"], reading["value"])
                    batches_of.setdefault(key, set()).add(batch["batch_id"])
        delivered = set(batches_of)
        missing = acked - delivered
        self.assertFalse(missing, f"{len(missing)} acknowledged readings never delivered")
        for key, batch_ids in batches_of.items():
            self.assertEqual(len(batch_ids), 1, f"{key} delivered under different keys")
        receiver.close()


if __name__ == "__main__":
    unittest.main()
