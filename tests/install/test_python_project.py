"""runtime/python as a Python project: the documented offline pip command installs it into a
fresh virtual environment (Debian's setuptools, no download), and the installed package loads a
kernel compiled by this build's pyvc and calls it.

Environment: PYVC (the built pyvc), PYVC_SOURCE_DIR (the repository).
"""
import os
import shutil
import subprocess
import tempfile
import unittest

PYVC = os.environ["PYVC"]
SOURCE = os.environ["PYVC_SOURCE_DIR"]


def run(command, **options):
    result = subprocess.run(command, capture_output=True, text=True, **options)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {result.returncode}\n"
                             f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


class PipInstall(unittest.TestCase):
    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix="pyvc-pip-")
        self.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)

    def test_offline_pip_install_loads_and_calls_a_kernel(self):
        # pip builds in the source folder (build/, *.egg-info): build a copy, not the checkout.
        project = os.path.join(self.scratch, "python")
        shutil.copytree(os.path.join(SOURCE, "runtime", "python"), project,
                        ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
        venv = os.path.join(self.scratch, "venv")
        run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", venv])
        python = os.path.join(venv, "bin", "python")
        # No index and no network: what docs/CMAKE.md tells a user to run.
        environment = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
        environment.pop("PYTHONPATH", None)
        run([python, "-m", "pip", "install", "--no-index", "--no-build-isolation", project],
            env=environment)
        library = os.path.join(self.scratch, "windows.so")
        run([PYVC, "compile", os.path.join(SOURCE, "examples", "windows.py"), "-o", library,
             "--no-cache"])
        program = ("import pyvc, sys\n"
                   "lib = pyvc.load(sys.argv[1])\n"
                   "print(pyvc.__file__)\n"
                   "print(lib.sum_gt([21.5, 22.0, 35.5], 22.0))\n"
                   "try:\n"
                   "    lib.mean([])\n"
                   "except ZeroDivisionError:\n"
                   "    print('ZeroDivisionError')\n")
        # Run from the scratch folder, so no checkout's runtime/python can be imported instead.
        output = run([python, "-c", program, library], cwd=self.scratch, env=environment)
        where, total, error = output.stdout.splitlines()
        self.assertTrue(where.startswith(os.path.join(venv, "lib")), where)
        self.assertEqual(float(total), sum(x for x in [21.5, 22.0, 35.5] if x > 22.0))
        self.assertEqual(error, "ZeroDivisionError")
        version = run([python, "-m", "pip", "show", "pyvc"], env=environment).stdout
        self.assertIn("Version: 0.1.0", version.splitlines())


if __name__ == "__main__":
    unittest.main()
