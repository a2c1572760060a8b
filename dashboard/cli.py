"""The `dasbor` command line: registry, simulator, collection, export, dashboard."""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click
import pandas as pd

from config.datasets import DATASETS
from config.regions import RegionCodeError, normalize_code
from config.registry import (
    ADAPTERS,
    DEFAULT_BASE_URL,
    RegistryError,
    build_registry_rows,
    load_registry,
    registry_csv,
    village_rows,
)
from config.settings import Settings, SettingsError, load_settings
from config.statistik import BY_SLUG
from dashboard.cli_alerts import alerts
from dashboard.cli_reports import export_xlsx, laporan
from dashboard.cli_rollup import rollup, rollup_warning
from dashboard.cli_tokens import tokens
from dashboard.cli_users import cli_actor, ensure_demo_accounts, users
from dashboard.demo_push import mark_push_village


class Context:
    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    def store(self):
        from aggregates.rollup import install
        from warehouse.store import Warehouse

        store = Warehouse(self.settings.resolved_database_url)
        store.upgrade()
        return install(store)  # every run it completes stores its rollup (issue 12)

    def villages(self, path: str | None = None):
        return load_registry(path or self.settings.villages)


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config", "config_path", envvar="DASBOR_CONFIG", help="TOML settings file (DASBOR_CONFIG)."
)
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """Dasbor Kecamatan: village data pulled, stored, aggregated and shown."""
    ctx.obj = Context(config_path)


@main.group()
def villages() -> None:
    """The village registry."""


@villages.command("init")
@click.option("--provinsi", help="Provinsi code, e.g. 17: every village of the province.")
@click.option(
    "--kabupaten", multiple=True, help="Kabupaten code, e.g. 17.03 or 1703 (repeat for several)."
)
@click.option("--kecamatan", help="Kecamatan code, e.g. 17.03.06 (only its villages).")
@click.option("--adapter", type=click.Choice(ADAPTERS), default="summary-v1", show_default=True)
@click.option(
    "--base-url",
    default=DEFAULT_BASE_URL,
    show_default=True,
    help="URL template; {kode} is the village code without dots.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (stdout).")
def villages_init(provinsi, kabupaten, kecamatan, adapter, base_url, output) -> None:
    """Write a registry CSV for every village of a provinsi, kabupaten(s) or a kecamatan."""
    if kecamatan and len(kabupaten) > 1:
        raise click.ClickException("--kecamatan goes with one --kabupaten at most")
    try:
        rows = [
            row
            for kab in (kabupaten or (None,))
            for row in build_registry_rows(kab, kecamatan, adapter, base_url, provinsi=provinsi)
        ]
    except (RegistryError, RegionCodeError) as exc:
        raise click.ClickException(str(exc)) from None
    _write(registry_csv(rows), output)
    if output:
        click.echo(f"{len(rows)} villages written to {output}", err=True)


@villages.command("check")
@click.argument("path", required=False)
@pass_ctx
def villages_check(obj: Context, path: str | None) -> None:
    """Validate a registry file (default: DASBOR_VILLAGES)."""
    found = _registry(obj, path)
    click.echo(f"{len(found)} villages, registry is valid")


