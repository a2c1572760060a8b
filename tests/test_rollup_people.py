"""The people and monitoring tables of the rollup (issue 12): Kependudukan's pyramid, brackets
not harmonised, village comparison and trend, the village profile's population rows,
Ringkasan's changes and Pemantauan's outliers and freshness inputs are stored equal to the
pandas computation of each region (kabupaten, kecamatan, desa), the pages read them without
loading the warehouse's observations, measurements, history or audit, and answer exactly as
without rollups; a failed village keeps its previous rows. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import plotly
import pytest

import aggregates.indicators as indicators_module
from aggregates import rollup_monitoring as rm
from aggregates import rollup_people as rp
from aggregates.changes import collection_changes
from aggregates.indicators import compare_villages, month_ends, trend
from aggregates.load import load_population
from aggregates.population import (
    category_rows,
    not_harmonised_table,
    pyramid,
    statistic_table,
)
from aggregates.rollup import install
from collectors.sweep import run_sweep
from config.settings import Settings
from dashboard.app import create_app
from dashboard.data import DataSource
from dashboard.pages import desa as desa_page
from dashboard.pages import kependudukan, pemantauan, ringkasan
from tests.conftest import pointed_at, sweep_failing
from tests.test_dashboard_callbacks import DashClient
from tests.test_rollups import ONE_OF_EACH_KIND
from warehouse.models import VILLAGE_RUN_KINDS
from warehouse.rollups import FrameKey, current_rollup, read_frame
from warehouse.store import Warehouse

KABUPATEN = "17.03"
# two small kecamatan of Bengkulu Utara (15 villages), the first with a village whose age
# brackets straddle the default ones (the simulator's)
KECAMATAN = ("17.03.14", "17.03.01")
SETTINGS = Settings(concurrency=8, read_timeout=5, retries=0, backoff=0.01, tahun=2026)
# the readers that load every village's rows; the pages of this family must not call them
# when a rollup is current
WHOLE_READERS = (
    "observations_frame",
    "measurements_frame",
    "history_frame",
    "audit_frame",
    "latest_attempts_frame",
    "source_state_frame",
)


@pytest.fixture(scope="module")
def villages(default_villages, simulator):
    return pointed_at([v for v in default_villages if v.kode_kecamatan in KECAMATAN], simulator.url)


def two_sweeps(store: Warehouse, villages, simulator) -> tuple[int, object]:
    """A sweep, then a year later another in which the first village fails: (the first
    rollup's id, the failing village). Two collections give a history, a trend and changes."""
    install(store)
    run_sweep(villages, store, SETTINGS)
    first = current_rollup(store).id
    failing = villages[0]
    summary = sweep_failing(villages, store, replace(SETTINGS, tahun=2027), simulator, failing)
    assert summary.count("failed") == 1
    assert current_rollup(store).run_id == store.latest_run_id()
    return first, failing


def same(got: pd.DataFrame, want: pd.DataFrame, what: object) -> None:
    """Equal frames; an empty slice only has to be empty (its dtypes are the whole table's,
    a page never reads the columns of an empty table)."""
    if want.empty:
        assert got.empty, what
        assert list(got.columns) == list(want.columns), what
        return
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, obj=str(what))


