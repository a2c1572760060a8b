"""Zip archives read in memory, with every size checked before it is inflated.

OpenSID wraps each pushed file in a zip (CodeIgniter's CI_Zip: deflate, entries under their
base name, no directories), and an XLSX is a zip itself. Nothing is extracted to disk: the one
data entry is read (streamed or, for an XLSX, held in memory), photos are never inflated.
Before Python's zipfile parses the central directory, its declared size and entry count are
read from the end record, so a zip of a million entries is refused without building a million
ZipInfo objects; an entry's declared size is checked before reading (zipfile stops at it and
checks the CRC), and its compression ratio too.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable

from collectors.opendk.errors import Bad, shown
from collectors.opendk.limits import Limits

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error)


def open_zip(data: bytes, limits: Limits, *, members: int | None = None) -> zipfile.ZipFile:
    """A ZipFile over bytes in memory, once its end record passed the limits."""
    if not data.startswith(b"PK"):
        raise Bad("zip.invalid", detail="no zip signature")
    start = max(0, len(data) - _EOCD_SIZE - 0xFFFF)
    at = data.rfind(_EOCD, start)
    if at < 0 or len(data) - at < _EOCD_SIZE:
        raise Bad("zip.invalid", detail="no end of central directory")
    _, _, _, entries, cd_size, _, _ = struct.unpack("<4HLLH", data[at + 4 : at + _EOCD_SIZE])
    if entries == 0xFFFF or data[max(0, at - 20) : at - 16] == _ZIP64_LOCATOR:
        raise Bad("zip.invalid", detail="zip64 archives are not read")
    most = limits.members if members is None else members
    if entries > most:
        raise Bad("zip.too_many_members", n=entries, limit=most)
    if cd_size > limits.central_directory_bytes:
        raise Bad("zip.invalid", detail=f"central directory of {cd_size} bytes")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (*_READ_ERRORS, NotImplementedError, RuntimeError):
        raise Bad("zip.invalid", detail="damaged archive") from None
    if len(archive.infolist()) > most:  # the end record understated its entries
        raise Bad("zip.too_many_members", n=len(archive.infolist()), limit=most)
    return archive


def find_member(archive: zipfile.ZipFile, extensions: Iterable[str]) -> zipfile.ZipInfo | None:
    """The first entry whose name ends with one of the extensions (as OpenDK picks it)."""
    wanted = tuple(e.lower() for e in extensions)
    for info in archive.infolist():
        if not info.is_dir() and info.filename.lower().endswith(wanted):
            return info
    return None


def _check(info: zipfile.ZipInfo, limits: Limits, most: int) -> None:
    name = shown(info.filename.rsplit("/", 1)[-1], 60)
    if info.flag_bits & 0x1:
        raise Bad("zip.encrypted", name=name)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Bad("zip.method", name=name, method=info.compress_type)
    if info.file_size > most:
        raise Bad("zip.member_too_large", name=name, size=info.file_size, limit=most)
    if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.ratio * max(
        info.compress_size, 1
    ):
        ratio = info.file_size // max(info.compress_size, 1)
        raise Bad("zip.ratio", name=name, ratio=ratio, limit=limits.ratio)


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, most: int
) -> bytes:
    """A whole entry, at most `most` bytes once inflated."""
    with open_member(archive, info, limits, most) as stream:
        return b"".join(iter(lambda: stream.read(256 * 1024), b""))


def open_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, most: int
) -> io.BufferedReader:
    """A binary stream over an entry that refuses to give more than `most` bytes and turns a
    damaged entry (bad CRC, truncated deflate) into a clear refusal."""
    _check(info, limits, most)
    try:
        raw = archive.open(info)
    except (*_READ_ERRORS, NotImplementedError, RuntimeError):
        raise Bad("zip.invalid", detail="damaged entry") from None
    return io.BufferedReader(_Bounded(raw, most, shown(info.filename, 60)), 64 * 1024)


class _Bounded(io.RawIOBase):
    def __init__(self, raw, most: int, name: str) -> None:
        self._raw, self._left, self._most, self._name = raw, most, most, name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            data = self._raw.read(len(buffer))
        except _READ_ERRORS:
            raise Bad("zip.invalid", detail="damaged entry") from None
        if len(data) > self._left:
            raise Bad("zip.member_too_large", name=self._name, size=">" + str(self._most),
                      limit=self._most)  # fmt: skip
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()