@main.command()
@click.option("--port", type=int, default=None, help="Port (default: settings, 8700).")
@click.option("--latency-ms", type=int, default=0, show_default=True)
@click.option("--fail-rate", type=float, default=0.0, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--fault-rate",
    type=float,
    default=0.0,
    show_default=True,
    help="Share of villages given a fault mode (timeout, 5xx, 429, bad JSON, wrong code, ...).",
)
@click.option(
    "--fault",
    "fault_list",
    multiple=True,
    metavar="KODE=MODE",
    help="Give one village a fault mode, e.g. 1703062001=timeout (repeatable).",
)
@click.option("--villages", "villages_path", help="Registry CSV (default: DASBOR_VILLAGES).")
@click.option(
    "--gabungan-port",
    type=int,
    default=None,
    help="Also serve these villages as one API Database Gabungan on this port.",
)
@click.option(
    "--gabungan-rate-limit",
    type=int,
    default=None,
    help="The Gabungan's requests a minute per address (the real server: 60; default: "
    "high, so collection is fast).",
)
@pass_ctx
def simulate(
    obj: Context,
    port,
    latency_ms,
    fail_rate,
    seed,
    fault_rate,
    fault_list,
    villages_path,
    gabungan_port,
    gabungan_rate_limit,
) -> None:
    """Serve simulated villages (summary v1 and OpenSID internal_api) on loopback, and with
    --gabungan-port the API Database Gabungan (simulator/gabungan.py)."""
    from simulator.villages import serve_forever

    found = _registry(obj, villages_path)
    gabungan = None
    if gabungan_port is not None:
        from simulator.gabungan import DEFAULT_RATE_LIMIT, serve_in_background

        gabungan = serve_in_background(
            found,
            port=gabungan_port,
            latency_ms=latency_ms,
            seed=seed,
            rate_limit=gabungan_rate_limit or DEFAULT_RATE_LIMIT,
        )
    try:
        serve_forever(
            found,
            port=port if port is not None else obj.settings.simulator_port,
            latency_ms=latency_ms,
            fail_rate=fail_rate,
            seed=seed,
            fault_rate=fault_rate,
            faults=dict(f.split("=", 1) for f in fault_list) or None,
        )
    finally:
        if gabungan is not None:
            gabungan.stop()


@main.command()
@click.option("--shard", help="I/N: collect only the I-th of N shards of the registry.")
@click.option(
    "--group",
    type=click.Choice(["penduduk", "keuangan"]),
    help="Only one dataset group (default: every dataset).",
)
@click.option("--villages", "villages_path", help="Registry CSV (default: DASBOR_VILLAGES).")
@click.option(
    "--queue",
    "queued",
    is_flag=True,
    help="Put the villages on the queue (DASBOR_BROKER_URL) for `dasbor worker` processes and "
    "wait until they have landed every village.",
)
@click.option(
    "--no-wait",
    is_flag=True,
    help="With --queue: print the run's id and return at once; the workers complete the run.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary.")
@pass_ctx
def collect(obj: Context, shard, group, villages_path, queued, no_wait, quiet) -> None:
    """Pull every village once; exit 0 when the sweep ran, even if villages failed."""
    from collectors.sweep import run_sweep, shard_of

    found = _registry(obj, villages_path)
    if shard:
        try:
            index, count = (int(x) for x in shard.split("/"))
            found = shard_of(found, index, count)
        except ValueError:
            raise click.ClickException(f"--shard {shard!r}: expected I/N, e.g. 1/4") from None
    if no_wait and not queued:
        raise click.ClickException("--no-wait goes with --queue")
    if queued and shard:
        raise click.ClickException("--queue shares the villages among the workers: no --shard")
    store = _store(obj)
    try:
        if queued:
            summary = _collect_queued(obj, found, store, group, no_wait)
            if summary is None:
                return
        else:
            summary = run_sweep(found, store, obj.settings, shard=shard, group=group)
    except RegistryError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"run {summary.run_id}: {len(summary.outcomes)} villages in {summary.seconds:.1f} s — "
        f"ok {summary.count('ok')}, unchanged {summary.count('unchanged')}, "
        f"failed {summary.count('failed')}"
    )
    if not quiet:
        for o in summary.failed:
            click.echo(f"  FAILED {o.kode_desa} {o.nama_desa}: {_short_errors(o.errors)}")


def _collect_queued(obj: Context, found, store, group, no_wait: bool):
    """`collect --queue`: the run's summary, or None with --no-wait (the run id printed)."""
    from collectors.queue import QueueError, QueueTimeout, enqueue_run, wait_for_run
    from warehouse.queued_runs import run_status

    started = time.monotonic()
    try:
        run_id = enqueue_run(found, store, obj.settings, group=group)
    except QueueError as exc:
        raise click.ClickException(str(exc)) from None
    if no_wait:
        click.echo(f"run {run_id}: {len(found)} villages queued; the workers complete it")
        return None
    click.echo(f"run {run_id}: {len(found)} villages queued; waiting for the workers")
    try:
        summary = wait_for_run(store, run_id, found, obj.settings, started=started)
    except QueueTimeout as exc:
        raise click.ClickException(str(exc)) from None
    status = run_status(store, run_id)
    if status != "completed":
        click.echo(f"run {run_id}: {status}")
    return summary


