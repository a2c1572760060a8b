"""The charts' axes and tops (layouts.axes, layouts.chart_top), asserted on the figure objects
every builder returns (issue 8): whole-number ticks on counts, tick labels that fit, the title,
its note and the legend each in room of its own."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.scaffold.periods import region_figure, trend_figure
from layouts import finance_figures as ff
from layouts.axes import SMALL_COUNT, count_axis, percent_axis
from layouts.chart_top import (
    GAP,
    LINE,
    NARROW,
    PAD_TOP,
    ROW,
    frame_top,
    legend_rows,
    wrap_title,
)
from layouts.figures import WIDE, category_bar, population_pyramid, share_bar, trend_line

NOTE = "data per 2 Des 2026 23.42 WIB, 18 dari 18 desa"


def tick_labels(axis, top: float) -> list[str]:
    """The labels plotly draws on a count axis from 0 to `top` with the axis's own tick0,
    dtick and format: plotly's auto ticks are never finer than a tenth of the range."""
    step = axis.dtick if axis.dtick is not None else max(top / 10, 1)
    first = axis.tick0 or 0
    count = int(math.floor((top - first) / step)) + 1
    values = [first + i * step for i in range(count)]
    assert axis.tickformat == ",d"  # whole numbers, thousands dotted
    return [f"{round(v):,d}" for v in values]


def assert_whole_ticks(axis, top: float) -> None:
    labels = tick_labels(axis, top)
    # "0, 1, 1, 2, 2" is a tick every 0.5 printed as whole numbers: every label once
    assert len(labels) == len(set(labels)), labels
    assert axis.automargin is True


def assert_top_holds(fig, width: int = NARROW) -> None:
    """The title (and its note) fit above the legend, the legend above the plot area (its
    rows as they wrap at `width`, the chart's narrowest panel)."""
    layout = fig.layout
    lines = layout.title.text.count("<br>") + 1
    title_bottom = PAD_TOP + LINE * lines
    if layout.showlegend is not False and len(fig.data) > 1 or layout.showlegend:
        legend = layout.legend
        assert legend.orientation == "h"
        assert (legend.xref, legend.yref, legend.yanchor) == ("container", "container", "top")
        legend_top = (1 - legend.y) * layout.height
        assert legend_top >= title_bottom, (legend_top, title_bottom)
        names = [trace.name for trace in fig.data]
        assert layout.margin.t >= legend_top + ROW * legend_rows(names, width)
    else:
        assert layout.margin.t >= title_bottom


# -- layouts.axes --------------------------------------------------------------------------
@pytest.mark.parametrize("top", [0, 1, 2, 3, 7, 9])
def test_count_axis_has_a_tick_per_whole_number_on_small_ranges(top):
    axis = count_axis(top, "Jumlah")
    assert (axis["tick0"], axis["dtick"], axis["tickformat"]) == (0, 1, ",d")
    assert axis["rangemode"] == "tozero" and axis["automargin"] is True
    assert axis["title"]["text"] == "Jumlah"
    if top == 0:  # nothing but zeros: 0 … 1, not plotly's -1 … 1
        assert axis["range"] == [0, 1]


def test_count_axis_leaves_large_ranges_to_plotly():
    axis = count_axis(SMALL_COUNT, None)
    assert "dtick" not in axis and "range" not in axis and "title" not in axis
    assert axis["tickformat"] == ",d"


def test_percent_axis():
    axis = percent_axis("Persen")
    assert axis["range"] == [0, 100] and axis["dtick"] == 20 and axis["ticksuffix"] == "%"


# -- layouts.chart_top ---------------------------------------------------------------------
def test_wrap_title_keeps_marked_up_lines():
    title = "AKI & AKB per desa menurut bulan, Kecamatan Kerkap (klik untuk memilih)"
    wrapped = wrap_title(title, 40)
    assert all(len(line) <= 40 for line in wrapped.split("<br>"))
    assert wrapped.replace("<br>", " ") == title
    note = "Piramida<br><span style='font-size:12px'>tanpa 5.512 jiwa dari 8 desa</span>"
    assert wrap_title(note, 10).endswith(
        "<span style='font-size:12px'>tanpa 5.512 jiwa dari 8 desa</span>"
    )


