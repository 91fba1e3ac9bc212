"""Kernel library signatures (LIB.so.sig, format version 1, docs/CLI.md "pyvc sign"): the same
check the agent and pyvc-call run before dlopen, for `pyvc.load(path, trusted_keys=...)`.

Ed25519 verification goes through ctypes to OpenSSL's libcrypto.so.3, like the rest of this
package goes through ctypes: no module to install, and the library is the one the agent already
links. Key files are PEM SubjectPublicKeyInfo, whose Ed25519 form is a fixed 12-byte prefix and
the 32 raw key bytes, so they are read here without OpenSSL's PEM code."""

import base64
import ctypes
import ctypes.util
import fcntl
import hashlib
import os

SIGNATURE_HEADER = "pyvc-kernel-signature v1"
SIGNED_PREFIX = b"pyvc-kernel-signature v1\n"
# DER of SubjectPublicKeyInfo { AlgorithmIdentifier { id-Ed25519 }, BIT STRING (32 bytes) }.
_ED25519_SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")
_EVP_PKEY_ED25519 = 1087  # NID_ED25519
_MAX_SIGNATURE_BYTES = 4096


class SignatureError(OSError):
    """The library is refused: `reason` is "missing", "malformed", "untrusted-key",
    "other-content" or "bad-signature"; the message names the library and says why."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


def key_id(raw):
    """The id of a raw Ed25519 public key: the first 8 bytes of its SHA-256, in hex."""
    return hashlib.sha256(raw).hexdigest()[:16]


def read_public_key(path):
    """(key id, raw 32 bytes) of a PEM Ed25519 public key file; ValueError naming it otherwise."""
    with open(path, "rb") as file:
        text = file.read(65536).decode("ascii", "replace")
    begin, end = "-----BEGIN PUBLIC KEY-----", "-----END PUBLIC KEY-----"
    if begin not in text or end not in text:
        raise ValueError('%s: not a PEM public key ("BEGIN PUBLIC KEY")' % path)
    body = text.split(begin, 1)[1].split(end, 1)[0]
    try:
        der = base64.b64decode("".join(body.split()), validate=True)
    except ValueError:
        raise ValueError("%s: the PEM body is not base64" % path) from None
    if len(der) != 44 or not der.startswith(_ED25519_SPKI_PREFIX):
        raise ValueError("%s: not an Ed25519 public key; kernel signatures are Ed25519" % path)
    raw = der[len(_ED25519_SPKI_PREFIX):]
    return key_id(raw), raw


def load_trusted_keys(paths):
    """{key id: (raw key, origin path)} from key files and folders of *.pub files. A single path
    may be given as it is. A missing path or a folder without keys is a ValueError: a trust
    configuration that trusts nothing is a mistake."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    keys = {}
    for path in paths:
        path = os.fspath(path)
        if os.path.isdir(path):
            files = sorted(os.path.join(path, name) for name in os.listdir(path)
                           if name.endswith(".pub") and os.path.isfile(os.path.join(path, name)))
            if not files:
                raise ValueError("%s: the folder holds no public key (*.pub)" % path)
        elif os.path.exists(path):
            files = [path]
        else:
            raise ValueError("%s: no such key file or folder" % path)
        for file in files:
            identifier, raw = read_public_key(file)
            keys.setdefault(identifier, (raw, file))
    return keys


def parse_signature(text):
    """(key id, sha256 bytes, signature bytes) of a signature file's text; ValueError otherwise."""
    lines = text.split("\n")
    if not text.endswith("\n"):
        raise ValueError("the last line has no newline (a truncated file?)")
    lines.pop()
    if not lines or lines[0] != SIGNATURE_HEADER:
        raise ValueError("line 1: expected `%s` (another format or version)" % SIGNATURE_HEADER)
    if len(lines) != 4:
        raise ValueError("expected 4 lines, found %d" % len(lines))
    values = []
    for number, (field, size) in enumerate((("key-id", 8), ("sha256", 32), ("ed25519", 64)), 2):
        line = lines[number - 1]
        value = line[len(field) + 1:]
        if (not line.startswith(field + " ") or len(value) != 2 * size
                or value.strip("0123456789abcdef")):
            raise ValueError("line %d: expected `%s ` and %d lower-case hex digits"
                             % (number, field, 2 * size))
        values.append(value if field == "key-id" else bytes.fromhex(value))
    return tuple(values)


_libcrypto = None