def _short_errors(errors: list[str]) -> str:
    """One line per village: datasets failing for the same reason are named once."""
    by_reason: dict[str, list[str]] = {}
    for e in errors:
        dataset, _, reason = e.partition(": ")
        by_reason.setdefault(reason, []).append(dataset)
    parts = []
    for reason, datasets in by_reason.items():
        which = "all datasets" if len(datasets) > 3 else ", ".join(datasets)
        parts.append(f"{which}: {reason}")
    return " | ".join(parts)


def _import_region(dataset_name: str, desa: str | None, kecamatan: str | None) -> str | None:
    """--desa for a village dataset, --kecamatan for the kecamatan budget; the other is a
    usage error, not a silently ignored option."""
    from config.datasets import BY_NAME

    level = BY_NAME[dataset_name].level
    wrong = kecamatan if level != "kecamatan" else desa
    if wrong:
        option = "--kecamatan" if level != "kecamatan" else "--desa"
        raise click.UsageError(f"{option} does not apply to dataset {dataset_name}")
    return kecamatan if level == "kecamatan" else desa


@main.command("import")
@click.option(
    "--dataset",
    "dataset_name",
    required=False,  # not with --from-opendk-export
    type=click.Choice([d.name for d in DATASETS if d.importable]),
    help="Which OpenDK template the file follows.",
)
@click.option("--tahun", type=int, help="Year of the file's period (every dataset but sarana).")
@click.option("--bulan", type=int, help="Month 1–12 (monthly datasets).")
@click.option("--semester", type=int, help="Semester 1 or 2 (semester datasets).")
@click.option("--penyakit-id", help="Disease id for epidemi-penyakit (else a column).")
@click.option("--desa", "desa", help="The village of a file without desa_id (OpenDK's form).")
@click.option("--kecamatan", "kecamatan", help="The kecamatan of a kecamatan budget file.")
@click.option("--from-opendk-export", "export_file", type=click.Path(exists=True, dir_okay=False),
              help="An OpenDK Excel export: every period in it (issue 11).")  # fmt: skip
@click.option("--villages", "villages_path", help="Registry CSV (default: DASBOR_VILLAGES).")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@pass_ctx
def import_(obj: Context, dataset_name, tahun, bulan, semester, penyakit_id, desa, kecamatan,
            export_file, villages_path, file):  # fmt: skip
    """Load a CSV or XLSX spreadsheet; a file with any error loads nothing."""
    if export_file:
        from dashboard.cli_opendk_export import run_export_import

        return run_export_import(obj, export_file, kecamatan, _registry(obj, villages_path))
    if not dataset_name or not file:
        raise click.UsageError("give --dataset and FILE, or --from-opendk-export FILE")
    from collectors.spreadsheet import import_file
    from collectors.upload_bounds import configure as bound_uploads
    from config.penyakit import known_ids

    bound_uploads(obj.settings)  # issue 10: the settings' size, row and cell limits
    found = _registry(obj, villages_path)
    report = import_file(
        _store(obj), dataset_name, Path(file), Path(file).name, tahun=tahun, bulan=bulan,
        semester=semester, penyakit_id=penyakit_id, villages=found, actor=cli_actor(),
        region=_import_region(dataset_name, desa, kecamatan),
        penyakit_ids=known_ids(obj.settings.penyakit),
    )  # fmt: skip
    click.echo(report.summary(obj.settings.language))
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option("--villages", "villages_path", help="Registry CSV (default: DASBOR_VILLAGES).")
@pass_ctx
def scheduler(obj: Context, villages_path) -> None:
    """Scheduled sweeps and collect-now requests (own process), until SIGTERM or Ctrl-C."""
    import logging

    from collectors.scheduler import run_scheduler

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    found, store = _registry(obj, villages_path), _store(obj)
    try:
        from notify.scheduler_jobs import AlertJobs  # issue 13: alerts sent from here only

        alert_jobs = AlertJobs(store, obj.settings)
        run_scheduler(
            store, found, obj.settings,
            after_run=alert_jobs.after_run, extra_jobs=alert_jobs.extra_jobs(),
        )  # fmt: skip
    except ValueError as exc:  # a bad schedule_* or request_poll setting, a bad recipient
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option(
    "--threads", type=int, help="Villages pulled at once (default: DASBOR_WORKER_THREADS)."
)
@click.option("--villages", "villages_path", help="Registry CSV (default: DASBOR_VILLAGES).")
@pass_ctx
def worker(obj: Context, threads, villages_path) -> None:
    """Pull villages off the queue (DASBOR_BROKER_URL) into the PostgreSQL warehouse, until
    SIGTERM or Ctrl-C; run one or more on every machine, with the same registry."""
    import logging

    from collectors.queue import QueueError
    from collectors.worker import run_worker
    from warehouse.store import Warehouse, make_engine

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("pika").setLevel(logging.WARNING)
    found = _registry(obj, villages_path)
    _store(obj).engine.dispose()  # the schema upgraded, as every command does
    threads = threads or obj.settings.worker_threads
    # each task in hand holds its village's lock on a connection while it lands on another
    engine = make_engine(
        obj.settings.resolved_database_url, pool_size=2 * threads + 2, max_overflow=threads
    )
    try:
        from aggregates.rollup import install

        run_worker(install(Warehouse(engine)), found, obj.settings, threads=threads)
    except QueueError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()


