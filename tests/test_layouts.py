"""Figure builders and grid builders (no server); formats and the catalogue: test_i18n.py."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from aggregates.population import EXPORT_COLUMNS
from config.statistik import STATISTICS
from i18n.format import format_number
from layouts.figures import (
    SEPARATORS,
    category_bar,
    empty_figure,
    freshness_note,
    population_pyramid,
    readable_label,
)
from layouts.tables import NUMBER_FORMATTER, TEXT_SUFFIX, data_grid, number_formatter

ROOT = Path(__file__).resolve().parents[1]
AS_OF = datetime(2026, 11, 28, 0, 15, tzinfo=UTC)  # 07.15 WIB


def agama_table() -> pd.DataFrame:
    """A kecamatan's agama rows as Snapshot.statistic returns them (belum_mengisi last)."""
    rows = [
        ("1", "ISLAM", 11277, 10715, 1),
        ("2", "KRISTEN", 206, 193, 2),
        ("3", "KATHOLIK", 158, 143, 3),
        ("4", "HINDU", 13, 9, 4),
        ("5", "BUDHA", 7, 7, 5),
        ("6", "KHONGHUCU", 1, 4, 6),
        ("7", "KEPERCAYAAN/LAINNYA", 4, 2, 7),
        ("belum_mengisi", "BELUM MENGISI", 98, 95, 9998),
    ]
    df = pd.DataFrame(rows, columns=["kode", "label", "laki_laki", "perempuan", "urutan"])
    df.insert(0, "kode_wilayah", "17.03.06")
    df.insert(1, "nama_wilayah", "Kerkap")
    df.insert(2, "tingkat", "kecamatan")
    df.insert(3, "statistik", "agama")
    for col in ("laki_laki", "perempuan"):
        df[col] = df[col].astype("Int64")
    df["jumlah"] = (df["laki_laki"] + df["perempuan"]).astype("Int64")
    df["dari"] = np.nan
    df["sampai"] = np.nan
    return df[[*EXPORT_COLUMNS, "urutan", "dari", "sampai"]]


def pyramid_frame() -> pd.DataFrame:
    """aggregates.population.pyramid output: youngest first."""
    brackets = [(0, "0 s/d 1 Tahun", 5064, 4772), (2, "2 s/d 4 Tahun", 7571, 7085)]
    brackets += [(5, "5 s/d 9 Tahun", 12770, 11955), (75, "Di atas 75 Tahun", 2774, 3614)]
    df = pd.DataFrame(brackets, columns=["dari", "label", "laki_laki", "perempuan"])
    df["jumlah"] = df["laki_laki"] + df["perempuan"]
    for col in ("laki_laki", "perempuan", "jumlah"):
        df[col] = df[col].astype("Int64")
    return df[["label", "laki_laki", "perempuan", "jumlah", "dari"]]


# -- figures -------------------------------------------------------------------------------
def test_category_bar_splits_by_sex_in_table_order():
    table = agama_table()
    fig = category_bar(
        table, title="Agama, Kecamatan Kerkap", lang="id", as_of=AS_OF, reported=18, expected=18
    )
    assert isinstance(fig, go.Figure)
    assert [tr.name for tr in fig.data] == ["Laki-laki", "Perempuan"]
    male, female = fig.data
    assert male.type == "bar" and male.orientation == "h"
    assert list(male.x) == [int(v) for v in table["laki_laki"]]
    assert list(female.x) == [int(v) for v in table["perempuan"]]
    assert list(male.customdata) == [int(v) for v in table["jumlah"]]
    assert list(male.y)[:2] == ["ISLAM", "KRISTEN"]
    assert list(male.y)[-1] == "Belum mengisi"  # the not-filled-in row, readable
    assert fig.layout.barmode == "group"
    assert fig.layout.separators == SEPARATORS == ",."
    assert fig.layout.yaxis.autorange == "reversed"  # first category on top
    assert "Agama, Kecamatan Kerkap" in fig.layout.title.text
    assert "data per 28 Nov 2026 07.15 WIB, 18 dari 18 desa" in fig.layout.title.text


def test_category_bar_english_and_long_labels():
    table = agama_table()
    table.loc[0, "label"] = "BPJS NON PENERIMA BANTUAN IURAN KELAS SATU"
    fig = category_bar(table, title="Religion", lang="en", as_of=AS_OF, reported=3, expected=4)
    assert [tr.name for tr in fig.data] == ["Male", "Female"]
    assert "<br>" in fig.data[0].y[0]
    assert fig.data[0].y[-1] == "Not filled in"
    assert "data as of Nov 28, 2026, 7:15\u202fAM WIB, 3 of 4 villages" in fig.layout.title.text
    assert fig.layout.separators == ".,"  # 1,234.5 on an English chart


