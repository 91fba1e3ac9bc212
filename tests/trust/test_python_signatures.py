"""pyvc.load(path, trusted_keys=...): the Python loader's signature check, on the loader's test
library with keys and signatures made by the real `pyvc keygen` / `pyvc sign` helper (pyvc-keys).
The good path loads and calls; one flipped byte in the library or the signature, a wrong key, a
missing signature and a signature for another file are each refused with SignatureError."""
import os
import shutil
import subprocess
import tempfile
import unittest

import pyvc

KEYS_TOOL = os.environ["PYVC_KEYS"]


def keys_tool(*arguments, cwd):
    subprocess.run([KEYS_TOOL, *arguments], cwd=cwd, check=True, capture_output=True)


class PythonSignatures(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="pyvc-python-signatures-")
        self.library = os.path.join(self.folder, "kernels.so")
        self.other = os.path.join(self.folder, "other.so")
        shutil.copy(os.environ["PYVC_TEST_KERNELS"], self.library)
        shutil.copy(os.environ["PYVC_TEST_KERNELS_ABI1"], self.other)
        os.mkdir(os.path.join(self.folder, "keys"))
        keys_tool("keygen", "keys/owner", cwd=self.folder)
        keys_tool("keygen", "stranger", cwd=self.folder)
        os.rename(os.path.join(self.folder, "keys", "owner.key"),
                  os.path.join(self.folder, "owner.key"))
        for library in (self.library, self.other):
            keys_tool("sign", library, "--key", "owner.key", cwd=self.folder)
        self.owner = os.path.join(self.folder, "keys", "owner.pub")

    def tearDown(self):
        shutil.rmtree(self.folder)

    def refusal(self, trusted=None):
        with self.assertRaises(pyvc.SignatureError) as caught:
            pyvc.load(self.library, trusted_keys=trusted or self.owner)
        self.assertTrue(str(caught.exception).startswith(self.library + ": refused: "),
                        str(caught.exception))
        return caught.exception

    def flip(self, path, offset):
        with open(path, "r+b") as file:
            file.seek(offset)
            byte = file.read(1)
            file.seek(offset)
            file.write(bytes([byte[0] ^ 1]))

    def test_a_signed_library_loads_from_a_key_file_or_folder_and_runs(self):
        library = pyvc.load(self.library, trusted_keys=self.owner)
        self.assertEqual(library.div(7, 2), 3)
        owner_id = pyvc._signature.read_public_key(self.owner)[0]
        self.assertEqual(library.signer, owner_id)
        by_folder = pyvc.load(self.library, trusted_keys=[os.path.dirname(self.owner)])
        self.assertEqual(by_folder.div(9, 2), 4)
        # The file changed after loading: the sealed copy keeps running.
        with open(self.library, "wb") as file:
            file.write(b"gone")
        self.assertEqual(library.div(-7, 2), -4)

    def test_one_flipped_byte_in_the_library_is_refused(self):
        self.flip(self.library, 4000)
        self.assertEqual(self.refusal().reason, "other-content")

    def test_one_changed_byte_in_the_signature_is_refused(self):
        path = self.library + ".sig"
        with open(path) as file:
            text = file.read()
        at = text.index("ed25519 ") + 8 + 20
        text = text[:at] + ("1" if text[at] == "0" else "0") + text[at + 1:]
        with open(path, "w") as file:
            file.write(text)
        error = self.refusal()
        self.assertEqual(error.reason, "bad-signature")
        self.assertIn("does not verify with key", str(error))

    def test_a_wrong_key_is_refused(self):
        keys_tool("sign", self.library, "--key", "stranger.key", cwd=self.folder)
        error = self.refusal()
        self.assertEqual(error.reason, "untrusted-key")
        stranger = pyvc._signature.read_public_key(os.path.join(self.folder, "stranger.pub"))[0]
        self.assertIn("signed by an untrusted key " + stranger, str(error))

    def test_a_missing_signature_is_refused(self):
        os.remove(self.library + ".sig")
        error = self.refusal()
        self.assertEqual(error.reason, "missing")
        self.assertEqual(str(error), "%s: refused: no signature (%s.sig does not exist; sign it "
                         "with `pyvc sign %s --key KEY`)" % (self.library, self.library,
                                                             self.library))

    def test_a_signature_for_another_file_is_refused(self):
        shutil.copy(self.other + ".sig", self.library + ".sig")
        self.assertEqual(self.refusal().reason, "other-content")

    def test_a_malformed_signature_is_refused(self):
        with open(self.library + ".sig", "w") as file:
            file.write("pyvc-kernel-signature v2\n")
        self.assertEqual(self.refusal().reason, "malformed")

    def test_the_python_and_cpp_checks_agree_on_the_key_id(self):
        # `pyvc-keys verify` names the signer; Python must compute the same id from the .pub.
        done = subprocess.run([KEYS_TOOL, "verify", self.library, "--trusted-key", self.owner],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        owner_id = pyvc._signature.read_public_key(self.owner)[0]
        self.assertEqual(done.stdout, "%s: good signature by key %s (%s)\n"
                         % (self.library, owner_id, self.owner))

    def test_no_trusted_key_at_all_is_an_error(self):
        os.mkdir(os.path.join(self.folder, "empty"))
        with self.assertRaises(ValueError):
            pyvc.load(self.library, trusted_keys=os.path.join(self.folder, "empty"))


if __name__ == "__main__":
    unittest.main()
