"""The OpenDK-compatible receiver over HTTP (issue 11): a village's whole sync, sent with the
requests OpenSID 2508 builds (simulator.opendk_sender), lands as push runs and shows through
the API twins of the pages; tokens are per village, hashed and revocable; nothing personal is
kept in the warehouse, the logs or a temporary file; bodies are bounded before they are read."""

from __future__ import annotations

import base64
import io
import json
import logging
import tempfile
import threading
import zipfile

import pytest
import requests
from flask import Flask
from sqlalchemy import inspect, text

from collectors.opendk import read_penduduk
from collectors.opendk.answers import SUCCESS, UNAUTHENTICATED
from collectors.opendk.limits import Limits
from collectors.sweep import run_sweep
from config.registry import load_registry, parse_registry
from config.settings import DEFAULT_REGISTRY, Settings
from dashboard.app import create_app
from dashboard.opendk_receiver import opendk_blueprint, server_options
from simulator import opendk_sender as sender
from simulator.opendk_push import push_village, sync_requests
from warehouse.push_tokens import (
    issue_token,
    revoke_tokens,
    token_hash,
    tokens_frame,
    village_of_token,
)

KODE = sender.KODE_DESA  # Talang Jambu, Kerkap
OTHER = "17.03.06.2002"


def every_text(store) -> str:
    parts = []
    with store.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(" ".join(str(v) for v in row))
    return "\n".join(parts)


def personal_values(people, programmes) -> set[str]:
    fields = ("nama", "nomor_kk", "nomor_nik", "tempat_lahir", "alamat", "nama_ayah",
              "nama_ibu", "nik_ayah", "nik_ibu", "alamat_sekarang")  # fmt: skip
    found = {str(p.row[f]) for p in people for f in fields
             if p.row.get(f) and len(str(p.row[f])) >= 6}  # fmt: skip
    for prog in programmes:
        for r in prog.recipients:
            found |= {str(r[f]) for f in ("peserta", "kartu_nik", "kartu_nama", "kartu_alamat")
                      if r.get(f) and len(str(r[f])) >= 6}  # fmt: skip
    return found


