"""The Dash app: shell (navbar, footer), page registration, and the region filter both pages use.

`create_app` may run many times in one process (tests): pages are registered explicitly and
every callback is attached with `app.callback`, never through Dash's global callback list.
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, dcc, html
from flask import (
    abort,
    current_app,
    has_app_context,
    has_request_context,
    redirect,
    request,
    send_from_directory,
)

from aggregates.status import last_success
from config.regions import RegionCodeError, normalize_code
from config.settings import Settings
from dashboard.data import DataSource, Snapshot
from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from layouts.format import format_date, name_list
from layouts.maps import BOUNDARIES_DIR, BOUNDARY_ROUTE, boundary_file
from warehouse.store import Warehouse

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "assets"
BOOTSTRAP_CSS = "vendor/bootstrap.min.css"

# keys in app.server.config, read by layouts and callbacks through flask.current_app
DATA_SOURCE = "DATA_SOURCE"
LANGUAGE = "DASBOR_LANGUAGE"
SETTINGS = "DASBOR_SETTINGS"  # the Settings the app was made with (the upload page's registry)
VIEW_CACHE = "DASBOR_VIEW_CACHE"

# shell component ids
ID_LOCATION = "app-location"
ID_SEARCH = "app-search"  # the query string of the current view, carried by the nav links
NAV_LINK = "app-nav"  # pattern-matching id type: {"type": NAV_LINK, "path": <relative path>}
ID_BAHASA = "app-bahasa"  # the language switch; its links are f"{ID_BAHASA}-{lang}"

# the language a visitor chose, remembered by the browser for a year on every path
LANGUAGE_COOKIE = "dasbor_bahasa"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_ROUTE = "/bahasa"
_HTML_LANG = re.compile(r'<html lang="[a-z]+">')
# each language is named in itself, so a reader finds theirs whatever is shown now
# each language named in itself, whatever the page's language
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}

NOT_FOUND_MODULE = "dashboard.pages.not_found_404"  # Dash's router looks for this name

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
        let kec = kode.length >= 8 ? kode.slice(0, 8) : data.kabupaten;
        let des = kode.length === 13 ? kode : null;
        if (!(kec in data.desa)) { kec = data.kabupaten; des = null; }
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


INDEX_STRING = """<!DOCTYPE html>
<html lang="{lang}">
    <head>
        {{%metas%}}
        <title>{{%title%}}</title>
        {{%favicon%}}
        {{%css%}}
    </head>
    <body>
        {{%app_entry%}}
        <footer>
            {{%config%}}
            {{%scripts%}}
            {{%renderer%}}
        </footer>
    </body>
</html>"""


# -- the app -------------------------------------------------------------------------------
def create_app(store: Warehouse, settings: Settings) -> dash.Dash:
    """A Dash app over the warehouse, with the pages of dashboard.pages.PAGE_MODULES."""
    from dashboard.pages import PAGE_MODULES  # page modules import helpers from here

    lang = settings.language if settings.language in LANGUAGES else DEFAULT_LANGUAGE
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",  # pages are registered below, so a second app in one process works
        assets_folder=str(ASSETS_DIR),
        assets_path_ignore=["vendor"],  # linked first, below, so our style.css can override it
        serve_locally=True,
        title=t("app.judul", lang),
        update_title=None,
        # with False, Dash pages renders every page's layout at start and ships them all as
        # "validation_layout" inside each HTML page (about 4 MB here); the browser tests catch
        # callbacks wired to missing ids instead
        suppress_callback_exceptions=True,
        index_string=INDEX_STRING.format(lang=lang),
    )
    app.config.external_stylesheets.append(app.get_asset_url(BOOTSTRAP_CSS))
    app.server.config[DATA_SOURCE] = DataSource(store)
    app.server.config[LANGUAGE] = lang
    app.server.config[VIEW_CACHE] = ViewCache()
    app.server.config[SETTINGS] = settings

    pages = [importlib.import_module(name) for name in PAGE_MODULES]
    for page in pages:
        dash.register_page(
            page.__name__,
            path=page.PATH,
            path_template=getattr(page, "PATH_TEMPLATE", None),
            name=t(page.NAME_KEY, lang),  # the server default; the navbar translates per request
            title=_page_title(page.NAME_KEY),
            order=page.ORDER,
            layout=page.layout,
            nav=getattr(page, "NAV", True),
            name_key=page.NAME_KEY,
        )
    dash.register_page(
        NOT_FOUND_MODULE,
        path="/404",
        name=t("nav.404", lang),
        title=_page_title("app.halaman_tidak_ada"),
        order=99,
        layout=not_found_layout,
        nav=False,
        name_key="nav.404",
    )
    # a function: the shell is built per request, in the visitor's language
    app.layout = _serve_shell
    _localise_index(app)
    _register_language_route(app)
    _register_boundary_route(app)
    from dashboard.api import api_blueprint  # imported here: the API uses helpers from here

    app.server.register_blueprint(api_blueprint())
    _register_shell_callbacks(app)
    for page in pages:
        page.register_callbacks(app)
    return app


def run_server(store: Warehouse, settings: Settings, host: str, port: int) -> None:
    """Serve the dashboard with waitress (production WSGI server) until interrupted."""
    from waitress import serve

    from dashboard.warm import Warmer

    app = create_app(store, settings)
    warmer = Warmer(app, settings.warm_interval) if settings.warm_interval > 0 else None
    if warmer:
        warmer.start()
    try:
        serve(app.server, host=host, port=port, threads=8, ident="dasbor-kecamatan")
    finally:
        if warmer:
            warmer.stop()


def _page_title(key: str) -> Callable[..., str]:
    """A page's browser title in the language of the request (Dash calls it per page view)."""

    def title(**_path_variables: Any) -> str:
        lang = language()
        return t(key, lang) + " · " + t("app.judul", lang)

    return title


