"""Bounds an uploaded or imported spreadsheet must keep before anything parses it (issue 10).

Without them a 50 MB CSV or a crafted XLSX (a zip bomb, a billion-laughs entity, a million
empty cells) drives the process past gigabytes of memory. Every check here reads the file's
bytes or its zip directory only, in bounded pieces, so refusing costs little memory:

- size of the file (`upload_max_mb`, 5 MB by default);
- CSV: lines (`upload_max_rows`), cells (`upload_max_cells`, counted by separators) and the
  longest line (`MAX_LINE`);
- XLSX: zip entries (`MAX_ZIP_ENTRIES`), the size the members unpack to (`upload_max_mb` ×
  `MAX_UNZIP_FACTOR`) and any member's compression ratio (`MAX_RATIO`, a zip bomb's is
  hundreds to millions), no DTD or entity declaration in any XML member (an XLSX never has
  one; defusedxml, which openpyxl uses when installed, refuses them again), and the rows and
  cells of each worksheet, counted in its XML as it streams out of the zip.

`check_upload` raises UploadRefused with a message code of the catalogue (`unggah.batas.*`)
and its parameters; collectors.spreadsheet turns it into the import's usual error.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

MB = 1024 * 1024
MAX_LINE = 64 * 1024  # characters in one CSV line: a row of the widest template is < 2 kB
MAX_ZIP_ENTRIES = 200  # an XLSX from Excel or LibreOffice has 10 to 40
MAX_UNZIP_FACTOR = 10  # the members may unpack to 10 × the upload limit in all
MAX_RATIO = 200  # one member's uncompressed / compressed size; sheet XML compresses 5-30×
MIN_RATIO_SIZE = 1 * MB  # small members may compress better (a sheet of one repeated value)
CHUNK = 256 * 1024
_XML_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")


@dataclass(frozen=True)
class UploadBounds:
    """The limits of one upload; `from_settings` reads them from the settings object."""

    max_bytes: int = 5 * MB
    max_rows: int = 100_000
    max_cells: int = 2_000_000

    @classmethod
    def from_settings(cls, settings: object) -> UploadBounds:
        default = cls()
        mb = float(getattr(settings, "upload_max_mb", default.max_bytes / MB))
        return cls(
            max_bytes=int(mb * MB),
            max_rows=int(getattr(settings, "upload_max_rows", default.max_rows)),
            max_cells=int(getattr(settings, "upload_max_cells", default.max_cells)),
        )

    @property
    def max_unzipped(self) -> int:
        return self.max_bytes * MAX_UNZIP_FACTOR


class UploadRefused(ValueError):
    """A file outside the bounds: `code` names the catalogue message, `params` fill it."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code}: {params}")
        self.code = code
        self.params = params


# the bounds of this process: the settings' once `configure` ran (dashboard, CLI), else defaults
_current: list[UploadBounds] = [UploadBounds()]


def configure(settings: object) -> UploadBounds:
    """Take the bounds from the settings (create_app and the CLI call this at start)."""
    _current[0] = UploadBounds.from_settings(settings)
    return _current[0]


def current() -> UploadBounds:
    return _current[0]


def read_bounded(source: str | Path | bytes, bounds: UploadBounds | None = None) -> bytes:
    """The bytes of a file or upload, refused before reading when larger than the limit."""
    limit = (bounds or current()).max_bytes
    if isinstance(source, bytes | bytearray):
        _check_size(len(source), limit)
        return bytes(source)
    path = Path(source)
    _check_size(path.stat().st_size, limit)
    with path.open("rb") as f:
        data = f.read(limit + 1)  # a file growing meanwhile is still cut at the limit
    _check_size(len(data), limit)
    return data


def check_upload(data: bytes, bounds: UploadBounds | None = None) -> None:
    """Raise UploadRefused unless `data` (a CSV or XLSX) keeps every bound."""
    bounds = bounds or current()
    _check_size(len(data), bounds.max_bytes)
    if data.startswith(b"PK\x03\x04"):
        _check_xlsx(data, bounds)
    else:
        _check_csv(data, bounds)


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise UploadRefused("unggah.batas.ukuran", ukuran=_mb(size), batas=_mb(limit))