def test_category_bar_keeps_categories_sharing_a_label_apart():
    table = agama_table()
    table.loc[1, "label"] = "ISLAM"
    fig = category_bar(table, title="x", lang="id")
    labels = list(fig.data[0].y)
    assert len(set(labels)) == len(labels)
    assert labels[:2] == ["ISLAM (1)", "ISLAM (2)"]


def test_category_bar_empty_says_why():
    empty = agama_table().iloc[0:0]
    fig = category_bar(empty, title="Agama", lang="id", empty_message="Belum ada data Agama.")
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text == "Belum ada data Agama."
    assert fig.layout.separators == ",."


def test_empty_figure_has_message_and_no_axes():
    fig = empty_figure("Belum ada pengumpulan data yang selesai: 220 desa belum melapor.")
    assert len(fig.data) == 0
    assert "220 desa" in fig.layout.annotations[0].text
    assert fig.layout.xaxis.visible is False


def test_population_pyramid_males_left_females_right():
    pyr = pyramid_frame()
    fig = population_pyramid(
        pyr, lang="id", title="Piramida", as_of=AS_OF, reported=214, expected=220
    )
    male, female = fig.data
    assert (male.name, female.name) == ("Laki-laki", "Perempuan")
    assert list(male.x) == [-int(v) for v in pyr["laki_laki"]]
    assert list(female.x) == [int(v) for v in pyr["perempuan"]]
    assert list(male.customdata) == [int(v) for v in pyr["laki_laki"]]  # hover shows positives
    assert list(male.y) == list(pyr["label"])  # youngest first = bottom of the axis
    assert fig.layout.barmode == "relative"
    ticks = dict(zip(fig.layout.xaxis.tickvals, fig.layout.xaxis.ticktext, strict=True))
    assert ticks[0] == "0"
    for value, text in ticks.items():
        assert text == format_number(abs(value), "id")  # "10.000" both sides, never "-10.000"
        assert not text.startswith("-")
    assert max(ticks) >= max(pyr["perempuan"]) and min(ticks) <= -max(pyr["laki_laki"])
    assert fig.layout.separators == ",."
    assert "214 dari 220 desa" in fig.layout.title.text


def test_population_pyramid_empty():
    fig = population_pyramid(pyramid_frame().iloc[0:0], lang="id", empty_message="Kosong")
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text == "Kosong"


def test_freshness_note_without_a_run():
    assert freshness_note(None, 0, 220, "id") == "belum ada pengumpulan data"
    assert freshness_note(AS_OF, 1214, 2200, "id").endswith("1.214 dari 2.200 desa")


def test_readable_label():
    assert readable_label("BELUM MENGISI", "belum_mengisi", "id") == "Belum mengisi"
    assert readable_label("ISLAM", "1", "id") == "ISLAM"
    assert readable_label(None, "7", "id") == "7"


def test_figures_use_graph_objects_only():
    source = (ROOT / "layouts" / "figures.py").read_text(encoding="utf-8")
    assert "plotly.express" not in source


def test_figures_from_real_aggregates(collected_store):
    """The builders accept what the aggregates really return (Int64, NaN bounds, 220 desa)."""
    from aggregates.population import pyramid
    from dashboard.data import DataSource

    snapshot = DataSource(collected_store).snapshot()
    for slug in (stat.slug for stat in STATISTICS):  # every one is on Kependudukan
        table = snapshot.statistic(slug, "kabupaten", "17.03")
        fig = category_bar(table, title=slug, lang="id")
        assert sum(fig.data[0].x) == int(table["laki_laki"].sum())
        assert sum(fig.data[1].x) == int(table["perempuan"].sum())
    pyr = pyramid(snapshot.population, "17.03")
    fig = population_pyramid(pyr, lang="id")
    assert -sum(fig.data[0].x) == int(pyr["laki_laki"].sum())
    # per-village bars: 220 rows stay cheap to build and to serialise
    villages = snapshot.statistic("agama", "desa")
    islam = villages[villages["kode"] == "1"].assign(label=lambda d: d["nama_wilayah"])
    fig = category_bar(islam, title="Islam per desa", lang="id")
    assert len(fig.data[0].y) == len(islam)
    json.dumps(fig.to_plotly_json(), default=str)


