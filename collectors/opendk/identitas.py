"""`POST /api/v1/identitas-desa`: the village's code, what it calls itself, its website.

A form (application/x-www-form-urlencoded, in this order): `kode_desa` (dotted), `sebutan_desa`
(the setting, "desa" by default), `website` (the village's own address, or OpenSID's when none
is set) and `path`, the boundary drawn in OpenSID's map editor as JSON text (left out of the
form when none was drawn). No personal data. We keep the sebutan and the website as the
village's profile, and only whether a boundary was sent: the kabupaten's own boundaries
(config/boundaries) draw the maps, and a hand-drawn polygon of unbounded size is not a summary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from collectors.model import DatasetResult
from collectors.opendk.errors import Bad, refusing
from collectors.opendk.limits import LIMITS, Limits
from collectors.opendk.village import check_expected, village_code
from warehouse.values import MeasurementRow

PUSH = "identitas"
DATASET = "identitas"
SOURCE_APP = "OpenSID"
MAX_TEXT = 200
EMPTY_BOUNDARIES = ("", "[]", "[[[[]]]]")  # what OpenDK, too, treats as no boundary


@dataclass(frozen=True)
class IdentitasPush:
    kode_desa: str
    sebutan_desa: str | None
    website: str | None
    batas_wilayah: bool  # a boundary was drawn and sent

    def profil(self, nama_desa: str | None = None) -> dict:
        """The `profil` attributes, the same keys as a pull's plus what the push adds."""
        profil = {
            "nama_desa": nama_desa,
            "source_app": SOURCE_APP,
            "source_api": "opendk-push",
            "sumber_identitas": "push",
            "sebutan_desa": self.sebutan_desa,
            "website": self.website,
            "batas_wilayah": self.batas_wilayah,
        }
        return {k: v for k, v in profil.items() if v is not None}


def read_identitas(
    form: Mapping[str, str],
    *,
    expected: str | None = None,
    limits: Limits = LIMITS,
) -> IdentitasPush:
    """The identity form of a push, checked; raises PushError."""
    with refusing(PUSH, expected=expected) as ctx:
        for name in ("kode_desa", "sebutan_desa", "website", "path"):
            value = form.get(name)
            if value is not None and len(value) > limits.form_field_chars:
                raise Bad("form.too_long", field=name, limit=limits.form_field_chars)
        if not (form.get("kode_desa") or "").strip():
            raise Bad("form.missing", field="kode_desa")
        ctx.kode_desa = village_code(form.get("kode_desa"))
        check_expected(ctx.kode_desa, expected)
        sebutan = (form.get("sebutan_desa") or "").strip()
        if not sebutan:
            raise Bad("form.missing", field="sebutan_desa")
        if len(sebutan) > MAX_TEXT:
            raise Bad("form.too_long", field="sebutan_desa", limit=MAX_TEXT)
        website = (form.get("website") or "").strip() or None
        if website is not None:
            parts = urlsplit(website) if len(website) <= MAX_TEXT * 2 else None
            if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
                raise Bad("form.url", field="website")
        boundary = (form.get("path") or "").strip()
        return IdentitasPush(ctx.kode_desa, sebutan, website, boundary not in EMPTY_BOUNDARIES)


def identitas_result(
    push: IdentitasPush,
    current: Sequence[MeasurementRow] = (),
    *,
    nama_desa: str | None = None,
) -> DatasetResult:
    """The village's `identitas` dataset after the push: a new `profil`, and the dusun, RW
    and RT counts it had (an identity push does not carry them)."""
    kept = [r for r in current if r.ukuran != "profil"]
    rows = [MeasurementRow("profil", None, atribut=push.profil(nama_desa)), *kept]
    return DatasetResult(DATASET, "ok", data=rows)
