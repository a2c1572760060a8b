"""The warehouse of a command group that lives outside dashboard/cli.py (alerts, rollup)."""

from __future__ import annotations

import click


def open_store(ctx: click.Context):
    """ctx.obj's warehouse; settings or an unreachable warehouse end the command saying what."""
    try:
        return ctx.obj.store()
    except Exception as exc:  # settings or an unreachable warehouse: say what
        raise click.ClickException(f"warehouse: {exc.__class__.__name__}: {exc}") from None
