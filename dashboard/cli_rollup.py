"""`dasbor rollup`: recompute the stored rollup from the observations alone (issue 12), after
a failed one or to fill a warehouse from before rollups; `--status` lists the last ones."""

from __future__ import annotations

import click
import pandas as pd

from dashboard.cli_store import open_store


def _when(ts) -> str:
    return "-" if ts is None or pd.isna(ts) else pd.Timestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


@click.command("rollup")
@click.option("--status", "show", is_flag=True, help="List the last rollups; compute nothing.")
@click.pass_context
def rollup(ctx: click.Context, show: bool) -> None:
    """Compute every aggregate the pages and the API show from the observations and store it
    as the current rollup (the previous one is served until this one is complete)."""
    from aggregates.rollup import compute_rollup
    from warehouse.rollups import current_rollup, rollups_frame

    store = open_store(ctx)
    if not show:
        try:
            rollup_id = compute_rollup(store)
        except Exception as exc:  # logged and recorded as failed by compute_rollup
            raise click.ClickException(
                f"rollup failed ({exc.__class__.__name__}: {exc}); the previous rollup stays served"
            ) from None
        done = current_rollup(store)
        run = done.run_id if done else None
        click.echo(f"rollup {rollup_id} of run {run}: current")
        return
    table = rollups_frame(store)
    if table.empty:
        click.echo("no rollup yet: run `dasbor rollup`")
        return
    for r in table.itertuples(index=False):
        seconds = "" if r.seconds is None or pd.isna(r.seconds) else f" {r.seconds:.2f} s"
        frames = "" if r.frames is None or pd.isna(r.frames) else f" {int(r.frames)} frames"
        click.echo(
            f"{r.id:>5} run {r.run_id} {r.status:<10} {_when(r.finished_at)}{seconds}{frames}"
        )
        if r.error:
            click.echo("      " + str(r.error).strip().splitlines()[-1][:300])


def rollup_warning(store) -> str | None:
    """A line for `dasbor status` when the newest rollup failed (the pages then serve an
    older one), else None."""
    from warehouse.rollups import current_rollup, rollups_frame

    latest = rollups_frame(store, limit=1)
    if latest.empty or latest.iloc[0]["status"] != "failed":
        return None
    failed, served = latest.iloc[0], current_rollup(store)
    reason = str(failed["error"] or "").strip().splitlines()[-1:] or [""]
    shown = f"rollup {served.id} of run {served.run_id}" if served else "the observations"
    return (
        f"rollup {failed['id']} after run {failed['run_id']} FAILED: {reason[0][:200]}; "
        f"pages serve {shown}; run `dasbor rollup` to repair"
    )