def _serve_shell() -> html.Div:
    return shell(language())


def _localise_index(app: dash.Dash) -> None:
    """Make the HTML page (<html lang>, <title>) follow the request's language."""
    interpolate = app.interpolate_index

    def localised(**parts: str) -> str:
        lang = language()
        # the router replaces this with the page's own title once the page is shown
        parts["title"] = t("app.judul", lang)
        return _HTML_LANG.sub(f'<html lang="{lang}">', interpolate(**parts), count=1)

    app.interpolate_index = localised  # type: ignore[method-assign]


def safe_next(target: str | None) -> str:
    """A path of this site to return to; anything else (another host, a scheme) gives "/"."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _register_language_route(app: dash.Dash) -> None:
    def choose_language(lang: str):
        if lang not in LANGUAGES:
            return "unknown language", 404
        response = redirect(safe_next(request.args.get("next")), code=303)
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=LANGUAGE_COOKIE_AGE,
            path="/",
            samesite="Lax",
            httponly=True,  # only the server reads it
        )
        return response

    app.server.add_url_rule(
        f"{LANGUAGE_ROUTE}/<lang>", endpoint="dasbor_bahasa", view_func=choose_language
    )


def _register_boundary_route(app: dash.Dash) -> None:
    """The vendored boundary GeoJSON files, for maps that name them by URL."""

    def boundary(name: str):
        if not name.endswith(".geojson"):
            abort(404)
        # conditional (ETag, Last-Modified): the browser revalidates, the file rarely changes
        return send_from_directory(BOUNDARIES_DIR, name, max_age=3600)

    app.server.add_url_rule(f"{BOUNDARY_ROUTE}/<name>", endpoint="dasbor_batas", view_func=boundary)


def boundary_url(kabupaten: str, tingkat: str = "desa") -> str:
    """Where the browser fetches a kabupaten's boundaries (inside a request of the app)."""
    return dash.get_relative_path(f"{BOUNDARY_ROUTE}/{boundary_file(kabupaten, tingkat)}")


def language_switch(lang: str) -> html.Div:
    """ "ID | EN": links to the language route, which sets the cookie and comes back here."""
    items: list = []
    for code in LANGUAGES:
        if items:
            items.append(
                html.Span(
                    "|",
                    className="app-bahasa-sep mx-1",
                    style={"color": "rgba(255, 255, 255, 0.5)"},
                    **{"aria-hidden": "true"},
                )
            )
        current = code == lang
        items.append(
            html.A(
                code.upper(),
                id=f"{ID_BAHASA}-{code}",
                href=f"{LANGUAGE_ROUTE}/{code}?next=/",  # the browser puts the current view in
                lang=code,
                title=LANGUAGE_NAMES[code],
                className="app-bahasa-link" + (" active fw-bold" if current else ""),
                # inline: readable on the dark navbar without touching the shared style sheet
                style={
                    "color": "#fff" if current else "rgba(255, 255, 255, 0.75)",
                    "textDecoration": "none" if current else "underline",
                },
                **({"aria-current": "true"} if current else {}),
            )
        )
    return html.Div(
        items,
        id=ID_BAHASA,
        className="app-bahasa ms-3 d-flex align-items-center flex-shrink-0",
        role="group",
        **{"aria-label": t("app.bahasa", lang)},
    )


