"""The health and education rollup (issue 12, aggregates.rollup_health): every table it stores
equals the pages' own pandas computation from the measurements, for the kabupaten, a
kecamatan and a desa, each dataset, grain and period; with a current rollup the Kesehatan and
Pendidikan pages, their callbacks, downloads and API tables never read the whole warehouse
and answer exactly as without rollups; a later import for some villages leaves the others'
periods as they were; a registry of two kabupaten draws its region bars per kabupaten. On
SQLite and PostgreSQL (the `store` fixture)."""

from __future__ import annotations

import json

import pandas as pd
import plotly
import pytest
from sqlalchemy import select

import aggregates.rollup as rollup_module
from aggregates import health_education as he
from aggregates import rollup_health as rh
from aggregates.rollup import compute_rollup, install
from collectors.spreadsheet import import_file
from config.settings import Settings
from dashboard.app import create_app
from dashboard.pages import kesehatan as kes
from dashboard.pages import pendidikan as pdk
from simulator.spreadsheets import load_samples
from tests.test_dashboard_callbacks import DashClient, find
from tests.test_provinsi import TWO_KABUPATEN, registry_of
from warehouse.accounts import Actor
from warehouse.models import RollupFrame
from warehouse.rollups import FrameKey, current_rollup, read_frame
from warehouse.store import Warehouse

KABUPATEN = "17.03"
KEC_A = "17.03.06"  # Kerkap: every village but one reports
KEC_B = "17.03.01"  # three villages report
KEC_C = "17.03.08"  # no village reports
PAGES = (kes, pdk)
WHOLE_READERS = ("measurements_frame", "observations_frame", "history_frame")


@pytest.fixture
def health_only(monkeypatch):
    """Rollups of this family's producer only, over one statistic: the other families'
    tables are theirs to test, and the population's are tested in test_rollups."""
    monkeypatch.setattr(rollup_module, "producers", lambda: [rh.frames])
    monkeypatch.setattr(rollup_module, "BY_SLUG", {"agama": rollup_module.BY_SLUG["agama"]})


def _load(store: Warehouse, villages) -> tuple[list, object]:
    """Every registry region; a year of sample spreadsheets for Kerkap but its last village
    and for three villages of another kecamatan. (the reporting villages, the one left out)"""
    store.sync_regions(villages)
    kerkap = [v for v in villages if v.kode_kecamatan == KEC_A]
    other = [v for v in villages if v.kode_kecamatan == KEC_B][:3]
    reporting = kerkap[:-1] + other
    assert load_samples(store, reporting, tahun=2026) > 0
    return reporting, kerkap[-1]


def _rolled_keys(store: Warehouse, rollup_id: int) -> set[FrameKey]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                RollupFrame.aggregat, RollupFrame.tingkat, RollupFrame.statistik,
                RollupFrame.periode,
            ).where(RollupFrame.rollup_id == rollup_id, RollupFrame.aggregat.like("he.%"))
        ).all()  # fmt: skip
    return {FrameKey(*row) for row in rows}


def _expected_keys(meas: pd.DataFrame, regions: pd.DataFrame) -> set[FrameKey]:
    """The keys a page can ask for, from the measurements (not from the producer)."""
    keys = {rh.PERIODS}
    levels = set(regions["tingkat"])
    for ds in he.DATASETS:
        keys.add(rh.last_key(ds))
        for grain in he.grains(ds):
            for periode in he.periods(meas, ds, grain) or [""]:
                keys.add(rh.village_key(ds, grain, periode))
            keys |= {rh.trend_key(ds, grain, tingkat) for tingkat in levels}
    return keys


def _regions_to_check(reporting, missing) -> list[tuple[str, str | None]]:
    """(tingkat, kode): the whole registry, kecamatan with and without data, villages with
    and without data."""
    return [
        ("kabupaten", None),
        ("kabupaten", KABUPATEN),
        ("kecamatan", KEC_A),
        ("kecamatan", KEC_B),
        ("kecamatan", KEC_C),
        ("desa", reporting[0].kode_desa),
        ("desa", missing.kode_desa),
    ]


