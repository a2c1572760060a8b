"""Failures in sight (issue 8), through the app: villages made to fail on the simulator (500,
timeout, bad-json, 401), one stale, one never collected, two fine. The Pemantauan map colours
each village by its state, its rows link to the village, the village profile opens with its
state and the reason in the page's language (Indonesian, or English with the English cookie),
and the warehouse keeps the original text beside the code."""

from __future__ import annotations

from datetime import timedelta

import pytest

import warehouse.store as store_module
from collectors.sweep import run_sweep
from config.settings import Settings
from dashboard.app import create_app
from dashboard.context import LANGUAGE_COOKIE
from dashboard.pages import desa as desa_page
from dashboard.pages import pemantauan as pmt
from dashboard.pages import ringkasan as rks
from tests.auth_support import sign_in
from tests.conftest import pointed_at
from tests.test_dashboard_callbacks import DashClient, find, texts
from warehouse.store import Warehouse

KERKAP = "17.03.06"
PAGES = ("dashboard.pages.ringkasan", "dashboard.pages.pemantauan", "dashboard.pages.desa")
FAULTS = {2: "500", 3: "timeout", 4: "bad-json", 5: "401", 8: "500"}  # village -> fault mode
OPENSID = 8  # pulled with the opensid adapter: its reasons say which statistic
# what each village's state is after the two sweeps below
STATES = {0: "baik", 1: "baik", 2: "gagal", 3: "gagal", 4: "gagal", 5: "gagal", 6: "tertinggal",
          7: "belum_pernah", 8: "gagal"}  # fmt: skip
REASONS_ID = {
    2: "HTTP 500: galat server di desa",
    3: "tidak ada jawaban dalam 1 detik (batas waktu habis)",
    4: "JSON tidak sah: ",
    5: "HTTP 401: token salah atau kedaluwarsa (periksa token di registri)",
}
REASONS_EN = {
    2: "HTTP 500: server error at the village",
    3: "no answer within 1 s (timeout)",
    4: "invalid JSON: ",
    5: "HTTP 401: token wrong or expired (check the registry token)",
}


@pytest.fixture
def only_our_pages(monkeypatch):
    import dashboard.pages

    monkeypatch.setattr(dashboard.pages, "PAGE_MODULES", PAGES)


@pytest.fixture
def failing(store, simulator, default_villages, monkeypatch):
    """Kerkap's first nine villages: 0-1 fine, 2-5 failing now (2-4 after a success ten days
    ago, 5 never collected before), 6 collected only ten days ago (stale), 7 never, 8 an
    OpenSID village failing (HTTP 500 on every statistic). On each backend."""
    villages = [v for v in default_villages if v.kode_desa.startswith(KERKAP + ".")][:9]
    settings = Settings(concurrency=8, read_timeout=1, retries=0, backoff=0.01, tahun=2026)
    real_now = store_module.utcnow
    # the first sweep ten days ago: what the warehouse stamps is its clock
    monkeypatch.setattr(store_module, "utcnow", lambda: real_now() - timedelta(days=10))
    run_sweep(pointed_at(villages[:5] + villages[6:7], simulator.url), store, settings)
    monkeypatch.setattr(store_module, "utcnow", real_now)
    try:
        for i, mode in FAULTS.items():
            simulator.set_fault(villages[i].kode_digits, mode)
        opensid = pointed_at([villages[OPENSID]], simulator.url, adapter="opensid")
        run_sweep(pointed_at(villages[:6], simulator.url) + opensid, store, settings)
    finally:
        for i in FAULTS:
            simulator.set_fault(villages[i].kode_digits, None)
    store.sync_regions(default_villages)  # every village registered: 7 and the rest never
    return store, villages


def client_for(store: Warehouse, lang: str | None = None, admin: bool = True) -> DashClient:
    """A visitor; by default an admin, who sees the original error texts (the public sees
    the reasons in words only: tests/test_auth.py)."""
    client = DashClient(create_app(store, Settings()))
    if admin:
        sign_in(client.http, store)
    if lang:
        client.http.set_cookie(LANGUAGE_COOKIE, lang)
    return client


def map_colours(figure: dict) -> dict[str, str]:
    """kode desa -> its colour on the map (one flat-coloured trace per state)."""
    colours = {}
    for trace in figure["data"]:
        colour = trace["colorscale"][0][1]
        for kode in trace["locations"]:
            colours[kode] = colour
    return colours


