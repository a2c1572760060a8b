"""One push, from the parts of its request to the warehouse and OpenDK's answer.

The HTTP route (dashboard/opendk_receiver.py) authenticates the token, bounds and parses the
body in memory, and hands the parts here with the token's village. Each push becomes a run
of kind "push" with one village, landed as a pull is (prepare_pull, land_pull): values,
fetch log and dataset status together. A refused push lands nothing but its failure: the
datasets it would have carried are logged failed with the reason as a code (push.*), so
Pemantauan says why, and the village keeps its previous values.

Pushes of one village are landed one at a time (a lock per village in this process): OpenSID
sends programmes and then their recipients, and the second is merged with what the first
stored. Several receiver processes over one warehouse would need a database lock instead.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from collectors.model import DatasetResult, Reason, VillagePull
from collectors.opendk.answers import refusal, success
from collectors.opendk.bantuan import (
    bantuan_result,
    read_peserta_bantuan,
    read_program_bantuan,
    stored_programmes,
)
from collectors.opendk.errors import PushError
from collectors.opendk.identitas import identitas_result, read_identitas
from collectors.opendk.laporan import laporan_result, read_laporan
from collectors.opendk.limits import LIMITS, Limits
from collectors.opendk.pembangunan import merge_pembangunan, read_dokumentasi, read_pembangunan
from collectors.opendk.penduduk import DATASETS as PENDUDUK_DATASETS
from collectors.opendk.penduduk import ENDPOINT, SOURCE_APP, read_penduduk
from collectors.sweep import land_pull, prepare_pull
from warehouse.store import Warehouse
from warehouse.values import MeasurementRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PushRequest:
    """The parts of one request: form fields, the multipart `file`, or the raw (JSON) body."""

    path: str  # under /api/v1, e.g. "program-bantuan/peserta"
    form: Mapping[str, str] = field(default_factory=dict)
    upload: bytes | None = None
    body: bytes | None = None


@dataclass(frozen=True)
class PushOutcome:
    status: int  # the HTTP status of OpenDK's answer
    answer: dict  # its body
    run_id: int | None
    statuses: dict[str, str]  # dataset -> ok, unchanged, failed
    error: PushError | None = None


def current(store: Warehouse, kode_desa: str, dataset: str) -> list[MeasurementRow]:
    """What the warehouse holds of one measurement dataset of the village."""
    frame = store.measurements_frame([dataset], kode_desa)
    return [
        MeasurementRow(
            r.ukuran,
            None if pd.isna(r.nilai) else float(r.nilai),
            r.kode,
            r.label or "",
            r.periode,
            json.loads(r.atribut) if isinstance(r.atribut, str) and r.atribut else None,
        )  # fmt: skip
        for r in frame.itertuples()
    ]


Handler = Callable[[Warehouse, str, PushRequest, date, Limits], list[DatasetResult]]


def _identitas(store, kode, req, today, limits):
    push = read_identitas(req.form, expected=kode, limits=limits)
    return [identitas_result(push, current(store, kode, "identitas"))]


def _penduduk(store, kode, req, today, limits):
    return read_penduduk(req.upload, on=today, expected=kode, limits=limits).pull.results


def _laporan(tipe: str) -> Handler:
    def handle(store, kode, req, today, limits):
        push = read_laporan(req.body, tipe, expected=kode, limits=limits)
        return [laporan_result(push, current(store, kode, push.dataset))]

    return handle


def _programmes(store, kode, req, today, limits):
    push = read_program_bantuan(req.upload, req.form, expected=kode, limits=limits)
    return [bantuan_result(push, current=current(store, kode, "bantuan"))]


def _recipients(store, kode, req, today, limits):
    push = read_peserta_bantuan(req.upload, req.form, expected=kode, limits=limits)
    known = stored_programmes(kode, current(store, kode, "bantuan"))
    return [bantuan_result(known, push)]


def _projects(store, kode, req, today, limits):
    push = read_pembangunan(req.upload, req.form, expected=kode, limits=limits)
    return [merge_pembangunan(current(store, kode, "pembangunan"), projects=push)]


def _progress(store, kode, req, today, limits):
    push = read_dokumentasi(req.upload, req.form, expected=kode, limits=limits)
    return [merge_pembangunan(current(store, kode, "pembangunan"), progress_push=push)]


# path under /api/v1 -> (how it is read, the datasets it lands, the push's name in reasons)
ROUTES: dict[str, tuple[Handler, tuple[str, ...], str]] = {
    "identitas-desa": (_identitas, ("identitas",), "identitas"),
    "penduduk/storedata": (_penduduk, PENDUDUK_DATASETS, "penduduk"),
    "laporan-penduduk": (_laporan("penduduk"), ("laporan-penduduk",), "laporan-penduduk"),
    "laporan-apbdes": (_laporan("apbdes"), ("laporan-apbdes",), "laporan-apbdes"),
    "program-bantuan": (_programmes, ("bantuan",), "program-bantuan"),
    "program-bantuan/peserta": (_recipients, ("bantuan",), "peserta-bantuan"),
    "pembangunan": (_projects, ("pembangunan",), "pembangunan"),
    "pembangunan/dokumentasi": (_progress, ("pembangunan",), "pembangunan-dokumentasi"),
}

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _village_lock(kode: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(kode, threading.Lock())


def failure_reason(error: PushError) -> Reason:
    """A refused push as a stored reason: the code and values of the push's own message,
    said of the push (`tempat`), so the pages render it in their language."""
    return Reason(error.text("en"), error.code, {**error.params, "tempat": f"push {error.push}"})


def receive(
    store: Warehouse,
    kode_desa: str,
    request: PushRequest,
    *,
    today: date,
    limits: Limits = LIMITS,
) -> PushOutcome:
    """Read, validate and land one push of the token's village `kode_desa`; OpenDK's answer.

    A payload naming another village, or failing any check, is refused whole and recorded as
    the token's village's failure (it is that village's system that sent it)."""
    path = request.path.strip("/")
    handler, datasets, _ = ROUTES[path]
    with _village_lock(kode_desa):
        error: PushError | None = None
        try:
            results = handler(store, kode_desa, request, today, limits)
        except PushError as exc:
            error = exc
            results = [DatasetResult.failure(d, failure_reason(exc)) for d in datasets]
        run_id, statuses = land_push(store, kode_desa, results, trigger=f"opendk:{path}")
    if error is None and "failed" in statuses.values():
        # the warehouse refused a value (its bounds): said as OpenDK says a failed import
        error = PushError(ROUTES[path][2], "internal", kode_desa, kind="warehouse")
    if error is not None:
        # the reason (a code and the row or column, never a cell of a personal file)
        log.warning("push refused: %s", error.text("en"))
        status, answer = refusal(path, error)
    else:
        status, answer = success(path)
    return PushOutcome(status, answer, run_id, statuses, error)


def land_push(
    store: Warehouse, kode_desa: str, results: list[DatasetResult], *, trigger: str
) -> tuple[int, dict[str, str]]:
    """One push as a run of kind "push" with one village; each dataset's final status."""
    pull = VillagePull(kode_desa, results, source_app=SOURCE_APP, endpoint=ENDPOINT)
    run_id = store.start_run(kind="push", trigger=trigger[:32], total=1)
    try:
        writes, source = prepare_pull(pull)
        final = land_pull(store, run_id, pull, writes, source)
    except BaseException:
        store.finish_run(run_id, ok=0, unchanged=0, failed=1, status="aborted")
        raise
    statuses = dict(zip([r.dataset for r in results], final, strict=True))
    failed = int("failed" in final)
    ok = int(not failed and "ok" in final)
    store.finish_run(run_id, ok=ok, unchanged=int(not failed and not ok), failed=failed)
    return run_id, statuses
