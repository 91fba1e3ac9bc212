"""The Debian packages, built by CPack from this build tree and checked the way a packager and an
operator would: their control fields (dependencies from dpkg-shlibdeps), lintian with no errors,
apt resolving their dependencies on this system, and an unpack into a scratch root (dpkg --root)
where the installed compiler compiles a kernel, pyvc-call calls it, the agent checks its
packaged config and systemd verifies its unit."""
import glob
import os
import shutil
import subprocess
import tempfile
import unittest

BUILD = os.environ["PYVC_BUILD_DIR"]
SOURCE = os.environ["PYVC_SOURCE_DIR"]
OUT = tempfile.mkdtemp(prefix="pyvc-packages-")


def run(*command, **options):
    return subprocess.run(command, check=True, capture_output=True, text=True, **options).stdout


def free_port():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def field(deb, name):
    return run("dpkg-deb", "-f", deb, name).strip()


def contents(deb):
    return [line.split()[-1].lstrip(".") for line in run("dpkg-deb", "-c", deb).splitlines()]


class Packages(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        run("cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-B", OUT)
        cls.debs = {field(deb, "Package"): deb for deb in glob.glob(os.path.join(OUT, "*.deb"))}
        cls.root = tempfile.mkdtemp(prefix="pyvc-root-")
        admin = os.path.join(cls.root, "var/lib/dpkg")
        os.makedirs(os.path.join(admin, "updates"))
        os.makedirs(os.path.join(admin, "info"))
        open(os.path.join(admin, "status"), "w").close()
        # Unpack only: the maintainer scripts would run systemctl on this machine.
        run("dpkg", f"--root={cls.root}", "--log=/dev/null", "--force-depends", "--unpack",
            *cls.debs.values())
        # Unpacked conffiles wait as NAME.dpkg-new for the configure step; take them in, as
        # configuring a first install does.
        for new in glob.glob(os.path.join(cls.root, "etc/**/*.dpkg-new"), recursive=True):
            os.rename(new, new[:-len(".dpkg-new")])

    def test_four_packages_with_the_expected_names_and_architectures(self):
        arch = run("dpkg", "--print-architecture").strip()
        self.assertEqual(sorted(self.debs), ["python3-pyvc", "pyvc", "pyvc-agent", "pyvc-dev"])
        for package in ("pyvc", "pyvc-agent", "pyvc-dev"):
            self.assertEqual(field(self.debs[package], "Architecture"), arch)
        self.assertEqual(field(self.debs["python3-pyvc"], "Architecture"), "all")

    def test_dependencies_come_from_shlibdeps_and_resolve_on_this_system(self):
        depends = field(self.debs["pyvc-agent"], "Depends")
        for library in ("libc6", "libstdc++6", "libsqlite3-0", "libcurl4", "libmosquitto1",
                        "libssl3", "libffi8"):
            self.assertIn(library + " (>=", depends)  # versioned: shlibdeps, not a hand list
        self.assertNotIn("yaml-cpp", depends)  # linked statically (runtime/config)
        # The compiler package's driver is static; its rules-module helper links yaml-cpp and
        # OpenSSL, and nothing links LLVM dynamically.
        compiler = field(self.debs["pyvc"], "Depends")
        self.assertNotIn("libllvm", compiler.lower())
        run("apt-get", "install", "--simulate", "--no-install-recommends",
            *[os.path.abspath(deb) for deb in self.debs.values()])

    def test_lintian_reports_no_errors(self):
        result = subprocess.run(["lintian", "--fail-on", "error", "--suppress-tags",
                                 "no-manual-page", *self.debs.values()],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
        self.assertEqual(errors, [])

    def test_files_are_where_the_unit_and_config_say(self):
        agent = contents(self.debs["pyvc-agent"])
        for path in ("/usr/bin/pyvc-agent", "/usr/bin/pyvc-call", "/etc/pyvc-agent/agent.yaml",
                     "/lib/systemd/system/pyvc-agent.service",
                     "/usr/lib/pyvc/kernels/windows.so",
                     "/usr/share/doc/pyvc-agent/copyright"):
            self.assertIn(path, agent)
        compiler = contents(self.debs["pyvc"])
        for path in ("/usr/bin/pyvc", "/usr/libexec/pyvc-driver", "/usr/share/doc/pyvc/copyright"):
            self.assertIn(path, compiler)
        dev = contents(self.debs["pyvc-dev"])
        self.assertIn("/usr/include/pyvc/kernel_abi.h", dev)
        self.assertTrue(any(p.endswith("/pyvcConfig.cmake") for p in dev))
        self.assertTrue(any(p.endswith("/pyvc-runtime.pc") for p in dev))
        conffiles = run("dpkg-query", f"--admindir={self.root}/var/lib/dpkg", "-W",
                        "-f=${Conffiles}", "pyvc-agent")
        self.assertIn("/etc/pyvc-agent/agent.yaml", conffiles)
        self.assertIn("/etc/pyvc-agent/trusted-keys/pyvc-package.pub", conffiles)

    def test_the_unpacked_tools_work_from_the_scratch_root(self):
        kernel = os.path.join(OUT, "scale.py")
        with open(kernel, "w") as out:
            out.write("def scale(x: float, k: int) -> float:\n    return x * k + 0.5\n")
        library = os.path.join(OUT, "scale.so")
        run(os.path.join(self.root, "usr/bin/pyvc"), "compile", kernel, "--no-cache", "-o", library)
        answer = run(os.path.join(self.root, "usr/bin/pyvc-call"), library, "scale",
                     input="[1.25, 4]")
        self.assertEqual(answer.strip(), '{"ok": 5.5}')  # 1.25 * 4 + 0.5, as CPython says
        version = run(os.path.join(self.root, "usr/bin/pyvc-agent"), "--version")
        self.assertIn("pyvc-agent 0.1.0", version)

    def test_the_packaged_config_runs_the_signed_packaged_kernels(self):
        """/etc/pyvc-agent/agent.yaml as shipped, with only its absolute paths moved into the
        scratch root: the agent trusts the package key and runs the signed example kernels."""
        with open(os.path.join(self.root, "etc/pyvc-agent/agent.yaml")) as source:
            config = source.read()
        state = tempfile.mkdtemp(prefix="pyvc-state-")
        config = (config.replace("/var/lib/pyvc-agent", state)
                  .replace("/etc/pyvc-agent", os.path.join(self.root, "etc/pyvc-agent"))
                  .replace("/usr/lib/pyvc", os.path.join(self.root, "usr/lib/pyvc"))
                  .replace("127.0.0.1:9464", f"127.0.0.1:{free_port()}"))
        path = os.path.join(state, "agent.yaml")
        with open(path, "w") as out:
            out.write(config)
        summary = run(os.path.join(self.root, "usr/bin/pyvc-agent"), "run", path,
                      "--duration", "3s", "--summary", "json")
        import json
        figures = json.loads(summary)
        self.assertGreater(figures["readings_in"], 0)
        # A kernel the package key did not sign is refused under the same config.
        with open(os.path.join(self.root, "usr/lib/pyvc/kernels/windows.so"), "r+b") as kernel:
            kernel.seek(100)
            byte = kernel.read(1)
            kernel.seek(100)
            kernel.write(bytes([byte[0] ^ 1]))
        try:
            refused = subprocess.run([os.path.join(self.root, "usr/bin/pyvc-agent"), "run", path,
                                      "--duration", "1s"], capture_output=True, text=True)
        finally:
            with open(os.path.join(self.root, "usr/lib/pyvc/kernels/windows.so"), "r+b") as kernel:
                kernel.seek(100)
                kernel.write(byte)
        self.assertEqual(refused.returncode, 3, refused.stderr)
        self.assertIn("windows.so", refused.stderr)

    def test_systemd_verifies_the_unit_in_the_scratch_root(self):
        units = os.path.join(self.root, "lib/systemd/system")
        for unit in glob.glob("/usr/lib/systemd/system/*.target"):
            shutil.copy(unit, units)
        os.makedirs(os.path.join(self.root, "usr/bin"), exist_ok=True)
        shutil.copy(shutil.which("kill"), os.path.join(self.root, "usr/bin/kill"))
        result = subprocess.run(["systemd-analyze", "verify", f"--root={self.root}",
                                 "/lib/systemd/system/pyvc-agent.service"],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr.strip(), "")
        security = run("systemd-analyze", "security", "--offline=yes", f"--root={self.root}",
                       "/lib/systemd/system/pyvc-agent.service")
        score = float(security.strip().splitlines()[-1].split("level for pyvc-agent.service:")[1]
                      .split()[0])
        self.assertLessEqual(score, 2.0)  # docs/INSTALL.md records the figure


AARCH64_BUILD = os.environ.get("PYVC_AARCH64_BUILD_DIR", "")


@unittest.skipUnless(os.path.exists(os.path.join(AARCH64_BUILD, "CPackConfig.cmake")),
                     "no cross build (scripts/build-aarch64.sh makes one; scripts/test.sh does)")
class Arm64Packages(unittest.TestCase):
    """pyvc-agent and pyvc-dev for the Raspberry Pi, from the cross build: arm64 control fields,
    dependencies from dpkg-shlibdeps on the arm64 binaries, lintian, and the unpacked agent
    under qemu-aarch64."""

    @classmethod
    def setUpClass(cls):
        out = tempfile.mkdtemp(prefix="pyvc-packages-arm64-")
        run("cpack", "-G", "DEB", "--config", os.path.join(AARCH64_BUILD, "CPackConfig.cmake"),
            "-B", out)
        cls.debs = {field(deb, "Package"): deb for deb in glob.glob(os.path.join(out, "*.deb"))}

    def test_agent_and_dev_for_arm64_with_shlibdeps_dependencies(self):
        self.assertEqual(sorted(self.debs), ["pyvc-agent", "pyvc-dev"])
        for deb in self.debs.values():
            self.assertEqual(field(deb, "Architecture"), "arm64")
        depends = field(self.debs["pyvc-agent"], "Depends")
        for library in ("libc6", "libstdc++6", "libsqlite3-0", "libcurl4", "libmosquitto1",
                        "libssl3", "libffi8"):
            self.assertIn(library + " (>=", depends)
        root = tempfile.mkdtemp(prefix="pyvc-root-arm64-")
        run("dpkg-deb", "-x", self.debs["pyvc-agent"], root)
        self.assertIn("ARM aarch64", run("file", "-b", os.path.join(root, "usr/bin/pyvc-agent")))
        self.assertIn("ARM aarch64",
                      run("file", "-b", os.path.join(root, "usr/lib/pyvc/kernels/windows.so")))
        version = run("qemu-aarch64", "-L", "/", os.path.join(root, "usr/bin/pyvc-agent"),
                      "--version")
        self.assertIn("pyvc-agent 0.1.0", version)

    def test_lintian_reports_no_errors(self):
        result = subprocess.run(["lintian", "--fail-on", "error", "--suppress-tags",
                                 "no-manual-page", *self.debs.values()],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main()
