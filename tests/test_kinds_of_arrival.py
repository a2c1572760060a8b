"""Kinds of arrival kept apart (issue 8): a sweep in which two villages fail while a file is
imported for them and two others. The upload changes no village's last collection, status or
response time; every freshness line says exactly which villages are current and when; the
changes since the previous collection ignore the import, whose own changes are listed with it.
On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from aggregates.changes import import_changes
from collectors.spreadsheet import import_file
from collectors.sweep import run_sweep
from config.settings import Settings
from dashboard.app import create_app
from dashboard.pages import kependudukan as kpd
from dashboard.pages import kesehatan as kes
from dashboard.pages import keuangan as keu
from dashboard.pages import pemantauan as pmt
from dashboard.pages import ringkasan as rks
from i18n.format import format_date
from tests.conftest import pointed_at
from tests.test_dashboard_callbacks import DashClient, texts
from warehouse.accounts import Actor

ENGGANO = "17.03.01"
VILLAGES = tuple(f"{ENGGANO}.200{i}" for i in range(1, 7))
BANJAR_SARI, MEOK = VILLAGES[:2]
FAILING = (BANJAR_SARI, MEOK)
IMPORTED = VILLAGES[:5]  # the failing two among them
PAGES = (
    "dashboard.pages.ringkasan",
    "dashboard.pages.kependudukan",
    "dashboard.pages.keuangan",
    "dashboard.pages.kesehatan",
    "dashboard.pages.pemantauan",
    "dashboard.pages.desa",
    "dashboard.pages.unggah",
)


def aki(values: dict[str, tuple[int, int]]) -> bytes:
    lines = ["desa_id,jumlah_aki,jumlah_akb"]
    lines += [f"{kode},{a},{b}" for kode, (a, b) in values.items()]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def arrived(store, simulator, default_villages, monkeypatch):
    """Two sweeps of Enggano's six villages (the second: populations grew, Banjar Sari and
    Meok answer 500), then a file of AKI & AKB for November and a corrected one."""
    import dashboard.pages

    monkeypatch.setattr(dashboard.pages, "PAGE_MODULES", PAGES)
    villages = pointed_at(
        [v for v in default_villages if v.kode_kecamatan == ENGGANO], simulator.url
    )
    settings = Settings(concurrency=8, read_timeout=2, retries=0, backoff=0.01, tahun=2026)
    first = run_sweep(villages, store, settings)
    for kode in FAILING:
        simulator.set_fault(kode.replace(".", ""), "500")
    try:
        second = run_sweep(villages, store, replace(settings, tahun=2027))
    finally:
        for kode in FAILING:
            simulator.set_fault(kode.replace(".", ""), None)
    assert second.count("failed") == 2 and first.count("failed") == 0
    client = DashClient(create_app(store, Settings()))
    before = {
        "status": store.dataset_status_frame(),
        "pemantauan": rows(client, "pemantauan", "desa"),
        "ringkasan": rows(client, "ringkasan", "desa"),
    }
    values = {kode: (0, i) for i, kode in enumerate(IMPORTED)}
    upload = import_file(store, "aki-akb", aki(values), "aki-nov.csv", tahun=2026, bulan=11,
                         villages=default_villages, actor=Actor.system("test"))  # fmt: skip
    values[MEOK] = (1, 9)  # a corrected file: one village's numbers change
    corrected = import_file(store, "aki-akb", aki(values), "aki-nov-2.csv", tahun=2026, bulan=11,
                            villages=default_villages, actor=Actor.system("test"))  # fmt: skip
    assert upload.ok and corrected.ok
    return {
        "store": store,
        "client": client,
        "before": before,
        "runs": (first.run_id, second.run_id),
        "imports": (upload.run_id, corrected.run_id),
    }


def rows(client: DashClient, page: str, table: str, **params: str) -> list[dict]:
    resp = client.http.get(f"/api/v1/halaman/{page}/{table}",
                           query_string={"wilayah": ENGGANO, **params})  # fmt: skip
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_json()["rows"]


def title(figure: dict) -> str:
    return figure["layout"]["title"]["text"]


def expected_line(store, datasets=("total",)) -> str:
    """The line the figures of Enggano's population must carry: the oldest latest success
    among the four villages whose latest collection succeeded, 4 of 6."""
    ds = store.dataset_status_frame()
    ds = ds[ds["dataset"].isin(datasets) & ds["kode_desa"].str.startswith(ENGGANO + ".")]
    current = ds[ds["last_status"] != "failed"].groupby("kode_desa")["last_success_at"].max()
    assert sorted(current.index) == sorted(set(VILLAGES) - set(FAILING))
    return f"data per {format_date(current.min(), 'id')}, 4 dari 6 desa"


def behind_line(store, dataset: str = "total") -> str:
    ds = store.dataset_status_frame().set_index(["kode_desa", "dataset"])
    since = [format_date(ds.loc[(k, dataset), "last_success_at"], "id") for k in FAILING]
    return (
        "Data 2 desa bukan yang terbaru, karena pengumpulan terakhirnya gagal: "
        f"Banjar Sari (terakhir berhasil {since[0]}), Meok (terakhir berhasil {since[1]})."
    )


def test_an_upload_changes_no_village_collection(arrived):
    store, client, before = arrived["store"], arrived["client"], arrived["before"]
    (first, second), (upload, corrected) = arrived["runs"], arrived["imports"]
    # the pages show the import at once: the cache key is the newest run of any kind
    assert store.latest_run_id() == corrected
    runs = store.runs_frame().set_index("id")
    assert runs.loc[[first, second], "kind"].tolist() == ["collection"] * 2
    assert runs.loc[[upload, corrected], "kind"].tolist() == ["import"] * 2
    # the villages' collection status: not touched by the files
    key = ["kode_desa", "dataset"]
    pd.testing.assert_frame_equal(
        store.dataset_status_frame().sort_values(key).reset_index(drop=True),
        before["status"].sort_values(key).reset_index(drop=True),
    )
    assert "aki-akb" not in set(store.dataset_status_frame()["dataset"])
    imports = store.import_status_frame().set_index("kode_wilayah")
    assert sorted(imports.index) == sorted(IMPORTED)
    assert set(imports["source"]) == {"aki-nov-2.csv"} and set(imports["run_id"]) == {corrected}
    # Pemantauan and Ringkasan say the same as before the upload: failing, since the first
    # sweep, response times of the collection
    after = rows(client, "pemantauan", "desa")
    assert after == before["pemantauan"]
    monitor = {r["kode_desa"]: r for r in after}
    for kode in FAILING:
        assert monitor[kode]["status_terakhir"] == "failed"
    # the response time: each village's latest collection, never the import's 0 ms
    log = store.fetch_log_frame(second)
    expected = log.groupby("kode_desa")["duration_ms"].mean().round(0)
    assert {r["kode_desa"]: r["waktu_respons_ms"] for r in after} == expected.to_dict()
    assert set(store.fetch_log_frame(corrected)["duration_ms"]) == {0}
    assert rows(client, "ringkasan", "desa") == before["ringkasan"]
    # the village profile's collection history: collections only
    history = rows(client, "desa", "riwayat", wilayah=MEOK)
    assert {r["run_id"] for r in history} == {first, second}
    assert {r["dataset"] for r in history} >= {"total"} and "aki-akb" not in {
        r["dataset"] for r in history}  # fmt: skip


def test_changes_since_the_previous_collection_ignore_imports(arrived):
    store, client = arrived["store"], arrived["client"]
    (_first, second), (_upload, corrected) = arrived["runs"], arrived["imports"]
    body = client.http.get("/api/v1/halaman/ringkasan/perubahan",
                           query_string={"wilayah": ENGGANO}).get_json()  # fmt: skip
    assert body["meta"]["filters"]["run_id"] == second and body["meta"]["run_id"] == corrected
    changed = {r["kode_desa"] for r in body["rows"]}
    # the four villages the second sweep reached grew; the failing ones kept their values
    assert changed == set(VILLAGES) - set(FAILING)
    assert {r["dataset"] for r in body["rows"]} <= set(store.observations_frame()["dataset"])
    filters = {f"{rks.ID_KECAMATAN}.value": ENGGANO, f"{rks.ID_DESA}.value": None}
    r = client.call(f"{rks.ID_PERUBAHAN}.rowData", filters)
    assert len(r[rks.ID_PERUBAHAN]["rowData"]) == len(body["rows"])
    status = client.call(f"{rks.ID_JUDUL}.children", filters)
    finished = store.runs_frame().set_index("id").loc[second, "finished_at"]
    assert "".join(status[rks.ID_STATUS]["children"]) == (
        "4 desa melapor pada pengumpulan terakhir, 2 gagal. "
        f"Pengumpulan terakhir selesai {format_date(finished, 'id')}."
    )
    # the import's own changes: listed with the import (what the Unggah page shows)
    changes = import_changes(store.audit_frame("measurement", run_id=corrected),
                             store.regions_frame())  # fmt: skip
    assert [(c.kode_wilayah, c.periode, c.ukuran, c.lama, c.baru)
            for c in changes.itertuples()] == [
        (MEOK, "202611", "jumlah_akb", 1.0, 9.0),
        (MEOK, "202611", "jumlah_aki", 0.0, 1.0),
    ]  # fmt: skip


def test_freshness_lines_say_which_villages_are_current_and_when(arrived):
    store, client = arrived["store"], arrived["client"]
    population = expected_line(store)
    filters = {f"{rks.ID_KECAMATAN}.value": ENGGANO, f"{rks.ID_DESA}.value": None}
    # Ringkasan: the map, and the villages behind named with their last success
    r = client.call(f"{rks.ID_PETA}.figure", {**filters, f"{rks.ID_INDIKATOR}.value": "penduduk"})
    assert population in title(r[rks.ID_PETA]["figure"])
    r = client.call(f"{rks.ID_JUDUL}.children", filters)
    assert behind_line(store) in texts(r[rks.ID_PESAN]["children"])
    # Kependudukan: the statistic shown (agama), same villages
    r = client.call(
        f"{kpd.ID_JUDUL}.children",
        {f"{kpd.ID_KECAMATAN}.value": ENGGANO, f"{kpd.ID_DESA}.value": None,
         f"{kpd.ID_STATISTIK}.value": "agama"},
    )  # fmt: skip
    assert expected_line(store, ("agama",)) in title(r[kpd.ID_GRAFIK]["figure"])
    assert "Banjar Sari (terakhir berhasil" in texts(r[kpd.ID_PESAN]["children"])
    # Keuangan, the APBDes of 2026 (the first sweep's year): six villages hold it, four are
    # current; of 2027 (the second's) only the four hold any
    for tahun in ("2026", "2027"):
        r = client.call(
            f"{keu.ID_JUDUL}.children",
            {f"{keu.ID_KECAMATAN}.value": ENGGANO, f"{keu.ID_DESA}.value": None,
             f"{keu.ID_TAHUN}.value": tahun},
        )  # fmt: skip
        assert expected_line(store, ("apbdes",)) in title(r[keu.ID_GRAFIK]["figure"]), tahun
        behind = behind_line(store, "apbdes") in texts(r[keu.ID_PESAN]["children"])
        assert behind is (tahun == "2026")
    # Pemantauan: the villages whose latest collection of every dataset succeeded
    filters = {f"{pmt.ID_KECAMATAN}.value": ENGGANO, f"{pmt.ID_DESA}.value": None}
    r = client.call(f"{pmt.ID_JUDUL}.children", filters)
    ds = store.dataset_status_frame()
    ds = ds[ds["kode_desa"].str.startswith(ENGGANO + ".") & ~ds["kode_desa"].isin(FAILING)]
    oldest = ds.groupby("kode_desa")["last_success_at"].max().min()
    assert f"data per {format_date(oldest, 'id')}, 4 dari 6 desa" in title(r[pmt.ID_PETA]["figure"])
    # Kesehatan: the imported month, 4 villages with data, as of its last import
    r = client.call(
        f"{kes.ID_JUDUL}.children",
        {f"{kes.ID_KECAMATAN}.value": ENGGANO, f"{kes.ID_DESA}.value": None,
         f"{kes.ID_DATA}.value": "aki-akb", f"{kes.ID_SKALA}.value": "bulan",
         f"{kes.ID_PERIODE}.value": "202611"},
    )  # fmt: skip
    last_import = store.import_status_frame()["last_import_at"].max()
    line = f"data per {format_date(last_import, 'id')}, 5 dari 6 desa"
    assert line in title(r[kes.ID_WILAYAH]["figure"]) and line in title(r[kes.ID_TREN]["figure"])


def test_cli_status_reports_collections_not_uploads(arrived, request, monkeypatch):
    if "postgres" in request.node.callspec.id:
        pytest.skip("the CLI opens the warehouse by URL; the PostgreSQL fixture is a schema")
    from zoneinfo import ZoneInfo

    from click.testing import CliRunner

    from dashboard.cli import main

    store = arrived["store"]
    monkeypatch.setenv("DASBOR_DATABASE_URL", str(store.engine.url))
    out = CliRunner().invoke(main, ["status", "--kecamatan", ENGGANO], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    ds = store.dataset_status_frame().set_index(["kode_desa", "dataset"])
    for kode in FAILING:
        since = ds.loc[kode, "last_success_at"].max().tz_convert(ZoneInfo("Asia/Jakarta"))
        line = next(x for x in out.output.splitlines() if x.strip().startswith(kode))
        assert "failed" in line and since.strftime("%Y-%m-%d %H:%M %Z") in line
    assert "aki-akb" not in out.output
