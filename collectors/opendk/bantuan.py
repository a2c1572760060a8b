"""`POST /api/v1/program-bantuan` and `/program-bantuan/peserta`: programmes, then recipients.

One click on "Program Bantuan > Kirim Data" sends both, in that order, a few seconds apart:
the village's programmes (zip of an XLSX: id, nama, sasaran, dates, source of funds; no
personal data) and every recipient row (zip of a CSV: NIK or KK number, the card's name,
birth place and date, address). Programmes are kept as they are; recipients are only
counted: distinct `peserta` per programme, through a keyed hash that lives for one call. Each
part lands on its own, against what the warehouse holds (no state between requests): the
programme push with the stored counts (`bantuan_result(programmes, current=...)`), the
recipients against the stored programmes (`bantuan_result(stored_programmes(...), recipients)`).

Dates travel as Eloquent serialises a date cast: local midnight in UTC
(2025-01-01 in WIB arrives as 2024-12-31T17:00:00.000000Z). OpenDK keeps the UTC day, one day
early; here an instant is read back as the date of its nearest midnight, which is the
village's own date for any Indonesian time zone (UTC+7 to +9) and for a server in UTC.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from collectors.model import DatasetResult
from collectors.opendk.cells import as_number, getter, text, village_rows, whole
from collectors.opendk.errors import Bad, PushError, refusing
from collectors.opendk.limits import LIMITS, Limits
from collectors.opendk.tables import open_table
from collectors.opendk.village import check_expected, village_code
from warehouse.values import MeasurementRow

PUSH_PROGRAMMES = "program-bantuan"
PUSH_RECIPIENTS = "peserta-bantuan"
DATASET = "bantuan"
MEASURE = "peserta"
SASARAN = (1, 2, 3, 4)  # penduduk, keluarga, rumah tangga, kelompok
MAX_LABEL = 300  # the warehouse's label column
MAX_ATTRIBUTE = 200
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"
)


@dataclass(frozen=True)
class Programme:
    id: str
    nama: str
    sasaran: int
    mulai: str | None  # YYYY-MM-DD, the village's own date
    selesai: str | None
    asal_dana: str | None
    status: int | None  # OpenSID's programme status (1 active, 0 not)


@dataclass(frozen=True)
class ProgrammesPush:
    kode_desa: str
    programmes: tuple[Programme, ...]


@dataclass(frozen=True)
class RecipientsPush:
    kode_desa: str
    recipients: Mapping[str, int]  # programme id -> distinct recipients
    rows: int  # recipient rows read
    sasaran: Mapping[str, int] = field(default_factory=dict)  # programme id -> sasaran sent


def read_program_bantuan(
    upload: bytes | None,
    form: Mapping[str, str],
    *,
    expected: str | None = None,
    limits: Limits = LIMITS,
) -> ProgrammesPush:
    """The programmes of a `program-bantuan` push (multipart `file` and `desa_id`)."""
    with refusing(PUSH_PROGRAMMES, expected=expected) as ctx:
        ctx.kode_desa = village_code(form.get("desa_id"))
        check_expected(ctx.kode_desa, expected)
        if not upload:
            raise Bad("upload.missing")
        table = open_table(upload, limits, (".xlsx", ".csv"))
        programmes: dict[str, Programme] = {}
        first_row: dict[str, int] = {}
        for number, cells in village_rows(table, ctx.kode_desa, ("id", "nama", "sasaran")):
            get = getter(table, cells)
            ident = str(whole(get("id"), number, "id", required=True))
            if ident in programmes:
                raise Bad("duplicate", row=number, column="id", value=ident,
                          first=first_row[ident])  # fmt: skip
            first_row[ident] = number
            nama = text(get("nama"), number, "nama", required=True)
            sasaran = whole(get("sasaran"), number, "sasaran", required=True)
            if sasaran not in SASARAN:
                raise Bad("cell.code", row=number, column="sasaran", value=sasaran,
                          allowed="1, 2, 3, 4")  # fmt: skip
            programmes[ident] = Programme(
                id=ident,
                nama=nama[:MAX_LABEL],
                sasaran=sasaran,
                mulai=_local_date(get("sdate"), number, "sdate"),
                selesai=_local_date(get("edate"), number, "edate"),
                asal_dana=text(get("asaldana"), number, "asaldana")[:MAX_ATTRIBUTE] or None,
                status=whole(get("status"), number, "status"),
            )
        return ProgrammesPush(ctx.kode_desa, tuple(programmes.values()))


def read_peserta_bantuan(
    upload: bytes | None,
    form: Mapping[str, str],
    *,
    expected: str | None = None,
    limits: Limits = LIMITS,
) -> RecipientsPush:
    """Recipients per programme of a `program-bantuan/peserta` push; every personal field of
    the rows is dropped as it is read (only `peserta` is hashed, to count it once)."""
    with refusing(PUSH_RECIPIENTS, personal=True, expected=expected) as ctx:
        ctx.kode_desa = village_code(form.get("desa_id"))
        check_expected(ctx.kode_desa, expected)
        if not upload:
            raise Bad("upload.missing")
        table = open_table(upload, limits, (".csv", ".xlsx"))
        key = os.urandom(16)
        seen: dict[str, set[bytes]] = {}
        sasaran: dict[str, int] = {}
        rows = 0
        for number, cells in village_rows(table, ctx.kode_desa, ("program_id", "peserta")):
            get = getter(table, cells)
            rows += 1
            program = str(whole(get("program_id"), number, "program_id", required=True))
            who = get("peserta")
            if who is None or not str(who).strip():
                raise Bad("cell.empty", row=number, column="peserta")
            digest = hashlib.blake2b(str(who).strip().encode(), key=key, digest_size=16)
            seen.setdefault(program, set()).add(digest.digest())
            target = whole(get("sasaran"), number, "sasaran")  # empty for an orphan row
            if target is not None:
                sasaran.setdefault(program, target)
        counts = {program: len(hashes) for program, hashes in seen.items()}
        return RecipientsPush(ctx.kode_desa, counts, rows, sasaran)


def bantuan_result(
    programmes: ProgrammesPush,
    recipients: RecipientsPush | None = None,
    current: Sequence[MeasurementRow] = (),
) -> DatasetResult:
    """The `bantuan` dataset of a village: every programme sent, with its distinct recipients,
    the same measure and attributes as a pull.

    With `recipients` (the peserta push) a programme nobody is listed in has 0. Without them
    (the programme push lands first), a programme keeps the count `current` (the stored
    dataset) has for it, and a new one has none until its recipients arrive.
    """
    if recipients is not None and programmes.kode_desa != recipients.kode_desa:
        raise PushError(PUSH_RECIPIENTS, "village.mismatch", recipients.kode_desa,
                        named=recipients.kode_desa, expected=programmes.kode_desa)  # fmt: skip
    if recipients is not None:
        counts: Mapping[str, float | None] = {
            p.id: float(recipients.recipients.get(p.id, 0)) for p in programmes.programmes
        }
    else:
        counts = {r.kode: r.nilai for r in current if r.ukuran == MEASURE}
    rows = [
        MeasurementRow(
            MEASURE,
            counts.get(p.id),
            kode=p.id,
            label=p.nama,
            atribut={
                "sasaran": p.sasaran,
                "asal_dana": p.asal_dana,
                "mulai": p.mulai,
                "selesai": p.selesai,
            },  # fmt: skip
        )
        for p in programmes.programmes
    ]
    warning = None
    known = {p.id for p in programmes.programmes}
    sent = recipients.recipients if recipients is not None else {}
    orphans = sorted((k for k in sent if k not in known), key=as_number)
    if orphans:
        warning = (
            f"bantuan: {sum(sent[k] for k in orphans)} recipients of programme id(s) "
            f"{', '.join(orphans[:10])} that the programme list does not name were not counted"
        )
    return DatasetResult(DATASET, "ok", data=rows, warning=warning)


def stored_programmes(kode_desa: str, current: Sequence[MeasurementRow]) -> ProgrammesPush:
    """The programmes a village's stored `bantuan` rows describe, to count a peserta push
    against when its programme push already landed (no state is kept between requests)."""
    programmes = []
    for row in current:
        if row.ukuran != MEASURE:
            continue
        atribut = row.atribut or {}
        programmes.append(
            Programme(
                id=row.kode, nama=row.label, sasaran=int(atribut.get("sasaran") or 0),
                mulai=atribut.get("mulai"), selesai=atribut.get("selesai"),
                asal_dana=atribut.get("asal_dana"), status=None,
            )
        )  # fmt: skip
    return ProgrammesPush(kode_desa, tuple(sorted(programmes, key=lambda p: as_number(p.id))))


def _local_date(value: object, row: int, column: str) -> str | None:
    """A date cast as OpenSID sends it, back to the village's own date (see the module)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    try:
        if _DATE.match(text):
            return date.fromisoformat(text).isoformat()
        match = _INSTANT.match(text)
        if match is None:
            raise ValueError
        day, hh, mm, ss, zone = match.groups()
        moment = datetime.fromisoformat(f"{day}T{hh}:{mm}:{ss}")
        if zone in (None, "Z", "+00:00", "+0000", "-00:00"):
            # the nearest midnight: local midnight east of Greenwich is the evening before
            return (moment + timedelta(hours=12)).date().isoformat()
        return moment.date().isoformat()  # a local time with its offset: its own date
    except ValueError:
        raise Bad("cell.not_date", row=row, column=column) from None
