"""Collect now that works (issue 8): the buttons of the Pemantauan page, a request's states as
the page shows them (through the Dash callbacks), merging, the CLI, and `dasbor demo` running
the scheduler process that picks requests up."""

from __future__ import annotations

import time
from dataclasses import replace

import pandas as pd
import pytest
from click.testing import CliRunner

from collectors.collect_now import (
    UnknownTarget,
    ask_collect,
    outcome_detail,
    reason_detail,
    request_states,
)
from collectors.scheduler import collect_requests
from config.registry import load_registry
from config.settings import DEFAULT_REGISTRY, Settings
from dashboard.app import create_app
from dashboard.context import LANGUAGE_COOKIE
from dashboard.pages import pemantauan as pmt
from tests.auth_support import sign_in
from tests.conftest import pointed_at
from tests.test_dashboard_callbacks import DashClient, find, texts
from warehouse.accounts import Actor
from warehouse.store import Warehouse

ENGGANO = "17.03.01"  # 6 villages: a kecamatan request stays fast
BANJAR_SARI, MEOK = "17.03.01.2001", "17.03.01.2002"
PAGES = ("dashboard.pages.ringkasan", "dashboard.pages.pemantauan")


@pytest.fixture
def only_our_pages(monkeypatch):
    import dashboard.pages

    monkeypatch.setattr(dashboard.pages, "PAGE_MODULES", PAGES)


@pytest.fixture
def registered(store, default_villages):
    """A warehouse that knows the registry's regions (no collection yet)."""
    store.sync_regions(default_villages)
    return store


def buttons(client: DashClient, kecamatan: str | None, desa: str | None) -> dict:
    inputs = {f"{pmt.ID_KECAMATAN}.value": kecamatan, f"{pmt.ID_DESA}.value": desa}
    return client.call(f"{pmt.ID_KUMPULKAN}.disabled", inputs)


def click(client: DashClient, button: str, kecamatan: str | None, desa: str | None,
          asked: list | None = None) -> dict:  # fmt: skip
    """Press one of the three buttons; returns the callback's outputs."""
    clicks = {
        pmt.ID_KUMPULKAN: None,
        pmt.ID_KUMPULKAN_KECAMATAN: None,
        pmt.ID_KUMPULKAN_SEMUA: None,
    }
    inputs = {
        f"{button}.n_clicks": 1,
        **{f"{b}.n_clicks": n for b, n in clicks.items() if b != button},
    }
    state = {
        f"{pmt.ID_KECAMATAN}.value": kecamatan,
        f"{pmt.ID_DESA}.value": desa,
        f"{pmt.ID_PERMINTAAN}.data": asked or [],
    }
    return client.call(f"{pmt.ID_PERMINTAAN}.data", inputs, state)


def poll(client: DashClient, asked: list) -> dict:
    return client.call(
        f"{pmt.ID_PERMINTAAN_INTERVAL}.disabled",
        {f"{pmt.ID_PERMINTAAN_INTERVAL}.n_intervals": 1},
        {f"{pmt.ID_PERMINTAAN}.data": asked},
    )


def message(out: dict) -> list[str]:
    """The lines of the request message, as a reader sees them."""
    alert = out[pmt.ID_KUMPULKAN_PESAN]["children"]
    lines = alert["props"]["children"]
    return [texts(line["props"]["children"]) for line in lines]


def test_buttons_follow_the_region(registered, only_our_pages):
    client = DashClient(create_app(registered, Settings()))
    r = buttons(client, "17.03", None)
    assert r[pmt.ID_KUMPULKAN]["disabled"] is True
    assert r[pmt.ID_KUMPULKAN_KECAMATAN]["disabled"] is True
    assert r[pmt.ID_KUMPULKAN_SEMUA]["disabled"] is False
    r = buttons(client, ENGGANO, None)
    assert r[pmt.ID_KUMPULKAN]["disabled"] is True
    kecamatan = r[pmt.ID_KUMPULKAN_KECAMATAN]
    assert (kecamatan["disabled"], kecamatan["children"]) == (False, "Kumpulkan Kecamatan Enggano")
    r = buttons(client, ENGGANO, MEOK)
    assert (r[pmt.ID_KUMPULKAN]["disabled"], r[pmt.ID_KUMPULKAN]["children"]) == (
        False, "Kumpulkan Desa Meok")  # fmt: skip
    assert r[pmt.ID_KUMPULKAN_KECAMATAN]["children"] == "Kumpulkan Kecamatan Enggano"
    # the page as loaded for a village: the same buttons, and the poll idle
    layout = client.page("/pemantauan", f"?wilayah={MEOK}")
    assert "Kumpulkan Desa Meok" in texts(layout) and "Kumpulkan semua desa" in texts(layout)
    assert find(layout, pmt.ID_PERMINTAAN_INTERVAL)["props"]["disabled"] is True