def shell(lang: str) -> html.Div:
    """Navbar (pages of dash.page_registry, named in lang), the page container, a footer."""
    links = [
        dbc.NavItem(
            dbc.NavLink(
                t(page["name_key"], lang) if page.get("name_key") else page["name"],
                id={"type": NAV_LINK, "path": page["relative_path"]},
                href=page["relative_path"],
            )
        )
        for page in dash.page_registry.values()
        if page.get("nav")
    ]
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(t("app.judul", lang), href="/"),
                html.Nav(
                    # many pages: the links wrap rather than push the switch off screen
                    dbc.Nav(links, navbar=True, className="flex-wrap justify-content-end"),
                    className="ms-auto",
                    style={"minWidth": 0, "flex": "1 1 auto"},
                    **{"aria-label": t("app.navigasi", lang)},
                ),
                language_switch(lang),
            ],
            fluid="xl",
        ),
        dark=True,
        color="#154360",
        className="app-navbar",
    )
    return html.Div(
        [
            dcc.Location(id=ID_LOCATION, refresh=False),
            dcc.Store(id=ID_SEARCH, data=""),
            navbar,
            dbc.Container(
                [
                    html.Main(dash.page_container, className="app-main"),
                    html.Footer(t("app.sumber", lang), className="app-footer"),
                ],
                fluid="xl",
            ),
        ],
        lang=lang,
    )


def _register_shell_callbacks(app: dash.Dash) -> None:
    # nav links keep the current filters (wilayah, statistik) and mark the page shown
    app.clientside_callback(
        """
        function (pathname, search, ids) {
            const query = search || "";
            return [
                ids.map((id) => id.path + query),
                ids.map((id) => id.path === pathname),
            ];
        }
        """,
        Output({"type": NAV_LINK, "path": ALL}, "href"),
        Output({"type": NAV_LINK, "path": ALL}, "active"),
        Input(ID_LOCATION, "pathname"),
        Input(ID_SEARCH, "data"),
        State({"type": NAV_LINK, "path": ALL}, "id"),
    )
    # the language links return to the view shown now, filters included
    app.clientside_callback(
        """
        function (pathname, search) {
            const next = encodeURIComponent((pathname || "/") + (search || ""));
            return LANGS.map((lang) => `ROUTE/${lang}?next=${next}`);
        }
        """.replace("LANGS", repr(list(LANGUAGES))).replace("ROUTE", LANGUAGE_ROUTE),
        [Output(f"{ID_BAHASA}-{code}", "href") for code in LANGUAGES],
        Input(ID_LOCATION, "pathname"),
        Input(ID_LOCATION, "search"),
    )
    # issue 4: the "CSV · JSON" links under every grid carry the page's current filters, the
    # ones their table accepts (layouts.tables.api_href builds the same text on the server)
    from layouts.tables import API_LINK

    link = {"type": API_LINK, "path": ALL, "fmt": ALL, "params": ALL, "role": ALL}
    app.clientside_callback(
        """
        function (search, ids) {
            const params = new URLSearchParams(search || "");
            return ids.map((id) => {
                const query = new URLSearchParams();
                (id.params ? id.params.split(",") : []).forEach((key) => {
                    const value = params.get(key);
                    if (value) { query.set(key, value); }
                });
                const text = query.toString();
                return id.path + (id.fmt === "csv" ? ".csv" : "") + (text ? "?" + text : "");
            });
        }
        """,
        Output(link, "href"),
        Input(ID_SEARCH, "data"),
        State(link, "id"),
        prevent_initial_call=True,  # the layouts render the hrefs of the URL they are given
    )


def not_found_layout(**_query: Any) -> html.Div:
    lang = language()
    return html.Div(
        [
            html.H1(t("app.halaman_tidak_ada", lang), className="h3"),
            html.P(t("app.halaman_tidak_ada_teks", lang)),
            dcc.Link(t("app.kembali", lang), href="/"),
        ],
        className="panel",
    )


def failure_alert(lang: str) -> dbc.Alert:
    """What a page shows when building it failed (the traceback goes to the server log)."""
    return dbc.Alert(
        [html.Strong(t("galat.judul", lang)), " ", t("galat.teks", lang)], color="danger"
    )


