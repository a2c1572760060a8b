"""The filter bar every page shares: kecamatan, then desa, with a page's extra dropdowns
(statistik, tahun, …), kept in the URL and run in the browser (FILTER_SYNC_JS), so changing a
filter needs no server round trip before the page's own callback."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from dashboard.data import Snapshot
from dashboard.regions import Wilayah, kabupaten_of, regions_of, top_of
from dashboard.shell_ids import ID_SEARCH
from dashboard.view_cache import cached_if_app
from i18n.catalogue import t

# The filter bar in the browser, both ways (one callback, as Dash allows a loop only within
# one): a filter changed → desa options follow the kecamatan and the URL follows the filters;
# the URL changed (back/forward) → the filters follow the URL. args: kecamatan, desa, the
# extra values (statistik), search, then the filter data (State).
FILTER_SYNC_JS = """
function (kecamatan, desa, ...rest) {
    const cs = window.dash_clientside;
    const nu = cs.no_update;
    const data = rest[rest.length - 1];
    const search = rest[rest.length - 2];
    const values = rest.slice(0, rest.length - 2);
    const keys = Object.keys(data.extra);
    const fired = (cs.callback_context.triggered || []).map((t) => t.prop_id);
    const unchanged = (now, was) => (now === was ? nu : now);
    const desaProps = (kec) => {
        const options = data.desa[kec] || [];
        return [options, options.length === 0, options.length ? data.all : data.first];
    };
    if (fired.includes(data.url + ".search")) {
        const params = new URLSearchParams(search || "");
        let kode = (params.get("wilayah") || "").trim();
        if (/^[0-9]{10}$/.test(kode)) {
            kode = [kode.slice(0, 2), kode.slice(2, 4), kode.slice(4, 6), kode.slice(6)].join(".");
        }
        // a provinsi registry: its kabupaten are chosen in the kecamatan dropdown too
        const atas = data.atas || [];
        if (atas.length && /^[0-9]{4}$/.test(kode)) {
            kode = kode.slice(0, 2) + "." + kode.slice(2);
        }
        let kec = kode.length >= 8 ? kode.slice(0, 8)
            : (atas.includes(kode) ? kode : data.kabupaten);
        let des = kode.length === 13 ? kode : null;
        if (!(kec in data.desa) && !atas.includes(kec)) { kec = data.kabupaten; des = null; }
        if (des && !data.desa[kec].some((o) => o.value === des)) { des = null; }
        const extras = keys.map((key, i) => {
            const wanted = params.get(key);
            const known = data.extra[key].values.includes(wanted);
            const value = known ? wanted : data.extra[key].default;
            return unchanged(value, values[i]);
        });
        return [nu, search || "", unchanged(kec, kecamatan), unchanged(des, desa),
                ...desaProps(kec), ...extras];
    }
    let des = desa;
    if (fired.includes(data.kecamatan + ".value")
        && !(des && kecamatan && des.startsWith(kecamatan + "."))) {
        des = null;
    }
    const params = new URLSearchParams(search || "");
    const kode = des || kecamatan;
    if (kode && kode !== data.kabupaten) { params.set("wilayah", kode); }
    else { params.delete("wilayah"); }
    keys.forEach((key, i) => {
        if (values[i]) { params.set(key, values[i]); } else { params.delete(key); }
    });
    const text = params.toString();
    const out = text ? "?" + text : "";
    return [unchanged(out, search), out, nu, unchanged(des, desa), ...desaProps(kecamatan),
            ...keys.map(() => nu)];
}
"""


@dataclass(frozen=True)
class FilterIds:
    """Component ids of one page's filter bar, prefixed by the page."""

    prefix: str

    @property
    def url(self) -> str:
        return f"{self.prefix}-url"

    @property
    def kecamatan(self) -> str:
        return f"{self.prefix}-kecamatan"

    @property
    def desa(self) -> str:
        return f"{self.prefix}-desa"

    @property
    def data(self) -> str:
        return f"{self.prefix}-wilayah-data"


def dropdown_labels(lang: str) -> dict[str, str]:
    return {
        "search": t("dropdown.cari", lang),
        "clear_search": t("dropdown.hapus_cari", lang),
        "clear_selection": t("dropdown.hapus_pilihan", lang),
        "no_options_found": t("dropdown.tidak_ada", lang),
        "select_all": t("dropdown.pilih_semua", lang),
        "deselect_all": t("dropdown.batal_semua", lang),
        "selected_count": t("dropdown.terpilih", lang, num="{num}"),
    }


def kecamatan_options(snapshot: Snapshot, lang: str) -> list[dict]:
    kab, _, top = top_of(snapshot)
    if top == "provinsi":
        return provinsi_options(snapshot, lang)
    kec = regions_of(snapshot, "kecamatan").sort_values("nama")
    first = [{"label": t("filter.semua_kecamatan", lang), "value": kab}] if kab else []
    return first + [{"label": str(r.nama), "value": str(r.kode)} for r in kec.itertuples()]


def provinsi_options(snapshot: Snapshot, lang: str) -> list[dict]:
    """A registry spanning a provinsi: the whole provinsi, then each kabupaten followed by its
    kecamatan (named with their kabupaten: two kabupaten may both have a "Kota" kecamatan)."""
    prov, _, _ = top_of(snapshot)
    kabs = regions_of(snapshot, "kabupaten").sort_values("nama")
    kecs = regions_of(snapshot, "kecamatan").sort_values("nama")
    out = [{"label": t("filter.semua_provinsi", lang), "value": prov}]
    for kab in kabs.itertuples():
        out.append({"label": str(kab.nama), "value": str(kab.kode)})
        out += [
            {"label": f"{kec.nama} · {kab.nama}", "value": str(kec.kode)}
            for kec in kecs[kecs["induk"] == kab.kode].itertuples()
        ]
    return out