@main.command("collect-now")
@click.argument("kode", required=False)
@click.option("--villages", "villages_path", help="Registry CSV (default: DASBOR_VILLAGES).")
@pass_ctx
def collect_now(obj: Context, kode, villages_path) -> None:
    """Ask the running scheduler to collect a village or a kecamatan (KODE), or all villages,
    as soon as it can; a target already waiting or running is not asked twice."""
    from collectors.collect_now import UnknownTarget, ask_collect

    found = _registry(obj, villages_path)
    if kode:
        try:
            kode = normalize_code(kode)
        except RegionCodeError as exc:
            raise click.ClickException(str(exc)) from None
    try:
        ticket = ask_collect(
            _store(obj), kode, villages=[v.kode_desa for v in found], actor=cli_actor()
        )
    except UnknownTarget:
        raise click.ClickException(
            f"{kode} is no village or kecamatan of the registry ({len(found)} villages)"
        ) from None
    what = kode or "all villages"
    if ticket.merged:
        click.echo(f"request {ticket.id}: {what} is already waiting or being collected")
    else:
        click.echo(f"request {ticket.id}: collect {what} (the scheduler picks it up)")


@main.command()
@click.option("--host", default=None, help="Host (default: settings, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default: settings, 8050).")
@pass_ctx
def serve(obj: Context, host, port) -> None:
    """Run the dashboard."""
    import logging

    from dashboard.app import run_server

    # waitress's address and the view warmer's "warmed N views of run R" go to stderr
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from aggregates.rollup import install

    # uploads and pushes land here: their rollups in the background, never in the request
    store = install(_store(obj), background=True)
    try:
        run_server(store, obj.settings, host or obj.settings.host, port or obj.settings.port)
    except SettingsError as exc:  # production without DASBOR_SECRET_KEY (issue 10)
        raise click.ClickException(str(exc)) from None


