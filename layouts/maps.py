"""Village maps: vendored GeoJSON in, a `go.Choropleth` on a hidden base map out.

plotly's geo traces fetch base-map topojson even with the base map hidden; the page serves
`dashboard/assets/topojson/` and passes its URL as the graph's `topojsonURL` (`map_config`).
A region without boundaries gets a kecamatan → desa treemap instead of a map.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from i18n.catalogue import DEFAULT_LANGUAGE
from i18n.format import plotly_separators
from layouts.figures import FONT, _title

BOUNDARIES_DIR = Path(__file__).resolve().parents[1] / "config" / "boundaries"
TOPOJSON_ASSET = "topojson/"  # under dashboard/assets; world_110m.json is what geo needs
# the boundary files are served at BOUNDARY_ROUTE/<file> (dashboard.app): a map names its
# file's URL instead of carrying the polygons, so a 220-village map is a few kB of JSON and the
# browser fetches (and caches) the 0.6 MB of polygons once
BOUNDARY_ROUTE = "/batas"
NO_DATA_COLOUR = "#d5dbe0"
LINE_COLOUR = "#ffffff"
HIGHLIGHT_COLOUR = "#1f2a33"


@functools.cache
def load_boundaries(kabupaten: str, tingkat: str = "desa") -> dict | None:
    """The vendored GeoJSON of one kabupaten's villages (or kecamatan), or None if absent."""
    path = BOUNDARIES_DIR / f"{tingkat}-{kabupaten}.geojson"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def boundary_file(kabupaten: str, tingkat: str = "desa") -> str:
    """The file name of a kabupaten's village (or kecamatan) boundaries."""
    return f"{tingkat}-{kabupaten}.geojson"


def map_config(topojson_url: str) -> dict:
    """dcc.Graph config for a map: local topojson, no plotly logo."""
    return {"topojsonURL": topojson_url, "displaylogo": False, "scrollZoom": False}


def _subset(geojson: Mapping, codes: Sequence[str]) -> dict:
    """Only the features shown: a kecamatan's map should not ship the whole kabupaten."""
    wanted = set(codes)
    features = [f for f in geojson.get("features", []) if f.get("id") in wanted]
    return {"type": "FeatureCollection", "features": features}


def _layout(title: str, note: str | None, height: int, lang: str) -> dict:
    return dict(
        separators=plotly_separators(lang),
        font=FONT,
        height=height,
        template="none",
        paper_bgcolor="white",
        margin=dict(l=10, r=10, t=84, b=10),
        title=_title(title, note),
        legend=dict(orientation="h", x=0, y=1.0, xanchor="left", yanchor="bottom"),
        geo=dict(
            fitbounds="locations",
            visible=False,  # no base map: the village polygons are the map
            projection=dict(type="mercator"),
            bgcolor="white",
        ),
        clickmode="event",
        uirevision="peta",  # keep zoom while only colours change
    )


def village_map(
    geojson: Mapping | None,
    values: pd.DataFrame,
    *,
    lang: str = DEFAULT_LANGUAGE,
    title: str,
    note: str | None = None,
    colours: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    highlight: str | None = None,
    height: int = 680,  # a whole kabupaten with its islands (Enggano) stays legible
    geojson_url: str | None = None,
) -> go.Figure:
    """Villages coloured by `values["category"]` (with `colours`, `labels` by category, in that
    order) or by `values["value"]` (a number). `values` has `kode` and optionally `nama`,
    `kode_kecamatan`, `nama_kecamatan` (for the treemap fallback) and `keterangan` (a line
    shown on hover under a category's label, e.g. why a village fails). Falls back to a treemap
    when no boundary matches a code. With `geojson_url` (where the browser can fetch
    `geojson`) the traces name that URL instead of carrying the shapes."""
    codes = [str(k) for k in values["kode"]]
    shape = _subset(geojson, codes) if geojson else None
    if not shape or not shape["features"]:
        return village_treemap(values, lang=lang, title=title, note=note, colours=colours,
                               labels=labels, height=height)  # fmt: skip
    known = {f["id"] for f in shape["features"]}
    if geojson_url:
        shape = geojson_url
    shown = values[values["kode"].isin(known)]
    names = shown["nama"] if "nama" in shown else shown["kode"]
    fig = go.Figure(layout=_layout(title, note, height, lang))
    if "category" in shown:
        order = list(colours or {}) or sorted(set(shown["category"].dropna()))
        for category in order:
            part = shown[shown["category"] == category]
            colour = (colours or {}).get(category, NO_DATA_COLOUR)
            label = (labels or {}).get(category, str(category))
            notes = part["keterangan"] if "keterangan" in part else None
            fig.add_trace(
                _choropleth(shape, part, names.loc[part.index], label, highlight, notes)
                .update(z=[1] * len(part), colorscale=[[0, colour], [1, colour]], zmin=0,
                        zmax=1, showscale=False, showlegend=True, name=label)
            )  # fmt: skip
    else:
        trace = _choropleth(shape, shown, names, "", highlight)
        trace.update(
            z=pd.to_numeric(shown["value"]).tolist(),
            colorscale="Blues",
            colorbar=dict(thickness=12, len=0.7, tickformat=",~f"),  # 5.000, 3,5: not "5k"
            showlegend=False,
        )
        fig.add_trace(trace)
    return fig