def test_request_states_as_the_page_shows_them(
    registered, simulator, default_villages, fast_settings, only_our_pages
):
    """Waiting, merged, running, done with its outcome; the poll stops when all ended."""
    store = registered
    client = DashClient(create_app(store, Settings()))
    sign_in(client.http, store)  # asking needs an account (issue 10)
    # the village: a new request, waiting, and the poll starts
    out = click(client, pmt.ID_KUMPULKAN, ENGGANO, MEOK)
    asked = out[pmt.ID_PERMINTAAN]["data"]
    first = asked[0]["id"]
    assert asked == [{"id": first, "merged": False}]
    assert out[pmt.ID_PERMINTAAN_INTERVAL]["disabled"] is False
    assert message(out) == [f"Permintaan {first} (Desa Meok): menunggu penjadwal."]
    # again: merged, no new row, and the page says so
    out = click(client, pmt.ID_KUMPULKAN, ENGGANO, MEOK, asked)
    asked = out[pmt.ID_PERMINTAAN]["data"]
    assert asked == [{"id": first, "merged": True}] and len(store.requests_frame()) == 1
    assert message(out) == [
        f"Desa Meok sudah dalam antrean (permintaan {first}); tidak dibuat permintaan baru. "
        f"Permintaan {first} (Desa Meok): menunggu penjadwal."
    ]
    # the kecamatan: a request of its own (it covers more), newest first on the page
    out = click(client, pmt.ID_KUMPULKAN_KECAMATAN, ENGGANO, MEOK, asked)
    asked = out[pmt.ID_PERMINTAAN]["data"]
    second = asked[-1]["id"]
    assert second != first and store.requests_frame().set_index("id").loc[second, "scope"] == (
        "kecamatan")  # fmt: skip
    assert message(out)[0] == f"Permintaan {second} (Kecamatan Enggano): menunggu penjadwal."

    # the scheduler claims them: running
    claimed = store.claim_requests()
    out = poll(client, asked)
    assert out[pmt.ID_PERMINTAAN_INTERVAL]["disabled"] is False
    assert message(out)[0] == f"Permintaan {second} (Kecamatan Enggano): sedang dikumpulkan."
    store.requeue_running_requests()  # hand them to the real job below
    assert len(claimed) == 2

    # the real job: one sweep for both, Meok failing; each request its own outcome
    enggano = pointed_at([v for v in default_villages if v.kode_kecamatan == ENGGANO],
                         simulator.url)  # fmt: skip
    settings = replace(fast_settings, retries=0)
    simulator.set_fault(MEOK.replace(".", ""), "500")
    try:
        run_id = collect_requests(store, enggano, settings)
    finally:
        simulator.set_fault(MEOK.replace(".", ""), None)
    run = store.runs_frame().set_index("id").loc[run_id]
    assert (run["kind"], run["trigger"], run["villages_total"]) == ("collection", "request", 6)
    out = poll(client, asked)
    assert out[pmt.ID_PERMINTAAN_INTERVAL]["disabled"] is True  # all ended: the poll stops
    assert message(out) == [
        f"Permintaan {second} (Kecamatan Enggano): selesai, 5 berhasil, 0 tidak berubah, 1 gagal.",
        f"Permintaan {first} (Desa Meok): selesai, 0 berhasil, 0 tidak berubah, 1 gagal.",
    ]
    alert = out[pmt.ID_KUMPULKAN_PESAN]["children"]
    assert alert["props"]["color"] == "warning"  # a village failed

    # English, and a failed and a rejected request with their reasons in words
    third = store.request_collect(None).id
    store.claim_requests()
    stopped = reason_detail("scheduler_stopped", "SweepStopped: stopped")
    store.finish_requests([third], None, status="failed", detail=stopped)
    fourth = store.request_collect("17.03.99").id
    unknown = reason_detail("not_in_registry", "not in the registry")
    store.finish_requests([fourth], None, status="rejected", detail=unknown)
    client.http.set_cookie(LANGUAGE_COOKIE, "en")
    out = poll(client, [{"id": third, "merged": False}, {"id": fourth, "merged": False}])
    assert message(out) == [
        f"Request {fourth} (17.03.99): rejected, not in the scheduler's village registry.",
        f"Request {third} (all villages): failed, the scheduler was stopped before the end.",
    ]
    assert out[pmt.ID_PERMINTAAN_INTERVAL]["disabled"] is True


def test_ask_collect_is_the_one_write_path(store):
    villages = [BANJAR_SARI, MEOK, "17.03.06.2001"]
    ticket = ask_collect(store, "1703012002", villages=villages, actor=Actor.system("test"))
    assert ticket.merged is False
    assert ask_collect(store, MEOK, villages=villages, actor=Actor.system("test")) == (
        ticket.id,
        True,
    )
    kec = ask_collect(store, "170301", villages=villages, actor=Actor.system("test"))
    row = store.requests_frame().set_index("id").loc[kec.id]
    assert (row["kode_desa"], row["scope"], row["requested_by"]) == (ENGGANO, "kecamatan", "test")
    for unknown in ("17.03.01.2099", "17.03.02", "bukan"):
        with pytest.raises(UnknownTarget):
            ask_collect(store, unknown, villages=villages, actor=Actor.system("test"))
    assert len(store.requests_frame()) == 2
    # what the page reads back: outcome counts from the done request's detail
    store.claim_requests()
    store.finish_requests([kec.id], 3, detail=outcome_detail(["ok", "unchanged", "failed", "ok"]))
    state = request_states(store, [kec.id, 999])
    assert [(s.id, s.status, s.ok, s.unchanged, s.failed, s.ended) for s in state] == [
        (kec.id, "done", 2, 1, 1, True)
    ]