@main.command()
@click.option("--statistik", "slug", required=True, help="Statistic slug, e.g. agama.")
@click.option(
    "--tingkat", type=click.Choice(["desa", "kecamatan", "kabupaten", "provinsi"]), required=True
)
@click.option("--kode", help="Only this region (dotted or digits), e.g. 17.03.06.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (stdout).")
@pass_ctx
def export(obj: Context, slug, tingkat, kode, output) -> None:
    """Write a statistic as CSV (or .xlsx with -o FILE.xlsx): one row per region and category."""
    from aggregates.load import load_population
    from aggregates.population import export_frame, statistic_table
    from layouts.safe_cells import csv_text

    if slug not in BY_SLUG:
        raise click.ClickException(
            f"unknown statistik {slug!r}; known: {', '.join(sorted(BY_SLUG))}"
        )
    try:
        kode = normalize_code(kode) if kode else None
    except RegionCodeError as exc:
        raise click.ClickException(str(exc)) from None
    store = _store(obj)
    if output and output.lower().endswith(".xlsx"):  # issue 13: the API's workbook
        Path(output).write_bytes(export_xlsx(store, obj.settings, slug, tingkat, kode))
        return
    table = export_frame(statistic_table(load_population(store), slug, tingkat, kode))
    _write(csv_text(table), output)  # issue 10: text cells never run as formulas


@main.command()
@click.option("--kecamatan", help="Only this kecamatan (or village).")
@click.option("--all-datasets", is_flag=True, help="One line per dataset, not only problems.")
@pass_ctx
def status(obj: Context, kecamatan, all_datasets) -> None:
    """Per kecamatan and village: last successful collection per dataset, latest failure."""
    from zoneinfo import ZoneInfo

    from aggregates.status import dataset_status_long

    store = _store(obj)
    zone = ZoneInfo(obj.settings.timezone)
    try:
        scope = normalize_code(kecamatan) if kecamatan else None
    except RegionCodeError as exc:
        raise click.ClickException(str(exc)) from None
    warning = rollup_warning(store)
    if warning:
        click.echo(warning)
    table = dataset_status_long(store.regions_frame(), store.dataset_status_frame(), scope)
    if table.empty:
        raise click.ClickException("no villages in the warehouse yet: run `dasbor collect` first")

    def when(ts) -> str:
        if ts is None or pd.isna(ts):
            return "never"
        return ts.tz_convert(zone).strftime("%Y-%m-%d %H:%M %Z")

    for (kec, nama_kec), villages in table.groupby(["kode_kecamatan", "nama_kecamatan"]):
        click.echo(f"{kec} {nama_kec}")
        for (kode, nama), rows in villages.groupby(["kode_desa", "nama_desa"]):
            reported = rows[rows["dataset"].notna()]
            failing = reported[reported["last_status"] == "failed"]
            state = "never" if reported.empty else ("failed" if len(failing) else "ok")
            latest = reported["last_success_at"].max() if len(reported) else None
            click.echo(f"  {kode} {nama:<28} {state:<7} last success {when(latest)}")
            for r in (reported if all_datasets else failing).itertuples():
                reason = f" — {r.last_error}" if r.last_status == "failed" else ""
                click.echo(
                    f"      {r.dataset:<28} {r.last_status:<9} "
                    f"last success {when(r.last_success_at)}{reason}"
                )


