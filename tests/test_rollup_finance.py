"""The finance tables of the rollup (issue 12, aggregates/rollup_finance.py): every frame the
producer stores equals the pandas functions the pages call per region (the kabupaten, a
kecamatan, a desa; every year), on SQLite and PostgreSQL; with a current rollup the keuangan,
pembangunan and bantuan pages, their callbacks and API tables and the village profile's
finance parts read its slices alone (the whole-warehouse readers raise) and answer as
`Settings(rollups=0)` does; a village whose collection fails keeps its previous rows; a
provinsi's region bars are per kabupaten."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import plotly
import pytest
from sqlalchemy import select

from aggregates import finance, sarana
from aggregates import rollup_finance as rf
from aggregates.rollup import compute_rollup, install, one_rollup
from collectors.spreadsheet import import_file
from collectors.sweep import run_sweep
from config.settings import Settings
from dashboard.app import create_app
from dashboard.data import Snapshot
from dashboard.pages import bantuan, desa, keuangan, pembangunan
from dashboard.regions import resolve_wilayah
from dashboard.scaffold.finance import identity_of
from i18n.catalogue import t
from tests.conftest import pointed_at, sweep_failing
from tests.test_dashboard_callbacks import DashClient, find
from tests.test_opendk_templates import ACTOR, CASES, TALANG_JAMBU, TEBAT_PACUR, _filled
from warehouse.models import RollupFrame
from warehouse.rollups import FrameKey, current_rollup, read_frame
from warehouse.store import Warehouse

KECAMATAN = ("17.03.06", "17.03.08")  # 24 villages; Talang Jambu and Tebat Pacur in the first
SETTINGS = Settings(concurrency=8, read_timeout=5, retries=0, backoff=0.01, tahun=2026)
PREFIXES = ("keu.", "pbg.", "bnt.")
WHOLE_WAREHOUSE = ("measurements_frame", "observations_frame", "history_frame")
FAILED = t("galat.teks", "id")


@pytest.fixture(scope="module")
def villages(default_villages, simulator):
    return pointed_at([v for v in default_villages if v.kode_kecamatan in KECAMATAN], simulator.url)


@pytest.fixture
def warehouse(store, villages):
    """A sweep (APBDes 2026, projects of five years, aid), then in one run-set OpenDK's
    months of APBDes 2025 for one village (a year made of months) and Data Sarana of two,
    rolled up once at the end."""
    run_sweep(villages, store, SETTINGS)
    install(store)
    with one_rollup(store):
        args, rows, _ = CASES["apbdes"]
        months = import_file(
            store, "apbdes", _filled("apbdes", rows), "apbdes.xlsx", villages=villages,
            actor=ACTOR, **{**args, "tahun": 2025},
        )  # fmt: skip
        assert months.ok, months.summary()
        args, rows, _ = CASES["sarana"]
        facilities = import_file(
            store, "sarana", _filled("sarana", rows), "sarana.xlsx", villages=villages,
            actor=ACTOR, **args,
        )  # fmt: skip
        assert facilities.ok, facilities.summary()
    return store


# -- (a) every stored frame is the pandas computation ------------------------------------------
def from_scratch(meas: pd.DataFrame, regions: pd.DataFrame, key: FrameKey, kode: str | None):
    """What the page computes for `key` and region `kode` from all the measurements."""
    tahun = key.periode
    if key == rf.APBDES_YEARS:
        return rf.choice_frame(finance.apbdes_years(meas))
    if key == rf.PEMBANGUNAN_YEARS:
        return rf.choice_frame(finance.pembangunan_years(meas))
    if key == rf.apbdes_villages_key(tahun):
        return finance.apbdes_villages(meas, regions, tahun, kode)
    if key == rf.apbdes_lines_key(tahun):
        return finance.apbdes_lines(meas, tahun, kode)
    if key == rf.projects_key(tahun):
        return finance.projects(meas, regions, tahun or None, kode)
    if key == rf.pembangunan_villages_key(tahun):
        items = finance.projects(meas, regions, tahun, kode)
        return finance.pembangunan_villages(items, finance.villages(regions, kode))
    if key == rf.BANTUAN_ROWS:
        return finance.bantuan_rows(meas, regions, kode)
    if key == rf.BANTUAN_VILLAGES:
        rows = finance.bantuan_rows(meas, regions, kode)
        return finance.bantuan_villages(rows, finance.villages(regions, kode))
    if key == rf.FACILITIES:
        return sarana.facilities(meas, kode)
    if key == rf.IDENTITY:
        return finance.identity_rows(meas, kode)
    level = key.tingkat
    if key == rf.apbdes_regions_key(level, tahun):
        table = finance.apbdes_villages(meas, regions, tahun, kode)
        return finance.rollup_apbdes(table, regions, level)
    if key == rf.pembangunan_regions_key(level, tahun):
        items = finance.projects(meas, regions, tahun, kode)
        per_desa = finance.pembangunan_villages(items, finance.villages(regions, kode))
        return rf.as_stored(finance.region_values(per_desa, "anggaran", level, regions))
    if key == rf.bantuan_regions_key(level, key.statistik):
        rows = finance.bantuan_rows(meas, regions, kode)
        per_desa = finance.bantuan_villages(rows, finance.villages(regions, kode))
        return rf.as_stored(finance.region_values(per_desa, key.statistik, level, regions))
    raise AssertionError(f"a stored frame no page reads: {key}")


WIDTH = {"kabupaten": 5, "kecamatan": 8}  # a level's code length (17.03, 17.03.06)


def stored_keys(store: Warehouse, rollup_id: int) -> set[FrameKey]:
    table = RollupFrame.__table__
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(table.c.aggregat, table.c.tingkat, table.c.statistik, table.c.periode).where(
                table.c.rollup_id == rollup_id
            )
        ).all()
    return {FrameKey(*row) for row in rows if row[0].startswith(PREFIXES)}


def assert_finance_rollup_is_pandas(store: Warehouse, codes: list[str | None]) -> int:
    """The current rollup holds every finance table, for every year the pages offer, each
    region's slice equal to the pandas computation for that region."""
    current = current_rollup(store)
    assert current is not None and current.run_id == store.latest_run_id()
    meas, regions = store.measurements_frame(), store.regions_frame()
    apbdes_years, pbg_years = finance.apbdes_years(meas), finance.pembangunan_years(meas)
    expected = {rf.APBDES_YEARS, rf.PEMBANGUNAN_YEARS, rf.BANTUAN_ROWS, rf.BANTUAN_VILLAGES,
                rf.FACILITIES, rf.IDENTITY, rf.projects_key(""),
                rf.pembangunan_villages_key("")}  # fmt: skip
    for tahun in apbdes_years:
        expected |= {rf.apbdes_villages_key(tahun), rf.apbdes_lines_key(tahun)}
        expected |= {rf.apbdes_regions_key(level, tahun) for level in rf.BAR_LEVELS}
    for tahun in pbg_years:
        expected |= {rf.projects_key(tahun), rf.pembangunan_villages_key(tahun)}
        expected |= {rf.pembangunan_regions_key(level, tahun) for level in rf.BAR_LEVELS}
    for code in [*finance.SASARAN, finance.TANPA_SASARAN]:
        column = finance.kepesertaan_column(code)
        expected |= {rf.bantuan_regions_key(level, column) for level in rf.BAR_LEVELS}
    assert stored_keys(store, current.id) == expected
    desa_codes = sorted(finance.villages(regions)["kode_desa"])
    for key in sorted(expected, key=str):
        if not key.tingkat:  # the choices: one frame, no region
            got = read_frame(store, current.id, key)
            pd.testing.assert_frame_equal(got, from_scratch(meas, regions, key, None), obj=str(key))
            continue
        # a village's APBDes lines are its own accounts: every village's slice is checked
        scopes = desa_codes if key.aggregat == rf.apbdes_lines_key("").aggregat else codes
        if key.tingkat in WIDTH:  # bars per region: asked for the regions above that level
            scopes = [c for c in codes if c is None or len(c) <= WIDTH[key.tingkat]]
        for kode in scopes:
            got = read_frame(store, current.id, key, kode)
            if key.aggregat == rf.apbdes_villages_key("").aggregat:
                got = finance.ranked_in_region(got)  # the rank within the region: the page's
            want = from_scratch(meas, regions, key, kode)
            if want.empty:  # no rows: the same columns (an empty frame's dtypes are moot)
                assert got.empty and list(got.columns) == list(want.columns), (key, kode)
                continue
            pd.testing.assert_frame_equal(got, want, obj=f"{key} {kode}")
    for kode in desa_codes:  # the profile's identity, from its slice of the identitas rows
        rows = read_frame(store, current.id, rf.IDENTITY, kode)
        assert finance.identity(rows, kode) == finance.identity(meas, kode)
    return current.id