def assert_rollup_is_pandas(
    store: Warehouse, reporting, missing, datasets: tuple[str, ...] = he.DATASETS
) -> int:
    """The current rollup holds exactly the keys the pages can ask for, each (of `datasets`)
    equal to the pages' computation from every measurement, whole and per region slice."""
    current = current_rollup(store)
    assert current is not None and current.run_id == store.latest_run_id()
    meas, regions = store.measurements_frame(), store.regions_frame()
    assert _rolled_keys(store, current.id) == _expected_keys(meas, regions)

    def stored(key: FrameKey, kode: str | None) -> pd.DataFrame:
        frame = read_frame(store, current.id, key, kode)
        assert frame is not None, key
        return frame

    # the choices: each dataset's periods at each grain, and the stored periods behind them
    choices = stored(rh.PERIODS, None)
    for ds in he.DATASETS:
        for grain in he.grains(ds):
            periods = he.periods(meas, ds, grain)
            assert he.periods_in(choices, ds, grain) == periods, (ds, grain)
            found = meas.loc[meas["dataset"] == ds, "periode"].dropna().astype(str).unique()
            for p in periods:
                behind = sorted(x for x in found if he.period_of(x, grain) == p)
                assert he.stored_in(choices, ds, grain, p) == behind, (ds, grain, p)

    latest = {ds: he.last_periods(meas, ds) for ds in datasets}
    for tingkat, kode in _regions_to_check(reporting, missing):
        for ds in datasets:
            got = stored(rh.last_key(ds), kode)
            want = {
                k: p
                for k, p in latest[ds].items()
                if kode is None or k == kode or str(k).startswith(kode + ".")
            }
            assert dict(zip(got["kode_desa"], got["periode"], strict=True)) == want, (ds, kode)
            for grain in he.grains(ds):
                for periode in he.periods(meas, ds, grain) or [""]:
                    pd.testing.assert_frame_equal(
                        stored(rh.village_key(ds, grain, periode), kode),
                        he.village_table(meas, regions, ds, grain, periode, kode),
                        obj=f"{ds} {grain} {periode} {kode}",
                    )
                if kode is None:
                    continue  # a trend is per region of a level: the kabupaten is one
                trend = stored(rh.trend_key(ds, grain, tingkat), kode)
                assert set(trend["kode_wilayah"]) <= {kode}
                pd.testing.assert_frame_equal(
                    trend.drop(columns="kode_wilayah"),
                    he.trend(meas, ds, grain, kode),
                    obj=f"trend {ds} {grain} {kode}",
                )
    return current.id


def test_rolled_tables_equal_the_pages_computation(store, default_villages, tmp_path, health_only):
    reporting, missing = _load(store, default_villages)
    compute_rollup(store)
    first = assert_rollup_is_pandas(store, reporting, missing)
    december = read_frame(store, first, rh.village_key("aki-akb", "bulan", "202612"))
    assert december["melapor"].sum() == len(reporting)  # the samples did land

    # a month later a file for three villages only: the others keep their periods as they
    # were, the new month is offered, and its table has those three reporting
    install(store)
    later = reporting[-3:]
    path = tmp_path / "aki-akb-2027-01.csv"
    path.write_text(
        "desa_id,jumlah_aki,jumlah_akb\n"
        + "".join(f"{v.kode_desa},{i},{i + 1}\n" for i, v in enumerate(later))
    )
    report = import_file(
        store, "aki-akb", path, tahun=2027, bulan=1, villages=later, actor=Actor.system("test")
    )
    assert report.ok, report.summary()
    second = assert_rollup_is_pandas(store, reporting, missing, ("aki-akb",))
    assert second != first
    assert he.periods_in(read_frame(store, second, rh.PERIODS), "aki-akb", "bulan")[0] == "202701"
    january = read_frame(store, second, rh.village_key("aki-akb", "bulan", "202701"))
    assert set(january.loc[january["melapor"], "kode_desa"]) == {v.kode_desa for v in later}
    pd.testing.assert_frame_equal(
        read_frame(store, second, rh.village_key("aki-akb", "bulan", "202612")), december
    )
    # the year 2026 is untouched; 2027 holds the new month alone
    trend = read_frame(store, second, rh.trend_key("aki-akb", "tahun", "kabupaten"), KABUPATEN)
    assert list(trend["periode"]) == ["2026", "2027"]
    assert list(trend["desa_melapor"]) == [len(reporting), len(later)]


