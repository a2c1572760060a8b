"""The vendored boundary GeoJSON files, served to the browser for maps that name them by URL
(a 220-village map is then a few kB of JSON; the browser caches the polygons)."""

from __future__ import annotations

import dash
from flask import abort, send_from_directory

from layouts.maps import BOUNDARIES_DIR, BOUNDARY_ROUTE, boundary_file


def register_boundary_route(app: dash.Dash) -> None:
    """/batas/<file>.geojson: the boundaries of config/boundaries."""

    def boundary(name: str):
        if not name.endswith(".geojson"):
            abort(404)
        # conditional (ETag, Last-Modified): the browser revalidates, the file rarely changes
        return send_from_directory(BOUNDARIES_DIR, name, max_age=3600)

    app.server.add_url_rule(f"{BOUNDARY_ROUTE}/<name>", endpoint="dasbor_batas", view_func=boundary)


def boundary_url(kabupaten: str, tingkat: str = "desa") -> str:
    """Where the browser fetches a kabupaten's boundaries (inside a request of the app)."""
    return dash.get_relative_path(f"{BOUNDARY_ROUTE}/{boundary_file(kabupaten, tingkat)}")