def test_every_finance_frame_equals_the_pandas_computation(warehouse, villages):
    meas = warehouse.measurements_frame()
    # the data reaches every path: two APBDes years (one of OpenDK's months), facilities
    assert finance.apbdes_years(meas) == ["2026", "2025"]
    assert len(finance.pembangunan_years(meas)) > 1
    assert set(sarana.facilities(meas)["kode_desa"]) == {TALANG_JAMBU, TEBAT_PACUR}
    assert not finance.bantuan_rows(meas, warehouse.regions_frame()).empty
    other = next(v.kode_desa for v in villages if v.kode_kecamatan == KECAMATAN[1])
    codes = [None, "17.03", KECAMATAN[0], KECAMATAN[1], TALANG_JAMBU, other]
    assert_finance_rollup_is_pandas(warehouse, codes)


# -- (b) the pages read the rollup's slices alone, and answer as without it -----------------------
def _tree(tree: object) -> str:
    return json.dumps(tree, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)


def _filters(prefix: str, kode: str | None) -> dict:
    desa_code = kode if kode and len(kode) == 13 else None
    kecamatan = kode[:8] if kode else None
    return {f"{prefix}-kecamatan.value": kecamatan, f"{prefix}-desa.value": desa_code}


def answers(app, client: DashClient, regions: list[str | None], years: dict) -> dict:
    """Every layout, callback answer and API table of the finance pages and the profile's
    finance parts, for each region and year."""
    out: dict = {}
    http = app.server.test_client()
    for module, prefix in ((keuangan, "keu"), (pembangunan, "pbg"), (bantuan, "bnt")):
        for kode in regions:
            for tahun in years.get(prefix, [None]):
                query = {k: v for k, v in (("wilayah", kode), ("tahun", tahun)) if v}
                with app.server.test_request_context(module.PATH, query_string=query):
                    out[module.PATH, kode, tahun] = _tree(module.layout(**query))
                inputs = _filters(prefix, kode)
                if tahun:
                    inputs[f"{prefix}-tahun.value"] = tahun
                out["update", prefix, kode, tahun] = client.call(f"{prefix}-judul.children", inputs)
                out["csv", prefix, kode, tahun] = client.call(
                    f"{prefix}-download.data", {f"{prefix}-unduh.n_clicks": 1}, inputs
                )
            if prefix == "bnt":
                targets = client.call("bnt-grid-sasaran.rowData", _filters("bnt", kode))
                out["sasaran", kode] = targets
    for kode in regions:
        query = f"?wilayah={kode}" if kode else ""
        for path in ("keuangan/apbdes", "pembangunan/kegiatan", "bantuan/penerima",
                     "bantuan/sasaran"):  # fmt: skip
            out[path, kode] = http.get(f"/api/v1/halaman/{path}.csv{query}").data
        for tahun in years["keu"]:
            path = f"/api/v1/halaman/keuangan/apbdes?tahun={tahun}" + query.replace("?", "&")
            response = http.get(path).get_json()
            response.get("meta", {}).pop("generated_at", None)
            out[path] = response
    village = regions[-1]
    for table in ("apbdes", "pembangunan", "bantuan", "sarana"):
        out["desa", table] = http.get(f"/api/v1/halaman/desa/{table}.csv?wilayah={village}").data
    out["desa", "apbdes", "2025"] = http.get(
        f"/api/v1/halaman/desa/apbdes.csv?wilayah={village}&tahun=2025"
    ).data
    with app.server.test_request_context(f"/desa/{village}"):
        snapshot = app.server.config["DATA_SOURCE"].snapshot()
        w = resolve_wilayah(snapshot, village)[0]
        out["desa", "keuangan"] = _tree(desa.finance_sections(snapshot, w, "id"))
        out["desa", "identitas"] = _tree(desa.identity_panel(identity_of(snapshot, w.kode), "id"))
    return out