def test_frame_top_puts_the_legend_under_the_title():
    layout = {"height": 400, "title": {"text": "<b>Judul</b><br><span>catatan</span>"},
              "margin": {"l": 10, "t": 96}}  # fmt: skip
    names = [f"Kategori panjang nomor {i}" for i in range(12)]
    frame_top(layout, names)
    rows = legend_rows(names)
    assert rows > 1  # twelve long names wrap
    assert layout["legend"]["y"] == pytest.approx(1 - (PAD_TOP + 2 * LINE + GAP) / 400)
    assert layout["margin"] == {"l": 10, "t": PAD_TOP + 2 * LINE + GAP + ROW * rows + GAP}
    alone = {"height": 400, "title": {"text": "<b>Judul</b>"}, "margin": {}}
    frame_top(alone, ["one trace"])
    assert "legend" not in alone and alone["margin"]["t"] == PAD_TOP + LINE + 2 * GAP


# -- the builders --------------------------------------------------------------------------
def _statistic(counts: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kode": [str(i) for i in range(len(counts))],
            "label": [c[0] for c in counts],
            "laki_laki": pd.array([c[1] for c in counts], dtype="Int64"),
            "perempuan": pd.array([c[2] for c in counts], dtype="Int64"),
            "jumlah": pd.array([c[1] + c[2] for c in counts], dtype="Int64"),
        }
    )


def test_bars_start_at_zero():
    """A bar's length is its count: every count axis of bars starts at 0."""
    fig = category_bar(_statistic([("A", 3, 4)]), title="x", lang="id")
    assert fig.layout.xaxis.rangemode == "tozero"
    progress = pd.DataFrame({"progres": [0.0, 100.0], "jumlah_kegiatan": [20, 30]})
    fig = ff.progress_bars(
        progress, title="x", note=NOTE, axis_title="n", empty_message="-", lang="id"
    )
    assert fig.layout.yaxis.rangemode == "tozero"


def test_category_bar_small_counts_get_whole_ticks():
    fig = category_bar(_statistic([("Hamil", 0, 2), ("Tidak hamil", 1, 1)]), title="Status",
                       lang="id", as_of=pd.Timestamp("2026-12-02", tz="UTC"), reported=1,
                       expected=1, axis_title="Penduduk perempuan")  # fmt: skip
    assert fig.layout.xaxis.title.text == "Penduduk perempuan"
    assert tick_labels(fig.layout.xaxis, 2) == ["0", "1", "2"]
    assert_whole_ticks(fig.layout.xaxis, 2)
    assert fig.layout.yaxis.automargin is True
    assert_top_holds(fig)


def test_category_bar_long_title_wraps_clear_of_the_mode_bar():
    title = "Penerima Bantuan (Keluarga) menurut jenis kelamin, Kabupaten Bengkulu Utara"
    fig = category_bar(_statistic([("PKH", 10, 3)]), title=title, lang="id")
    first = fig.layout.title.text.split("<br>")[0]
    assert len(first.replace("<b>", "").replace("</b>", "")) <= 64
    assert_top_holds(fig)


def test_trend_line_labels_fit_and_start_at_zero():
    series = pd.DataFrame(
        {
            "waktu": pd.date_range("2026-01-31", periods=6, freq="ME", tz="UTC"),
            "jumlah": pd.array([8, 9, 10, 11, 12, 12], dtype="Int64"),
            "desa": [1] * 6,
        }
    )
    fig = trend_line(series, title="Agama: Desa X per akhir bulan", lang="id")
    axis = fig.layout.yaxis
    # "12, 10, 8" read "2, 0, 8" behind a 10 px margin: the margin now grows for the labels
    assert axis.automargin is True and fig.layout.xaxis.automargin is True
    assert axis.title.text == "Jumlah" and axis.title.standoff == 8
    assert tick_labels(axis, 12)[-1] in ("12", "10")  # no tick cut to one digit
    assert_whole_ticks(axis, 12)
    assert axis.rangemode == "normal"  # 8 … 12: the rise is seen, the labels say from where
    assert_top_holds(fig)


def test_pyramid_ticks_are_whole_and_its_note_has_room():
    pyr = pd.DataFrame(
        {"label": ["0 s/d 4", "5 s/d 9"], "laki_laki": pd.array([1, 2], dtype="Int64"),
         "perempuan": pd.array([2, 1], dtype="Int64"), "jumlah": pd.array([3, 3], dtype="Int64"),
         "dari": [0, 5]}
    )  # fmt: skip
    title = "Piramida<br><span style='font-size:12px'>tanpa 12 jiwa dari 1 desa</span>"
    fig = population_pyramid(pyr, lang="id", title=title)
    ticks = fig.layout.xaxis.tickvals
    assert all(float(v).is_integer() for v in ticks) and len(set(ticks)) == len(ticks)
    # males to the left: both sides read as positive counts, one tick per whole person here
    assert fig.layout.xaxis.ticktext == ("2", "1", "0", "1", "2")
    assert fig.layout.xaxis.automargin is True
    assert_top_holds(fig)  # three lines (title, note, freshness) above the legend