def loosely(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells as Python objects, every missing one None (NaN, NaT, NA alike)."""
    cells = frame.astype(object)
    return cells.where(frame.notna(), None)


def regions_of(villages) -> list[tuple[str, str]]:
    """(tingkat, kode) of every region of the swept registry: kabupaten, kecamatan, desa."""
    return [
        ("kabupaten", KABUPATEN),
        *(("kecamatan", k) for k in KECAMATAN),
        *(("desa", v.kode_desa) for v in villages),
    ]


# -- (a) every stored frame equals the pandas computation --------------------------------------
def test_people_frames_equal_the_pandas_computation(store, villages, simulator):
    two_sweeps(store, villages, simulator)
    rollup = current_rollup(store).id
    data = load_population(store)
    straddling = not_harmonised_table(data, rp.AGE_BRACKETS)
    assert len(straddling) > 0  # the notes are drawn from real rows, not only empty ones
    slices = [None, KECAMATAN[0], str(straddling["kode_desa"].iloc[0])]

    def stored(key: FrameKey, kode: str | None = None) -> pd.DataFrame:
        frame = read_frame(store, rollup, key, kode)
        assert frame is not None, key
        return frame

    # the pyramid of every region of every level, its notes included
    drawn_somewhere = False
    for tingkat, kode in regions_of(villages):
        want = pyramid(data, kode)
        table = stored(FrameKey(rp.PIRAMIDA, tingkat), kode)
        if tingkat == "desa":
            got = rp.pyramid_from_parts(table)
        else:
            rest = stored(FrameKey(rp.TIDAK_SELARAS, "desa", rp.AGE_BRACKETS), kode)
            own = stored(FrameKey(rp.RENTANG_SENDIRI, "desa"), kode)
            got = rp.pyramid_from_parts(table, rest, own)
        same(got, want, ("pyramid", kode))
        assert got.attrs["desa_rentang_sendiri"] == want.attrs["desa_rentang_sendiri"], kode
        same(got.attrs["tidak_diselaraskan"], want.attrs["tidak_diselaraskan"], kode)
        drawn_somewhere |= not want.empty
    assert drawn_somewhere
    # the whole level: every region's pyramid, one after the other
    level = stored(FrameKey(rp.PIRAMIDA, "kecamatan"))
    assert list(level["kode_wilayah"].unique()) == sorted(KECAMATAN)
    assert not read_frame(store, rollup, FrameKey(rp.TIDAK_SELARAS, "desa", rp.AGE_BRACKETS),
                          KECAMATAN[0]).empty  # fmt: skip

    # brackets not harmonised, per age statistic and slice
    for slug in rp.age_slugs():
        for kode in slices:
            want = not_harmonised_table(data, slug, kode)
            same(stored(FrameKey(rp.TIDAK_SELARAS, "desa", slug), kode), want, (slug, kode))

    # the comparison's input, and the comparison from it, for every statistic
    for slug in rp.renamed_slugs():
        for kode in slices:
            want = statistic_table(data, slug, "desa", kode, harmonised=True)
            same(stored(FrameKey(rp.BANDING, "desa", slug), kode), want, (slug, kode))
    snapshot = DataSource(store).snapshot()
    # one statistic of each kind (categories, age brackets, free, households, aid): the same
    # code path per statistic, and the suite stays under ten minutes
    for slug in ONE_OF_EACH_KIND:
        for kode in (KABUPATEN, KECAMATAN[0]):
            want = compare_villages(data, slug, kode)
            same(kependudukan.compare_table(snapshot, slug, kode), want, ("compare", slug, kode))

    # the trend's history: the warehouse's, and every trend drawn from it, now and later
    later = pd.Timestamp.now(tz="UTC") + pd.DateOffset(months=2)
    for slug in ONE_OF_EACH_KIND:
        history = store.history_frame("observation", datasets=[slug])
        for kode in slices:
            part = stored(FrameKey(rp.RIWAYAT, "desa", slug), kode)
            scoped = store.history_frame("observation", datasets=[slug], kode=kode)
            reached = rp.trend_history(scoped, pd.Timestamp.now(tz="UTC"))
            # split from the history of every statistic: a column another statistic fills
            # (dari) reads as floats, not None; the trends below are exact
            pd.testing.assert_frame_equal(loosely(part), loosely(reached), obj=str((slug, kode)))
            region = kode or KABUPATEN
            table = statistic_table(data, slug, "desa" if len(region) > 8 else "kecamatan",
                                    region)  # fmt: skip
            kategori = [None, *table["kode"].head(2)]
            for now in (None, later):
                for code in kategori:
                    want = trend(history, slug, region, rp.TREND_MONTHS, kategori=code, now=now)
                    got = trend(part, slug, region, rp.TREND_MONTHS, kategori=code, now=now)
                    pd.testing.assert_frame_equal(
                        got.drop(columns="waktu"), want.drop(columns="waktu"), obj=slug
                    )

    # the village profile's rows, as the page computed them before the rollup
    obs = data.observations
    for village in villages[:3]:
        rows = category_rows(obs[obs["kode_desa"] == village.kode_desa])
        want = pd.DataFrame(
            {"kode_desa": rows["kode_desa"], "statistik": rows["dataset"], "kode": rows["kode"],
             "label": rows["label"], "laki_laki": rows["laki_laki"],
             "perempuan": rows["perempuan"], "jumlah": rows["jumlah"]}
        ).reset_index(drop=True)  # fmt: skip
        got = stored(FrameKey(rp.DESA_PENDUDUK, "desa"), village.kode_desa)
        pd.testing.assert_frame_equal(got, want)
        assert set(got["kode"]).isdisjoint({"total"})

    # Ringkasan's changes of the last collection, per slice
    run_id = int(store.runs_frame(kinds=VILLAGE_RUN_KINDS).iloc[0]["id"])
    every = collection_changes(store.audit_frame(run_id=run_id), data.regions)
    assert len(every) > 0
    for kode in slices:
        codes = every["kode_desa"]
        want = every if kode is None else every[(codes == kode) | codes.str.startswith(kode + ".")]
        same(stored(rp.changes_key(run_id), kode), want.reset_index(drop=True), kode)

    # Pemantauan: outliers against every village, and the freshness inputs
    history = store.history_frame(datasets=["total"])
    current = store.observations_frame(datasets=["total"])
    want = rm.named_outliers(history, current, data.regions)
    same(stored(FrameKey(rm.PENCILAN, "desa")), want, "outliers")
    pd.testing.assert_frame_equal(
        stored(FrameKey(rm.PERCOBAAN, "desa")), store.latest_attempts_frame()
    )
    pd.testing.assert_frame_equal(
        stored(FrameKey(rm.SISTEM, "desa")), rm.system_frame(store.source_state_frame())
    )


# -- (c) a failed village keeps its previous rows; the trend keeps what it can reach ----------
def test_a_failed_village_keeps_its_rows_and_names_no_change(store, villages, simulator):
    first, failing = two_sweeps(store, villages, simulator)
    second = current_rollup(store).id
    key = FrameKey(rp.DESA_PENDUDUK, "desa")
    before = read_frame(store, first, key, failing.kode_desa)
    after = read_frame(store, second, key, failing.kode_desa)
    assert len(before) > 0
    pd.testing.assert_frame_equal(after, before)
    other = villages[1].kode_desa
    assert not read_frame(store, second, key, other).equals(read_frame(store, first, key, other))
    pyr = FrameKey(rp.PIRAMIDA, "desa")
    before_pyr = read_frame(store, first, pyr, failing.kode_desa)
    pd.testing.assert_frame_equal(read_frame(store, second, pyr, failing.kode_desa), before_pyr)
    # the changes are the second collection's, keyed by it: none of the failing village
    runs = store.runs_frame(kinds=VILLAGE_RUN_KINDS)
    newest, older = int(runs.iloc[0]["id"]), int(runs.iloc[1]["id"])
    changes = read_frame(store, second, rp.changes_key(newest))
    assert len(changes) > 0 and failing.kode_desa not in set(changes["kode_desa"])
    assert read_frame(store, second, rp.changes_key(older)) is None
    # the trend's history: the version the second collection replaced ended today, after
    # every month end a trend reaches, so only the current one is kept
    part = read_frame(store, second, FrameKey(rp.RIWAYAT, "desa", "agama"), other)
    whole = store.history_frame("observation", datasets=["agama"], kode=other)
    assert whole.groupby(["kode", "label"]).size().max() == 2
    assert part["valid_to"].isna().all()
    assert len(part) == int(whole["valid_to"].isna().sum())


def test_trend_history_keeps_what_a_later_trend_reaches():
    """Versions that ended before the first month end a trend drawn now reaches are left
    out; every trend drawn then or later is the same from what is kept."""
    now = pd.Timestamp("2026-12-04 18:00", tz="UTC")
    ends = month_ends(now, rp.TREND_MONTHS)
    base = {"dataset": "agama", "kode": "islam", "label": "ISLAM", "urutan": 1, "dari": None,
            "sampai": None, "laki_laki": 1, "perempuan": 1}  # fmt: skip
    t = pd.Timestamp
    one, two, day = "17.03.01.2001", "17.03.01.2002", pd.Timedelta(days=1)
    rows = [
        # ended long before the window: never reached again
        {**base, "kode_desa": one, "jumlah": 5, "valid_from": t("2024-01-01", tz="UTC"),
         "valid_to": t("2024-06-01", tz="UTC")},
        # valid at the first month end of the window
        {**base, "kode_desa": one, "jumlah": 7, "valid_from": t("2024-06-01", tz="UTC"),
         "valid_to": ends[0] + 3 * day},
        # ended between two month ends: no trend point ever sees it
        {**base, "kode_desa": one, "jumlah": 8, "valid_from": ends[0] + 3 * day,
         "valid_to": ends[0] + 5 * day},
        {**base, "kode_desa": one, "jumlah": 9, "valid_from": ends[0] + 5 * day,
         "valid_to": pd.NaT},
        {**base, "kode_desa": two, "jumlah": 4, "valid_from": t("2026-11-20", tz="UTC"),
         "valid_to": pd.NaT},
    ]  # fmt: skip
    history = pd.DataFrame(rows)
    kept = rp.trend_history(history, now)
    assert list(kept["jumlah"]) == [7, 9, 4]
    for later in (now, now + pd.Timedelta(hours=2), now + pd.DateOffset(months=1),
                  now + pd.DateOffset(months=14)):  # fmt: skip
        for kode in (None, "17.03.01", "17.03.01.2001"):
            want = trend(history, "agama", kode, rp.TREND_MONTHS, now=later)
            got = trend(kept, "agama", kode, rp.TREND_MONTHS, now=later)
            pd.testing.assert_frame_equal(got, want)
    # a point before the window would see what was dropped: the trim is the window's
    early = trend(history, "agama", None, rp.TREND_MONTHS, now=t("2024-03-01", tz="UTC"))
    assert early["jumlah"].notna().any()


# -- (b) the pages read slices only and answer as without rollups ------------------------------
def _layout(app, module, path: str, **query) -> str:
    search = "&".join(f"{k}={v}" for k, v in query.items())
    with app.server.test_request_context(path + (f"?{search}" if search else "")):
        tree = module.layout(**query)
    return json.dumps(tree, cls=plotly.utils.PlotlyJSONEncoder, sort_keys=True)


def _filters(kode: str | None) -> tuple[str | None, str | None]:
    """(kecamatan, desa) filter values of a region."""
    if kode is None or kode == KABUPATEN:
        return None, None
    return (kode, None) if len(kode) == 8 else (kode[:8], kode)


def _callbacks(client: DashClient, kode: str | None, slug: str, kategori: str) -> list:
    kec, desa = _filters(kode)
    answers = []
    for prefix, outputs in (
        ("kpd", ["kpd-judul.children", "kpd-indikator.children", "kpd-tren.figure",
                 "kpd-piramida.figure"]),
        ("rks", ["rks-perubahan.rowData", "rks-judul.children"]),
        ("pmt", ["pmt-judul.children"]),
    ):  # fmt: skip
        for output in outputs:
            inputs = {f"{prefix}-kecamatan.value": kec, f"{prefix}-desa.value": desa}
            if prefix == "kpd" and output != "kpd-piramida.figure":
                inputs["kpd-statistik.value"] = slug
            if output == "kpd-tren.figure":
                inputs["kpd-tren-kategori.value"] = kategori
            answers.append(client.call(output, inputs))
    return answers


def _body(response) -> object:
    """An API answer without its clock (`meta.generated_at`): JSON parsed, CSV as bytes."""
    assert response.status_code == 200, response.data[:300]
    if response.mimetype != "application/json":
        return response.data
    body = response.get_json()
    body.get("meta", {}).pop("generated_at", None)
    return body


def _answers(app, client: DashClient, desa: str) -> list:
    """Every layout, callback and API table of the family's pages, for the kabupaten, a
    kecamatan and a desa (Kependudukan for a statistic of each kind of category)."""
    out: list = []
    regions = [None, KECAMATAN[0], desa]
    pages = [(kependudukan, "/kependudukan"), (ringkasan, "/"), (pemantauan, "/pemantauan")]
    for module, path in pages:
        for kode in regions:
            query = {"wilayah": kode} if kode else {}
            for slug in SLUGS if module is kependudukan else [None]:
                extra = {"statistik": slug} if slug else {}
                out.append(_layout(app, module, path, **query, **extra))
    out.append(_layout(app, desa_page, f"/desa/{desa}", kode=desa))
    for kode in regions:
        for slug in SLUGS:
            out.append(_callbacks(client, kode, slug, "semua"))
    tables = [f"pemantauan/{t}" for t in ("pencilan", "desa", "kelengkapan", "kecamatan")]
    for table in [*tables, "ringkasan/perubahan", "kependudukan/statistik"]:
        for kode in regions:
            query = f"?wilayah={kode}" if kode else ""
            out.append(_body(client.http.get(f"/api/v1/halaman/{table}{query}")))
            out.append(_body(client.http.get(f"/api/v1/halaman/{table}.csv{query}")))
    out.append(_body(client.http.get(f"/api/v1/halaman/desa/statistik?wilayah={desa}")))
    return out


SLUGS = ["rentang-umur", "agama", "bantuan-penduduk"]  # age brackets, categories, aid


def test_pages_read_slices_and_answer_as_without_rollups(store, villages, simulator, monkeypatch):
    two_sweeps(store, villages, simulator)
    # one clock for both apps: the trend's last point is "now"
    fixed, ends = pd.Timestamp.now(tz="UTC"), indicators_module.month_ends
    monkeypatch.setattr(indicators_module, "month_ends", lambda now, n=12: ends(fixed, n))
    rolled, observed = create_app(store, Settings()), create_app(store, Settings(rollups=0))
    new, old = DashClient(rolled), DashClient(observed)
    desa = villages[1].kode_desa
    calls: list[str] = []

    def refuse(name):
        def reader(self, *args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} read with a rollup current")

        return reader

    with monkeypatch.context() as patch:
        for name in WHOLE_READERS:
            patch.setattr(Warehouse, name, refuse(name))
        got = _answers(rolled, new, desa)
    assert calls == []
    with rolled.server.app_context():
        snapshot = rolled.server.config["DATA_SOURCE"].snapshot()
    assert snapshot.rollup is not None
    assert "population" not in snapshot._loaded  # no observation loaded in the web process
    want = _answers(observed, old, desa)
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want, strict=True)):
        assert a == b, i
    # the trend is drawn (two collections), and one category of it too
    inputs = {"kpd-kecamatan.value": KECAMATAN[0], "kpd-desa.value": None,
              "kpd-statistik.value": "agama"}  # fmt: skip
    options = new.call("kpd-indikator.children", inputs)["kpd-tren-kategori"]["options"]
    inputs["kpd-tren-kategori.value"] = options[1]["value"]
    figure = new.call("kpd-tren.figure", inputs)
    assert figure == old.call("kpd-tren.figure", inputs)
    assert figure["kpd-tren"]["figure"]["data"], "a trend drawn"


# -- a registry of two kabupaten: the provinsi's rollup and its comparison per kabupaten -----
def test_a_provinsi_reads_its_rollup_and_compares_its_kabupaten(store, monkeypatch):
    from tests.test_provinsi import TWO_KABUPATEN, collected, registry_of

    install(store)
    collected(store, registry_of(TWO_KABUPATEN))
    provinsi = "17"
    rollup = current_rollup(store).id
    data = load_population(store)
    assert "provinsi" in set(data.regions["tingkat"])
    got = rp.pyramid_from_parts(
        read_frame(store, rollup, FrameKey(rp.PIRAMIDA, "provinsi"), provinsi),
        read_frame(store, rollup, FrameKey(rp.TIDAK_SELARAS, "desa", rp.AGE_BRACKETS), provinsi),
        read_frame(store, rollup, FrameKey(rp.RENTANG_SENDIRI, "desa"), provinsi),
    )
    want = pyramid(data, provinsi)
    same(got, want, "pyramid of the provinsi")
    assert got.attrs["desa_rentang_sendiri"] == want.attrs["desa_rentang_sendiri"]
    snapshot = DataSource(store).snapshot()
    for slug in SLUGS:
        shares = kependudukan.compare_table(snapshot, slug, provinsi)
        same(shares, compare_villages(data, slug, provinsi), slug)
        # one bar per kabupaten at the provinsi
        assert set(shares["kode_wilayah"]) == {"17.01", "17.03"}, slug
    assert "population" not in snapshot._loaded
    # the pages at the provinsi answer as without rollups
    fixed, ends = pd.Timestamp.now(tz="UTC"), indicators_module.month_ends
    monkeypatch.setattr(indicators_module, "month_ends", lambda now, n=12: ends(fixed, n))
    rolled, observed = create_app(store, Settings()), create_app(store, Settings(rollups=0))
    pages = [(kependudukan, "/kependudukan"), (ringkasan, "/"), (pemantauan, "/pemantauan")]
    for module, path in pages:
        for kode in (provinsi, "17.01"):
            for extra in [{"statistik": s} for s in SLUGS] if module is kependudukan else [{}]:
                a = _layout(rolled, module, path, wilayah=kode, **extra)
                assert a == _layout(observed, module, path, wilayah=kode, **extra), (path, kode)
                assert "Terjadi kesalahan" not in a, (path, kode)


def test_villages_with_only_their_own_brackets_are_named_per_region():
    """A village none of whose brackets fits a default one is left out of the pyramid and
    named: per village in the rollup, so a region's slice names its own villages."""
    rows = []
    for kode, brackets in (
        ("17.03.01.2001", [(0, 4), (5, 9)]),  # default brackets
        ("17.03.01.2002", [(0, 9)]),  # only a bracket across 4 | 5: its own
        ("17.03.08.2001", [(0, 9), (10, 14)]),  # one of each
    ):
        for i, (dari, sampai) in enumerate(brackets):
            rows.append({"kode_desa": kode, "dataset": rp.AGE_BRACKETS, "periode": "",
                         "kode": f"{dari}-{sampai}", "label": f"{dari} S/D {sampai} TAHUN",
                         "urutan": i + 1, "dari": dari, "sampai": sampai, "laki_laki": 2,
                         "perempuan": 3, "jumlah": 5, "updated_run_id": 1})  # fmt: skip
    regions = pd.DataFrame(
        {"kode": ["17.03", "17.03.01", "17.03.08", "17.03.01.2001", "17.03.01.2002",
                  "17.03.08.2001"],
         "nama": ["K", "A", "B", "D1", "D2", "D3"],
         "tingkat": ["kabupaten", "kecamatan", "kecamatan", "desa", "desa", "desa"],
         "induk": [None, "17.03", "17.03", "17.03.01", "17.03.01", "17.03.08"]}
    )  # fmt: skip
    from aggregates.population import build_population

    data = build_population(pd.DataFrame(rows), regions)
    own = rp.own_bracket_villages(data)
    assert list(own["kode_desa"]) == ["17.03.01.2002"]
    rest = not_harmonised_table(data, rp.AGE_BRACKETS)
    for tingkat, kode in (("kabupaten", "17.03"), ("kecamatan", "17.03.01"),
                          ("kecamatan", "17.03.08")):  # fmt: skip
        level = rp.pyramid_level(data, tingkat)

        def part(frame, column, kode=kode):
            codes = frame[column]
            return frame[(codes == kode) | codes.str.startswith(kode + ".")]

        got = rp.pyramid_from_parts(
            part(level, "kode_wilayah"), part(rest, "kode_desa"), part(own, "kode_desa")
        )
        want = pyramid(data, kode)
        same(got, want, kode)
        assert got.attrs["desa_rentang_sendiri"] == want.attrs["desa_rentang_sendiri"], kode
        same(got.attrs["tidak_diselaraskan"].reset_index(drop=True),
             want.attrs["tidak_diselaraskan"], kode)  # fmt: skip
