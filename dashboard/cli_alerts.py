"""`dasbor alerts check [--send]`, `dasbor alerts list`, `dasbor alerts digest [--send]`
(issue 13). The scheduler process runs the same check after every sweep; these are for an
operator at the console (what would be sent, what is open, what was sent)."""

from __future__ import annotations

import click
import pandas as pd

from dashboard.cli_store import open_store
from i18n.alerts import describe


def _when(ts) -> str:
    return "-" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d %H:%M UTC")


def _lines(rows: pd.DataFrame, lang: str) -> list[str]:
    return [
        f"  {r['key']}: {describe(r['rule'], r['dataset'], r['params'], lang)}"
        for r in rows.to_dict("records")
    ]


@click.group("alerts")
def alerts() -> None:
    """Alerts: village not collected, failing in a row, token refused, outliers, deadlines."""


@alerts.command("check")
@click.option("--send", is_flag=True, help="Store the changes and send (as the scheduler does).")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.pass_context
def alerts_check(ctx: click.Context, send: bool, lang: str) -> None:
    """Run the alert rules; without --send only show what would open and clear."""
    from config.settings import SettingsError
    from notify.dispatch import check

    store = open_store(ctx)
    try:
        report = check(store, ctx.obj.settings, send=send)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{len(report.found)} alert(s) found: {len(report.opened)} new, "
               f"{len(report.still)} still open, {len(report.cleared)} cleared")  # fmt: skip
    if len(report.opened):
        click.echo("new:")
        click.echo("\n".join(_lines(report.opened, lang)))
    if len(report.cleared):
        click.echo("cleared:")
        click.echo("\n".join(_lines(report.cleared, lang)))
    if send:
        failed = [s for s in report.sends if not s["ok"]]
        click.echo(f"{len(report.sends)} send(s) recorded, {len(failed)} failed")
        for s in failed:
            click.echo(f"  {s['channel']} {s['recipient']}: {s['error']}")
    elif len(report.opened) or len(report.cleared):
        click.echo("(nothing stored or sent: add --send)")


@alerts.command("list")
@click.option("--all", "show_all", is_flag=True, help="Cleared alerts too.")
@click.option("--sent", "sent", type=int, default=20, show_default=True,
              help="How many of the latest send attempts to list.")  # fmt: skip
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True)
@click.pass_context
def alerts_list(ctx: click.Context, show_all: bool, sent: int, lang: str) -> None:
    """The alerts open now (and cleared, with --all) and the latest send attempts."""
    from warehouse.alerts import sends_frame, states_frame

    store = open_store(ctx)
    states = states_frame(store)
    shown = states if show_all else states[states["status"] == "open"]
    click.echo(f"{len(shown)} alert(s){'' if show_all else ' open'}:")
    for r in shown.to_dict("records"):
        cleared = f", cleared {_when(r['cleared_at'])}" if r["status"] == "cleared" else ""
        click.echo(f"  [{r['status']}] {r['key']} since {_when(r['opened_at'])}{cleared}")
        click.echo(f"      {describe(r['rule'], r['dataset'], r['params'], lang)}")
    if sent > 0:
        sends = sends_frame(store, limit=sent)
        click.echo(f"latest {len(sends)} send attempt(s):")
        for r in sends.to_dict("records"):
            outcome = "ok" if r["ok"] else f"FAILED: {r['error']}"
            click.echo(f"  {_when(r['at'])} {r['kind']:6} {r['channel']:8} {r['recipient']} "
                       f"{r['alert_key']}: {outcome}")  # fmt: skip


@alerts.command("digest")
@click.option("--send", is_flag=True, help="Send this week's digest now (once per week).")
@click.pass_context
def alerts_digest(ctx: click.Context, send: bool) -> None:
    """The weekly digest per kecamatan, as the scheduler sends it on `alert_digest`."""
    from datetime import UTC, datetime

    from config.settings import SettingsError
    from notify.dispatch import recipients_of, send_digest, week_of

    settings = ctx.obj.settings
    store = open_store(ctx)
    try:
        if not send:
            who = recipients_of(store, settings)
            week = week_of(datetime.now(UTC), settings.timezone)
            click.echo(f"digest {week} would go to {len(who)} recipient(s) (add --send)")
            return
        sends = send_digest(store, settings)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    failed = [s for s in sends if not s["ok"]]
    click.echo(f"{len(sends)} digest(s) sent, {len(failed)} failed")
    for s in failed:
        click.echo(f"  {s['channel']} {s['recipient']}: {s['error']}")


@alerts.command("contact")
@click.argument("username")
@click.option("--email", help="Where this user's alert e-mail goes.")
@click.option("--telegram", help="This user's Telegram chat id (the bot must be started there).")
@click.option("--lang", type=click.Choice(["id", "en"]), help="Language of the user's alerts.")
@click.option("--clear", is_flag=True, help="Remove the user's alert addresses.")
@click.pass_context
def alerts_contact(
    ctx: click.Context, username: str, email: str | None, telegram: str | None,
    lang: str | None, clear: bool,
) -> None:  # fmt: skip
    """Set where a user's alerts go: an admin hears of every kecamatan, an operator of theirs."""
    from config.settings import SettingsError
    from dashboard.cli_users import cli_actor
    from notify.recipients import check_address
    from warehouse.accounts import record_audit
    from warehouse.alerts import set_user_contact

    if clear and (email or telegram):
        raise click.ClickException("--clear goes alone, without --email or --telegram")
    if not clear and not (email or telegram):
        raise click.ClickException("give --email, --telegram or both (or --clear)")
    try:
        for channel, address in (("email", email), ("telegram", telegram)):
            if address:
                check_address(channel, address)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    store = open_store(ctx)
    if not set_user_contact(store, username, email=email, telegram=telegram, language=lang):
        raise click.ClickException(f"no user {username!r} (dasbor users list)")
    record_audit(store, cli_actor(), "pengguna.kontak", target=username,
                 detail="cleared" if clear else "alert addresses set")  # fmt: skip
    where = ", ".join(a for a in (email, telegram) if a)
    click.echo(f"{username}: alerts {'off' if clear else 'to ' + where}")