@main.command()
@click.option("--port", type=int, default=None, help="Dashboard port (default 8050).")
@click.option("--sim-port", type=int, default=None, help="Simulator port (default 8700).")
@click.option("--no-serve", is_flag=True, help="Collect, then stop (for scripts).")
@pass_ctx
def demo(obj: Context, port, sim_port, no_serve) -> None:
    """Simulator + one collection + scheduler + dashboard, on the embedded SQLite warehouse."""
    from collectors.scheduler_process import SchedulerProcess
    from collectors.sweep import run_sweep
    from simulator.process import SimulatorProcess, free_port

    settings = obj.settings
    registry_path = Path(settings.villages)
    found = _registry(obj, str(registry_path))
    # the villages' stand-in runs in a process of its own, as real villages are other machines
    sim = SimulatorProcess(registry_path, port=free_port(sim_port or settings.simulator_port))
    sim.start()
    try:
        expected = {f"{sim.url}/{v.kode_digits}" for v in found}
        if {v.base_url for v in found} != expected:
            # the registry points elsewhere: write one that points at this simulator
            registry_path = Path(settings.var_dir) / "villages-demo.csv"
            registry_path.parent.mkdir(parents=True, exist_ok=True)
            rows = village_rows(found, base_url=sim.url + "/{kode}")
            registry_path.write_text(registry_csv(rows), encoding="utf-8")
            found = load_registry(registry_path)
        found, registry_path = mark_push_village(found, registry_path, settings)  # issue 11
        click.echo(f"registry: {registry_path} ({len(found)} villages)")
        click.echo(f"simulator: {sim.url}")
        store = _store(obj)
        summary = run_sweep(found, store, settings, trigger="demo")
        click.echo(
            f"collected {len(summary.outcomes)} villages in {summary.seconds:.1f} s: "
            f"ok {summary.count('ok')}, unchanged {summary.count('unchanged')}, "
            f"failed {summary.count('failed')}"
        )
        from aggregates.rollup import one_rollup

        with one_rollup(store):  # one rollup for the push's and the samples' many runs
            _demo_push(store, settings)
            if not store.measurements_frame(["aki-akb"]).empty:
                click.echo("sample health and education spreadsheets: already imported")
            else:
                # villages send these by spreadsheet, not by API: import generated sample files
                # through the real import path so the Kesehatan and Pendidikan pages have data
                from simulator.spreadsheets import load_samples

                click.echo("importing sample health and education spreadsheets…")
                tahun = settings.tahun or datetime.now().year
                count = load_samples(store, found, tahun=tahun)
                click.echo(f"imported {count} sample spreadsheets for {tahun}")
        ensure_demo_accounts(store)
        if not settings.secret_key:
            settings = replace(settings, mode="demo")  # a random session key for this run
        if no_serve:
            return
        from dashboard.app import run_server

        # the scheduler in its own process, as in production, so "Kumpulkan sekarang" works
        scheduler = SchedulerProcess(
            registry_path,
            database_url=settings.resolved_database_url,
            log_path=Path(settings.var_dir) / "scheduler.log",
            config_path=obj.config_path,
        )
        scheduler.start()
        click.echo(f"scheduler: pid {scheduler.pid}, log {scheduler.log_path}")
        try:
            port = port or settings.port
            click.echo(f"Dasbor Kecamatan: http://{settings.host}:{port}/  (Ctrl-C to stop)")
            run_server(store, settings, settings.host, port)
        finally:
            scheduler.stop()
    finally:
        sim.stop()


main.add_command(users)  # dasbor users add|list|disable|enable|set-password (issue 10)
main.add_command(alerts)  # dasbor alerts check [--send]|list|digest (issue 13)
main.add_command(rollup)  # dasbor rollup [--status] (issue 12)
main.add_command(laporan)  # dasbor laporan --wilayah --periode -o FILE.pdf|.html (issue 13)


def _demo_push(store, settings: Settings) -> None:
    """The demo's pushed village sends its sync through the receiver (dashboard/demo_push.py)."""
    from dashboard.demo_push import DEMO_PUSH_VILLAGE, push_demo_village

    answers = push_demo_village(store, settings)
    refused = [
        f"{path} (HTTP {status})"
        for path, status, answer in answers
        if status != 200 or (isinstance(answer, dict) and answer.get("status") == "danger")
    ]
    click.echo(
        f"village {DEMO_PUSH_VILLAGE} pushed as OpenSID does: {len(answers)} requests"
        + (f", refused: {', '.join(refused)}" if refused else ", all accepted")
    )


main.add_command(tokens)  # dasbor tokens issue|list|revoke: villages' push tokens (issue 11)


@main.group()
def db() -> None:
    """The warehouse schema."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(obj: Context) -> None:
    """Create or migrate the warehouse schema to the newest revision."""
    _store(obj)
    click.echo(f"warehouse at newest schema: {_safe_url(obj.settings.resolved_database_url)}")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _registry(obj: Context, path: str | None):
    try:
        return obj.villages(path)
    except (RegistryError, SettingsError) as exc:
        raise click.ClickException(str(exc)) from None


def _store(obj: Context):
    try:
        return obj.store()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # a wrong URL or an unreachable server: say which
        url = _safe_url(obj.settings.resolved_database_url)
        raise click.ClickException(f"warehouse {url}: {exc.__class__.__name__}: {exc}") from None


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
