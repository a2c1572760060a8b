"""The HTTP API for analysts, mounted at /api/v1: every table as JSON, and as CSV with `.csv`
(or `?format=csv`), with the same filters and the same columns both ways.

The resources' tables come from dashboard.api_resources (`answer`), the pages' grids' twins at
/api/v1/halaman/<page>/<table> from the pages' `TABLES` (dashboard.api_tables); errors have one
shape (`error_response`).
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, Response, current_app, request

from dashboard.api_resources import (
    CSV_SUFFIX,
    FORMATS,
    PREFIX,
    Answer,
    ApiError,
    answer,
    answer_meta,
    csv_text,
    error_response,
    json_body,
    json_response,
    wilayah_arg,
)
from dashboard.api_tables import page_tables
from dashboard.api_xlsx import XLSX_SUFFIX, xlsx_response
from dashboard.context import data_source
from dashboard.reporting import reporting_counts


def page_answer(page: str, table: str, args: Mapping[str, str]) -> Answer:
    """The rows and columns of one page grid (as its CSV download has them) for the page's
    query parameters."""
    tables = page_tables()
    if page not in tables:
        raise ApiError(f"unknown page {page!r}; pages with tables: {', '.join(tables)}", 404)
    if table not in tables[page]:
        listed = ", ".join(tables[page])
        raise ApiError(f"unknown table {table!r} of page {page}; tables: {listed}", 404)
    spec = tables[page][table]
    accepted = ("wilayah", *spec.params)
    unknown = sorted(set(args) - set(accepted))
    if unknown:
        raise ApiError(
            f"unknown parameter {unknown[0]!r}; {page}/{table} accepts: {', '.join(accepted)}",
            400,
        )
    snapshot = data_source().snapshot()
    w = wilayah_arg(snapshot, args)
    stem, frame, filters = spec.build(snapshot, w, args)
    reported, _ = reporting_counts(snapshot, w)
    meta = answer_meta(snapshot, {"halaman": page, "tabel": table, "wilayah": w.kode, **filters},
                 reported, w)  # fmt: skip
    return Answer(stem, frame, meta, plain=False)


# -- HTTP ----------------------------------------------------------------------------------
def _serve(resource: str) -> Response:
    fmt = "json"
    if resource.endswith(CSV_SUFFIX):
        resource, fmt = resource[: -len(CSV_SUFFIX)], "csv"
    elif resource.endswith(XLSX_SUFFIX):  # issue 13: every CSV as a workbook too
        resource, fmt = resource[: -len(XLSX_SUFFIX)], "xlsx"
    args = {k: v for k, v in request.args.items() if k != "format"}
    wanted = request.args.get("format")
    if wanted is not None:
        if wanted not in (*FORMATS, "xlsx") or (fmt != "json" and wanted != fmt):
            return error_response(f"unknown format {wanted!r}: expected json, csv or xlsx", 400)
        fmt = wanted
    try:
        if resource.startswith("halaman/"):
            _, page, table = (resource.split("/") + ["", ""])[:3]
            if resource.count("/") != 2:
                raise ApiError(f"no API resource at {PREFIX}/{resource}", 404)
            ans = page_answer(page, table, args)
        else:
            ans = answer(resource, args)
    except ApiError as exc:
        return error_response(exc.message, exc.status)
    if fmt == "json":
        return json_response(json_body(ans))
    if fmt == "xlsx":
        return xlsx_response(ans, resource)
    resp = Response(csv_text(ans), mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="{ans.name}.csv"'
    if ans.meta.get("run_id") is not None:
        resp.headers["X-Run-Id"] = str(ans.meta["run_id"])
    return resp


def api_blueprint() -> Blueprint:
    """A new blueprint per app (create_app may run many times in one process)."""
    bp = Blueprint("api_v1", __name__, url_prefix=PREFIX)

    @bp.get("/statistik/<name>")
    def statistik(name: str) -> Response:
        return _serve(f"statistik/{name}")

    @bp.get("/dataset/<name>")
    def dataset(name: str) -> Response:
        return _serve(f"dataset/{name}")

    @bp.get("/halaman/<page>/<table>")
    def halaman(page: str, table: str) -> Response:
        return _serve(f"halaman/{page}/{table}")

    for kind in ("penduduk", "desa", "kamus"):
        for suffix in ("", CSV_SUFFIX, XLSX_SUFFIX):
            bp.add_url_rule(
                f"/{kind}{suffix}",
                endpoint=f"{kind}{suffix.replace('.', '_')}",
                view_func=lambda kind=kind, suffix=suffix: _serve(kind + suffix),
                methods=["GET"],
            )

    @bp.get("/")
    @bp.get("/<path:rest>")
    def not_found(rest: str = "") -> Response:
        return error_response(f"no API resource at {PREFIX}/{rest}", 404)

    @bp.errorhandler(Exception)
    def failed(exc: Exception) -> Response:
        # the traceback goes to the log; the caller gets the usual shape, never a stack trace
        code = getattr(exc, "code", None)
        if isinstance(code, int) and 400 <= code < 500:
            return error_response(str(getattr(exc, "description", exc)), code)
        current_app.logger.exception("API request failed: %s", request.full_path)
        return error_response("internal error; the details are in the server log", 500)

    return bp
