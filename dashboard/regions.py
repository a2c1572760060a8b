"""Region resolution: which region (Wilayah) a URL's `wilayah` or the filter bar names, and how
a page names it ("Kecamatan Kerkap")."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from config.regions import RegionCodeError, normalize_code
from dashboard.data import Snapshot
from i18n.catalogue import t
from layouts.notices import unknown_region_notice


@dataclass(frozen=True)
class Wilayah:
    """The region a view shows, and the filter values that select it."""

    kode: str | None  # None only when the warehouse knows no region at all
    nama: str
    tingkat: str  # provinsi, kabupaten, kecamatan, desa
    kabupaten: str | None  # the registry's whole region: its kabupaten, or its provinsi
    kecamatan: str | None  # the kecamatan dropdown value (the whole region's code = all)
    desa: str | None
    jenis: str | None = None  # a desa's kind: desa or kelurahan


NO_WILAYAH = Wilayah(None, "", "kabupaten", None, None, None)  # when no data can be read


def regions_of(snapshot: Snapshot, tingkat: str) -> pd.DataFrame:
    """The snapshot's regions of one level (kabupaten, kecamatan, desa)."""
    regions = snapshot.regions
    if regions.empty:
        return regions
    return regions[regions["tingkat"] == tingkat]


def kabupaten_of(snapshot: Snapshot) -> tuple[str | None, str]:
    """The registry's whole region (code, name): its one kabupaten, or the provinsi when the
    registry spans several kabupaten (issue 12)."""
    kode, nama, _ = top_of(snapshot)
    return kode, nama


def top_of(snapshot: Snapshot) -> tuple[str | None, str, str]:
    """(code, name, tingkat) of the registry's whole region: one kabupaten stays the default
    (and then nothing shows the provinsi); several kabupaten of one provinsi make it the top."""
    kab = regions_of(snapshot, "kabupaten").sort_values("kode")
    if kab.empty:
        return None, "", "kabupaten"
    if len(kab) == 1 or kab["kode"].str.slice(0, 2).nunique() > 1:
        # several provinces would need a level above them: the first kabupaten, as before
        return str(kab["kode"].iloc[0]), str(kab["nama"].iloc[0]), "kabupaten"
    kode = str(kab["kode"].iloc[0])[:2]
    prov = regions_of(snapshot, "provinsi")
    match = prov[prov["kode"] == kode] if not prov.empty else prov
    nama = str(match["nama"].iloc[0]) if len(match) else kode
    return kode, nama, "provinsi"


def child_level(tingkat: str) -> str:
    """The level a region is broken down into on the pages (a desa stays a desa)."""
    return {"provinsi": "kabupaten", "kabupaten": "kecamatan"}.get(tingkat, "desa")


def region_notices(w: Wilayah, unknown: str | None, lang: str) -> list:
    """A warning when the URL named a region code the dashboard does not know."""
    if unknown is None:
        return []
    return [unknown_region_notice(unknown, w.nama, lang)]


def resolve_wilayah(snapshot: Snapshot, raw: object) -> tuple[Wilayah, str | None]:
    """The region for a `wilayah` URL value (dotted or digits); unknown codes give the kabupaten.

    Returns the region and, when `raw` was not usable, its text for a notice.
    """
    if isinstance(raw, list):  # ?wilayah=a&wilayah=b: the first wins
        raw = raw[0] if raw else None
    kab, kab_nama, top = top_of(snapshot)
    whole = Wilayah(kab, kab_nama, top, kab, kab, None)
    if not raw or kab is None:
        return whole, None
    try:
        kode = normalize_code(str(raw))
    except RegionCodeError:
        return whole, str(raw)
    regions = snapshot.regions
    match = regions[regions["kode"] == kode]
    if match.empty or not (kode == kab or kode.startswith(kab + ".")):
        return whole, str(raw)
    row = match.iloc[0]
    tingkat = str(row["tingkat"])
    if tingkat in ("kecamatan", "kabupaten") and kode != kab:
        # a kabupaten of the provinsi is chosen in the kecamatan dropdown, as a kecamatan
        return Wilayah(kode, str(row["nama"]), tingkat, kab, kode, None), None
    if tingkat == "desa":
        jenis = row.get("jenis")
        jenis = str(jenis) if isinstance(jenis, str) else None
        return Wilayah(kode, str(row["nama"]), tingkat, kab, str(row["induk"]), kode, jenis), None
    return whole, None


def wilayah_from_filters(snapshot: Snapshot, kecamatan: str | None, desa: str | None) -> Wilayah:
    """The region selected by the two dropdowns (desa, else kecamatan, else the kabupaten)."""
    return resolve_wilayah(snapshot, desa or kecamatan)[0]


def display_name(w: Wilayah, lang: str) -> str:
    """ "Kabupaten Bengkulu Utara", "Kecamatan Kerkap", "Desa Talang Jambu", "Kelurahan …",
    "Provinsi Bengkulu"."""
    if w.tingkat == "kabupaten" or not w.nama:  # the reference names it "Kabupaten …"/"Kota …"
        return w.nama
    kind = "kelurahan" if w.jenis == "kelurahan" else w.tingkat
    return f"{t(f'tingkat.{kind}', lang)} {w.nama}"
