"""End to end: a replay file and a simulator feed pyvc-agent through windows, compiled rules,
the privacy firewall, the store and the sync queue, out to a loopback HTTP receiver and a real
mosquitto broker. CPython is the oracle for every window result and every event: it runs the
same kernel file over the same windows of the same replay file."""
import importlib.util
import json
import os
import random
import struct
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent_harness as h  # noqa: E402

WINDOW_MS = 10_000
SENSORS = ["temp.a", "temp.b", "temp.c", "secret.vault", "door.front"]
SECRET_VALUE_BASE = 987654.0


def make_replay(path, start_ms):
    """60 s of readings, 10 per second per sensor, in time order; some temperatures above 35."""
    rng = random.Random(5)
    rows = []
    for step in range(600):
        ts = start_ms + step * 100
        for sensor in SENSORS:
            if sensor.startswith("secret"):
                value = SECRET_VALUE_BASE + step / 8
            else:
                value = round(rng.uniform(18.0, 38.0), 3)
            rows.append((sensor, ts, value))
    with open(path, "w") as out:
        out.write("sensor,timestamp_ms,value\n")
        for sensor, ts, value in rows:
            out.write(f"{sensor},{ts},{value!r}\n")
    return rows


def oracle_windows(rows, kernels):
    """{(sensor, start_ms): {"mean":..., "max":..., "min":..., "count": n}} as CPython computes
    them with the kernel file, over tumbling windows aligned to the epoch."""
    groups = {}
    for sensor, ts, value in rows:
        start = ts - ts % WINDOW_MS
        groups.setdefault((sensor, start), []).append(value)
    return {key: {"mean": kernels.mean(values), "max": kernels.maximum(values),
                  "min": kernels.minimum(values), "count": len(values)}
            for key, values in groups.items()}


CONFIG = """
agent:
  data_dir: data
  kernel_dir: kernels
  durability: normal
  timestamps: {{max_age: 30d}}
metrics: {{listen: "127.0.0.1:{metrics_port}"}}
privacy: {{policy: policy.json}}
kernels: {{allow_unsigned: true}}  # kernels built by the test, unsigned; test_signing.py checks signatures
rules_library: rules.so
sources:
  - {{name: replay, type: replay, path: readings.csv, speed: fast}}
  - name: sim
    type: simulator
    rate: 4000
    seed: 7
    limit: 2000
    sensors: [{{pattern: "sim.s{{}}", count: 4, shape: sine, base: 20.0, amplitude: 5.0, period: 10s}}]
pipelines:
  - name: climate
    sensors: ["temp.*", "secret.*", "door.*"]
    window: {{type: tumbling, size: 10s}}
    aggregates: {{mean: "windows.so:mean", max: "windows.so:maximum", min: "windows.so:minimum"}}
    rules:
      - {{name: hot, on: readings, when: "value > 35.0", severity: critical}}
      - {{name: spread, on: windows, when: "max - min > 19.0", severity: warning}}
    store: {{events: true, windows: true, readings: all}}
    sync: {{events: true, windows: true, readings: none}}
  - name: simulated
    sensors: ["sim.*"]
    store: {{events: false, windows: false, readings: all}}
    sync: {{events: false, windows: false, readings: all}}
uplinks:
  - {{name: cloud, type: http, url: "{url}"}}
  - {{name: broker, type: mqtt, host: 127.0.0.1, port: {mqtt_port}, topic: gateway/up, client_id: e2e-up}}
"""

POLICY = {"default": "allow", "hash_key_file": "hash.key",
          "rules": [{"sensor": "secret.*", "action": "drop"},
                    {"sensor": "door.*", "action": "hash"}]}


class EndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="pyvc-agent-e2e-")
        os.makedirs(os.path.join(cls.folder, "kernels"))
        windows_py = os.path.join(h.REPO, "examples", "windows.py")
        # --strict-fp: CPython's sequential sum, so means compare bit for bit.
        h.compile_kernels(windows_py, os.path.join(cls.folder, "kernels", "windows.so"),
                          "--strict-fp")
        spec = importlib.util.spec_from_file_location("windows_kernels", windows_py)
        cls.kernels = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(cls.kernels)

        start_ms = (int(time.time() * 1000) - 3_600_000) // WINDOW_MS * WINDOW_MS
        cls.rows = make_replay(os.path.join(cls.folder, "readings.csv"), start_ms)
        h.write(os.path.join(cls.folder, "policy.json"), json.dumps(POLICY))
        cls.receiver = h.Receiver()
        cls.broker = h.Broker(cls.folder)
        cls.subscriber = h.Subscriber(cls.broker.port, "gateway/up")
        metrics_port = h.free_port()
        config = h.write(os.path.join(cls.folder, "agent.yaml"), CONFIG.format(
            metrics_port=metrics_port, url=cls.receiver.url, mqtt_port=cls.broker.port))
        h.compile_rules(config, os.path.join(cls.folder, "kernels", "rules.so"))
        agent = h.AgentProcess(config, "--exit-when-done", "--sync-wait", "30s",
                               "--summary", "json", metrics_port=metrics_port)
        code, out = agent.finish(timeout=120)
        cls.logs = agent.logs()
        if code != 0:
            raise AssertionError(f"agent exited {code}: {cls.logs}")
        cls.summary = json.loads(out.strip().splitlines()[-1])
        # The MQTT subscriber may still be receiving the last publishes.
        deadline = time.time() + 10
        while time.time() < deadline and len(cls.subscriber.items()) < len(cls.receiver.items()):
            time.sleep(0.1)
        cls.data = os.path.join(cls.folder, "data")

    @classmethod
    def tearDownClass(cls):
        cls.subscriber.close()
        cls.broker.close()
        cls.receiver.close()

    def synced(self, kind, items=None):
        items = self.receiver.items() if items is None else items
        return [item for item in items if item.get("kind") == kind]

    def test_every_reading_is_counted(self):
        self.assertEqual(self.summary["readings_in"], len(self.rows) + 2000)
        self.assertEqual(self.summary["readings_processed"], len(self.rows) + 2000)
        self.assertEqual(self.summary["readings_rejected"], 0)

    def test_window_results_match_cpython(self):
        expected = oracle_windows(self.rows, self.kernels)
        got = {}
        for payload in self.synced("windows"):
            for window in payload["windows"]:
                got[(window["sensor"], window["start_ms"])] = window
        for (sensor, start), values in expected.items():
            if not sensor.startswith("temp."):
                continue
            window = got.get((sensor, start))
            self.assertIsNotNone(window, f"window {sensor} @{start} never arrived")
            self.assertEqual(window["end_ms"], start + WINDOW_MS)
            self.assertEqual(window["count"], values["count"])
            for name in ("mean", "max", "min"):
                self.assertEqual(window["values"][name], values[name], f"{sensor} @{start} {name}")
        temp_windows = [key for key in got if key[0].startswith("temp.")]
        self.assertEqual(len(temp_windows), sum(1 for key in expected if key[0].startswith("temp.")))

    def test_hashed_sensor_windows_match_cpython_under_a_token(self):
        expected = sorted((start, v["mean"]) for (sensor, start), v in
                          oracle_windows(self.rows, self.kernels).items() if sensor == "door.front")
        names = {window["sensor"] for payload in self.synced("windows")
                 for window in payload["windows"] if not window["sensor"].startswith("temp.")}
        self.assertEqual(len(names), 1, names)
        token = names.pop()
        got = sorted((window["start_ms"], window["values"]["mean"])
                     for payload in self.synced("windows") for window in payload["windows"]
                     if window["sensor"] == token)
        self.assertEqual(got, expected)

    def test_events_match_cpython(self):
        hot = sorted((sensor, ts) for sensor, ts, value in self.rows
                     if sensor.startswith("temp.") and value > 35.0)
        got = sorted((event["sensor"], event["timestamp_ms"]) for event in self.synced("event")
                     if event["rule"] == "hot" and event["sensor"].startswith("temp."))
        self.assertEqual(got, hot)
        windows = oracle_windows(self.rows, self.kernels)
        spread = sorted((sensor, start) for (sensor, start), v in windows.items()
                        if sensor.startswith("temp.") and v["max"] - v["min"] > 19.0)
        got = sorted((event["sensor"], event["start_ms"]) for event in self.synced("event")
                     if event["rule"] == "spread" and event["sensor"].startswith("temp."))
        self.assertEqual(got, spread)
        for event in self.synced("event"):
            self.assertEqual(event["severity"], "critical" if event["rule"] == "hot" else "warning")

    def test_both_uplinks_receive_every_item(self):
        def key(item):
            return json.dumps(item, sort_keys=True)
        http_items = sorted(map(key, self.receiver.items()))
        mqtt_items = sorted(map(key, self.subscriber.items()))
        self.assertEqual(len(http_items), self.summary["items_queued"] // 2)
        self.assertEqual(http_items, mqtt_items)

    def test_simulated_readings_are_stored_and_synced(self):
        synced = [reading for payload in self.synced("readings") for reading in payload["readings"]]
        self.assertEqual(len(synced), 2000)
        self.assertTrue(all(reading["sensor"].startswith("sim.s") for reading in synced))
        stored = h.stored_reading_count(os.path.join(self.data, "readings.db"))
        # climate stores every raw reading except the dropped sensor's; the simulator's all.
        self.assertEqual(stored, len(self.rows) - 600 + 2000)

    def test_dropped_sensor_appears_nowhere(self):
        wire = self.receiver.raw() + self.subscriber.raw()
        disk = h.all_bytes(self.data)
        for place, data in (("wire", wire), ("disk", disk)):
            self.assertNotIn(b"secret", data, place)
            self.assertNotIn(b"987654", data, place)
            for step in (0, 1, 599):
                self.assertNotIn(struct.pack(">d", SECRET_VALUE_BASE + step / 8), data, place)

    def test_hashed_name_never_appears_in_clear(self):
        for data in (self.receiver.raw(), self.subscriber.raw(), h.all_bytes(self.data)):
            self.assertNotIn(b"door.front", data)
            self.assertNotIn(b"door", data)

    def test_summary_reports_privacy_and_egress(self):
        self.assertEqual(self.summary["dropped"], 600)
        self.assertEqual(self.summary["hashed"], 600)
        self.assertGreater(self.summary["raw_wire_bytes"], 0)
        self.assertGreater(self.summary["uplinked_bytes"], 0)
        self.assertGreater(self.summary["events"], 0)


if __name__ == "__main__":
    unittest.main()
