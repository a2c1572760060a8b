"""The bounds every pushed payload is held to, in one place.

A push is untrusted input from the internet: each size below is checked before the work it
bounds (a zip's central directory before it is parsed, a member's declared size before it is
inflated, an XML token before expat buffers it), so no upload can make a parser use unbounded
memory or time. The defaults leave room for the largest villages (OpenDK itself refuses zips
over 5 MiB, about 25,000 residents); tests pass smaller limits.
"""

from __future__ import annotations

from dataclasses import dataclass

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Limits:
    # the uploaded zip (the multipart `file` part); the route should refuse a larger request
    # body before reading it (Flask MAX_CONTENT_LENGTH ≥ request_bytes)
    upload_bytes: int = 20 * MIB
    # zip containers (OpenSID's and the XLSX inside it)
    central_directory_bytes: int = 1 * MIB
    members: int = 2000  # pembangunan zips carry one photo per project or entry, 100 a page
    # decompressed size of a member we read: a sheet takes about 1.6 KB per resident, so this
    # is about 160,000 residents (it is streamed: the bound is on time, not memory)
    member_bytes: int = 256 * MIB
    xlsx_bytes: int = 32 * MIB  # an XLSX member, held in memory (never on disk)
    ratio: int = 200  # decompressed / compressed, for members over ratio_floor_bytes
    ratio_floor_bytes: int = 1 * MIB
    # tables
    rows: int = 200_000  # data rows of one table (residents ever recorded, recipients)
    columns: int = 64  # OpenSID 2508 sends 42 resident columns
    cell_chars: int = 32_767  # OpenSpout's own limit per cell
    record_chars: int = 1 * MIB  # one CSV record, all its fields
    xml_token_bytes: int = 1 * MIB  # bytes between two '<' of an XML part (one token)
    xml_part_bytes: int = 64 * MIB  # small XLSX parts (workbook, rels, shared strings)
    # JSON and form bodies
    json_bytes: int = 40 * MIB  # a laporan push: base64 PDFs
    json_depth: int = 32
    reports: int = 100  # reports in one laporan push
    pdf_bytes: int = 25 * MIB  # one decoded report
    form_field_chars: int = 2 * MIB  # identitas `path` (the village boundary) is the longest

    @property
    def request_bytes(self) -> int:
        """The largest request body any push may have: what the route should accept at most."""
        return max(self.upload_bytes, self.json_bytes) + 64 * KIB


LIMITS = Limits()
