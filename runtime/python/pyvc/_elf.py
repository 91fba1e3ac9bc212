"""Reads the .pyvc_manifest section of an ELF64 little-endian file with struct alone, so a
kernel library can be inspected (even one built for another architecture) without loading it or
running any of its code. Every offset read from the file is checked against the file's size."""

import struct

MANIFEST_SECTION = b".pyvc_manifest"

# Elf64_Ehdr after e_ident: e_type, e_machine, e_version, e_entry, e_phoff, e_shoff, e_flags,
# e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx.
_HEADER = struct.Struct("<HHIQQQIHHHHHH")
# Elf64_Shdr: sh_name, sh_type, sh_flags, sh_addr, sh_offset, sh_size, sh_link, sh_info,
# sh_addralign, sh_entsize.
_SECTION = struct.Struct("<IIQQQQIIQQ")
_SHT_NOBITS = 8
_SHN_XINDEX = 0xFFFF
_MACHINES = {62: "x86_64", 183: "aarch64"}


class ManifestError(ValueError):
    """The file is not a pyvc kernel library this loader can read: not ELF, truncated, no
    manifest section, or a manifest that is malformed or of another ABI version."""


def machine_architecture(machine):
    """The target-triple spelling of an ELF e_machine: 'x86_64', 'aarch64'."""
    return _MACHINES.get(machine, "machine %d" % machine)


def extract_manifest_section(data, origin):
    """Returns (manifest text, e_machine) from the bytes of an ELF file; `origin` names the file
    in error messages."""
    data = memoryview(data)
    if len(data) < 4 or bytes(data[:4]) != b"\x7fELF":
        raise ManifestError("%s: not an ELF file" % origin)
    if len(data) < 16 + _HEADER.size:
        raise ManifestError("%s: truncated ELF header" % origin)
    if data[4] != 2 or data[5] != 1:
        raise ManifestError("%s: not a 64-bit little-endian ELF file" % origin)
    (_, machine, _, _, _, shoff, _, _, _, _, shentsize, shnum, shstrndx) = _HEADER.unpack_from(data, 16)
    if shoff == 0:
        raise ManifestError("%s: has no section headers" % origin)
    if shentsize < _SECTION.size:
        raise ManifestError("%s: section header entries are too small" % origin)

    def section(index):
        offset = shoff + index * shentsize
        if offset + _SECTION.size > len(data):
            raise ManifestError("%s: truncated section header table" % origin)
        return _SECTION.unpack_from(data, offset)

    first = section(0)
    count = shnum if shnum else first[5]
    names_index = first[6] if shstrndx == _SHN_XINDEX else shstrndx
    if shoff + count * shentsize > len(data):
        raise ManifestError("%s: truncated section header table" % origin)
    if names_index >= count:
        raise ManifestError("%s: bad section name table index" % origin)
    names = section(names_index)
    names_offset, names_size = names[4], names[5]
    if names[1] == _SHT_NOBITS or names_offset + names_size > len(data):
        raise ManifestError("%s: truncated section name table" % origin)
    name_table = bytes(data[names_offset:names_offset + names_size])

    for index in range(count):
        entry = section(index)
        name_at = entry[0]
        if name_at >= names_size:
            continue
        end = name_table.find(b"\0", name_at)
        name = name_table[name_at:end if end >= 0 else names_size]
        if name != MANIFEST_SECTION:
            continue
        offset, size = entry[4], entry[5]
        if entry[1] == _SHT_NOBITS or offset + size > len(data):
            raise ManifestError("%s: truncated .pyvc_manifest section" % origin)
        text = bytes(data[offset:offset + size]).rstrip(b"\0")
        if b"\0" in text:
            raise ManifestError("%s: the .pyvc_manifest section holds more than one string" % origin)
        try:
            return text.decode("utf-8"), machine
        except UnicodeDecodeError:
            raise ManifestError("%s: the manifest is not UTF-8" % origin) from None
    raise ManifestError("%s: no .pyvc_manifest section; is this a library compiled by pyvc?" % origin)


def read_manifest_section(path):
    """Returns (manifest text, e_machine) of the ELF file at `path`."""
    with open(path, "rb") as file:
        data = file.read()
    return extract_manifest_section(data, str(path))