# -- tables --------------------------------------------------------------------------------
def test_data_grid_columns_rows_and_formatting():
    table = agama_table()
    table.loc[3, "perempuan"] = pd.NA
    grid = data_grid("kpd-grid", table, ["label", "laki_laki", "perempuan", "jumlah"], lang="id")
    defs = {d["field"]: d for d in grid.columnDefs}
    assert [d["field"] for d in grid.columnDefs] == ["label", "laki_laki", "perempuan", "jumlah"]
    assert defs["label"]["headerName"] == "Kategori"
    assert defs["laki_laki"]["headerName"] == "Laki-laki"
    for col in ("laki_laki", "perempuan", "jumlah"):
        assert defs[col]["valueFormatter"] == NUMBER_FORMATTER
        assert defs[col]["type"] == "rightAligned"
        assert "ag-right-aligned-cell" in defs[col]["cellClass"]
        assert defs[col]["filter"] == "agNumberColumnFilter"
    assert defs["label"]["filter"] == "agTextColumnFilter"
    assert grid.defaultColDef["sortable"] and grid.defaultColDef["filter"]
    assert grid.dashGridOptions["localeText"]["noRowsToShow"] == "Tidak ada baris"
    rows = grid.rowData
    assert rows[0] == {"label": "ISLAM", "laki_laki": 11277, "perempuan": 10715, "jumlah": 21992}
    assert rows[3]["perempuan"] is None
    assert all(type(r["laki_laki"]) is int for r in rows)
    json.dumps(rows)  # plain JSON: no numpy or pandas scalars


def test_data_grid_dates_sort_as_iso_and_show_wib():
    df = pd.DataFrame(
        {
            "nama_desa": ["Banjar Sari", "Apoho"],
            "terakhir_berhasil": pd.to_datetime(["2026-11-28 00:15:00", None], utc=True),
            "penduduk": pd.array([746, None], dtype="Int64"),
        }
    )
    grid = data_grid("rks-grid", df, ["nama_desa", "terakhir_berhasil", "penduduk"], lang="id")
    first, second = grid.rowData
    assert first["terakhir_berhasil"] == "2026-11-28T00:15:00+00:00"
    assert first["terakhir_berhasil" + TEXT_SUFFIX] == "28 Nov 2026 07.15 WIB"
    assert second["terakhir_berhasil"] is None and second["penduduk"] is None
    defs = {d["field"]: d for d in grid.columnDefs}
    assert TEXT_SUFFIX in defs["terakhir_berhasil"]["valueFormatter"]["function"]
    assert defs["terakhir_berhasil"]["headerName"] == "Terakhir berhasil"


def test_data_grid_empty_frame_keeps_number_columns():
    empty = pd.DataFrame(columns=["label", "laki_laki", "perempuan", "jumlah"])
    grid = data_grid("kpd-grid", empty, list(empty.columns), lang="en")
    defs = {d["field"]: d for d in grid.columnDefs}
    assert grid.rowData == []
    assert defs["jumlah"]["valueFormatter"] == {"function": "angka(params.value, 0, '.', ',')"}
    assert defs["jumlah"]["headerName"] == "Total"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("lang", ["id", "en"])
def test_js_number_formatter_matches_python(lang):
    """The grid's formatter (the function number_formatter names, with its arguments) writes
    what format_number writes for the page's language."""
    script = ROOT / "dashboard" / "assets" / "dashAgGridFunctions.js"
    values = [0, 7, 999, 1000, 304123, 1234567, -1234, 1234.5, 0.25, -0.2, None, ""]
    calls = []
    for decimals in (None, 1):
        call = number_formatter(lang, decimals)["function"].replace("params.value", "v")
        calls.append(f"{json.dumps(values)}.map(v => dagfuncs.{call})")
    code = (
        "var window = {};\n"
        + script.read_text(encoding="utf-8")
        + "".join(f"\nconsole.log(JSON.stringify({c}));" for c in calls)
    )
    out = subprocess.run(["node", "-e", code], capture_output=True, text=True, check=True)
    whole, one = (json.loads(line) for line in out.stdout.splitlines())
    assert whole == [format_number(v, lang) for v in values[:10]] + ["", ""]
    assert one == [format_number(v, lang, 1) for v in values[:10]] + ["", ""]
    assert whole[5] == {"id": "1.234.567", "en": "1,234,567"}[lang]