# -- the pages answer the same from the rollup, reading slices only -------------------------
def _queries(spec) -> list[dict]:
    """Each dataset at its default (the finest grain, the newest period) and at every
    coarser grain with its oldest period."""
    out = []
    for ds in spec.datasets:
        out.append({"data": ds})
        for grain in he.grains(ds)[1:]:
            out.append({"data": ds, "skala": grain, "periode": "oldest"})
    return out


def _resolved(query: dict, meas: pd.DataFrame) -> dict:
    if query.get("periode") == "oldest":
        periods = he.periods(meas, query["data"], query["skala"])
        query = {**query, "periode": periods[-1] if periods else ""}
    return query


def _layout(app, module, query: dict) -> str:
    search = "&".join(f"{k}={v}" for k, v in query.items() if v)
    with app.server.test_request_context(f"{module.PATH}?{search}"):
        tree = module.layout(**{k: v for k, v in query.items() if v})
    return json.dumps(tree, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)


def _callbacks(client: DashClient, module, query: dict, kode: str | None) -> list:
    """The view update and the CSV download for the region and choices of `query`."""
    kecamatan = kode[:8] if kode and len(kode) >= 8 else None
    desa = kode if kode and len(kode) == 13 else None
    inputs = {
        f"{module.ID_KECAMATAN}.value": kecamatan,
        f"{module.ID_DESA}.value": desa,
        f"{module.ID_DATA}.value": query.get("data"),
        f"{module.ID_SKALA}.value": query.get("skala"),
        f"{module.ID_PERIODE}.value": query.get("periode"),
    }
    view = client.call(f"{module.ID_JUDUL}.children", inputs)
    state = {k: v for k, v in inputs.items()}
    download = client.call(f"{module.ID_DOWNLOAD}.data", {f"{module.ID_UNDUH}.n_clicks": 1}, state)
    return [view, download]


def _api(client: DashClient, module, query: dict, kode: str | None) -> list:
    params = {**query, "wilayah": kode}
    search = "&".join(f"{k}={v}" for k, v in params.items() if v)
    out = []
    for suffix in ("", ".csv"):
        response = client.http.get(f"/api/v1/halaman/{module.SPEC.page}/desa{suffix}?{search}")
        assert response.status_code == 200, response.data[:300]
        if suffix:
            out.append(response.data)
        else:
            body = response.get_json()
            body.get("meta", {}).pop("generated_at", None)
            out.append(body)
    return out


def _answers(app, client, meas, reporting, missing) -> dict:
    """Every page's layout, view update, download and API table (JSON, CSV) per query and
    region: the kabupaten, a kecamatan, a village; the first query also for a kecamatan and
    a village without data (a sample of the rest: the machine is shared)."""
    answers = {}
    regions = [None, KEC_A, reporting[0].kode_desa]
    for module in PAGES:
        for i, query in enumerate(_queries(module.SPEC)):
            query = _resolved(query, meas)
            codes = [*regions, KEC_C, missing.kode_desa] if i == 0 else regions
            for kode in codes:
                where = {**query, "wilayah": kode}
                key = (module.__name__, tuple(sorted((k, str(v)) for k, v in where.items())))
                answers[key] = [
                    _layout(app, module, where),
                    *_callbacks(client, module, query, kode),
                    *_api(client, module, query, kode),
                ]
    return answers


def _forbid_whole_reads(monkeypatch) -> None:
    def refuse(name):
        def read(*_args, **_kwargs):
            raise AssertionError(f"Warehouse.{name} called with a current rollup")

        return read

    for name in WHOLE_READERS:
        monkeypatch.setattr(Warehouse, name, refuse(name))


