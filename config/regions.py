"""The Kemendagri region reference (idn-area-data 4.0.1), read from the vendored CSVs."""

from __future__ import annotations

import csv
import gzip
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# digits per level: provinsi 2, kabupaten 4, kecamatan 6, desa 10
_LEVEL_BY_DIGITS = {2: "provinsi", 4: "kabupaten", 6: "kecamatan", 10: "desa"}
_SPLITS = (2, 2, 2, 4)


class RegionCodeError(ValueError):
    """A region code that is malformed."""


def normalize_code(code: str) -> str:
    """Return the dotted form of a region code given dotted or digits only."""
    raw = str(code).strip()
    digits = re.sub(r"\.", "", raw)
    if not digits.isdigit() or len(digits) not in _LEVEL_BY_DIGITS:
        raise RegionCodeError(f"{raw!r} is not a Kemendagri region code")
    if "." in raw:
        parts = raw.split(".")
        if [len(p) for p in parts] != list(_SPLITS[: len(parts)]):
            raise RegionCodeError(f"{raw!r} is not a Kemendagri region code")
    out, pos = [], 0
    for size in _SPLITS:
        if pos >= len(digits):
            break
        out.append(digits[pos : pos + size])
        pos += size
    return ".".join(out)


def digits_of(code: str) -> str:
    return normalize_code(code).replace(".", "")


def level_of(code: str) -> str:
    return _LEVEL_BY_DIGITS[len(digits_of(code))]


def parent_of(code: str) -> str | None:
    dotted = normalize_code(code)
    return dotted.rsplit(".", 1)[0] if "." in dotted else None


@dataclass(frozen=True, slots=True)
class Region:
    kode: str
    nama: str
    tingkat: str  # provinsi, kabupaten, kecamatan, desa
    induk: str | None

    @property
    def jenis(self) -> str | None:
        """'kelurahan' or 'desa' for villages (last four digits 1xxx / 2xxx)."""
        if self.tingkat != "desa":
            return None
        return "kelurahan" if self.kode.split(".")[-1].startswith("1") else "desa"


def _read(name: str, prefix: str = "") -> list[dict[str, str]]:
    """Rows of one reference file, only those whose code starts with prefix."""
    path = REFERENCE_DIR / name
    if path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        text = gzip.decompress((REFERENCE_DIR / (name + ".gz")).read_bytes()).decode("utf-8")
    lines = text.splitlines()
    if prefix:  # filter before parsing: most callers need one province of 38
        lines = [lines[0], *(ln for ln in lines[1:] if ln.startswith(prefix))]
    return list(csv.DictReader(lines))


@cache
def _province(code: str) -> dict[str, Region]:
    """The regions of one province, by dotted code. Loaded per province and kept: the whole
    reference (83,762 villages) would cost the web process about 50 MB for nothing."""
    regions: dict[str, Region] = {}
    for row in _read("provinces.csv", code):
        regions[row["code"]] = Region(row["code"], row["name"], "provinsi", None)
    for row in _read("regencies.csv", code + "."):
        regions[row["code"]] = Region(row["code"], row["name"], "kabupaten", row["province_code"])
    for row in _read("districts.csv", code + "."):
        regions[row["code"]] = Region(row["code"], row["name"], "kecamatan", row["regency_code"])
    for row in _read("villages.csv", code + "."):
        regions[row["code"]] = Region(row["code"], row["name"], "desa", row["district_code"])
    return regions


def load_reference() -> dict[str, Region]:
    """Every province, kabupaten/kota, kecamatan and village, by dotted code."""
    regions: dict[str, Region] = {}
    for row in _read("provinces.csv"):
        regions.update(_province(row["code"]))
    return regions


def get_region(code: str) -> Region | None:
    try:
        dotted = normalize_code(code)
    except RegionCodeError:
        return None
    return _province(dotted[:2]).get(dotted)


def children_of(code: str) -> list[Region]:
    dotted = normalize_code(code)
    return sorted(
        (r for r in _province(dotted[:2]).values() if r.induk == dotted), key=lambda r: r.kode
    )


def villages_under(code: str) -> list[Region]:
    """All desa/kelurahan under a kabupaten or kecamatan (or the village itself)."""
    dotted = normalize_code(code)
    prefix = dotted + "."
    return sorted(
        (
            r
            for r in _province(dotted[:2]).values()
            if r.tingkat == "desa" and (r.kode.startswith(prefix) or r.kode == dotted)
        ),
        key=lambda r: r.kode,
    )
