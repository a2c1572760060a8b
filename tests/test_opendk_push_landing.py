"""Every push of one village, in the order OpenSID's operator sends them, landed in the
warehouse as the route will land them: values read back equal, and no personal field of any
payload is in any table."""

from __future__ import annotations

import io
import json
import logging
import zipfile

import pandas as pd
from sqlalchemy import inspect, text

from collectors.model import VillagePull
from collectors.opendk import (
    bantuan_result,
    identitas_result,
    laporan_result,
    merge_pembangunan,
    read_dokumentasi,
    read_identitas,
    read_laporan,
    read_pembangunan,
    read_penduduk,
    read_peserta_bantuan,
    read_program_bantuan,
    stored_programmes,
)
from collectors.opendk.penduduk import ENDPOINT, SOURCE_APP
from collectors.sweep import land_pull, prepare_pull
from config.registry import load_registry
from config.settings import DEFAULT_REGISTRY
from tests import opendk_sender as sender
from tests.test_opendk_push_identitas_laporan import identitas_form, laporan_body
from tests.test_opendk_push_pembangunan import projects
from warehouse.store import Warehouse
from warehouse.values import MeasurementRow

KODE = sender.KODE_DESA


def current(store: Warehouse, dataset: str) -> list[MeasurementRow]:
    """What the warehouse holds of one dataset of the village, as MeasurementRow values."""
    frame = store.measurements_frame([dataset], KODE)
    return [
        MeasurementRow(r.ukuran, None if pd.isna(r.nilai) else float(r.nilai), r.kode,
                       r.label or "", r.periode, json.loads(r.atribut) if r.atribut else None)
        for r in frame.itertuples()
    ]  # fmt: skip


def land(store: Warehouse, *results) -> list[str]:
    pull = VillagePull(KODE, list(results), source_app=SOURCE_APP, endpoint=ENDPOINT)
    run = store.start_run(trigger="push", total=1)
    writes, source = prepare_pull(pull)
    statuses = land_pull(store, run, pull, writes, source)
    store.finish_run(run, ok=1, unchanged=0, failed=0)
    return statuses


def every_text(store: Warehouse) -> str:
    parts = []
    with store.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(" ".join(str(v) for v in row))
    return "\n".join(parts)


def test_a_village_pushes_everything_and_nothing_personal_is_kept(store, caplog):
    caplog.set_level(logging.DEBUG)
    store.sync_regions(load_registry(DEFAULT_REGISTRY))
    people = sender.residents(400)
    programmes = sender.fake_programmes(people=people)

    ident = read_identitas(identitas_form(), expected=KODE)
    assert land(store, identitas_result(ident, current(store, "identitas"))) == ["ok"]

    headers, body = sender.penduduk_request(people)
    _, files = sender.parse_multipart(headers["Content-Type"], body)
    penduduk = read_penduduk(files["file"][1], on=sender.SENT_ON, expected=KODE)
    statuses = land(store, *penduduk.pull.results)
    assert set(statuses) == {"ok"} and len(statuses) == 19

    # the two parts of Program Bantuan land one by one, each against what is stored
    form = {"desa_id": KODE}
    first = read_program_bantuan(sender.program_bantuan_zip(programmes), form, expected=KODE)
    assert land(store, bantuan_result(first, current=current(store, "bantuan"))) == ["ok"]
    assert {r.nilai for r in current(store, "bantuan")} == {None}  # no recipients yet
    second = read_peserta_bantuan(sender.peserta_bantuan_zip(programmes), form, expected=KODE)
    known = stored_programmes(KODE, current(store, "bantuan"))
    assert [p.id for p in known.programmes] == [p.id for p in first.programmes]
    assert land(store, bantuan_result(known, second)) == ["ok"]
    # the programmes again (the next sync): the stored counts stay, nothing changes
    again = bantuan_result(first, current=current(store, "bantuan"))
    assert land(store, again) == ["unchanged"]

    pushed = read_pembangunan(sender.pembangunan_zip(projects()), form, expected=KODE)
    assert land(store, merge_pembangunan(current(store, "pembangunan"), projects=pushed)) == ["ok"]
    progress = read_dokumentasi(sender.dokumentasi_zip(projects()), form, expected=KODE)
    merged = merge_pembangunan(current(store, "pembangunan"), progress_push=progress)
    assert land(store, merged) == ["ok"]

    laporan = read_laporan(laporan_body("apbdes", [{"id": 3, "part": 1}]), "apbdes")
    assert land(store, laporan_result(laporan, current(store, "laporan-apbdes"))) == ["ok"]

    # read back
    observed = store.observations_frame(["total", "agama"])
    mine = observed[observed["kode_desa"] == KODE]
    totals = mine[mine["dataset"] == "total"].set_index("kode")["jumlah"].to_dict()
    assert totals == {"penduduk": penduduk.hidup, "keluarga": penduduk.keluarga}
    bantuan = {r.kode: r.nilai for r in current(store, "bantuan")}
    assert bantuan == {p.id: float(second.recipients.get(p.id, 0)) for p in first.programmes}
    progres = {r.kode: r.nilai for r in current(store, "pembangunan") if r.ukuran == "progres"}
    assert progres == {"1": 80.0, "2": 95.0, "3": None}
    assert [(r.kode, r.periode) for r in current(store, "laporan-apbdes")] == [("3", "2026S1")]
    (profil,) = [r for r in current(store, "identitas") if r.ukuran == "profil"]
    assert profil.atribut["website"] == "https://talangjambu.desa.id/~opensid/"
    source = store.source_state_frame()
    assert set(source[source["kode_desa"] == KODE]["source_app"]) == {"OpenSID"}

    # nothing personal, in any table or log record
    secrets = set()
    fields = ("nama", "nomor_kk", "nomor_nik", "tempat_lahir", "tanggal_lahir", "alamat",
              "nama_ayah", "nama_ibu", "nik_ayah", "akta_lahir", "alamat_sekarang")  # fmt: skip
    for p in people:
        for f in fields:
            if p.row.get(f) and len(str(p.row[f])) >= 6 and p.row[f] != "0000-00-00":
                secrets.add(str(p.row[f]))
    for prog in programmes:
        for r in prog.recipients:
            secrets |= {str(r[f]) for f in ("peserta", "kartu_nama", "kartu_alamat", "no_id_kartu")
                        if r.get(f) and len(str(r[f])) >= 6}  # fmt: skip
    assert len(secrets) > 500
    hay = every_text(store) + "\n".join(r.getMessage() for r in caplog.records)
    assert sorted(v for v in secrets if v in hay) == []


def test_the_zip_is_codeigniters():
    """The test requests carry CI_Zip's own layout, which the reader must take."""
    data = sender.penduduk_zip(sender.residents(3))
    (info,) = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert info.filename == "penduduk_opendk_20_08_2026.xlsx"  # the base name only
    assert (info.create_version, info.extract_version, info.external_attr) == (0, 20, 32)
    assert info.compress_type == zipfile.ZIP_DEFLATED and not info.flag_bits & 0x8
    assert info.date_time == (2026, 8, 20, 9, 41, 6)  # DOS time: even seconds
