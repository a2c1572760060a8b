"""`dasbor users add|list|disable|enable|set-password`, the CLI's own actor, and the demo's
accounts (issue 10).

The CLI is the machine's owner: whoever can run it can read the warehouse's URL anyway, so it
acts as a system actor, recorded in the audit as "cli:<os user>". Passwords come from a prompt
(typed twice, not echoed) or, with --password-stdin, the first line of standard input; never
from an argument, which would stay in the shell history and in `ps`.
"""

from __future__ import annotations

import getpass
import secrets
import sys

import click

from warehouse.accounts import (
    ROLES,
    AccountError,
    Actor,
    create_user,
    get_user,
    list_users,
    record_audit,
    set_active,
    set_password,
)

DEMO_ADMIN = "admin"
DEMO_OPERATOR = "operator"
DEMO_OPERATOR_KECAMATAN = "17.03.06"  # Kerkap, the first kecamatan of the demo registry


def cli_actor() -> Actor:
    """The person at this terminal, as the audit names them."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in the environment (a container): still one actor
        user = "unknown"
    return Actor.system(f"cli:{user}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _store(ctx: click.Context):
    """The warehouse of the group's settings (dashboard.cli.Context), its errors in words."""
    try:
        return ctx.obj.store()
    except Exception as exc:  # a wrong URL, an unreachable server, a bad setting
        raise click.ClickException(f"warehouse: {exc.__class__.__name__}: {exc}") from None


@click.group()
def users() -> None:
    """Accounts that may upload and ask for collections (operators) or do everything (admins)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--kecamatan", help="An operator's kecamatan, dotted or digits (e.g. 17.03.06).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def add(ctx: click.Context, username, role, kecamatan, password_stdin) -> None:
    """Create a user; the password is asked for (or read from stdin)."""
    from config.regions import RegionCodeError, normalize_code

    if kecamatan:
        try:
            kecamatan = normalize_code(kecamatan)
        except RegionCodeError as exc:
            raise click.ClickException(str(exc)) from None
    store = _store(ctx)
    password = _read_password(password_stdin)
    try:
        user = create_user(store, username, password, role, kecamatan)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    record_audit(store, cli_actor(), "pengguna.tambah", target=user.username,
                 detail=f"{user.role} {user.kode_kecamatan or ''}".strip())  # fmt: skip
    click.echo(f"user {user.username} added: {_describe(user)}")


@users.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """Every user: name, role, kecamatan, active, last sign-in (never a password or hash)."""
    found = list_users(_store(ctx))
    if not found:
        click.echo("no users yet: dasbor users add NAME --role admin")
        return
    for user in found:
        last = user.last_sign_in_at.isoformat(timespec="seconds") if user.last_sign_in_at else "-"
        state = "active" if user.active else "disabled"
        click.echo(
            f"{user.username:<24} {user.role:<9} {user.kode_kecamatan or '-':<9} "
            f"{state:<9} last sign-in {last}"
        )


@users.command("disable")
@click.argument("username")
@click.pass_context
def disable(ctx: click.Context, username) -> None:
    """Stop a user from signing in (their sessions end at their next request)."""
    _set_active(ctx, username, False)


@users.command("enable")
@click.argument("username")
@click.pass_context
def enable(ctx: click.Context, username) -> None:
    """Let a disabled user sign in again."""
    _set_active(ctx, username, True)


def _set_active(ctx: click.Context, username: str, active: bool) -> None:
    store = _store(ctx)
    try:
        user = set_active(store, username, active)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    action = "pengguna.aktifkan" if active else "pengguna.nonaktifkan"
    record_audit(store, cli_actor(), action, target=user.username)
    click.echo(f"user {user.username} {'enabled' if active else 'disabled'}")


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_context
def set_password_(ctx: click.Context, username, password_stdin) -> None:
    """Give a user a new password (asked for, or read from stdin)."""
    store = _store(ctx)
    if get_user(store, username) is None:
        raise click.ClickException(f"no user {username!r}")
    try:
        user = set_password(store, username, _read_password(password_stdin))
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    record_audit(store, cli_actor(), "pengguna.sandi", target=user.username)
    click.echo(f"password of {user.username} changed")


def _describe(user) -> str:
    if user.role == "operator":
        return f"operator of kecamatan {user.kode_kecamatan}"
    return user.role


def ensure_demo_accounts(store, echo=click.echo) -> None:
    """The demo's admin and an operator of one kecamatan, made once; their passwords are
    printed only when made (they are stored hashed, so nothing can show them again)."""
    made = []
    for username, role, kecamatan in (
        (DEMO_ADMIN, "admin", None),
        (DEMO_OPERATOR, "operator", DEMO_OPERATOR_KECAMATAN),
    ):
        if get_user(store, username) is not None:
            continue
        password = secrets.token_urlsafe(12)
        user = create_user(store, username, password, role, kecamatan)
        record_audit(store, cli_actor(), "pengguna.tambah", target=username, detail="demo")
        made.append((user, password))
    for user, password in made:
        echo(f"demo account {user.username} ({_describe(user)}), password: {password}")
    if not made:
        echo(f"demo accounts {DEMO_ADMIN} and {DEMO_OPERATOR} exist already (passwords as first "
             "printed; dasbor users set-password NAME to change)")  # fmt: skip