def upper_codes(snapshot: Snapshot | None) -> list[str]:
    """The kabupaten a provinsi registry offers in the kecamatan dropdown (none otherwise)."""
    if snapshot is None or top_of(snapshot)[2] != "provinsi":
        return []
    return sorted(str(k) for k in regions_of(snapshot, "kabupaten")["kode"])


def desa_options(snapshot: Snapshot, kecamatan: str | None, lang: str) -> list[dict]:
    """Villages of one kecamatan, by name; none when the whole kabupaten is selected."""
    if not kecamatan or len(kecamatan) != 8:
        return []
    return list(all_desa_options(snapshot, lang).get(kecamatan, []))


def all_desa_options(snapshot: Snapshot, lang: str) -> dict[str, list[dict]]:
    """The desa dropdown options of every kecamatan (every page's filter bar carries them),
    once per run inside the app; callers must not modify them."""
    return cached_if_app(snapshot, ("desa_options", lang), lambda: _all_desa_options(snapshot))


def _all_desa_options(snapshot: Snapshot) -> dict[str, list[dict]]:
    desa = regions_of(snapshot, "desa")
    found: dict[str, list[dict]] = {}
    if desa.empty:
        return found
    desa = desa.sort_values("nama")
    for kode, nama, jenis, induk in zip(
        desa["kode"], desa["nama"], desa["jenis"], desa["induk"], strict=True
    ):
        label = str(nama) if jenis != "kelurahan" else f"{nama} ({jenis})"
        found.setdefault(str(induk), []).append({"label": label, "value": str(kode)})
    return found


def filter_bar(
    ids: FilterIds,
    snapshot: Snapshot | None,
    w: Wilayah,
    lang: str,
    extra: Sequence[Any] = (),
    extra_values: Mapping[str, Sequence[str]] | None = None,
) -> html.Div:
    """The region filter (kecamatan, then desa) with optional extra columns (`extra`), whose
    allowed values (default first) `extra_values` gives by query parameter. Without a
    snapshot (the data could not be read) the dropdowns are empty."""
    options = desa_options(snapshot, w.kecamatan, lang) if snapshot is not None else []
    kecamatan = kecamatan_options(snapshot, lang) if snapshot is not None else []
    data = filter_data(ids, snapshot, lang, extra_values or {})
    upper = bool(data.get("atas"))
    return html.Div(
        [
            dcc.Location(id=ids.url, refresh=False),
            dcc.Store(id=ids.data, data=data),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Label(
                                t("filter.wilayah" if upper else "filter.kecamatan", lang),
                                htmlFor=ids.kecamatan,
                            ),
                            dcc.Dropdown(
                                id=ids.kecamatan,
                                options=kecamatan,
                                value=w.kecamatan,
                                clearable=False,
                                labels=dropdown_labels(lang),
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        [
                            html.Label(t("filter.desa", lang), htmlFor=ids.desa),
                            dcc.Dropdown(
                                id=ids.desa,
                                options=options,
                                value=w.desa,
                                disabled=not options,
                                placeholder=desa_placeholder(options, lang),
                                labels=dropdown_labels(lang),
                            ),
                        ],
                        md=4,
                    ),
                    *extra,
                ],
                className="g-3",
            ),
        ],
        className="filter-bar",
        role="search",
    )


def desa_placeholder(options: list, lang: str) -> str:
    return t("filter.semua_desa", lang) if options else t("filter.pilih_kecamatan_dulu", lang)


def filter_data(
    ids: FilterIds, snapshot: Snapshot | None, lang: str, extra: Mapping[str, Sequence[str]]
) -> dict:
    """What the browser needs to run the filter bar alone: villages per kecamatan, texts."""
    kab = kabupaten_of(snapshot)[0] if snapshot is not None else None
    kecamatan = regions_of(snapshot, "kecamatan")["kode"] if kab else []
    upper = upper_codes(snapshot)
    more = {"atas": upper} if upper else {}  # a one-kabupaten registry's pages stay as they were
    villages = all_desa_options(snapshot, lang) if kab else {}
    return {
        "url": ids.url,
        "kecamatan": ids.kecamatan,
        "kabupaten": kab,
        "desa": {str(k): villages.get(str(k), []) for k in kecamatan},
        "all": t("filter.semua_desa", lang),
        "first": t("filter.pilih_kecamatan_dulu", lang),
        # extra query parameters: allowed values, the first being the default
        "extra": {key: {"default": vals[0], "values": list(vals)} for key, vals in extra.items()},
        **more,
    }


def register_filter_callbacks(app: dash.Dash, ids: FilterIds, *, extra: Sequence[str] = ()) -> None:
    """The filter bar runs in the browser (FILTER_SYNC_JS): no server round trip.

    `extra` names further dropdowns ("statistik" → id "<prefix>-statistik") kept in the URL.
    """
    app.clientside_callback(
        FILTER_SYNC_JS,
        Output(ids.url, "search"),
        Output(ID_SEARCH, "data", allow_duplicate=True),
        Output(ids.kecamatan, "value"),
        Output(ids.desa, "value"),
        Output(ids.desa, "options"),
        Output(ids.desa, "disabled"),
        Output(ids.desa, "placeholder"),
        *[Output(f"{ids.prefix}-{key}", "value") for key in extra],
        Input(ids.kecamatan, "value"),
        Input(ids.desa, "value"),
        *[Input(f"{ids.prefix}-{key}", "value") for key in extra],
        Input(ids.url, "search"),
        State(ids.data, "data"),
        prevent_initial_call="initial_duplicate",
    )