def test_cli_collect_now_takes_a_village_a_kecamatan_or_all(tmp_path, monkeypatch):
    from dashboard.cli import main

    url = f"sqlite:///{tmp_path / 'wh.db'}"
    monkeypatch.setenv("DASBOR_DATABASE_URL", url)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, ["collect-now", *args], catch_exceptions=False)

    first = run("170301")
    assert first.exit_code == 0 and "request 1: collect 17.03.01 (the scheduler" in first.output
    again = run(ENGGANO)
    assert again.exit_code == 0
    assert "request 1: 17.03.01 is already waiting or being collected" in again.output
    assert "is already waiting" in run(MEOK).output  # its kecamatan is asked for already
    assert "request 2: collect all villages" in run().output
    bad = run("17.03.02")  # a kecamatan of the kabupaten without villages in the registry
    assert bad.exit_code != 0 and "no village or kecamatan of the registry" in bad.output
    frame = Warehouse(url).requests_frame().sort_values("id")
    assert list(frame["scope"]) == ["kecamatan", "semua"]
    # the CLI is the machine's owner, named by its OS user (issue 10)
    assert {by.split(":")[0] for by in frame["requested_by"]} == {"cli"}


# -- the demo runs the scheduler -------------------------------------------------------------
def test_demo_runs_the_scheduler_which_picks_up_a_request(tmp_path, monkeypatch):
    """`dasbor demo` with a two-village registry: the simulator and the scheduler each in a
    process of its own; a request made while the dashboard would serve is collected by that
    scheduler; the scheduler stops with the demo. (The dashboard itself and the sample
    spreadsheets are left out: they are not what this tests.)"""
    import collectors.scheduler_process as sp
    import dashboard.app
    import simulator.spreadsheets
    from dashboard.cli import main

    lines = DEFAULT_REGISTRY.read_text(encoding="utf-8").splitlines()
    registry = tmp_path / "villages.csv"
    registry.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")  # Banjar Sari, Meok
    for key, value in {
        "DASBOR_VAR_DIR": str(tmp_path / "var"),
        "DASBOR_VILLAGES": str(registry),
        "DASBOR_REQUEST_POLL": "0.2",  # the child reads the same settings
        "DASBOR_WARM_INTERVAL": "0",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(simulator.spreadsheets, "load_samples", lambda *a, **k: 0)
    started: list[sp.SchedulerProcess] = []

    class Recorded(sp.SchedulerProcess):
        def start(self, timeout_s: float = 60.0):
            started.append(self)
            return super().start(timeout_s)

    monkeypatch.setattr(sp, "SchedulerProcess", Recorded)
    seen: dict = {}

    def serve(store, settings, host, port) -> None:
        # instead of the dashboard: what a click on "Kumpulkan Kecamatan Enggano" writes
        (scheduler,) = started
        seen["running"] = scheduler.running
        seen["database"] = scheduler.database_url == settings.resolved_database_url
        ticket = ask_collect(
            store, ENGGANO, villages=[BANJAR_SARI, MEOK], actor=Actor.system("test")
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            row = store.requests_frame([ticket.id]).iloc[0]
            if row["status"] not in ("pending", "running"):
                break
            time.sleep(0.1)
        seen["request"] = row

    monkeypatch.setattr(dashboard.app, "run_server", serve)
    result = CliRunner().invoke(main, ["demo", "--port", "0"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "scheduler: pid" in result.output
    assert seen["running"] and seen["database"]
    request = seen["request"]
    assert request["status"] == "done", (request.to_dict(), started[0].log_path.read_text())
    # the demo's own sweep collected both a moment before: this time they answer 304
    assert request["detail"] == outcome_detail(["unchanged", "unchanged"])
    store = Warehouse(Settings(var_dir=str(tmp_path / "var")).resolved_database_url)
    runs = store.runs_frame().set_index("id")
    run = runs.loc[int(request["run_id"])]
    assert (run["kind"], run["trigger"], run["villages_unchanged"]) == (
        "collection", "request", 2)  # fmt: skip
    # the collections: the request's, then the demo's sweep (the demo's pushed village and
    # sample files arrive as pushes and imports of their own)
    collections = runs[runs["kind"] == "collection"]
    assert list(collections["trigger"]) == ["request", "demo"]
    assert set(runs["kind"]) <= {"collection", "push", "import"}
    # the registry the scheduler read is the demo's (pointed at the demo's simulator)
    demo_registry = load_registry(started[0].registry)
    assert {v.kode_desa for v in demo_registry} == {BANJAR_SARI, MEOK}
    # stopped with the demo, cleanly
    assert not started[0].running
    log = started[0].log_path.read_text()
    assert "scheduler stopped" in log
    assert isinstance(pd.Timestamp(request["finished_at"]), pd.Timestamp)
