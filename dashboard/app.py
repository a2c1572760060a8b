"""The Dash app and its shell: `create_app` builds the app (pages, routes, the API), the
shell (navbar from `dash.page_registry`, the language switch, the footer) and its callbacks.

What the pages share lives in modules of its own: the filter bar (`filter_bar`), the view
cache (`view_cache`), region resolution (`regions`), the empty states (`empty_states`), the
request's data source and language (`context`).

`create_app` may run many times in one process (tests): pages are registered explicitly and
every callback is attached with `app.callback`, never through Dash's global callback list.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html
from flask import redirect, request

from config.settings import Settings
from dashboard.api import api_blueprint
from dashboard.api_tables import register_page_tables
from dashboard.audit_api import audit_blueprint
from dashboard.auth import current_role, init_auth, require_secret
from dashboard.boundaries import register_boundary_route
from dashboard.context import (
    DATA_SOURCE,
    LANGUAGE,
    LANGUAGE_COOKIE,
    LANGUAGE_COOKIE_AGE,
    SETTINGS,
    language,
)
from dashboard.data import DataSource
from dashboard.guard import callback_error_state
from dashboard.hardening import install_hardening
from dashboard.laporan import laporan_nav_link, register_laporan_routes
from dashboard.next_path import safe_next  # issue 10: only a path of this site
from dashboard.opendk_receiver import opendk_blueprint
from dashboard.opendk_receiver import server_options as receiver_server_options
from dashboard.pages import PAGE_MODULES
from dashboard.shell_ids import ID_BAHASA, ID_LOCATION, ID_SEARCH, NAV_LINK
from dashboard.signin import account_corner, register_sign_in
from dashboard.view_cache import VIEW_CACHE, ViewCache
from dashboard.warm import Warmer
from i18n.catalogue import DEFAULT_LANGUAGE, LANGUAGES, t
from layouts.print_header import print_header
from layouts.tables import API_LINK
from warehouse.store import Warehouse

PACKAGE_DIR = Path(__file__).resolve().parent
ASSETS_DIR = PACKAGE_DIR / "assets"
BOOTSTRAP_CSS = "vendor/bootstrap.min.css"

LANGUAGE_ROUTE = "/bahasa"
_HTML_LANG = re.compile(r'<html lang="[a-z]+">')

NOT_FOUND_MODULE = "dashboard.pages.not_found_404"  # Dash's router looks for this name

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
        on_error=callback_error_state,  # issue 10: hostile input gets the page's error state
    )
    app.config.external_stylesheets.append(app.get_asset_url(BOOTSTRAP_CSS))
    app.server.config[DATA_SOURCE] = DataSource(store, rollups=bool(settings.rollups))
    app.server.config[LANGUAGE] = lang
    app.server.config[VIEW_CACHE] = ViewCache()
    app.server.config[SETTINGS] = settings
    install_hardening(app)  # issue 10: security headers, malformed paths, bounded bodies
    init_auth(app, settings)  # issue 10: sessions, sign-in, CSRF, rate limits, the guards
    register_sign_in(app, settings)

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
            admin_only=getattr(page, "ADMIN_ONLY", False),
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
    register_boundary_route(app)
    register_laporan_routes(app)  # /laporan and /laporan.pdf (issue 13)
    register_page_tables(app, pages)  # the API and the Kamus page read the pages' tables there
    app.server.register_blueprint(api_blueprint())
    app.server.register_blueprint(audit_blueprint())  # /api/v1/audit, admins only
    app.server.register_blueprint(opendk_blueprint(store, settings))  # OpenSID's pushes
    _register_shell_callbacks(app)
    for page in pages:
        page.register_callbacks(app)
    return app


def run_server(store: Warehouse, settings: Settings, host: str, port: int) -> None:
    """Serve the dashboard with waitress (production WSGI server) until interrupted."""
    from waitress import serve  # only the server needs it

    require_secret(settings)  # production refuses to start without its session key
    app = create_app(store, settings)
    warmer = Warmer(app, settings.warm_interval) if settings.warm_interval > 0 else None
    if warmer:
        warmer.start()
    try:
        serve(app.server, host=host, port=port, threads=8, ident="dasbor-kecamatan",
              **receiver_server_options())  # fmt: skip
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
                title=t("app.nama_bahasa", code),  # each named in itself: a reader finds theirs
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


def _nav_name(page: dict, lang: str) -> str:
    """A page's name in the navbar: its NAME_KEY's text in `lang`."""
    key = page.get("name_key")
    return t(key, lang) if key else page["name"]


def shell(lang: str) -> html.Div:
    """Navbar (pages of dash.page_registry, named in lang), the page container, a footer."""
    links = [
        dbc.NavItem(
            dbc.NavLink(
                _nav_name(page, lang),
                id={"type": NAV_LINK, "path": page["relative_path"]},
                href=page["relative_path"],
            )
        )
        for page in dash.page_registry.values()
        if page.get("nav") and (not page.get("admin_only") or current_role() == "admin")
    ]
    links.append(laporan_nav_link(lang))  # /laporan, a Flask route: the region follows (issue 13)
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
                account_corner(lang),
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
                    print_header(lang),  # shown only in print (issue 13)
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
                return id.path + (id.fmt === "json" ? "" : "." + id.fmt) + (text ? "?" + text : "");
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
