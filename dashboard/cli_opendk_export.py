"""`dasbor import --from-opendk-export FILE [--kecamatan KODE]`: a kecamatan's history from
OpenDK's own Excel exports (collectors/opendk_export.py), every period as its own import."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aggregates.rollup import one_rollup
from collectors.opendk_export import ExportError, import_opendk_export
from config.penyakit import known_ids
from config.regions import RegionCodeError, normalize_code
from dashboard.cli_users import cli_actor


def run_export_import(obj, file: str, kecamatan: str | None, villages) -> None:
    """Load the export; print each period's summary; exit 1 when nothing was loaded."""
    settings = obj.settings
    if kecamatan:
        try:
            kecamatan = normalize_code(kecamatan)
        except RegionCodeError as exc:
            raise click.ClickException(str(exc)) from None
    store = obj.store()
    try:
        with one_rollup(store):  # one import per period, one rollup for them all
            result = import_opendk_export(
                store, Path(file), Path(file).name, villages=villages, actor=cli_actor(),
                kecamatan=kecamatan, penyakit_ids=known_ids(settings.penyakit),
                penyakit_setting=settings.penyakit, lang=settings.language,
            )  # fmt: skip
    except ExportError as exc:
        click.echo("\n".join(exc.lines), err=True)
        sys.exit(1)
    click.echo(result.summary(settings.language))
    if not result.ok:
        sys.exit(1)
