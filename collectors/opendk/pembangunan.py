"""`POST /api/v1/pembangunan` and `/pembangunan/dokumentasi`: projects and their progress.

Each is a zip of site photos and one CSV (both named `pembangunan_DD_MM_YYYY.csv`). The
photos are never inflated. Neither part is the village's whole list: OpenSID sends projects
100 a page, and once any Program Bantuan sync is logged only rows changed since then (usually
none: a header without desa_id and one empty row, which OpenDK acknowledges as a success);
the progress export ignores the page and sends its first 100 entries. So a push never replaces
the village's projects: `merge_pembangunan` applies it to what the warehouse holds, project
by project, and returns the whole dataset to land. A project sent with status 0 is dropped
(a pull lists active projects only). Progress is the highest `persentase` of a project's
entries, as OpenSID's admin list shows it; since a push may carry only some entries, the
stored progress is kept when it is higher.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from collectors.adapters.opensid import progress
from collectors.model import DatasetResult, PayloadError
from collectors.opendk.bantuan import MAX_ATTRIBUTE, MAX_LABEL
from collectors.opendk.cells import as_number, getter, text, village_rows, whole
from collectors.opendk.errors import Bad, refusing
from collectors.opendk.limits import LIMITS, Limits
from collectors.opendk.tables import open_table
from collectors.opendk.village import check_expected, village_code
from warehouse.values import MeasurementRow

PUSH_PROJECTS = "pembangunan"
PUSH_PROGRESS = "pembangunan-dokumentasi"
DATASET = "pembangunan"
ACTIVE = 1
# the attributes a pull keeps, under the pull's names
_ATTRIBUTES = (
    ("sumber_dana", "sumber_dana"), ("volume", "volume"), ("pelaksana", "pelaksana_kegiatan"),
    ("lokasi", "lokasi"), ("sifat_proyek", "sifat_proyek"),
)  # fmt: skip


@dataclass(frozen=True)
class Project:
    id: str
    judul: str
    tahun: str  # tahun_anggaran: the period
    anggaran: float
    aktif: bool
    atribut: Mapping[str, str]


@dataclass(frozen=True)
class ProjectsPush:
    kode_desa: str
    projects: tuple[Project, ...]  # empty: OpenSID's empty page (nothing changed)


@dataclass(frozen=True)
class ProgressPush:
    kode_desa: str
    progress: Mapping[str, float]  # project id -> highest persentase among the entries sent
    entries: int


def read_pembangunan(
    upload: bytes | None,
    form: Mapping[str, str],
    *,
    expected: str | None = None,
    limits: Limits = LIMITS,
) -> ProjectsPush:
    """The projects of one `pembangunan` push (multipart `file` and `desa_id`)."""
    with refusing(PUSH_PROJECTS, expected=expected) as ctx:
        ctx.kode_desa = village_code(form.get("desa_id"))
        check_expected(ctx.kode_desa, expected)
        if not upload:
            raise Bad("upload.missing")
        table = open_table(upload, limits, (".csv", ".xlsx"))
        projects: dict[str, Project] = {}
        first: dict[str, int] = {}
        required = ("id", "judul", "tahun_anggaran", "anggaran")
        for number, cells in village_rows(table, ctx.kode_desa, required):
            get = getter(table, cells)
            ident = str(whole(get("id"), number, "id", required=True))
            if ident in projects:
                raise Bad("duplicate", row=number, column="id", value=ident, first=first[ident])
            first[ident] = number
            tahun = text(get("tahun_anggaran"), number, "tahun_anggaran")
            if not (len(tahun) == 4 and tahun.isdecimal() and 2000 <= int(tahun) <= 2100):
                raise Bad("cell.not_year", row=number, column="tahun_anggaran")
            status = whole(get("status"), number, "status")
            atribut = {
                ours: text(get(theirs), number, theirs)[:MAX_ATTRIBUTE]
                for ours, theirs in _ATTRIBUTES
            }
            projects[ident] = Project(
                id=ident,
                judul=(text(get("judul"), number, "judul") or ident)[:MAX_LABEL],
                tahun=tahun,
                anggaran=_amount(get("anggaran"), number, "anggaran"),
                aktif=status is None or status == ACTIVE,
                atribut={k: v for k, v in atribut.items() if v},
            )
        return ProjectsPush(ctx.kode_desa, tuple(projects.values()))


def read_dokumentasi(
    upload: bytes | None,
    form: Mapping[str, str],
    *,
    expected: str | None = None,
    limits: Limits = LIMITS,
) -> ProgressPush:
    """The progress entries of one `pembangunan/dokumentasi` push, per project."""
    with refusing(PUSH_PROGRESS, expected=expected) as ctx:
        ctx.kode_desa = village_code(form.get("desa_id"))
        check_expected(ctx.kode_desa, expected)
        if not upload:
            raise Bad("upload.missing")
        table = open_table(upload, limits, (".csv", ".xlsx"))
        best: dict[str, float] = {}
        entries = 0
        for number, cells in village_rows(table, ctx.kode_desa, ("id_pembangunan", "persentase")):
            get = getter(table, cells)
            entries += 1
            project = str(whole(get("id_pembangunan"), number, "id_pembangunan", required=True))
            raw = get("persentase")
            try:
                value = progress([{"persentase": raw}], f"row {number}")
            except PayloadError:
                raise Bad("cell.not_percent", row=number, column="persentase") from None
            if value is not None:
                best[project] = max(best.get(project, value), value)
        return ProgressPush(ctx.kode_desa, best, entries)


def merge_pembangunan(
    current: Sequence[MeasurementRow],
    *,
    projects: ProjectsPush | None = None,
    progress_push: ProgressPush | None = None,
) -> DatasetResult:
    """The village's whole `pembangunan` dataset after a push: the stored rows (as a pull
    lands them: `anggaran` and `progres` per project and year) with the pushed projects
    replaced, inactive ones removed and pushed progress raised. `periods` covers every year
    before and after, so landing it replaces exactly what changed."""
    by_project: dict[str, dict[str, MeasurementRow]] = {}
    for row in current:
        by_project.setdefault(row.kode, {})[row.ukuran] = row
    for p in projects.projects if projects else ():
        if not p.aktif:
            by_project.pop(p.id, None)
            continue
        atribut = dict(p.atribut)
        old = by_project.get(p.id, {}).get("progres")
        by_project[p.id] = {
            "anggaran": MeasurementRow("anggaran", p.anggaran, p.id, p.judul, p.tahun, atribut),
            "progres": MeasurementRow(
                "progres", old.nilai if old else None, p.id, p.judul, p.tahun, atribut
            ),  # fmt: skip
        }
    unknown: list[str] = []
    for ident, value in (progress_push.progress if progress_push else {}).items():
        rows = by_project.get(ident)
        if rows is None or "anggaran" not in rows:
            unknown.append(ident)
            continue
        base = rows["anggaran"]
        old = rows.get("progres")
        stored = old.nilai if old is not None and old.nilai is not None else None
        best = value if stored is None else max(stored, value)
        rows["progres"] = MeasurementRow("progres", best, ident, base.label, base.periode,
                                         dict(base.atribut or {}))  # fmt: skip
    rows = [row for kode in sorted(by_project, key=as_number) for row in by_project[kode].values()]
    periods = {r.periode for r in current} | {r.periode for r in rows}
    warning = None
    if unknown:
        warning = (
            f"pembangunan: progress of {len(unknown)} project(s) not yet sent "
            f"({', '.join(sorted(unknown, key=as_number)[:10])}) was not kept"
        )
    return DatasetResult(DATASET, "ok", data=rows, warning=warning,
                         periods=tuple(sorted(periods)))  # fmt: skip


def _amount(value: object, row: int, column: str) -> float:
    """A rupiah amount ≥ 0 as PHP writes a number into a CSV ("150000000", "1.5E+8")."""
    if isinstance(value, bool):
        raise Bad("cell.not_amount", row=row, column=column)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Bad("cell.empty", row=row, column=column)
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise Bad("cell.not_amount", row=row, column=column) from None
    if not math.isfinite(number) or number < 0:
        raise Bad("cell.not_amount", row=row, column=column)
    return number + 0.0