def test_pages_read_slices_and_answer_as_without_rollups(
    store, default_villages, monkeypatch, health_only
):
    reporting, missing = _load(store, default_villages)
    compute_rollup(store)
    meas = store.measurements_frame()
    observed = create_app(store, Settings(rollups=0))
    want = _answers(observed, DashClient(observed), meas, reporting, missing)

    rolled = create_app(store, Settings())
    client = DashClient(rolled)
    with monkeypatch.context() as patch:
        _forbid_whole_reads(patch)
        got = _answers(rolled, client, meas, reporting, missing)
        with rolled.server.app_context():
            snapshot = rolled.server.config["DATA_SOURCE"].snapshot()
    assert snapshot.rollup is not None
    assert "population" not in snapshot._loaded
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == want[key], key
    # the answers show data: a comparison of two empty pages would prove nothing
    kabupaten = want[("dashboard.pages.kesehatan", (("data", "aki-akb"), ("wilayah", "None")))]
    assert "17.03.06" in kabupaten[0] and f"{len(reporting)} dari 220 desa" in kabupaten[0]


def test_a_rollup_without_these_tables_falls_back_to_the_measurements(
    sqlite_store, default_villages, monkeypatch, health_only
):
    """A rollup from before this producer (or one that holds none of its keys): the pages
    compute from the measurements, as before, and show the same."""
    reporting, missing = _load(sqlite_store, default_villages)
    monkeypatch.setattr(rollup_module, "producers", lambda: [])
    compute_rollup(sqlite_store)
    assert current_rollup(sqlite_store) is not None
    meas = sqlite_store.measurements_frame()
    observed = create_app(sqlite_store, Settings(rollups=0))
    rolled = create_app(sqlite_store, Settings())
    calls = []
    original = Warehouse.measurements_frame
    monkeypatch.setattr(
        Warehouse, "measurements_frame", lambda self, *a, **k: calls.append(1) or original(self)
    )
    query = {"data": "imunisasi", "wilayah": KEC_A}
    assert _layout(rolled, kes, query) == _layout(observed, kes, query)
    got = _callbacks(DashClient(rolled), pdk, {"data": "putus-sekolah"}, missing.kode_desa)
    want = _callbacks(DashClient(observed), pdk, {"data": "putus-sekolah"}, missing.kode_desa)
    assert got == want
    assert len(calls) == 2  # once per app: no rollup holds these tables, both computed them
    assert not he.village_table(meas, sqlite_store.regions_frame(), "imunisasi", "bulan",
                                "202612", KEC_A).empty  # fmt: skip


# -- a registry of two kabupaten: the provinsi's bars are its kabupaten ----------------------
def test_provinsi_bars_are_per_kabupaten(store, monkeypatch, health_only):
    villages = registry_of(TWO_KABUPATEN)
    store.sync_regions(villages)
    assert load_samples(store, villages, tahun=2026) > 0
    compute_rollup(store)
    rolled, observed = create_app(store, Settings()), create_app(store, Settings(rollups=0))
    for module, query in ((kes, {"data": "aki-akb", "skala": "tahun"}),
                          (pdk, {"data": "fasilitas-paud"})):  # fmt: skip
        want = _layout(observed, module, query)
        with monkeypatch.context() as patch:
            _forbid_whole_reads(patch)
            got = _layout(rolled, module, query)
        assert got == want
        figure = find(json.loads(got), module.ID_WILAYAH)["props"]["figure"]
        kabupaten = sorted({k[:5] for k in TWO_KABUPATEN})
        assert sorted(figure["data"][0]["customdata"]) == kabupaten
        # the trend of the provinsi: every village of both kabupaten
        trend = find(json.loads(got), module.ID_TREN)["props"]["figure"]
        assert f"{len(villages)} dari {len(villages)} desa" in trend["layout"]["title"]["text"]
    # and one kabupaten of it: per kecamatan, from its own slice
    query = {"data": "aki-akb", "skala": "tahun", "wilayah": "17.01"}
    with monkeypatch.context() as patch:
        _forbid_whole_reads(patch)
        got = _layout(rolled, kes, query)
    assert got == _layout(observed, kes, query)
    figure = find(json.loads(got), kes.ID_WILAYAH)["props"]["figure"]
    assert figure["data"][0]["customdata"] == ["17.01.01"]