def test_the_map_colours_each_village_by_its_state_and_rows_link_to_it(failing, only_our_pages):
    store, villages = failing
    client = client_for(store)
    inputs = {f"{pmt.ID_KECAMATAN}.value": KERKAP, f"{pmt.ID_DESA}.value": None}
    r = client.call(f"{pmt.ID_JUDUL}.children", inputs)
    figure = r[pmt.ID_PETA]["figure"]
    colours = map_colours(figure)
    for i, state in STATES.items():
        assert colours[villages[i].kode_desa] == pmt.KEADAAN_COLOURS[state], (i, state)
    # the rest of Kerkap was never collected
    others = set(colours) - {v.kode_desa for v in villages}
    assert others and {colours[k] for k in others} == {pmt.KEADAAN_COLOURS["belum_pernah"]}
    legend = {trace["name"] for trace in figure["data"]}
    assert {"Gagal", "Tertinggal (> 7 hari)", "Belum pernah", "Baik"} <= legend
    # hovering a failing village says why, in Indonesian
    hover = {
        kode: data[2]
        for trace in figure["data"]
        for kode, data in zip(trace["locations"], trace["customdata"], strict=True)
    }
    assert REASONS_ID[2] in hover[villages[2].kode_desa]
    assert hover[villages[0].kode_desa] == ""

    rows = {row["kode_desa"]: row for row in r[pmt.ID_GRID_DESA]["rowData"]}
    for i, v in enumerate(villages):
        row = rows[v.kode_desa]
        assert row["nama_desa"] == f"[{v.nama_desa}](/desa/{v.kode_desa})"  # a link
        assert row["keadaan"] == client_words(STATES[i])
    for i, reason in REASONS_ID.items():
        row = rows[villages[i].kode_desa]
        assert row["alasan_gagal"].startswith(reason), (i, row["alasan_gagal"])
        assert row["galat_terakhir"].startswith(REASONS_EN[i])  # the original, for operators
    assert rows[villages[0].kode_desa]["alasan_gagal"] is None
    # OpenSID: one request per statistic, each reason says which one (its place in Indonesian)
    opensid = rows[villages[OPENSID].kode_desa]
    assert opensid["alasan_gagal"].startswith(
        "statistik jenis-kelamin (kunci 4): HTTP 500: galat server di desa; "
        "statistik kelas-sosial (kunci kelas_sosial): HTTP 500: galat server di desa"
    )
    assert opensid["galat_terakhir"].startswith(
        "statistik jenis-kelamin (key 4): HTTP 500: server error at the village; "
    )
    # the grid renders the link, and shows a long reason whole on hover
    layout = client.page("/pemantauan", f"?wilayah={KERKAP}")
    defs = {d["field"]: d for d in find(layout, pmt.ID_GRID_DESA)["props"]["columnDefs"]}
    assert defs["nama_desa"]["cellRenderer"] == "markdown"
    assert defs["alasan_gagal"]["tooltipField"] == "alasan_gagal"

    # the API twin stays machine-readable: the state and the reason's code beside the text
    body = client.http.get(
        "/api/v1/halaman/pemantauan/desa", query_string={"wilayah": KERKAP}
    ).get_json()
    api_rows = {row["kode_desa"]: row for row in body["rows"]}
    for i, state in STATES.items():
        assert api_rows[villages[i].kode_desa]["keadaan"] == state
    bad = api_rows[villages[2].kode_desa]
    assert (bad["alasan_kode"], bad["galat_terakhir"]) == (
        "http.server_error",
        "HTTP 500: server error at the village",
    )
    assert api_rows[villages[3].kode_desa]["alasan_kode"] == "http.timeout"
    assert api_rows[villages[4].kode_desa]["alasan_kode"] == "json.invalid"


def client_words(state: str) -> str:
    return {"baik": "Baik", "gagal": "Gagal", "tertinggal": "Tertinggal (> 7 hari)",
            "belum_pernah": "Belum pernah"}[state]  # fmt: skip


def profile(client: DashClient, kode: str) -> dict:
    return client.page(f"/desa/{kode}")


