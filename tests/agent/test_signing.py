"""Signed kernels in the real pyvc-agent: with `kernels.trusted_keys`, the agent loads a kernel
library only when LIB.so.sig is a good signature by one of those keys (made by the real `pyvc
keygen` / `pyvc sign`). At start, one flipped byte in the library or the signature, a wrong key,
a missing signature and a signature for another file each stop the agent with exit 3 and a
message naming the library and the reason; a config that names no keys and does not opt out is
refused; a SIGHUP reload with a bad kernel keeps the old kernels running."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import agent_harness as h  # noqa: E402

CONFIG = """
agent: {{data_dir: data, kernel_dir: kernels}}
metrics: {{listen: "127.0.0.1:{metrics_port}"}}
privacy: {{policy_inline: {{default: allow}}}}
{kernels}
sources:
  - name: sim
    type: simulator
    rate: 400
    seed: 3
    synthetic_time: true
    sensors: [{{pattern: "temp.s{{}}", count: 2, shape: sine, base: 20.0, amplitude: 5.0, period: 10s}}]
pipelines:
  - name: climate
    sensors: ["temp.*"]
    window: {{type: count, size: 20}}
    aggregates: {{mean: "{library}:mean"}}
    store: {{events: false, windows: true, readings: none}}
    sync: {{events: false, windows: false, readings: none}}
"""


def pyvc(*arguments, cwd):
    done = subprocess.run([h.TOOLS["pyvc"], *arguments], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"pyvc {' '.join(arguments)}: {done.stderr}")
    return done.stdout


def flip(path, offset):
    with open(path, "r+b") as file:
        file.seek(offset)
        byte = file.read(1)
        file.seek(offset)
        file.write(bytes([byte[0] ^ 1]))


class SignedKernels(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.built = tempfile.mkdtemp(prefix="pyvc-agent-signing-build-")
        windows_py = os.path.join(h.REPO, "examples", "windows.py")
        h.compile_kernels(windows_py, os.path.join(cls.built, "windows.so"))
        h.compile_kernels(windows_py, os.path.join(cls.built, "windows-o0.so"), "-O0")
        os.mkdir(os.path.join(cls.built, "trusted"))
        pyvc("keygen", "trusted/owner", cwd=cls.built)
        pyvc("keygen", "stranger", cwd=cls.built)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.built)

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="pyvc-agent-signing-")
        self.kernels = os.path.join(self.folder, "kernels")
        os.mkdir(self.kernels)
        for name in ("windows.so", "windows-o0.so"):
            shutil.copy(os.path.join(self.built, name), self.kernels)
            self.sign(name, "trusted/owner.key")
        self.metrics_port = h.free_port()

    def tearDown(self):
        shutil.rmtree(self.folder)

    def sign(self, library, key):
        pyvc("sign", os.path.join(self.kernels, library), "--key", os.path.join(self.built, key),
             cwd=self.built)

    def config(self, library="windows.so", kernels=None):
        if kernels is None:
            kernels = "kernels: {trusted_keys: [%s]}" % os.path.join(self.built, "trusted")
        return h.write(os.path.join(self.folder, "agent.yaml"), CONFIG.format(
            metrics_port=self.metrics_port, kernels=kernels, library=library))

    def run_agent(self, config):
        """pyvc-agent run for a moment: (exit code, stderr)."""
        done = subprocess.run([h.TOOLS["agent"], "run", config, "--duration", "1s"],
                              capture_output=True, text=True, timeout=60)
        return done.returncode, done.stderr

    def assert_refused(self, reason):
        code, stderr = self.run_agent(self.config())
        self.assertEqual(code, 3, stderr)
        library = os.path.join(self.kernels, "windows.so")
        self.assertIn(f"pyvc-agent: pipelines.climate.aggregates.mean: {library}: refused: "
                      f"{reason}", stderr)

    def test_a_signed_kernel_runs(self):
        agent = h.AgentProcess(self.config(), metrics_port=self.metrics_port)
        agent.wait_ready()
        deadline = time.time() + 10
        while time.time() < deadline and h.metric_value(
                agent.metrics(), "pyvc_agent_stored_records_total", store="results") == 0:
            time.sleep(0.05)
        self.assertGreater(h.metric_value(agent.metrics(), "pyvc_agent_stored_records_total",
                                          store="results"), 0, agent.logs())
        code, _ = agent.stop()
        self.assertEqual(code, 0, agent.logs())

    def test_one_flipped_byte_in_the_library_is_refused(self):
        flip(os.path.join(self.kernels, "windows.so"), 5000)
        self.assert_refused("bad signature: it was made for other bytes")

    def test_one_changed_byte_in_the_signature_is_refused(self):
        path = os.path.join(self.kernels, "windows.so.sig")
        with open(path) as file:
            text = file.read()
        at = text.index("ed25519 ") + 8 + 30
        with open(path, "w") as file:
            file.write(text[:at] + ("1" if text[at] == "0" else "0") + text[at + 1:])
        self.assert_refused("bad signature: it does not verify with key")

    def test_a_wrong_key_is_refused(self):
        self.sign("windows.so", "stranger.key")
        self.assert_refused("signed by an untrusted key")

    def test_a_missing_signature_is_refused(self):
        os.remove(os.path.join(self.kernels, "windows.so.sig"))
        self.assert_refused("no signature (")

    def test_a_signature_for_another_file_is_refused(self):
        shutil.copy(os.path.join(self.kernels, "windows-o0.so.sig"),
                    os.path.join(self.kernels, "windows.so.sig"))
        self.assert_refused("bad signature: it was made for other bytes")

    def test_a_config_that_names_no_keys_and_does_not_opt_out_is_refused(self):
        config = self.config(kernels="")
        done = subprocess.run([h.TOOLS["agent"], "check", config], capture_output=True, text=True)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn(f"{config}:1: kernels.trusted_keys: is required: the config loads kernel "
                      "libraries, which must be signed by a trusted key", done.stderr)
        code, stderr = self.run_agent(config)
        self.assertEqual(code, 1, stderr)

    def test_the_development_opt_out_loads_an_unsigned_kernel(self):
        os.remove(os.path.join(self.kernels, "windows.so.sig"))
        code, stderr = self.run_agent(self.config(kernels="kernels: {allow_unsigned: true}"))
        self.assertEqual(code, 0, stderr)

    def test_a_reload_with_a_bad_kernel_keeps_the_old_ones_running(self):
        agent = h.AgentProcess(self.config(), metrics_port=self.metrics_port)
        agent.wait_ready()
        # The new config names a library that is not signed: refused, the old topology goes on.
        shutil.copy(os.path.join(self.built, "windows.so"),
                    os.path.join(self.kernels, "unsigned.so"))
        self.config(library="unsigned.so")
        agent.signal(signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and "reload_refused" not in agent.logs():
            time.sleep(0.05)
        self.assertIn("unsigned.so: refused: no signature", agent.logs())
        before = h.metric_value(agent.metrics(), "pyvc_agent_stored_records_total", store="results")
        time.sleep(0.5)
        self.assertGreater(h.metric_value(agent.metrics(), "pyvc_agent_stored_records_total",
                                          store="results"), before, "the old kernels stopped")
        # Signed, the same reload is taken.
        self.sign("unsigned.so", "trusted/owner.key")
        agent.signal(signal.SIGHUP)
        deadline = time.time() + 10
        while time.time() < deadline and '"reloaded"' not in agent.logs():
            time.sleep(0.05)
        self.assertIn('"reloaded"', agent.logs())
        code, _ = agent.stop()
        self.assertEqual(code, 0, agent.logs())


if __name__ == "__main__":
    unittest.main()