def guarded(page: str, build: Callable[[], Any], fallback: Callable[[], Any]) -> Any:
    """`build()`, or `fallback()` if it raises: one broken aggregate must not take the app
    down (Dash builds every page layout on its first request). The fallback keeps every
    component id, so the browser's callbacks stay valid."""
    try:
        return build()
    except Exception:
        log.exception("%s: the page could not be built", page)
        return fallback()


# -- request context -----------------------------------------------------------------------
def data_source() -> DataSource:
    """The DataSource of the app serving this request."""
    return current_app.config[DATA_SOURCE]


def language() -> str:
    """The UI language: the visitor's cookie when valid, else the server's setting."""
    if has_request_context():
        chosen = request.cookies.get(LANGUAGE_COOKIE)
        if chosen in LANGUAGES:
            return chosen
    if has_app_context():
        return current_app.config.get(LANGUAGE, DEFAULT_LANGUAGE)
    return DEFAULT_LANGUAGE  # Dash calls the layout once at start-up, outside any app


class ViewCache:
    """Aggregates computed for the current snapshot, so repeated filters cost nothing.

    Cleared when a new collection run gives a new snapshot; past `maxsize` entries the least
    recently used one goes (the warmed kabupaten and kecamatan views, and the frames every view
    reads, stay hot). Cached frames are shared between requests: callers must not modify them.
    """

    def __init__(self, maxsize: int = 1024) -> None:
        self._lock = threading.Lock()
        self._owner: Snapshot | None = None
        self._items: OrderedDict[tuple, Any] = OrderedDict()
        self.maxsize = maxsize

    def get(self, snapshot: Snapshot, key: tuple, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if self._owner is not snapshot:
                self._owner, self._items = snapshot, OrderedDict()
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            if self._owner is snapshot:
                self._items[key] = value
                while len(self._items) > self.maxsize:
                    self._items.popitem(last=False)
        return value

    def keys(self, snapshot: Snapshot) -> list[tuple]:
        """The keys held for `snapshot` (none when the cache belongs to another run)."""
        with self._lock:
            return list(self._items) if self._owner is snapshot else []


def cached(snapshot: Snapshot, key: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()` once per snapshot and key (in a request of this app)."""
    return current_app.config[VIEW_CACHE].get(snapshot, key, compute)


def _key_part(arg: object) -> object:
    """An argument as part of a cache key: itself, or its identity when it cannot be hashed
    (a page's module-level spec)."""
    try:
        hash(arg)
    except TypeError:
        return ("id", id(arg))
    return arg


def cached_view(name: str) -> Callable[[Callable[..., dict]], Callable[..., dict]]:
    """Decorates a page's `render(..., snapshot, ...)`: its view is computed once per run and
    arguments (region, filters, language), so the layout and the callback, and every visitor
    after the first, share it. Callers get a shallow copy they may add keys to."""

    def wrap(render: Callable[..., dict]) -> Callable[..., dict]:
        @functools.wraps(render)
        def view(*args: Any) -> dict:
            snapshot = next(a for a in args if isinstance(a, Snapshot))
            key = (name, *(_key_part(a) for a in args if a is not snapshot))
            return dict(cached(snapshot, key, lambda: render(*args)))

        return view

    return wrap


# -- regions and the filter bar shared by the pages ----------------------------------------
@dataclass(frozen=True)
class Wilayah:
    """The region a view shows, and the filter values that select it."""

    kode: str | None  # None only when the warehouse knows no region at all
    nama: str
    tingkat: str  # kabupaten, kecamatan, desa
    kabupaten: str | None
    kecamatan: str | None  # the kecamatan dropdown value (the kabupaten code = all)
    desa: str | None
    jenis: str | None = None  # a desa's kind: desa or kelurahan


NO_WILAYAH = Wilayah(None, "", "kabupaten", None, None, None)  # when no data can be read


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


def _regions(snapshot: Snapshot, tingkat: str) -> pd.DataFrame:
    regions = snapshot.regions
    if regions.empty:
        return regions
    return regions[regions["tingkat"] == tingkat]


def kabupaten_of(snapshot: Snapshot) -> tuple[str | None, str]:
    kab = _regions(snapshot, "kabupaten").sort_values("kode")
    if kab.empty:
        return None, ""
    return str(kab["kode"].iloc[0]), str(kab["nama"].iloc[0])


def region_notices(w: Wilayah, unknown: str | None, lang: str) -> list:
    """A warning when the URL named a region code the dashboard does not know."""
    if unknown is None:
        return []
    text = t("filter.wilayah_tidak_dikenal", lang, kode=unknown, wilayah=w.nama)
    return [dbc.Alert(text, color="warning")]


def resolve_wilayah(snapshot: Snapshot, raw: object) -> tuple[Wilayah, str | None]:
    """The region for a `wilayah` URL value (dotted or digits); unknown codes give the kabupaten.

    Returns the region and, when `raw` was not usable, its text for a notice.
    """
    if isinstance(raw, list):  # ?wilayah=a&wilayah=b: the first wins
        raw = raw[0] if raw else None
    kab, kab_nama = kabupaten_of(snapshot)
    whole = Wilayah(kab, kab_nama, "kabupaten", kab, kab, None)
    if not raw or kab is None:
        return whole, None
    try:
        kode = normalize_code(str(raw))
    except RegionCodeError:
        return whole, str(raw)
    regions = snapshot.regions
    match = regions[regions["kode"] == kode]
    if match.empty or not (kode == kab or kode.startswith(kab + ".")):
        return whole, str(raw)
    row = match.iloc[0]
    tingkat = str(row["tingkat"])
    if tingkat == "kecamatan":
        return Wilayah(kode, str(row["nama"]), tingkat, kab, kode, None), None
    if tingkat == "desa":
        jenis = row.get("jenis")
        jenis = str(jenis) if isinstance(jenis, str) else None
        return Wilayah(kode, str(row["nama"]), tingkat, kab, str(row["induk"]), kode, jenis), None
    return whole, None


def wilayah_from_filters(snapshot: Snapshot, kecamatan: str | None, desa: str | None) -> Wilayah:
    """The region selected by the two dropdowns (desa, else kecamatan, else the kabupaten)."""
    return resolve_wilayah(snapshot, desa or kecamatan)[0]


def display_name(w: Wilayah, lang: str) -> str:
    """ "Kabupaten Bengkulu Utara", "Kecamatan Kerkap", "Desa Talang Jambu", "Kelurahan …"."""
    if w.tingkat == "kabupaten" or not w.nama:
        return w.nama
    kind = "kelurahan" if w.jenis == "kelurahan" else w.tingkat
    return f"{t(f'tingkat.{kind}', lang)} {w.nama}"


def villages_in(snapshot: Snapshot, kode: str | None) -> int:
    """How many villages the registry lists under a region."""
    desa = _regions(snapshot, "desa")
    if desa.empty or not kode:
        return len(desa)
    return int(((desa["kode"] == kode) | desa["kode"].str.startswith(kode + ".")).sum())


def totals_of(snapshot: Snapshot, w: Wilayah) -> dict | None:
    """The region's totals row (penduduk, laki_laki, …, desa_melapor), or None without data."""
    if w.kode is None:
        return None
    # one rollup per level serves every region of that level
    frame = cached(snapshot, ("totals", w.tingkat), lambda: snapshot.totals(w.tingkat))
    rows = frame[frame["kode_wilayah"] == w.kode]
    return None if rows.empty else rows.iloc[0].to_dict()


def unreported_villages(snapshot: Snapshot, w: Wilayah) -> list[str]:
    """Codes of the region's villages without population totals, by name."""
    desa = _regions(snapshot, "desa")
    if desa.empty or w.kode is None:
        return []
    if w.tingkat != "kabupaten":
        desa = desa[(desa["kode"] == w.kode) | desa["kode"].str.startswith(w.kode + ".")]
    level = cached(snapshot, ("totals", "desa"), lambda: snapshot.totals("desa"))
    reported = set(level.loc[level["desa_melapor"] > 0, "kode_wilayah"])
    missing = desa[~desa["kode"].isin(reported)].sort_values("nama")
    return [str(k) for k in missing["kode"]]


def villages_since(
    snapshot: Snapshot,
    codes: Sequence[str],
    lang: str,
    datasets: Sequence[str] | None = None,
    limit: int = 12,
) -> str:
    """Villages by name with their last successful collection: "Meok (terakhir berhasil 3 Okt
    2026 07.15 WIB), Apoho (belum pernah)"; `datasets`: only those count (all when None). An
    import is no collection: it never makes a failing village look fresh (issue 8)."""
    seen = cached(
        snapshot,
        ("last_success", tuple(datasets) if datasets is not None else None),
        lambda: last_success(snapshot.dataset_status, datasets),
    )
    names = cached(snapshot, ("region_names",), lambda: snapshot.regions.set_index("kode")["nama"])
    items = []
    for kode in codes[:limit]:  # only the villages shown are looked up
        when = seen.get(kode)
        since = (
            t("kosong.sejak", lang, tanggal=format_date(when, lang))
            if when is not None and not pd.isna(when)
            else t("kosong.belum_pernah", lang)
        )
        items.append(f"{names.get(kode, kode)} ({since})")
    return name_list(items, limit, total=len(codes))


def reporting(snapshot: Snapshot, w: Wilayah) -> tuple[int, int]:
    """(villages with data, villages listed) in the region."""
    totals = totals_of(snapshot, w)
    reported = int(totals["desa_melapor"]) if totals else 0
    return reported, villages_in(snapshot, w.kode)


def empty_message(
    snapshot: Snapshot,
    w: Wilayah,
    lang: str,
    statistik: str | None = None,
    *,
    names: bool = True,
) -> str:
    """Why there is nothing to show: how many villages have not reported and (with `names`;
    not inside a chart, where a long line does not fit) which, since when."""
    reported, expected = reporting(snapshot, w)
    if expected == 0:
        return t("kosong.tanpa_desa", lang)
    if snapshot.last_run()["run_id"] is None:  # imports alone are no collection
        return t("kosong.belum_pengumpulan", lang, m=expected)
    name = display_name(w, lang)
    belum = expected - reported
    if statistik and belum == 0:  # every village reported, but not this statistic
        return t("kosong.statistik_saja", lang, statistik=statistik, wilayah=name)
    if statistik:
        text = t(
            "kosong.statistik", lang, statistik=statistik, wilayah=name, belum=belum, m=expected
        )
    else:
        text = t("kosong.wilayah", lang, wilayah=name, belum=belum, m=expected)
    return text + (" " + not_reported_note(snapshot, w, lang) if names else "")


def not_reported_note(snapshot: Snapshot, w: Wilayah, lang: str) -> str:
    """ "Belum melapor: <villages (since when)>." for the region, or "" when all did."""
    codes = unreported_villages(snapshot, w)
    return t("kosong.daftar", lang, daftar=villages_since(snapshot, codes, lang)) if codes else ""


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
    kab, _ = kabupaten_of(snapshot)
    kec = _regions(snapshot, "kecamatan").sort_values("nama")
    first = [{"label": t("filter.semua_kecamatan", lang), "value": kab}] if kab else []
    return first + [{"label": str(r.nama), "value": str(r.kode)} for r in kec.itertuples()]


def desa_options(snapshot: Snapshot, kecamatan: str | None, lang: str) -> list[dict]:
    """Villages of one kecamatan, by name; none when the whole kabupaten is selected."""
    if not kecamatan or len(kecamatan) != 8:
        return []
    return list(all_desa_options(snapshot, lang).get(kecamatan, []))


def all_desa_options(snapshot: Snapshot, lang: str) -> dict[str, list[dict]]:
    """The desa dropdown options of every kecamatan (every page's filter bar carries them),
    once per run inside the app; callers must not modify them."""
    if has_app_context() and VIEW_CACHE in current_app.config:
        return cached(snapshot, ("desa_options", lang), lambda: _all_desa_options(snapshot))
    return _all_desa_options(snapshot)


def _all_desa_options(snapshot: Snapshot) -> dict[str, list[dict]]:
    desa = _regions(snapshot, "desa")
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
    return html.Div(
        [
            dcc.Location(id=ids.url, refresh=False),
            dcc.Store(id=ids.data, data=data),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.Label(t("filter.kecamatan", lang), htmlFor=ids.kecamatan),
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
    return t("filter.semua_desa" if options else "filter.pilih_kecamatan_dulu", lang)


def filter_data(
    ids: FilterIds, snapshot: Snapshot | None, lang: str, extra: Mapping[str, Sequence[str]]
) -> dict:
    """What the browser needs to run the filter bar alone: villages per kecamatan, texts."""
    kab = kabupaten_of(snapshot)[0] if snapshot is not None else None
    kecamatan = _regions(snapshot, "kecamatan")["kode"] if kab else []
    return {
        "url": ids.url,
        "kecamatan": ids.kecamatan,
        "kabupaten": kab,
        "desa": {str(k): all_desa_options(snapshot, lang).get(str(k), []) for k in kecamatan},
        "all": t("filter.semua_desa", lang),
        "first": t("filter.pilih_kecamatan_dulu", lang),
        # extra query parameters: allowed values, the first being the default
        "extra": {key: {"default": vals[0], "values": list(vals)} for key, vals in extra.items()},
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