def test_the_profile_opens_with_the_state_and_the_reason_in_its_language(failing, only_our_pages):
    store, villages = failing
    kode = villages[2].kode_desa  # HTTP 500 now, a success ten days ago
    page = profile(client_for(store), kode)
    panel = find(page, desa_page.ID_KEADAAN)
    assert panel is not None and panel["props"]["data-keadaan"] == "gagal"
    words = texts(panel)
    assert "Gagal sejak" in words and "terakhir berhasil dikumpulkan" in words
    reason = find(page, desa_page.ID_GALAT)["props"]
    assert reason["children"] == REASONS_ID[2] and reason["title"] == REASONS_ID[2]
    rinci = texts(find(page, desa_page.ID_GALAT_RINCI))
    assert REASONS_ID[2] in rinci and "dataset lain" in rinci  # every dataset failed
    assert REASONS_EN[2] in texts(find(page, desa_page.ID_GALAT_ASLI))
    # the state and the freshness per dataset come first, before the village's data
    order = [section["props"].get("id") for section in page["props"]["children"]]
    assert order.index(desa_page.ID_KEADAAN) < 3
    flat = str(page)
    assert flat.index(desa_page.ID_KESEGARAN) < flat.index(desa_page.ID_PENDUDUK)
    # the freshness grid: the reason in words, the original beside it
    fresh = find(page, desa_page.ID_KESEGARAN)["props"]["rowData"]
    assert {row["alasan_gagal"] for row in fresh} == {REASONS_ID[2]}
    assert {row["last_error"] for row in fresh} == {REASONS_EN[2]}

    english = profile(client_for(store, "en"), kode)
    reason = find(english, desa_page.ID_GALAT)["props"]
    assert reason["children"] == REASONS_EN[2] and "Failing since" in texts(
        find(english, desa_page.ID_KEADAAN)
    )

    # the other states
    for i, headline in ((0, "Baik:"), (6, "Tertinggal:"), (7, "Belum pernah dikumpulkan:")):
        page = profile(client_for(store), villages[i].kode_desa)
        panel = find(page, desa_page.ID_KEADAAN)
        assert panel["props"]["data-keadaan"] == STATES[i] and headline in texts(panel)
        assert find(page, desa_page.ID_GALAT) is None
    # failing without ever having succeeded
    panel = find(profile(client_for(store), villages[5].kode_desa), desa_page.ID_KEADAAN)
    assert "belum pernah berhasil" in texts(panel)


def test_the_warehouse_keeps_the_original_text_beside_the_code(failing):
    store, villages = failing
    status = store.dataset_status_frame().set_index(["kode_desa", "dataset"])
    row = status.loc[(villages[2].kode_desa, "total")]
    assert row["last_error"] == "HTTP 500: server error at the village"
    assert row["last_error_code"] == "http.server_error"
    assert row["last_error_params"] == '{"http_status": 500}'
    # a success keeps no code of its own; a failure logs its code in fetch_log too
    assert status.loc[(villages[0].kode_desa, "total")]["last_status"] in ("ok", "unchanged")
    log = store.fetch_log_frame(kode_desa=villages[3].kode_desa)
    failed = log[log["status"] == "failed"]
    assert set(failed["error_code"]) == {"http.timeout"}
    assert set(failed["error"]) == {"no answer within 1 s (timeout)"}
    assert set(failed["error_params"]) == {'{"detik": 1}'}


def test_ringkasan_and_the_history_say_the_reason_in_words(failing, only_our_pages):
    store, villages = failing
    client = client_for(store)
    inputs = {f"{rks.ID_KECAMATAN}.value": KERKAP, f"{rks.ID_DESA}.value": None}
    rows = client.call(f"{rks.ID_JUDUL}.children", inputs)[rks.ID_GRID]["rowData"]
    by_kode = {row["kode_desa"]: row for row in rows}
    bad = by_kode[villages[5].kode_desa]
    assert bad["alasan_gagal"].startswith(REASONS_ID[5]) and "dataset lain" in bad["alasan_gagal"]
    assert bad["galat_terakhir"] == REASONS_EN[5]
    body = client.http.get("/api/v1/desa", query_string={"wilayah": KERKAP}).get_json()
    api_row = next(r for r in body["rows"] if r["kode_desa"] == villages[5].kode_desa)
    assert api_row["alasan_kode"] == "http.unauthorized" and api_row["dataset_gagal"] > 1

    history = client.http.get(
        "/api/v1/halaman/desa/riwayat", query_string={"wilayah": villages[4].kode_desa}
    ).get_json()["rows"]
    failed = [r for r in history if r["status"] == "failed"]
    assert failed and {r["alasan_kode"] for r in failed} == {"json.invalid"}
    assert all(r["error"].startswith("invalid JSON: ") for r in failed)
    page = profile(client, villages[4].kode_desa)
    shown = [r for r in find(page, desa_page.ID_RIWAYAT)["props"]["rowData"] if r["error"]]
    assert shown and all(r["alasan_gagal"].startswith(REASONS_ID[4]) for r in shown)


