"""`dasbor tokens issue KODE_DESA | list | revoke KODE_DESA`: the villages' push tokens (issue 11).

A token lets one village push as OpenSID pushes to OpenDK (dashboard/opendk_receiver.py). It
is printed once, when issued, and never again: the warehouse keeps only its hash. Issuing a
new token for a village revokes its old one. Every issue and revoke is in the audit.
"""

from __future__ import annotations

import click

from config.regions import RegionCodeError, normalize_code
from config.registry import RegistryError, load_registry
from config.settings import SettingsError
from dashboard.cli_users import cli_actor
from warehouse.accounts import record_audit
from warehouse.push_tokens import issue_token, revoke_tokens, tokens_frame


def _store(ctx: click.Context):
    try:
        return ctx.obj.store()
    except Exception as exc:  # a wrong URL, an unreachable server, a bad setting
        raise click.ClickException(f"warehouse: {exc.__class__.__name__}: {exc}") from None


def _village(ctx: click.Context, kode: str, villages_path: str | None):
    """The registry's village of that code, or a clear error."""
    try:
        kode = normalize_code(kode)
    except RegionCodeError as exc:
        raise click.ClickException(str(exc)) from None
    if len(kode) != 13:
        raise click.ClickException(f"{kode} is not a village code (e.g. 17.03.06.2001)")
    try:
        found = load_registry(villages_path or ctx.obj.settings.villages)
    except (RegistryError, SettingsError) as exc:
        raise click.ClickException(str(exc)) from None
    for village in found:
        if village.kode_desa == kode:
            return village
    raise click.ClickException(f"village {kode} is not in the registry")


@click.group()
def tokens() -> None:
    """Tokens with which villages push as OpenSID pushes to OpenDK."""


@tokens.command("issue")
@click.argument("kode_desa")
@click.option("--villages", "villages_path", help="Registry CSV (default: DASBOR_VILLAGES).")
@click.pass_context
def issue(ctx: click.Context, kode_desa: str, villages_path: str | None) -> None:
    """A new token for the village (its old one stops working); printed once."""
    village = _village(ctx, kode_desa, villages_path)
    store = _store(ctx)
    store.sync_regions([village])  # the village's pushes land under its region
    issued = issue_token(store, village.kode_desa, by=cli_actor().name)
    record_audit(store, cli_actor(), "token.terbit", target=village.kode_desa,
                 detail=f"replaced {issued.replaced}")  # fmt: skip
    if issued.replaced:
        click.echo(f"the previous token of {village.kode_desa} is revoked", err=True)
    click.echo(f"token for {village.kode_desa} {village.nama_desa} (shown only now):", err=True)
    click.echo(issued.token)
    click.echo(
        "In OpenSID: Pengaturan > Aplikasi, api_opendk_server = this dashboard's address, "
        "api_opendk_key = the token above.",
        err=True,
    )


@tokens.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """Every token issued: village, when, by whom, last used, revoked (never the token)."""
    frame = tokens_frame(_store(ctx))
    if frame.empty:
        click.echo("no tokens yet: dasbor tokens issue KODE_DESA")
        return

    def when(value) -> str:
        return "-" if value is None or value != value else value.isoformat(timespec="seconds")

    for r in frame.itertuples():
        state = "active" if r.active else f"revoked {when(r.revoked_at)}"
        click.echo(f"{r.kode_desa}  issued {when(r.issued_at)} by {r.issued_by}  "
                   f"last used {when(r.last_used_at)}  {state}")  # fmt: skip


@tokens.command("revoke")
@click.argument("kode_desa")
@click.pass_context
def revoke(ctx: click.Context, kode_desa: str) -> None:
    """Revoke the village's token: its pushes are refused (401) from now on."""
    try:
        kode = normalize_code(kode_desa)
    except RegionCodeError as exc:
        raise click.ClickException(str(exc)) from None
    store = _store(ctx)
    count = revoke_tokens(store, kode)
    record_audit(store, cli_actor(), "token.cabut", target=kode, outcome="ok" if count else "none")
    if not count:
        raise click.ClickException(f"village {kode} has no active token")
    click.echo(f"token of {kode} revoked")