def test_share_bar_legend_of_many_categories_stays_under_the_title():
    shares = pd.DataFrame(
        [dict(kode_wilayah=f"k{r}", nama_wilayah=f"Desa {r}", kode=str(c),
              label=f"KATEGORI NOMOR {c}", urutan_kategori=c, jumlah=1, total=17,
              persen=100 / 17) for r in range(3) for c in range(17)]
    )  # fmt: skip
    fig = share_bar(shares, title="Pendidikan dalam KK: bagian tiap desa", lang="id")
    assert fig.layout.xaxis.range == (0, 100) and fig.layout.xaxis.ticksuffix == "%"
    assert legend_rows([t.name for t in fig.data], WIDE) > 1
    assert_top_holds(fig, WIDE)


def test_health_charts_count_small_numbers_in_whole_ticks():
    """AKI and AKB are a few deaths a month: the axis read "0, 1, 1, 2, 2"."""
    frame = pd.DataFrame({"periode": ["202601", "202602", "202603"], "a": [0, 2, 1],
                          "b": [1, 0, 2]})  # fmt: skip
    labels = ["Kematian ibu (AKI)", "Kematian bayi (AKB)"]
    fig = trend_figure(frame, ["a", "b"], labels, title="AKI & AKB per periode, Kecamatan Kerkap",
                       note=NOTE, axis_title="Jumlah", x_labels=["Jan", "Feb", "Mar"],
                       empty_message="-", lang="id")  # fmt: skip
    assert tick_labels(fig.layout.yaxis, 2) == ["0", "1", "2"]
    assert_whole_ticks(fig.layout.yaxis, 2)
    assert_top_holds(fig)
    rows = pd.DataFrame({"nama": ["A", "B"], "kode": ["1", "2"], "a": [0, 1], "b": [1, 0]})
    fig = region_figure(rows, ["a", "b"], labels, label_col="nama", key_col="kode",
                        title="AKI & AKB per desa, Kecamatan Kerkap, Des 2026", note=NOTE,
                        axis_title="Jumlah", empty_message="-", lang="id")  # fmt: skip
    assert tick_labels(fig.layout.xaxis, 1) == ["0", "1"]
    assert_top_holds(fig)
    # stacked parts: the axis spans the largest stack
    stacked = region_figure(rows.assign(a=[6, 5], b=[5, 4]), ["a", "b"], labels,
                            label_col="nama", key_col="kode", title="x", note=NOTE,
                            axis_title="Jumlah", empty_message="-", stacked=True,
                            lang="id")  # fmt: skip
    assert "dtick" not in stacked.layout.xaxis.to_plotly_json()  # 11: plotly ticks whole
    percent = trend_figure(frame, ["a", "b"], labels, title="x", note=NOTE, axis_title="%",
                           x_labels=["Jan", "Feb", "Mar"], empty_message="-",
                           percent=True, lang="id")  # fmt: skip
    assert percent.layout.yaxis.range == (0, 100)


def test_finance_bars_count_axes():
    progress = pd.DataFrame({"progres": [0.0, 100.0], "jumlah_kegiatan": [2, 3]})
    fig = ff.progress_bars(progress, title="Kegiatan menurut progres", note=NOTE,
                           axis_title="Jumlah kegiatan", empty_message="-", lang="id")  # fmt: skip
    assert tick_labels(fig.layout.yaxis, 3) == ["0", "1", "2", "3"]
    assert_whole_ticks(fig.layout.yaxis, 3)
    assert_top_holds(fig)
    programs = pd.DataFrame({"program": ["PKH", "PIP"], "sasaran": pd.array([2, 1], dtype="Int64"),
                             "peserta": pd.array([3, 1], dtype="Int64")})  # fmt: skip
    fig = ff.program_bars(programs, title="Penerima per program", note=NOTE,
                          axis_title="Penerima", empty_message="-",
                          targets={1: "Penduduk", 2: "Keluarga"}, lang="id")  # fmt: skip
    assert [t.name for t in fig.data] == ["Penduduk", "Keluarga"]
    assert_whole_ticks(fig.layout.xaxis, 3)
    assert_top_holds(fig)
    money = ff.budget_bars(pd.DataFrame({"nama": ["A"], "kode": ["1"], "anggaran": [5e8],
                                         "realisasi": [4e8]}),
                           label_col="nama", key_col="kode", title="Anggaran", note=NOTE,
                           names={"anggaran": "Anggaran", "realisasi": "Realisasi"},
                           axis_title="Rupiah", empty_message="-", lang="id")  # fmt: skip
    assert money.layout.xaxis.tickformat == ",.0f" and money.layout.xaxis.automargin is True
    assert_top_holds(money)