def test_rows_stored_before_codes_show_their_original_text(failing):
    """Rows written before reasons had codes: the pages show the text as it was stored."""
    store, villages = failing
    frame = store.dataset_status_frame()
    frame["last_error_code"] = None
    frame["last_error_params"] = None
    from aggregates import monitoring as mon

    fresh = mon.freshness(frame, store.regions_frame(), store_module.utcnow())
    shown = pmt.desa_frame(fresh, "id").set_index("kode_desa")
    assert shown.loc[villages[2].kode_desa, "alasan_gagal"].startswith(REASONS_EN[2])


def test_the_kamus_lists_every_reason_code_with_both_texts(collected_store):
    client = client_for(collected_store)
    rows = client.http.get("/api/v1/kamus").get_json()["rows"]
    reasons = {r["kode"]: r for r in rows if r["tabel"] == "alasan"}
    assert {"http.server_error", "http.timeout", "json.invalid", "http.unauthorized"} <= set(
        reasons
    )
    assert "galat server di desa" in reasons["http.server_error"]["deskripsi_id"]
    assert "server error at the village" in reasons["http.server_error"]["deskripsi_en"]
    from dashboard.pages import kamus

    assert "http.server_error" in texts(find(client.page("/kamus"), kamus.ID_ALASAN))


def test_the_public_sees_the_reasons_in_words_and_only_a_role_the_original_texts(
    failing, only_our_pages
):
    """Issue 10: freshness and the reason in words are public; the original error texts are
    for admins and the operator of the village's kecamatan, in the pages, the downloads and
    the API alike."""
    store, villages = failing
    kode = villages[2].kode_desa  # HTTP 500 now
    public = client_for(store, admin=False)
    elsewhere = client_for(store, admin=False)
    sign_in(elsewhere.http, store, "enggano", "operator", "17.03.01")
    own = client_for(store, admin=False)
    sign_in(own.http, store, "kerkap", "operator", KERKAP)
    inputs = {f"{pmt.ID_KECAMATAN}.value": KERKAP, f"{pmt.ID_DESA}.value": None}
    for client, sees in ((public, False), (elsewhere, False), (own, True)):
        page = profile(client, kode)
        assert find(page, desa_page.ID_GALAT)["props"]["children"] == REASONS_ID[2]
        assert (find(page, desa_page.ID_GALAT_ASLI) is not None) is sees
        rows = {r["kode_desa"]: r for r in client.call(f"{pmt.ID_JUDUL}.children", inputs)[
            pmt.ID_GRID_DESA]["rowData"]}  # fmt: skip
        assert rows[kode]["alasan_gagal"].startswith(REASONS_ID[2])
        assert (rows[kode]["galat_terakhir"] == REASONS_EN[2]) is sees
        api = client.http.get("/api/v1/desa", query_string={"wilayah": KERKAP}).get_json()
        assert "rows" in api, api
        row = next(r for r in api["rows"] if r["kode_desa"] == kode)
        assert row["alasan_kode"] == "http.server_error"
        assert (row["galat_terakhir"] == REASONS_EN[2]) is sees
        history = client.http.get("/api/v1/halaman/desa/riwayat.csv", query_string={
            "wilayah": kode}).get_data(as_text=True)  # fmt: skip
        assert (REASONS_EN[2] in history) is sees
        pemantauan = client.http.get("/api/v1/halaman/pemantauan/desa.csv", query_string={
            "wilayah": KERKAP}).get_data(as_text=True)  # fmt: skip
        assert (REASONS_EN[2] in pemantauan) is sees, (sees, pemantauan[:1500])
