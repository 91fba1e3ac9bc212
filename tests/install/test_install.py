"""The install, end to end: `cmake --install` of the already built tree into a temporary prefix,
which is then moved, and everything used from where it landed — the compiler, pyvc-call, the
agent, the Python package, the CMake package (pyvc_add_kernels for the host and for aarch64,
the runtime's imported targets) and the pkg-config file. Results are checked against CPython.

Environment: PYVC_BUILD_DIR (the built tree), PYVC_SOURCE_DIR (the repository).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BUILD = os.environ["PYVC_BUILD_DIR"]
SOURCE = os.environ["PYVC_SOURCE_DIR"]
EXAMPLE = os.path.join(SOURCE, "examples", "cmake-project")
CONSUMER = os.path.join(SOURCE, "tests", "install", "runtime-consumer")
TOOLCHAIN = os.path.join(SOURCE, "cmake", "aarch64-linux-gnu.cmake")
QEMU = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]
CPYTHON = "/usr/bin/python3"


def run(command, **options):
    """Runs a command, failing the test with its output when it fails."""
    result = subprocess.run(command, capture_output=True, text=True, **options)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {result.returncode}\n"
                             f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


class InstalledPrefix(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.scratch = tempfile.mkdtemp(prefix="pyvc-install-")
        installed = os.path.join(cls.scratch, "prefix")
        # Installs what is built: `cmake --install` never builds, so a stale or partial tree
        # shows up here as a missing file.
        run(["cmake", "--install", BUILD, "--prefix", installed])
        # Nothing may remember where it was installed.
        cls.prefix = os.path.join(cls.scratch, "moved", "elsewhere")
        os.makedirs(os.path.dirname(cls.prefix))
        shutil.move(installed, cls.prefix)
        cls.environment = dict(os.environ, PYVC_CACHE_DIR=os.path.join(cls.scratch, "cache"))
        for variable in ("PYVC_DRIVER", "PYVC_RULES_MODULE", "PYVC_KERNEL_DIR"):
            cls.environment.pop(variable, None)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.prefix, *parts)

    def scratchDir(self, name):
        folder = os.path.join(self.scratch, name)
        os.makedirs(folder, exist_ok=True)
        return folder

    def test_files_are_in_their_fhs_places(self):
        expected = [
            "bin/pyvc", "bin/pyvc-call", "bin/pyvc-agent",
            "libexec/pyvc-driver", "libexec/pyvc-rules-module",
            "lib/pyvc/kernels/windows.so", "lib/pyvc/kernels/default-rules.so",
            "include/pyvc/kernel_abi.h", "include/pyvc/loader/KernelLibrary.h",
            "include/pyvc/core/Result.h", "include/pyvc/agent/Agent.h",
            "lib/libpyvc_loader.a", "lib/libpyvc_core.a", "lib/libpyvc_agent.a",
            "lib/cmake/pyvc/pyvcRuntime.cmake", "lib/cmake/pyvc/pyvcRuntimeTargets.cmake",
            "lib/pkgconfig/pyvc-runtime.pc",
            "share/cmake/pyvc/pyvcConfig.cmake", "share/cmake/pyvc/pyvcConfigVersion.cmake",
            "share/cmake/pyvc/PyvcAddKernels.cmake",
            "lib/python3/dist-packages/pyvc/__init__.py",
            "share/doc/pyvc/CLI.md", "share/doc/pyvc-agent/AGENT.md",
            "share/doc/pyvc-dev/CMAKE.md",
        ]
        missing = [name for name in expected if not os.path.isfile(self.path(name))]
        self.assertEqual(missing, [])
        # Build-only tools and the sources' caches stay out.
        self.assertFalse(os.path.exists(self.path("libexec/pyvc-reload-huge-pages")))
        stray = [os.path.join(folder, name) for folder, folders, _ in os.walk(self.prefix)
                 for name in folders if name == "__pycache__"]
        self.assertEqual(stray, [])

    def test_installed_files_do_not_name_the_build_tree(self):
        # A relocatable prefix: no text file may point back into the build or source tree.
        offenders = []
        for folder, _, names in os.walk(self.prefix):
            for name in names:
                if not name.endswith((".cmake", ".pc", ".py", ".h")):
                    continue
                with open(os.path.join(folder, name), encoding="utf-8") as text:
                    content = text.read()
                if BUILD in content or self.scratch in content:
                    offenders.append(os.path.relpath(os.path.join(folder, name), self.prefix))
        self.assertEqual(offenders, [])

    def test_moved_compiler_and_pyvc_call(self):
        work = self.scratchDir("compile")
        library = os.path.join(work, "windows.so")
        run([self.path("bin/pyvc"), "compile", os.path.join(SOURCE, "examples/windows.py"),
             "-o", library], env=self.environment)
        called = run([self.path("bin/pyvc-call"), library, "mean"],
                     input="[[1.0, 2.0, 4.5]]\n[[]]\n", env=self.environment)
        self.assertEqual(called.stdout.splitlines(),
                         ['{"ok": 2.5}',
                          '{"error": "ZeroDivisionError", "message": "float division by zero"}'])

    def test_moved_agent_finds_its_default_kernels(self):
        work = self.scratchDir("agent")
        checked = run([self.path("bin/pyvc-agent"), "check"], cwd=work, env=self.environment)
        self.assertEqual(checked.stdout, "<embedded default>: ok (1 sources, 2 pipelines, 0 uplinks)\n")
        # `run` loads the kernels: it starts only when the moved lib/pyvc/kernels is found.
        ran = run([self.path("bin/pyvc-agent"), "run", "--duration", "1s", "--summary", "json",
                   "--log-level", "error"], cwd=work, env=self.environment)
        self.assertGreater(json.loads(ran.stdout)["readings_in"], 0)
        # The same run without them fails, naming the library: the check above can fail.
        broken = subprocess.run([self.path("bin/pyvc-agent"), "run", "--duration", "1s"],
                                cwd=work, capture_output=True, text=True,
                                env=dict(self.environment, PYVC_KERNEL_DIR=work))
        self.assertEqual(broken.returncode, 3, broken.stderr)
        self.assertIn(os.path.join(work, "windows.so"), broken.stderr)

    def test_python_package_from_the_prefix(self):
        work = self.scratchDir("python")
        library = os.path.join(work, "windows.so")
        run([self.path("bin/pyvc"), "compile", os.path.join(SOURCE, "examples/windows.py"),
             "-o", library], env=self.environment)
        program = ("import pyvc, sys; lib = pyvc.load(sys.argv[1]); "
                   "print(pyvc.__file__); print(lib.variance([1.0, 2.0, 4.5]))")
        loaded = run([CPYTHON, "-c", program, library], cwd=work,
                     env=dict(self.environment,
                              PYTHONPATH=self.path("lib/python3/dist-packages")))
        where, variance = loaded.stdout.splitlines()
        self.assertEqual(where, self.path("lib/python3/dist-packages/pyvc/__init__.py"))
        mean = (1.0 + 2.0 + 4.5) / 3
        self.assertEqual(float(variance),
                         sum((x - mean) ** 2 for x in [1.0, 2.0, 4.5]) / 3)

    def buildExample(self, folder, *options):
        run(["cmake", "-S", EXAMPLE, "-B", folder, "-G", "Ninja",
             f"-DCMAKE_PREFIX_PATH={self.prefix}", *options], env=self.environment)
        run(["cmake", "--build", folder], env=self.environment)

    def expectedReport(self):
        return run([CPYTHON, os.path.join(EXAMPLE, "reference.py")]).stdout

    def test_example_for_the_host_matches_cpython(self):
        folder = os.path.join(self.scratch, "example-host")
        self.buildExample(folder)
        report = run([os.path.join(folder, "window-report")], env=self.environment)
        self.assertEqual(report.stdout, self.expectedReport())

    def test_example_rebuilds_only_the_edited_kernel(self):
        folder = os.path.join(self.scratch, "example-edit")
        # A copy of the example, so the test edits no file of the repository.
        project = os.path.join(self.scratch, "example-edit-source")
        shutil.copytree(EXAMPLE, project)
        run(["cmake", "-S", project, "-B", folder, "-G", "Ninja",
             f"-DCMAKE_PREFIX_PATH={self.prefix}"], env=self.environment)
        run(["cmake", "--build", folder], env=self.environment)
        outputs = os.path.join(folder, "example_kernels.pyvc")
        names = ["stats.so", "include/stats.h", "smoothing.so", "include/smoothing.h"]
        before = {name: os.stat(os.path.join(outputs, name)).st_mtime_ns for name in names}
        os.utime(os.path.join(project, "kernels", "stats.py"))
        planned = run(["ninja", "-C", folder, "-n"], env=self.environment).stdout
        self.assertIn("pyvc: compiling stats.py", planned)
        self.assertNotIn("pyvc: compiling smoothing.py", planned)
        run(["cmake", "--build", folder], env=self.environment)
        after = {name: os.stat(os.path.join(outputs, name)).st_mtime_ns for name in names}
        changed = sorted(name for name in names if after[name] != before[name])
        self.assertEqual(changed, ["include/stats.h", "stats.so"])

    def test_example_for_aarch64_matches_cpython_under_qemu(self):
        folder = os.path.join(self.scratch, "example-aarch64")
        self.buildExample(folder, f"-DCMAKE_TOOLCHAIN_FILE={TOOLCHAIN}")
        for built in ["window-report", "example_kernels.pyvc/stats.so",
                      "example_kernels.pyvc/smoothing.so"]:
            header = run(["readelf", "-h", os.path.join(folder, built)]).stdout
            self.assertIn("AArch64", header, built)
        report = run(QEMU + [os.path.join(folder, "window-report")], env=self.environment)
        self.assertEqual(report.stdout, self.expectedReport())

    def consumerArguments(self, work):
        library = os.path.join(work, "windows.so")
        run([self.path("bin/pyvc"), "compile", os.path.join(SOURCE, "examples/windows.py"),
             "-o", library], env=self.environment)
        return [library, "sum_gt", "[[21.5, 22.0, 35.5], 22.0]"]

    def test_runtime_targets_link_a_program(self):
        work = self.scratchDir("consumer")
        folder = os.path.join(work, "build")
        run(["cmake", "-S", CONSUMER, "-B", folder, "-G", "Ninja",
             f"-DCMAKE_PREFIX_PATH={self.prefix}"], env=self.environment)
        run(["cmake", "--build", folder], env=self.environment)
        output = run([os.path.join(folder, "runtime-consumer")] + self.consumerArguments(work),
                     cwd=work, env=self.environment)
        self.assertEqual(output.stdout, '{"ok": 35.5}\nabi 2, default config: 2 pipelines\n')

    def test_pkg_config_links_the_same_program(self):
        work = self.scratchDir("pkg-config")
        environment = dict(self.environment, PKG_CONFIG_PATH=self.path("lib/pkgconfig"))
        flags = run(["pkg-config", "--cflags", "--libs", "pyvc-runtime"], env=environment)
        program = os.path.join(work, "runtime-consumer")
        run(["c++", "-std=c++20", os.path.join(CONSUMER, "main.cpp"), "-o", program]
            + flags.stdout.split(), env=environment)
        output = run([program] + self.consumerArguments(work), cwd=work, env=environment)
        self.assertEqual(output.stdout, '{"ok": 35.5}\nabi 2, default config: 2 pipelines\n')

    def test_cross_build_is_not_offered_the_host_runtime(self):
        folder = os.path.join(self.scratch, "consumer-aarch64")
        configured = subprocess.run(
            ["cmake", "-S", CONSUMER, "-B", folder, "-G", "Ninja",
             f"-DCMAKE_PREFIX_PATH={self.prefix}", f"-DCMAKE_TOOLCHAIN_FILE={TOOLCHAIN}"],
            capture_output=True, text=True, env=self.environment)
        self.assertNotEqual(configured.returncode, 0)
        message = " ".join(configured.stderr.split())
        self.assertIn("component `runtime`: the runtime libraries in "
                      f"{self.prefix} are built for x86_64, and this build is for aarch64",
                      message)

    def test_wrong_pyvc_add_kernels_arguments_are_named(self):
        cases = {
            "SOURCES kernel.py OPT_LEVEL 7":
                "pyvc_add_kernels(k): OPT_LEVEL must be 0, 1, 2 or 3, is `7`",
            "SOURCES kernel.py OPT_LEVEL 1 EXTRA": "pyvc_add_kernels(k): unknown arguments `EXTRA`",
            "OPT_LEVEL 1": "pyvc_add_kernels(k): SOURCES names no kernel file",
            "SOURCES kernel.py missing.py": "pyvc_add_kernels(k): no kernel file ",
        }
        for number, (arguments, expected) in enumerate(cases.items()):
            project = self.scratchDir(f"wrong-{number}")
            with open(os.path.join(project, "kernel.py"), "w", encoding="utf-8") as file:
                file.write("def twice(x: float) -> float:\n    return 2.0 * x\n")
            with open(os.path.join(project, "CMakeLists.txt"), "w", encoding="utf-8") as file:
                file.write("cmake_minimum_required(VERSION 3.25)\nproject(wrong NONE)\n"
                           "find_package(pyvc CONFIG REQUIRED COMPONENTS kernels)\n"
                           f"pyvc_add_kernels(k {arguments})\n")
            configured = subprocess.run(
                ["cmake", "-S", project, "-B", os.path.join(project, "build"),
                 f"-DCMAKE_PREFIX_PATH={self.prefix}"],
                capture_output=True, text=True, env=self.environment)
            self.assertNotEqual(configured.returncode, 0, arguments)
            message = " ".join(configured.stderr.split())
            self.assertIn(expected, message, arguments)
            if "missing.py" in arguments:
                self.assertIn(os.path.join(project, "missing.py"), message)

    def test_sign_key_signs_each_library_at_build_time(self):
        project = self.scratchDir("signed")
        with open(os.path.join(project, "kernel.py"), "w", encoding="utf-8") as file:
            file.write("def twice(x: float) -> float:\n    return 2.0 * x\n")
        with open(os.path.join(project, "CMakeLists.txt"), "w", encoding="utf-8") as file:
            file.write("cmake_minimum_required(VERSION 3.25)\nproject(signed NONE)\n"
                       "find_package(pyvc CONFIG REQUIRED COMPONENTS kernels)\n"
                       "pyvc_add_kernels(k SOURCES kernel.py SIGN_KEY owner.key)\n"
                       "add_custom_target(everything ALL DEPENDS k.compile)\n")
        pyvc = self.path("bin", "pyvc")
        run([pyvc, "keygen", os.path.join(project, "owner")], env=self.environment)
        folder = os.path.join(project, "build")
        run(["cmake", "-S", project, "-B", folder, "-G", "Ninja",
             f"-DCMAKE_PREFIX_PATH={self.prefix}"], env=self.environment)
        run(["cmake", "--build", folder], env=self.environment)
        library = os.path.join(folder, "k.pyvc", "kernel.so")
        self.assertTrue(os.path.exists(library + ".sig"))
        run([pyvc, "verify", library, "--trusted-key", os.path.join(project, "owner.pub")],
            env=self.environment)
        # The signature is of these bytes: a flipped byte is refused.
        with open(library, "r+b") as file:
            file.seek(64)
            byte = file.read(1)
            file.seek(64)
            file.write(bytes([byte[0] ^ 0x40]))
        refused = subprocess.run([pyvc, "verify", library, "--trusted-key",
                                  os.path.join(project, "owner.pub")],
                                 capture_output=True, text=True, env=self.environment)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("kernel.so", refused.stderr + refused.stdout)


if __name__ == "__main__":
    unittest.main()
