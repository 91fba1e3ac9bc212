"""The manifest of a kernel library (docs/ABI.md): parsing, validation, and the types of its
parameters and results as this package uses them."""

import json
import platform
import re

from ._elf import (ManifestError, extract_manifest_section, machine_architecture,
                   read_manifest_section)

ABI_VERSION = 2  # PYVC_ABI_VERSION of kernel_abi.h

# The exported names of kernel_abi.h (PYVC_SYMBOL_PREFIX, PYVC_FREE_SUFFIX, PYVC_MANIFEST_SUFFIX):
# pyvc_<module>_free and pyvc_<module>_manifest, <module> from the manifest.
SYMBOL_PREFIX = "pyvc_"
FREE_SUFFIX = "_free"
MANIFEST_SUFFIX = "_manifest"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
SCALARS = ("float", "int", "bool")


class KernelType:
    """A parameter or result type: shape 'scalar', 'list', 'tuple' or 'none'; `scalar` is the
    scalar or list element name; `members` the tuple's scalar names."""

    __slots__ = ("shape", "scalar", "members")

    def __init__(self, shape, scalar=None, members=()):
        self.shape = shape
        self.scalar = scalar
        self.members = tuple(members)

    @classmethod
    def parse(cls, text):
        """Parses 'float', 'list[int]', 'tuple[float, bool]', 'None'; None when unsupported."""
        if not isinstance(text, str):
            return None
        text = text.strip()
        if text == "None":
            return cls("none")
        if text in SCALARS:
            return cls("scalar", text)
        if text.startswith("list[") and text.endswith("]"):
            element = text[5:-1].strip()
            return cls("list", element) if element in SCALARS else None
        if text.startswith("tuple[") and text.endswith("]"):
            members = [member.strip() for member in text[6:-1].split(",")]
            if members and all(member in SCALARS for member in members):
                return cls("tuple", members=members)
        return None

    def __str__(self):
        if self.shape == "none":
            return "None"
        if self.shape == "scalar":
            return self.scalar
        if self.shape == "list":
            return "list[%s]" % self.scalar
        return "tuple[%s]" % ", ".join(self.members)

    def annotation(self):
        """The Python annotation object: float, list[int], tuple[float, bool], None."""
        builtin = {"float": float, "int": int, "bool": bool}
        if self.shape == "none":
            return None
        if self.shape == "scalar":
            return builtin[self.scalar]
        if self.shape == "list":
            return list[builtin[self.scalar]]
        return tuple[tuple(builtin[member] for member in self.members)]


def host_architecture():
    """'x86_64' or 'aarch64' (platform.machine() says 'arm64' on some systems)."""
    machine = platform.machine()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine.lower(), machine)


def _require(condition, message):
    if not condition:
        raise ManifestError(message)


def _validate_function(index, function):
    where = "function %d" % (index + 1)
    _require(isinstance(function, dict), "%s: must be an object" % where)
    name = function.get("name")
    _require(isinstance(name, str) and name.isidentifier(),
             "%s: missing or invalid `name`" % where)
    where = "function `%s`" % name
    _require(isinstance(function.get("symbol"), str), "%s: missing string `symbol`" % where)
    batch = function.get("batch_symbol")
    _require(batch is None or isinstance(batch, str), "%s: `batch_symbol` must be a string" % where)
    params = function.get("params")
    _require(isinstance(params, list), "%s: missing array `params`" % where)
    seen = set()
    for position, param in enumerate(params, 1):
        at = "%s parameter %d" % (where, position)
        _require(isinstance(param, dict) and isinstance(param.get("name"), str),
                 "%s: missing string `name`" % at)
        kind = KernelType.parse(param.get("type"))
        _require(kind is not None and kind.shape in ("scalar", "list"),
                 "%s: unsupported parameter type `%s`" % (at, param.get("type")))
        _require(param["name"] not in seen, "%s: duplicate parameter name `%s`" % (at, param["name"]))
        seen.add(param["name"])
    returns = KernelType.parse(function.get("returns", "None"))
    _require(returns is not None,
             "%s: unsupported return type `%s`" % (where, function.get("returns")))
    _require(function.get("classification", "kernel") in ("scalar", "kernel"),
             "%s: classification must be `scalar` or `kernel`" % where)
    errors = function.get("errors", [])
    _require(isinstance(errors, list) and all(isinstance(e, str) for e in errors),
             "%s: `errors` must be an array of exception names" % where)


def parse_manifest(text, origin="manifest"):
    """Parses and validates manifest JSON; returns the document as a dict. Unknown keys are kept
    and ignored, so libraries from later compilers of the same ABI version stay loadable."""
    try:
        document = json.loads(text)
    except ValueError:
        raise ManifestError("%s: the manifest is not valid JSON" % origin) from None
    _require(isinstance(document, dict), "%s: the manifest must be a JSON object" % origin)
    _require(document.get("format") == "pyvc-manifest",
             '%s: manifest `format` must be "pyvc-manifest"' % origin)
    version = document.get("abi_version")
    _require(isinstance(version, int) and not isinstance(version, bool),
             "%s: manifest has no integer `abi_version`" % origin)
    _require(version == ABI_VERSION,
             "%s: the library was built for kernel ABI %d, this loader needs ABI %d: "
             "recompile it with a pyvc of ABI %d" % (origin, version, ABI_VERSION, ABI_VERSION))
    module = document.get("module")
    _require(isinstance(module, str) and _IDENTIFIER.match(module) is not None,
             "%s: manifest has no `module` that is a C identifier" % origin)
    target = document.get("target")
    _require(isinstance(target, dict) and isinstance(target.get("triple"), str),
             "%s: manifest has no `target` with a `triple`" % origin)
    features = target.get("features")
    _require(isinstance(features, list) and all(isinstance(f, str) for f in features),
             "%s: manifest `target` has no array of strings `features`" % origin)
    functions = document.get("functions")
    _require(isinstance(functions, list), "%s: manifest has no array `functions`" % origin)
    names = set()
    for index, function in enumerate(functions):
        try:
            _validate_function(index, function)
        except ManifestError as error:
            raise ManifestError("%s: %s" % (origin, error)) from None
        _require(function["name"] not in names,
                 "%s: function `%s` is listed twice" % (origin, function["name"]))
        names.add(function["name"])
    return document


def free_symbol(manifest):
    return SYMBOL_PREFIX + manifest["module"] + FREE_SUFFIX


def manifest_symbol(manifest):
    return SYMBOL_PREFIX + manifest["module"] + MANIFEST_SUFFIX


def target_architecture(manifest):
    """The architecture part of the manifest's target triple: 'aarch64', 'x86_64'."""
    return manifest["target"]["triple"].split("-", 1)[0]


def read_manifest(path):
    """The validated manifest of the kernel library at `path`, as a dict, read straight from its
    ELF section: nothing is loaded and no code of the library runs."""
    return read_manifest_and_text(path)[0]


def read_manifest_and_text(path, data=None):
    """(validated manifest dict, manifest text as stored in the file). With `data`, the manifest
    is read from those bytes of the library (already read and checked) instead of the file."""
    if data is None:
        text, machine = read_manifest_section(path)
    else:
        text, machine = extract_manifest_section(data, str(path))
    manifest = parse_manifest(text, str(path))
    elf_architecture = machine_architecture(machine)
    _require(target_architecture(manifest) == elf_architecture,
             "%s: the manifest says target %s but the file is %s code"
             % (path, manifest["target"]["triple"], elf_architecture))
    return manifest, text
