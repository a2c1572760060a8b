"""`dasbor laporan` (issue 13): the laporan of a region and period as PDF or HTML, the same
document /laporan and /laporan.pdf serve (asked of the app in-process, so the file and the page
cannot differ)."""

from __future__ import annotations

from pathlib import Path

import click

from config.regions import RegionCodeError, normalize_code


def app_get(store, settings, path: str, query: dict[str, str]) -> tuple[int, bytes, str]:
    """(status, body, content type) of a GET to the dashboard, without a server."""
    from dashboard.app import create_app

    client = create_app(store, settings).server.test_client()
    resp = client.get(path, query_string={k: v for k, v in query.items() if v})
    return resp.status_code, resp.get_data(), resp.mimetype


def _error_text(body: bytes) -> str:
    import re

    text = body.decode("utf-8", "replace")
    found = re.search(r"<p>(.*?)</p>", text, re.S)
    return found.group(1) if found else text[:300]


@click.command("laporan")
@click.option("--wilayah", help="Region code (kabupaten, kecamatan or desa), e.g. 17.03.06.")
@click.option("--periode", help="Year, e.g. 2026 (default: the newest year with APBDes data).")
@click.option("--bahasa", type=click.Choice(["id", "en"]), help="Language (default: settings).")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="File to write: .pdf (printed by headless Chromium) or .html.",
)
@click.pass_obj
def laporan(obj, wilayah, periode, bahasa, output) -> None:
    """Write the laporan of a region and period (population, health, education, aid, village
    finance, projects, reporting status) as PDF or HTML."""
    from dataclasses import replace

    suffix = Path(output).suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise click.ClickException(f"{output}: give a .pdf or .html file name")
    try:
        kode = normalize_code(wilayah) if wilayah else None
    except RegionCodeError as exc:
        raise click.ClickException(str(exc)) from None
    settings = obj.settings if not bahasa else replace(obj.settings, language=bahasa)
    store = obj.store()
    path = "/laporan.pdf" if suffix == ".pdf" else "/laporan"
    status, body, _ = app_get(store, settings, path, {"wilayah": kode or "", "periode": periode})
    if status != 200:
        raise click.ClickException(_error_text(body))
    Path(output).write_bytes(body)
    click.echo(f"wrote {output} ({len(body)} bytes)")


def export_xlsx(store, settings, slug: str, tingkat: str, kode: str | None) -> bytes:
    """`dasbor export -o FILE.xlsx`: the workbook of /api/v1/statistik/<slug>.xlsx."""
    status, body, _ = app_get(
        store, settings, f"/api/v1/statistik/{slug}.xlsx", {"tingkat": tingkat, "wilayah": kode}
    )
    if status != 200:
        import json

        try:
            message = json.loads(body)["error"]
        except (ValueError, KeyError):
            message = body[:300].decode("utf-8", "replace")
        raise click.ClickException(message)
    return body