def _crypto():
    global _libcrypto
    if _libcrypto is None:
        name = ctypes.util.find_library("crypto") or "libcrypto.so.3"
        try:
            library = ctypes.CDLL(name)
        except OSError as error:
            raise OSError("cannot verify kernel signatures: OpenSSL's libcrypto cannot be "
                          "loaded (%s)" % error) from None
        library.EVP_PKEY_new_raw_public_key.restype = ctypes.c_void_p
        library.EVP_PKEY_new_raw_public_key.argtypes = [ctypes.c_int, ctypes.c_void_p,
                                                        ctypes.c_char_p, ctypes.c_size_t]
        library.EVP_PKEY_free.argtypes = [ctypes.c_void_p]
        library.EVP_MD_CTX_new.restype = ctypes.c_void_p
        library.EVP_MD_CTX_free.argtypes = [ctypes.c_void_p]
        library.EVP_DigestVerifyInit.argtypes = [ctypes.c_void_p, ctypes.c_void_p,
                                                 ctypes.c_void_p, ctypes.c_void_p,
                                                 ctypes.c_void_p]
        library.EVP_DigestVerify.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                             ctypes.c_char_p, ctypes.c_size_t]
        _libcrypto = library
    return _libcrypto


def ed25519_verify(raw_key, message, signature):
    crypto = _crypto()
    key = crypto.EVP_PKEY_new_raw_public_key(_EVP_PKEY_ED25519, None, raw_key, len(raw_key))
    context = crypto.EVP_MD_CTX_new()
    try:
        if not key or not context:
            raise MemoryError("cannot set up an Ed25519 verification")
        if crypto.EVP_DigestVerifyInit(context, None, None, None, key) != 1:
            return False
        return crypto.EVP_DigestVerify(context, signature, len(signature), message,
                                       len(message)) == 1
    finally:
        crypto.EVP_MD_CTX_free(context)
        crypto.EVP_PKEY_free(key)


def check_signature(library_bytes, signature_text, trusted):
    """None when `library_bytes` carry a good signature by a key in `trusted`
    (load_trusted_keys), else (reason, message without the library's name)."""
    if signature_text is None:
        return "missing", "no signature"
    try:
        identifier, signed_digest, signature = parse_signature(signature_text)
    except ValueError as error:
        return "malformed", "malformed signature: %s" % error
    if identifier not in trusted:
        listed = ", ".join("%s (%s)" % (k, origin) for k, (_, origin) in trusted.items())
        return "untrusted-key", "signed by an untrusted key %s (trusted: %s)" % (
            identifier, listed or "none")
    digest = hashlib.sha256(library_bytes).digest()
    if digest != signed_digest:
        return "other-content", ("bad signature: it was made for other bytes (sha256 %s, the "
                                 "library's is %s): the library was altered or replaced"
                                 % (signed_digest.hex(), digest.hex()))
    raw, origin = trusted[identifier]
    if not ed25519_verify(raw, SIGNED_PREFIX + digest, signature):
        return "bad-signature", "bad signature: it does not verify with key %s (%s)" % (
            identifier, origin)
    return None


def read_verified_library(path, trusted):
    """(bytes, signer's key id) of the library at `path`, read once and checked against
    path + ".sig"; load these bytes (sealed_file), never the file again. SignatureError when
    the library is refused."""
    with open(path, "rb") as file:
        data = file.read()
    signature_path = os.fspath(path) + ".sig"
    try:
        with open(signature_path, "rb") as file:
            signature_text = file.read(_MAX_SIGNATURE_BYTES + 1).decode("utf-8", "replace")
    except FileNotFoundError:
        signature_text = None
    if signature_text is not None and len(signature_text) > _MAX_SIGNATURE_BYTES:
        signature_text = "(too large)"
    refusal = check_signature(data, signature_text, trusted)
    if refusal is None:
        return data, parse_signature(signature_text)[0]
    reason, message = refusal
    if reason == "missing":
        message = "no signature (%s does not exist; sign it with `pyvc sign %s --key KEY`)" % (
            signature_path, path)
    raise SignatureError("%s: refused: %s" % (path, message), reason)


def sealed_file(name, data):
    """A sealed in-memory file holding `data` (memfd, no further writes possible); returns its
    descriptor, to be dlopened as /proc/self/fd/N. The descriptor is never closed: ctypes never
    unloads a library, and a reused number would make dlopen return the old one."""
    fd = os.memfd_create(name, os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE | fcntl.F_SEAL_GROW
                    | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_SEAL)
    except BaseException:
        os.close(fd)
        raise
    return fd