def _mb(size: int) -> str:
    return f"{round(size / MB, 1):g} MB"


def sent_bytes_limit(bounds: UploadBounds | None = None) -> int:
    """The largest file the browser sends (dcc.Upload's max_size) and the request body allows:
    twice the limit, so a file somewhat too large reaches the import and gets its message
    (its size and the limit) rather than nothing; a far larger one is never sent."""
    return 2 * (bounds or current()).max_bytes


def describe(bounds: UploadBounds) -> str:
    """The upload limit as people read it: "5.0 MB"."""
    return _mb(bounds.max_bytes)


def _check_csv(data: bytes, bounds: UploadBounds) -> None:
    lines = data.count(b"\n") + 1
    if lines > bounds.max_rows + 1:  # + the header
        raise UploadRefused("unggah.batas.baris", batas=bounds.max_rows)
    longest, start = 0, 0
    while start <= len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        longest = max(longest, end - start)
        start = end + 1
    if longest > MAX_LINE:
        raise UploadRefused("unggah.batas.panjang_baris", batas=MAX_LINE)
    separators = max(data.count(b","), data.count(b";"), data.count(b"\t"))
    if separators + lines > bounds.max_cells:
        raise UploadRefused("unggah.batas.sel", batas=bounds.max_cells)


def _check_xlsx(data: bytes, bounds: UploadBounds) -> None:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip after all: openpyxl's own error names the damage
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_ENTRIES:
            raise UploadRefused("unggah.batas.arsip", jumlah=len(members), batas=MAX_ZIP_ENTRIES)
        unpacked = sum(m.file_size for m in members)
        if unpacked > bounds.max_unzipped:
            raise UploadRefused("unggah.batas.terurai", ukuran=_mb(unpacked),
                                batas=_mb(bounds.max_unzipped))  # fmt: skip
        for m in members:
            ratio = m.file_size / max(m.compress_size, 1)
            if m.file_size > MIN_RATIO_SIZE and ratio > MAX_RATIO:
                raise UploadRefused("unggah.batas.rasio", berkas=m.filename[:80])
        rows = cells = 0
        for m in members:
            if not m.filename.endswith((".xml", ".rels", ".vml")):
                continue
            sheet = bool(_SHEET.match(m.filename))
            r, c = _scan_xml(archive, m)
            if sheet:
                rows, cells = rows + r, cells + c
        if rows > bounds.max_rows + 1:
            raise UploadRefused("unggah.batas.baris", batas=bounds.max_rows)
        if cells > bounds.max_cells:
            raise UploadRefused("unggah.batas.sel", batas=bounds.max_cells)


def _scan_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, int]:
    """(rows, cells) of one XML member, read in chunks; refused if it declares a DTD or an
    entity (an XLSX never does: that is an entity-expansion attack)."""
    rows = cells = 0
    tail = b""
    # zipfile stops at the size the directory declares: a member cannot unpack to more
    with archive.open(member) as f:
        while chunk := f.read(CHUNK):
            piece = tail + chunk
            if any(d in piece for d in _XML_DECLARATIONS):
                raise UploadRefused("unggah.batas.xml", berkas=member.filename[:80])
            # count in `chunk` plus the few bytes of a tag split at the boundary
            rows += piece.count(b"<row ") + piece.count(b"<row>") - _split_count(tail, b"<row")
            cells += piece.count(b"<c ") + piece.count(b"<c>") - _split_count(tail, b"<c")
            tail = piece[-16:]
    return rows, cells


def _split_count(tail: bytes, tag: bytes) -> int:
    """Tags wholly inside the carried-over tail, already counted with the previous chunk."""
    return tail.count(tag + b" ") + tail.count(tag + b">")