def test_finance_pages_read_the_rollup_alone_and_answer_as_without_it(
    warehouse, villages, monkeypatch
):
    years = {"keu": ["2026", "2025"], "pbg": finance.pembangunan_years(
        warehouse.measurements_frame())}  # fmt: skip
    regions = [None, KECAMATAN[0], TALANG_JAMBU]
    rolled = create_app(warehouse, Settings())
    observed = create_app(warehouse, Settings(rollups=0))
    new, old = DashClient(rolled), DashClient(observed)  # their first request renders "/"

    def refused(*_args, **_kwargs):
        raise AssertionError("a finance page read the whole warehouse")

    with monkeypatch.context() as patch:
        for name in WHOLE_WAREHOUSE:
            patch.setattr(Warehouse, name, refused)
        patch.setattr(Snapshot, "population", property(refused))
        got = answers(rolled, new, regions, years)
    with rolled.server.app_context():
        snapshot = rolled.server.config["DATA_SOURCE"].snapshot()
    assert snapshot.rollup is not None and "population" not in snapshot._loaded
    want = answers(observed, old, regions, years)
    assert got.keys() == want.keys()
    for key, value in got.items():
        assert FAILED not in str(value), key  # a reader that raised shows the failure text
        assert value == want[key], key


# -- (c) a failed village keeps its rows; a provinsi per kabupaten ------------------------------
def test_a_failed_village_keeps_its_previous_finance_rows(store, villages, simulator):
    install(store)
    run_sweep(villages, store, SETTINGS)
    first = current_rollup(store).id
    failing, fine = [v for v in villages if v.kode_desa[-4] == "2"][:2]  # desa, not kelurahan
    before = {
        key: read_frame(store, first, key, failing.kode_desa)
        for key in (rf.apbdes_villages_key("2026"), rf.apbdes_lines_key("2026"),
                    rf.projects_key(""), rf.BANTUAN_ROWS, rf.BANTUAN_VILLAGES)
    }  # fmt: skip
    assert before[rf.apbdes_villages_key("2026")]["melapor"].all()
    summary = sweep_failing(villages, store, replace(SETTINGS, tahun=2027), simulator, failing)
    assert summary.count("failed") == 1
    second = assert_finance_rollup_is_pandas(
        store, [None, "17.03", failing.kode_kecamatan, failing.kode_desa]
    )
    assert second != first
    for key, frame in before.items():  # its previous rows, as they were
        pd.testing.assert_frame_equal(read_frame(store, second, key, failing.kode_desa), frame)
    # the new year: the others reported it, the failed village did not (yet)
    year = read_frame(store, second, rf.apbdes_villages_key("2027")).set_index("kode_desa")
    assert not year.loc[failing.kode_desa, "melapor"] and year.loc[fine.kode_desa, "melapor"]


def test_a_provinsi_draws_its_region_bars_per_kabupaten(store):
    from tests.test_provinsi import TWO_KABUPATEN, collected, registry_of

    collected(store, registry_of(TWO_KABUPATEN))
    compute_rollup(store)
    kabupaten = {kode[:5] for kode in TWO_KABUPATEN}
    rolled = DashClient(create_app(store, Settings()))
    observed = DashClient(create_app(store, Settings(rollups=0)))
    for path, graph in (("/pembangunan", "pbg-per-wilayah"), ("/bantuan", "bnt-per-wilayah"),
                        ("/keuangan", "keu-grafik")):  # fmt: skip
        page = rolled.page(path)
        assert page == observed.page(path), path
        figure = find(page, graph)["props"]["figure"]
        drawn = {c for trace in figure["data"] for c in trace.get("customdata") or []}
        assert drawn == kabupaten, (path, drawn)
        assert "kecamatan" not in json.dumps(figure["layout"].get("title", "")).lower(), path