def _choropleth(
    shape: dict | str,
    part: pd.DataFrame,
    names: pd.Series,
    label: str,
    highlight: str | None,
    notes: pd.Series | None = None,
) -> go.Choropleth:
    width = [2.5 if k == highlight else 0.6 for k in part["kode"]]
    line = [HIGHLIGHT_COLOUR if k == highlight else LINE_COLOUR for k in part["kode"]]
    # a note is text, not markup: plotly would read "<b>" in a reason as bold
    lines = [""] * len(part) if notes is None else [f"<br>{escape(n)}" if n else "" for n in notes]
    return go.Choropleth(
        geojson=shape,
        locations=part["kode"].tolist(),
        featureidkey="id",
        customdata=list(zip(names.astype(str), [label] * len(part), lines, strict=True)),
        hovertemplate="<b>%{customdata[0]}</b><br>%{location}<br>%{customdata[1]}"
        + "%{customdata[2]}"
        + ("<br>%{z:,}" if not label else "")
        + "<extra></extra>",
        marker=dict(line=dict(width=width, color=line)),
    )


def village_treemap(
    values: pd.DataFrame,
    *,
    lang: str = DEFAULT_LANGUAGE,
    title: str,
    note: str | None = None,
    colours: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    height: int = 560,
) -> go.Figure:
    """Kecamatan → desa boxes, coloured like the map: for regions without boundaries."""
    names = values["nama"] if "nama" in values else values["kode"]
    kec = values["kode_kecamatan"] if "kode_kecamatan" in values else pd.Series("", values.index)
    kec_names = values["nama_kecamatan"] if "nama_kecamatan" in values else kec
    ids, parents, texts, fill, hover = [], [], [], [], []
    for kode, nama in dict(zip(kec, kec_names, strict=True)).items():
        ids.append(f"k:{kode}")
        parents.append("")
        texts.append(str(nama))
        fill.append("#f4f6f8")
        hover.append(str(kode))
    for row, nama, induk in zip(values.itertuples(), names, kec, strict=True):
        ids.append(str(row.kode))
        parents.append(f"k:{induk}")
        texts.append(str(nama))
        if "category" in values:
            fill.append((colours or {}).get(row.category, NO_DATA_COLOUR))
            hover.append((labels or {}).get(row.category, str(row.category)))
        else:
            fill.append(NO_DATA_COLOUR)
            hover.append(str(getattr(row, "value", "")))
    layout = _layout(title, note, height, lang)
    layout.pop("geo")
    fig = go.Figure(
        go.Treemap(
            ids=ids,
            parents=parents,
            labels=texts,
            customdata=hover,
            marker=dict(colors=fill),
            hovertemplate="<b>%{label}</b><br>%{id}<br>%{customdata}<extra></extra>",
            branchvalues="remainder",
        ),
        layout=layout,
    )
    return fig


# the completeness matrix sits beside the map on the page; a heatmap of statuses, not a map
STATUS_COLOURS = {"ok": "#2e8b57", "unchanged": "#8cc7a1", "failed": "#c0392b", "never": "#d5dbe0"}


def status_heatmap(
    matrix: pd.DataFrame,
    datasets: Sequence[str],
    *,
    labels: Mapping[str, str],
    title: str,
    note: str | None = None,
    x_title: str = "",
    lang: str = DEFAULT_LANGUAGE,
) -> go.Figure:
    """Village (rows, `nama_desa`) × dataset: the status colours of STATUS_COLOURS, with a
    colour bar that names each status in words (`labels`)."""
    order = list(STATUS_COLOURS)
    codes = {s: i for i, s in enumerate(order)}
    z = [[codes.get(str(v), codes["never"]) for v in row] for row in matrix[list(datasets)].values]
    hover = [[labels.get(str(v), str(v)) for v in row] for row in matrix[list(datasets)].values]
    n = len(order)
    scale = []
    for i, status in enumerate(order):  # equal bands: one flat colour per status
        scale += [[i / n, STATUS_COLOURS[status]], [(i + 1) / n, STATUS_COLOURS[status]]]
    rows = [f"{nama} ({kode})" for nama, kode in zip(matrix["nama_desa"], matrix["kode_desa"],
                                                        strict=True)]  # fmt: skip
    height = max(320, 150 + 16 * len(rows))
    layout = _layout(title, note, height, lang)
    layout.pop("geo")
    layout.update(
        margin=dict(l=10, r=10, t=150, b=10),
        xaxis=dict(side="top", tickangle=-45, title=x_title, automargin=True),
        yaxis=dict(autorange="reversed", automargin=True, dtick=1),
        plot_bgcolor="white",
    )
    trace = go.Heatmap(
        # arrays, not nested lists: plotly checks a list cell by cell (220 × 26 of them)
        z=np.asarray(z, dtype=np.int64).reshape(len(rows), len(datasets)),
        x=list(datasets),
        y=rows,
        customdata=np.asarray(hover, dtype=object).reshape(len(rows), len(datasets)),
        zmin=-0.5,
        zmax=n - 0.5,
        colorscale=scale,
        xgap=1,
        ygap=1,
        hovertemplate="%{y}<br>%{x}: <b>%{customdata}</b><extra></extra>",
        colorbar=dict(
            tickvals=list(range(n)),
            ticktext=[labels.get(s, s) for s in order],
            thickness=14,
            len=min(1.0, 300 / height),
            y=1,
            yanchor="top",
        ),
    )
    return go.Figure(trace, layout=layout)