@pytest.fixture
def no_temp_files(monkeypatch, tmp_path):
    """Every temporary file made while the test runs (werkzeug spools large multipart parts
    to one, waitress large bodies): anonymous ones leave no name to find afterwards, so the
    calls are counted; and the temporary directory, its own for the test, stays empty."""
    made: list[str] = []
    temp_dir = tmp_path / "tmp"
    temp_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp_dir))
    for name in ("TemporaryFile", "SpooledTemporaryFile", "NamedTemporaryFile", "mkstemp"):
        original = getattr(tempfile, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            made.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(tempfile, name, spy)
    yield made
    assert list(temp_dir.iterdir()) == []


def status_of(store, kode: str, dataset: str) -> list:
    status = store.dataset_status_frame()
    return list(status[(status["kode_desa"] == kode) & (status["dataset"] == dataset)].itertuples())


def post(client, req, **overrides):
    headers = {**req.headers, **overrides}
    return client.post(f"/api/v1/{req.path}", data=req.body, headers=headers)


def test_a_village_syncs_as_opensid_does_and_the_pages_show_it(store, caplog, no_temp_files):
    caplog.set_level(logging.DEBUG)
    store.sync_regions(load_registry(DEFAULT_REGISTRY))
    token = issue_token(store, KODE).token
    client = create_app(store, Settings()).server.test_client()
    sent = sync_requests(KODE, token, residents=300)

    for req in sent:
        response = post(client, req)
        assert (response.status_code, response.get_json()) == SUCCESS[req.path], req.path
        # OpenDK's key order: OpenSID shows the body as it comes
        assert list(json.loads(response.data)) == list(SUCCESS[req.path][1])

    # one push run per request, each with the village landed
    runs = store.runs_frame(kinds=["push"])
    assert len(runs) == len(sent) and set(runs["status"]) == {"completed"}
    assert sorted(runs["trigger"]) == sorted(f"opendk:{r.path}" for r in sent)
    log = store.fetch_log_frame(kinds=["push"])
    assert set(log["kode_desa"]) == {KODE} and set(log["status"]) <= {"ok", "unchanged"}

    # the values, read back through the API as the pages have them
    (penduduk_req,) = [r for r in sent if r.path == "penduduk/storedata"]
    _, files = sender.parse_multipart(penduduk_req.headers["Content-Type"], penduduk_req.body)
    pushed = read_penduduk(files["file"][1], on=sender.SENT_ON, expected=KODE)
    (total,) = [r.data for r in pushed.pull.results if r.dataset == "total"]
    got = client.get(f"/api/v1/penduduk?tingkat=desa&wilayah={KODE}").get_json()
    (row,) = got["rows"]
    assert (row["laki_laki"], row["perempuan"]) == (total.penduduk.laki_laki,
                                                    total.penduduk.perempuan)  # fmt: skip
    assert row["keluarga"] == pushed.keluarga
    agama = client.get(f"/api/v1/statistik/agama?tingkat=desa&wilayah={KODE}").get_json()["rows"]
    (stat,) = [r.data for r in pushed.pull.results if r.dataset == "agama"]
    shown = {r["kode"]: r["jumlah"] for r in agama if r["kode"] not in ("belum_mengisi",)}
    assert shown == {c.kode: c.counts.jumlah for c in stat.rows}

    bantuan = client.get(f"/api/v1/halaman/desa/bantuan?wilayah={KODE}").get_json()["rows"]
    people = sender.residents(300, seed=7, kode=KODE, today=sender.SENT_ON)
    programmes = sender.fake_programmes(7, KODE, today=sender.SENT_ON, people=people)
    assert sorted(r["program"] for r in bantuan) == sorted(p.nama for p in programmes)
    assert sum(r["peserta"] or 0 for r in bantuan) > 0
    projects = client.get(f"/api/v1/halaman/desa/pembangunan?wilayah={KODE}").get_json()["rows"]
    assert len(projects) == 3
    # freshness: the village reported (pushes count as arrivals), and is active
    monitor = client.get(f"/api/v1/halaman/pemantauan/desa?wilayah={KODE}").get_json()["rows"]
    (village,) = monitor
    assert village["keadaan"] == "baik" and village["kelas"] == "aktif", village
    history = client.get(f"/api/v1/halaman/desa/riwayat?wilayah={KODE}").get_json()["rows"]
    # the profile's history is the village's last 5 arrivals: here the last 5 pushes
    assert {r["run_id"] for r in history} == set(sorted(runs["id"])[-5:])
    assert {r["dataset"] for r in history} >= {"laporan-apbdes", "bantuan", "pembangunan"}

    # nothing personal in any table, log record or temporary file
    secrets = personal_values(people, programmes)
    assert len(secrets) > 300
    hay = every_text(store) + "\n".join(r.getMessage() for r in caplog.records)
    assert sorted(v for v in secrets if v in hay) == []
    assert token not in hay and token_hash(token) in every_text(store)
    assert no_temp_files == []


def test_tokens_are_per_village_and_revocable(store):
    store.sync_regions(load_registry(DEFAULT_REGISTRY))
    mine, theirs = issue_token(store, KODE).token, issue_token(store, OTHER).token
    client = create_app(store, Settings()).server.test_client()
    (ident,) = [r for r in sync_requests(KODE, mine) if r.path == "identitas-desa"]

    for header in (None, "Bearer ", "Bearer not-a-token", f"Basic {mine}"):
        headers = {k: v for k, v in ident.headers.items() if k != "Authorization"}
        if header is not None:
            headers["Authorization"] = header
        response = client.post("/api/v1/identitas-desa", data=ident.body, headers=headers)
        assert (response.status_code, response.get_json()) == UNAUTHENTICATED
    assert client.get("/api/v1/test").status_code == 401
    assert client.get("/api/v1/test", headers={"Authorization": f"Bearer {mine}"}).get_json() == (
        "Welcome to api route"
    )

    # another village's token: refused, naming both villages, recorded as the sender's failure
    response = post(client, ident, Authorization=f"Bearer {theirs}")
    assert response.status_code == 422
    message = response.get_json()["message"]
    assert KODE in message and OTHER in message
    status = store.dataset_status_frame()
    (failed,) = status_of(store, OTHER, "identitas")
    assert failed.last_status == "failed" and failed.last_error_code == "push.village.mismatch"
    assert status[status["kode_desa"] == KODE].empty  # nothing landed for the village named

    assert post(client, ident).status_code == 200
    # issuing again replaces the token; revoking stops the new one
    again = issue_token(store, KODE)
    assert again.replaced == 1
    assert post(client, ident).status_code == 401
    assert post(client, ident, Authorization=f"Bearer {again.token}").status_code == 200
    assert revoke_tokens(store, KODE) == 1
    response = post(client, ident, Authorization=f"Bearer {again.token}")
    assert (response.status_code, response.get_json()) == UNAUTHENTICATED
    listed = tokens_frame(store)
    assert list(listed[listed["kode_desa"] == KODE]["active"]) == [False, False]
    assert mine not in every_text(store) and again.token not in every_text(store)


def test_a_bad_push_is_refused_in_opendks_shape_and_keeps_the_previous_data(sqlite_store):
    store = sqlite_store
    store.sync_regions(load_registry(DEFAULT_REGISTRY))
    token = issue_token(store, KODE).token
    client = create_app(store, Settings()).server.test_client()
    by_path = {r.path: r for r in sync_requests(KODE, token, residents=120)}
    assert post(client, by_path["pembangunan"]).status_code == 200
    before = store.measurements_frame(["pembangunan"], KODE)

    # a zip that is not one: OpenDK's "danger" answer with HTTP 200, nothing loaded
    content_type, body = sender.guzzle_multipart([("file", b"PK\x03\x04 broken", "x.zip"),
                                                  ("desa_id", KODE, None)])  # fmt: skip
    response = client.post("/api/v1/pembangunan", data=body, headers={
        "Content-Type": content_type, "Authorization": f"Bearer {token}"})  # fmt: skip
    answer = response.get_json()
    assert response.status_code == 200 and answer["status"] == "danger"
    assert answer["message"].startswith("Proses Sinkronisasi Data gagal. Error : ")
    assert store.measurements_frame(["pembangunan"], KODE).equals(before)
    (row,) = status_of(store, KODE, "pembangunan")
    assert row.last_status == "failed" and row.last_error_code == "push.zip.invalid"
    # the Pemantauan twin renders the reason in words, with its code beside it
    monitor = client.get(f"/api/v1/halaman/pemantauan/desa?wilayah={KODE}").get_json()["rows"]
    assert monitor[0]["alasan_kode"] == "push.zip.invalid"
    from i18n.reasons import render_reason

    said = render_reason(row.last_error_code, row.last_error_params, row.last_error, "id")
    assert said.startswith("push pembangunan: unggahan bukan arsip zip yang dapat dibaca"), said
    assert row.last_error.startswith("village 17.03.06.2001, pembangunan push: the upload is not")

    # a laporan refusal must be a 422, or OpenSID marks the report as sent
    bad = by_path["laporan-apbdes"].body.replace(b'"semester":1', b'"semester":7')
    response = client.post("/api/v1/laporan-apbdes", data=bad,
                           headers={**by_path["laporan-apbdes"].headers,
                                    "Content-Length": str(len(bad))})  # fmt: skip
    assert response.status_code == 422 and "laporan_apbdes" in response.get_json()["errors"]


def test_the_body_is_bounded_before_it_is_read(sqlite_store, no_temp_files):
    store = sqlite_store
    store.sync_regions(load_registry(DEFAULT_REGISTRY))
    token = issue_token(store, KODE).token
    limits = Limits(upload_bytes=20_000, json_bytes=20_000)
    app = Flask(__name__)
    app.register_blueprint(opendk_blueprint(store, Settings(), limits=limits))
    client = app.test_client()
    by_path = {r.path: r for r in sync_requests(KODE, token, residents=1000)}
    big = by_path["penduduk/storedata"]
    assert len(big.body) > limits.request_bytes

    read = []

    class Watched(io.BytesIO):
        def read(self, *args):
            read.append(args)
            return super().read(*args)

    response = client.post("/api/v1/penduduk/storedata", input_stream=Watched(big.body),
                           headers=big.headers)  # fmt: skip
    assert response.status_code == 422
    assert "lebih dari batas" in response.get_json()["message"]
    assert read == []  # refused from its Content-Length alone
    # without a Content-Length (chunked): refused once the limit is passed
    headers = {k: v for k, v in big.headers.items() if k != "Content-Length"}
    response = client.post("/api/v1/penduduk/storedata", input_stream=io.BytesIO(big.body),
                           headers={**headers, "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})  # fmt: skip
    assert response.status_code == 422
    status = store.dataset_status_frame()
    mine = status[status["kode_desa"] == KODE]
    assert set(mine["last_error_code"]) == {"push.upload.too_large"} and len(mine) == 19
    assert no_temp_files == []


def test_through_waitress_on_loopback(sqlite_store, no_temp_files):
    """A real server with the serve command's options: a residents' upload above waitress's
    in-memory default (512 KiB) stays in memory, and every answer is OpenDK's."""
    from waitress.server import create_server

    store = sqlite_store
    store.sync_regions(load_registry(DEFAULT_REGISTRY))
    token = issue_token(store, KODE).token
    app = create_app(store, Settings())
    server = create_server(app.server, host="127.0.0.1", port=0, threads=2, **server_options())
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}"
        # a laporan whose PDF is larger than waitress's in-memory default
        (laporan,) = [r for r in sync_requests(KODE, token) if r.path == "laporan-apbdes"]
        pdf = b"%PDF-1.4\n" + bytes(range(256)) * 2400 + b"%%EOF\n"
        item = {**json.loads(laporan.body)["laporan_apbdes"][0], "id": 9,
                "file": base64.b64encode(pdf).decode()}  # fmt: skip
        body = sender.php_json({"desa_id": KODE, "laporan_apbdes": [item]})
        assert len(body) > 512 * 1024
        headers = {**laporan.headers, "Content-Length": str(len(body))}
        response = requests.post(f"{url}/api/v1/laporan-apbdes", data=body, headers=headers,
                                 timeout=60)  # fmt: skip
        assert response.status_code == 200, response.text
        answers = push_village(url, KODE, token, now=sender.SENT_AT)
        assert [(p, s, a) for p, s, a in answers] == [(p, *SUCCESS[p]) for p, _, _ in answers]
        assert no_temp_files == []
    finally:
        server.close()
        thread.join(5)
    runs = store.runs_frame(kinds=["push"])
    assert len(runs) == 9 and set(runs["villages_ok"] + runs["villages_unchanged"]) == {1}

    # the control: waitress's defaults would have spooled that body to a temporary file
    bare = Flask(__name__)
    bare.register_blueprint(opendk_blueprint(store, Settings()))
    server = create_server(bare, host="127.0.0.1", port=0, threads=1)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.effective_port}"
        response = requests.post(f"{url}/api/v1/laporan-apbdes", data=body, headers=headers,
                                 timeout=60)  # fmt: skip
        assert response.status_code == 200
        assert "TemporaryFile" in no_temp_files
    finally:
        server.close()
        thread.join(5)


def test_a_push_only_village_is_never_pulled(sqlite_store):
    villages = parse_registry(
        "kode_desa,nama_desa,kode_kecamatan,nama_kecamatan,adapter,base_url,token\n"
        f"{KODE},Talang Jambu,17.03.06,Kerkap,opendk-push,,\n"
    )
    assert villages[0].adapter == "opendk-push"
    summary = run_sweep(villages, sqlite_store, Settings(retries=0))
    assert summary.outcomes == []
    assert sqlite_store.fetch_log_frame().empty


def test_the_zip_the_demo_sends_is_opensids():
    (req,) = [r for r in sync_requests(KODE, "t") if r.path == "program-bantuan"]
    _, files = sender.parse_multipart(req.headers["Content-Type"], req.body)
    name, data = files["file"]
    assert name.startswith("program_bantuan_20_08_2026_opendk_") and name.endswith(".zip")
    (entry,) = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert entry.endswith(".xlsx")


def test_the_tokens_command_prints_a_token_once(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from dashboard.cli import main
    from warehouse.store import Warehouse

    url = f"sqlite:///{tmp_path / 'wh.db'}"
    monkeypatch.setenv("DASBOR_DATABASE_URL", url)
    runner = CliRunner()
    issued = runner.invoke(main, ["tokens", "issue", "1703062001"])
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    assert len(token) == 43 and "Talang Jambu" in issued.stderr
    store = Warehouse(url)
    assert village_of_token(store, token) == KODE
    listed = runner.invoke(main, ["tokens", "list"])
    assert listed.exit_code == 0 and KODE in listed.output and "active" in listed.output
    assert token not in listed.output and token not in every_text(store)

    unknown = runner.invoke(main, ["tokens", "issue", "17.03.06.2999"])
    assert unknown.exit_code != 0 and "not in the registry" in unknown.output
    assert runner.invoke(main, ["tokens", "revoke", KODE]).exit_code == 0
    assert village_of_token(store, token) is None
    again = runner.invoke(main, ["tokens", "revoke", KODE])
    assert again.exit_code != 0 and "no active token" in again.output
    store.engine.dispose()


def test_the_demo_marks_and_pushes_its_village(sqlite_store, tmp_path):
    from dashboard.demo_push import DEMO_PUSH_VILLAGE, mark_push_village, push_demo_village

    settings = Settings(var_dir=str(tmp_path))
    villages, path = mark_push_village(load_registry(DEFAULT_REGISTRY), DEFAULT_REGISTRY, settings)
    assert path == tmp_path / "villages-demo.csv"
    (marked,) = [v for v in villages if v.kode_desa == DEMO_PUSH_VILLAGE]
    assert marked.adapter == "opendk-push"
    assert {v.adapter for v in villages if v is not marked} == {"summary-v1"}
    sqlite_store.sync_regions(villages)
    answers = push_demo_village(sqlite_store, settings)
    assert [(p, s, a) for p, s, a in answers] == [(p, *SUCCESS[p]) for p, _, _ in answers]
    status = sqlite_store.dataset_status_frame()
    mine = status[status["kode_desa"] == DEMO_PUSH_VILLAGE]
    assert len(mine) >= 20 and set(mine["last_status"]) <= {"ok", "unchanged"}
