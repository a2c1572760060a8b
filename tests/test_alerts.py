"""Alerts that find the operator (issue 13): the rules over real sweeps of the simulator, the
e-mail and Telegram channels against a local SMTP server (aiosmtpd) and a loopback stand-in
for the bot API, no repeats until an alert clears, one notice when it does, the weekly
digest, a failing channel that stops neither the others nor the scheduler, and the section
on Pemantauan; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from aggregates import alerts as agg
from collectors.scheduler import SchedulerJobs
from collectors.sweep import run_sweep
from config.settings import Settings, SettingsError, load_settings
from notify import dispatch
from notify.recipients import from_settings
from notify.scheduler_jobs import AlertJobs
from tests.alert_servers import SmtpServer, TelegramStub, free_port
from tests.conftest import pointed_at
from warehouse import alerts as wa

KERKAP = "17.03.06"
TOKEN = "123456:TEST-bot-token-secret"
OPERATOR = "op@kerkap.desa.id"
ADMIN = "admin@bengkulu-utara.go.id"
CHAT = "111"
BASE = "https://dasbor.example.id"


@pytest.fixture(scope="module")
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def telegram():
    stub = TelegramStub(TOKEN).start()
    yield stub
    stub.stop()


@pytest.fixture
def channels(smtp, telegram):
    smtp.clear()
    telegram.calls.clear()
    telegram.fail_chats.clear()
    return smtp, telegram


@pytest.fixture(scope="module")
def villages(default_villages, simulator):
    """Four villages of Kerkap and one of another kecamatan, on the simulator."""
    kerkap = [v for v in default_villages if v.kode_kecamatan == KERKAP][:4]
    other = next(v for v in default_villages if v.kode_kecamatan != KERKAP)
    return pointed_at([*kerkap, other], simulator.url)


def alert_settings(smtp: SmtpServer, telegram: TelegramStub, **extra) -> Settings:
    base = Settings(
        concurrency=8, read_timeout=2, retries=0, backoff=0.01, tahun=2026,
        alert_failing_runs=2, alert_outliers=0, alert_stale_days=7,
        smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_tls="none", smtp_from="dasbor@kab.id",
        telegram_bot_token=TOKEN, telegram_api_url=telegram.url, alert_timeout=5,
        alert_email_kecamatan=f"{KERKAP}={OPERATOR}", alert_email_admins=f"{ADMIN}:en",
        alert_telegram_kecamatan=f"{KERKAP}={CHAT}", public_base_url=BASE,
    )  # fmt: skip
    return replace(base, **extra)


def sweep(store, villages, settings, simulator, faults: dict[str, str] | None = None):
    faults = faults or {}
    try:
        for kode, mode in faults.items():
            simulator.set_fault(kode, mode)
        return run_sweep(villages, store, settings)
    finally:
        for kode in faults:
            simulator.set_fault(kode, None)


def keys_of(frame: pd.DataFrame) -> set[str]:
    return set(frame["key"]) if not frame.empty else set()


# -- the rules over real sweeps -----------------------------------------------------------------
def test_rules_find_failing_refused_and_stale_villages(store, villages, simulator):
    settings = Settings(concurrency=8, read_timeout=2, retries=0, backoff=0.01, tahun=2026)
    failing, refused = villages[0].kode_desa, villages[1].kode_desa
    faults = {failing: "500", refused: "401"}
    sweep(store, villages, settings, simulator, faults)
    rules = agg.AlertRules(failing_runs=2, outliers=False)
    now = datetime.now(UTC)

    once = agg.find_alerts(agg.load_inputs(store, failing_runs=2), rules, now)
    assert f"gagal_beruntun:{failing}" not in keys_of(once)  # one failed run is not yet "in a row"
    sweep(store, villages, settings, simulator, faults)
    found = agg.find_alerts(agg.load_inputs(store, failing_runs=2), rules, now)
    keys = keys_of(found)
    assert {f"gagal_beruntun:{failing}", f"gagal_beruntun:{refused}"} <= keys
    refused_rows = found[found["rule"] == "token_ditolak"]
    assert list(refused_rows["key"]) == [f"token_ditolak:{refused}"]  # one token, one alert
    status = store.dataset_status_frame()
    failed_401 = status[(status["kode_desa"] == refused) & (status["last_status"] == "failed")]
    params = json.loads(refused_rows.iloc[0]["params"])
    assert (
        params["jumlah_dataset"] == len(failed_401) and params["alasan_kode"] == "http.unauthorized"
    )
    assert not any(k.endswith(villages[2].kode_desa) for k in keys)  # a healthy village
    row = found.set_index("key").loc[f"gagal_beruntun:{failing}"]
    assert row["kode_kecamatan"] == KERKAP and json.loads(row["params"])["kali"] == 2

    # ten days without a sweep: every village that ever succeeded is stale
    later = agg.find_alerts(agg.load_inputs(store), rules, now + timedelta(days=10))
    stale = {k.split(":")[1] for k in keys_of(later) if k.startswith("tidak_terkumpul:")}
    assert stale == {v.kode_desa for v in villages[2:]}
    # the rule off: nothing of it
    off = agg.find_alerts(
        agg.load_inputs(store), replace(rules, stale_days=0), now + timedelta(days=10)
    )
    assert not any(k.startswith("tidak_terkumpul:") for k in keys_of(off))


def test_deadline_rule_asks_each_village_for_each_due_period():
    regions = pd.DataFrame(
        [
            ("17.03", "Bengkulu Utara", "kabupaten", None),
            (KERKAP, "Kerkap", "kecamatan", "17.03"),
            ("17.03.06.2001", "A", "desa", KERKAP),
            ("17.03.06.2002", "B", "desa", KERKAP),
        ],
        columns=["kode", "nama", "tingkat", "induk"],
    )
    imports = pd.DataFrame(
        [("17.03.06.2001", "imunisasi", "202609"), ("17.03.06.2001", "imunisasi", "202610")],
        columns=["kode_wilayah", "dataset", "periode"],
    )
    now = pd.Timestamp("2026-12-03T00:00Z")
    # 10 days after the month: September and October are due on 3 December, November not
    assert agg.due_periods("bulan", now, 10, "202609") == ["202610", "202609"]
    found = agg.missing_at_deadline(imports, regions, now, 10, ["imunisasi", "aki-akb"])
    assert keys_of(found) == {"tenggat:17.03.06.2002:imunisasi:202609",
                              "tenggat:17.03.06.2002:imunisasi:202610"}  # fmt: skip
    params = json.loads(
        found.set_index("key").loc["tenggat:17.03.06.2002:imunisasi:202609", "params"]
    )
    assert pd.Timestamp(params["tenggat"]) == pd.Timestamp("2026-10-11T00:00Z")  # 1 Oct + 10
    # a kecamatan-wide file covers its villages
    kec = pd.concat(
        [imports, pd.DataFrame([(KERKAP, "imunisasi", "202610")], columns=imports.columns)]
    )
    assert keys_of(agg.missing_at_deadline(kec, regions, now, 10, ["imunisasi"])) == {
        "tenggat:17.03.06.2002:imunisasi:202609"
    }
    assert agg.due_periods("semester", pd.Timestamp("2026-07-12T00:00Z"), 10, "2025S2") == [
        "2026S1", "2025S2"
    ]  # fmt: skip


def test_outliers_of_the_pemantauan_page_become_alerts(two_runs):
    store, _run, codes = two_runs
    outliers = agg.load_inputs(store).outliers
    found = agg.outlier_alerts(outliers, store.regions_frame())
    assert len(found) == len(outliers)
    for row, o in zip(found.to_dict("records"), outliers.to_dict("records"), strict=True):
        assert row["key"] == f"pencilan:{o['kode_desa']}:{o['indikator']}"
        assert json.loads(row["params"])["alasan"] == o["alasan"]


# -- sending -------------------------------------------------------------------------------------
def test_alerts_sent_once_retried_when_failed_and_cleared_once(
    store, villages, simulator, channels
):
    smtp, telegram = channels
    settings = alert_settings(smtp, telegram)
    failing = villages[0]
    telegram.fail_chats.add(CHAT)  # Telegram down for the operator: e-mail must still go
    for _ in range(2):
        sweep(store, villages, settings, simulator, {failing.kode_desa: "500"})
    report = dispatch.check(store, settings)
    assert f"gagal_beruntun:{failing.kode_desa}" in keys_of(report.opened)

    (op_mail,) = smtp.to(OPERATOR)
    (admin_mail,) = smtp.to(ADMIN)
    text = op_mail.get_body(("plain",)).get_content()
    assert failing.nama_desa in text and "gagal dikumpulkan 2 kali berturut-turut" in text
    assert f"{BASE}/desa/{failing.kode_desa}" in text
    assert "HTTP 500" in text or "500" in text  # the reason, in words
    html = op_mail.get_body(("html",)).get_content()
    assert f'href="{BASE}/desa/{failing.kode_desa}"' in html
    assert op_mail["Subject"] == "Dasbor Kecamatan: 1 peringatan baru"
    assert "failed 2 collections in a row" in admin_mail.get_body(("plain",)).get_content()
    assert telegram.calls == []
    sends = wa.sends_frame(store)
    bad = sends[~sends["ok"]]
    assert list(bad["channel"]) == ["telegram"] and list(bad["recipient"]) == [CHAT]
    assert "HTTP 502" in bad.iloc[0]["error"] and TOKEN not in bad.iloc[0]["error"]
    assert sends["ok"].sum() == 2

    # the next check: no e-mail again (no storm); Telegram, back up, gets what it missed
    telegram.fail_chats.clear()
    again = dispatch.check(store, settings)
    assert again.opened.empty and len(smtp.messages) == 2
    (tg,) = telegram.to(CHAT)
    assert failing.nama_desa in tg["text"] and tg["parse_mode"] == "HTML"
    assert f'href="{BASE}/desa/{failing.kode_desa}"' in tg["text"]
    assert dispatch.check(store, settings).sends == []  # and then nothing at all

    # the village answers again: one clear notice to each who was told, then silence
    sweep(store, villages, settings, simulator)
    cleared = dispatch.check(store, settings)
    assert keys_of(cleared.cleared) == {f"gagal_beruntun:{failing.kode_desa}"}
    assert len(smtp.to(OPERATOR)) == 2 and len(smtp.to(ADMIN)) == 2
    assert smtp.to(OPERATOR)[-1]["Subject"] == "Dasbor Kecamatan: 1 peringatan sudah pulih"
    assert len(telegram.to(CHAT)) == 2
    assert dispatch.check(store, settings).sends == []
    states = wa.states_frame(store).set_index("key")
    assert states.loc[f"gagal_beruntun:{failing.kode_desa}", "status"] == "cleared"


def test_alerts_reach_only_their_kecamatan_and_the_admins(store, villages, simulator, channels):
    smtp, telegram = channels
    settings = alert_settings(smtp, telegram, alert_email_kecamatan=(
        f"{KERKAP}={OPERATOR}; {villages[-1].kode_kecamatan}=op@lain.desa.id"
    ))  # fmt: skip
    other = villages[-1]  # not in Kerkap
    for _ in range(2):
        sweep(store, villages, settings, simulator, {other.kode_desa: "500"})
    dispatch.check(store, settings)
    assert smtp.to(OPERATOR) == [] and telegram.to(CHAT) == []
    (mail,) = smtp.to("op@lain.desa.id")
    assert other.nama_desa in mail.get_body(("plain",)).get_content()
    (admin,) = smtp.to(ADMIN)
    assert other.nama_desa in admin.get_body(("plain",)).get_content()


def test_weekly_digest_per_kecamatan_once_a_week(store, villages, simulator, channels):
    smtp, telegram = channels
    settings = alert_settings(smtp, telegram)
    failing = villages[0]
    for _ in range(2):
        sweep(store, villages, settings, simulator, {failing.kode_desa: "500"})
    dispatch.check(store, settings)
    smtp.clear()
    telegram.calls.clear()
    sends = dispatch.send_digest(store, settings)
    assert all(s["ok"] for s in sends) and len(sends) == 3
    (op,) = smtp.to(OPERATOR)
    text = op.get_body(("plain",)).get_content()
    week = dispatch.week_of(datetime.now(UTC), settings.timezone)
    assert op["Subject"] == f"Dasbor Kecamatan: ringkasan mingguan Kerkap, {week}"
    kerkap = [v for v in villages if v.kode_kecamatan == KERKAP]
    assert f"{len(kerkap)} desa: {len(kerkap) - 1} baik, 1 gagal" in text
    assert failing.nama_desa in text
    (admin,) = smtp.to(ADMIN)  # the admins: every kecamatan, a line each
    admin_text = admin.get_body(("plain",)).get_content()
    assert "Per sub-district" in admin_text and f"{len(villages)} villages" in admin_text
    assert len(telegram.to(CHAT)) == 1
    assert dispatch.send_digest(store, settings) == []  # the same week: not again
    assert len(smtp.messages) == 2


def test_a_dead_smtp_server_stops_neither_telegram_nor_the_scheduler(
    store, villages, simulator, channels
):
    smtp, telegram = channels
    settings = alert_settings(smtp, telegram, smtp_port=free_port())  # nobody listens
    failing = villages[0]
    jobs = SchedulerJobs(store, villages, settings, after_run=AlertJobs(store, settings).after_run)
    simulator.set_fault(failing.kode_desa, "500")
    try:
        jobs.sweep("penduduk")
        run_id = jobs.sweep("penduduk")
    finally:
        simulator.set_fault(failing.kode_desa, None)
    assert run_id == store.latest_run_id()
    assert len(telegram.to(CHAT)) == 1
    sends = wa.sends_frame(store)
    mail = sends[sends["channel"] == "email"]
    assert len(mail) == 2 and not mail["ok"].any()
    assert mail["error"].str.contains("SMTP 127.0.0.1").all()

    def broken(_run_id: int) -> None:
        raise RuntimeError("the alert check broke")

    # a hook that raises: the sweep still ends well and returns its run
    survived = SchedulerJobs(store, villages, settings, after_run=broken).sweep("penduduk")
    assert survived == store.latest_run_id()


def test_a_refused_mailbox_stops_no_other_recipient(store, villages, simulator, channels):
    smtp, telegram = channels
    settings = alert_settings(smtp, telegram)
    smtp.keeper.refuse.add(OPERATOR)
    for _ in range(2):
        sweep(store, villages, settings, simulator, {villages[0].kode_desa: "500"})
    dispatch.check(store, settings)
    assert smtp.to(OPERATOR) == [] and len(smtp.to(ADMIN)) == 1 and len(telegram.to(CHAT)) == 1
    sends = wa.sends_frame(store)
    (bad,) = sends[~sends["ok"]].to_dict("records")
    assert bad["recipient"] == OPERATOR and "550" in bad["error"]
    smtp.keeper.refuse.clear()  # the mailbox works again: told once, the others not again
    dispatch.check(store, settings)
    assert len(smtp.to(OPERATOR)) == 1 and len(smtp.to(ADMIN)) == 1 and len(telegram.calls) == 1


def test_check_without_send_writes_nothing(store, villages, simulator, channels):
    smtp, telegram = channels
    settings = alert_settings(smtp, telegram)
    for _ in range(2):
        sweep(store, villages, settings, simulator, {villages[0].kode_desa: "500"})
    report = dispatch.check(store, settings, send=False)
    assert not report.opened.empty
    assert wa.states_frame(store).empty and wa.sends_frame(store).empty
    assert smtp.messages == [] and telegram.calls == []


def test_the_bot_token_never_reaches_the_send_log(store, villages, simulator, channels):
    smtp, telegram = channels
    settings = alert_settings(smtp, telegram, telegram_api_url=f"http://127.0.0.1:{free_port()}")
    for _ in range(2):
        sweep(store, villages, settings, simulator, {villages[0].kode_desa: "500"})
    dispatch.check(store, settings)
    sends = wa.sends_frame(store)
    tg = sends[sends["channel"] == "telegram"]
    assert len(tg) == 1 and not tg.iloc[0]["ok"]
    assert "ConnectionError" in tg.iloc[0]["error"] and TOKEN not in tg.iloc[0]["error"]


# -- settings ------------------------------------------------------------------------------------
def test_recipient_settings_are_parsed_and_checked():
    s = load_settings(env={
        "DASBOR_ALERT_EMAIL_KECAMATAN": "17.03.06=a@x.id, b@y.id:en; 17.03.07=c@z.id",
        "DASBOR_ALERT_TELEGRAM_ADMINS": "-1001234,@dasbor_kab",
    })  # fmt: skip
    found = {(r.channel, r.address, r.lang, r.kode_kecamatan) for r in from_settings(s)}
    assert found == {
        ("email", "a@x.id", "id", "17.03.06"),
        ("email", "b@y.id", "en", "17.03.06"),
        ("email", "c@z.id", "id", "17.03.07"),
        ("telegram", "-1001234", "id", None),
        ("telegram", "@dasbor_kab", "id", None),
    }
    with pytest.raises(SettingsError, match="alert_email_kecamatan.*not '<kode kecamatan>"):
        from_settings(replace(s, alert_email_kecamatan="Kerkap=a@x.id"))
    with pytest.raises(SettingsError, match="'a-x.id' is not an e-mail address"):
        from_settings(replace(s, alert_email_admins="a-x.id"))
    with pytest.raises(SettingsError, match="smtp_tls"):
        load_settings(env={"DASBOR_SMTP_TLS": "yes"})


# -- Pemantauan ----------------------------------------------------------------------------------
def test_pemantauan_shows_open_alerts_and_sends(store, villages, simulator, channels, monkeypatch):
    import dashboard.pages
    from dashboard import alerts_panel
    from dashboard.app import create_app
    from tests.auth_support import sign_in
    from tests.test_dashboard_callbacks import DashClient, find

    monkeypatch.setattr(dashboard.pages, "PAGE_MODULES", ("dashboard.pages.pemantauan",))
    smtp, telegram = channels
    settings = alert_settings(smtp, telegram)
    failing = villages[0]
    telegram.fail_chats.add(CHAT)
    for _ in range(2):
        sweep(store, villages, settings, simulator, {failing.kode_desa: "500"})
    dispatch.check(store, settings)

    client = DashClient(create_app(store, settings))
    # the page as a browser loads it: the section with both grids, the open one's rows
    tree = client.page("/pemantauan", f"?wilayah={KERKAP}")
    grid = find(tree, alerts_panel.ID_GRID_OPEN)
    (row,) = grid["props"]["rowData"]  # the village's name links to its profile
    assert row["nama_desa"] == f"[{failing.nama_desa}](/desa/{failing.kode_desa})"
    assert find(tree, alerts_panel.ID_GRID_SENT) is not None
    out = client.call(
        f"{alerts_panel.ID_BODY}.children",
        {"pmt-kecamatan.value": KERKAP, "pmt-desa.value": None},
    )[alerts_panel.ID_BODY]["children"]
    blob = json.dumps(out, ensure_ascii=False)
    assert "Peringatan terbuka: 1" in blob and "Gagal berturut-turut" in blob
    assert failing.nama_desa in blob
    assert "Pengiriman terakhir: 3 (gagal 1)" in blob
    assert OPERATOR not in blob and "o•••@kerkap.desa.id" in blob  # the page is public
    assert "HTTP 502" not in blob  # send errors are details, as raw errors are (issue 10)
    other = client.call(
        f"{alerts_panel.ID_BODY}.children",
        {"pmt-kecamatan.value": villages[-1].kode_kecamatan, "pmt-desa.value": None},
    )[alerts_panel.ID_BODY]["children"]
    assert "Tidak ada peringatan terbuka" in json.dumps(other, ensure_ascii=False)

    # the grids' API twins: machine values, the same rows, details hidden from the public
    api = "/api/v1/halaman/pemantauan"
    opened = client.http.get(f"{api}/peringatan", query_string={"wilayah": KERKAP}).get_json()
    assert [r["key"] for r in opened["rows"]] == [f"gagal_beruntun:{failing.kode_desa}"]
    assert opened["rows"][0]["rule"] == "gagal_beruntun"
    sent = client.http.get(f"{api}/kiriman", query_string={"wilayah": KERKAP}).get_json()
    assert sorted(r["status"] for r in sent["rows"]) == ["failed", "ok", "ok"]
    assert all(r["error"] is None for r in sent["rows"])
    assert {r["recipient"] for r in sent["rows"]} == {
        "o•••@kerkap.desa.id",
        "a•••@bengkulu-utara.go.id",
        "•••",
    }
    csv = client.http.get(f"{api}/kiriman.csv", query_string={"wilayah": KERKAP})
    assert csv.get_data(as_text=True).splitlines()[0] == ",".join(sent["columns"])

    # the operator of Kerkap, signed in, sees whole recipients and why a send failed
    sign_in(client.http, store, "budi", "operator", KERKAP)
    sent = client.http.get(f"{api}/kiriman", query_string={"wilayah": KERKAP}).get_json()
    # the admins' own addresses stay an admin's to see
    assert {r["recipient"] for r in sent["rows"]} == {OPERATOR, "a•••@bengkulu-utara.go.id", CHAT}
    assert [r["error"] for r in sent["rows"] if r["status"] == "failed"][0].startswith("Telegram")
    mine = json.dumps(client.call(
        f"{alerts_panel.ID_BODY}.children",
        {"pmt-kecamatan.value": KERKAP, "pmt-desa.value": None},
    )[alerts_panel.ID_BODY]["children"], ensure_ascii=False)  # fmt: skip
    assert OPERATOR in mine and "HTTP 502" in mine


def test_users_with_their_own_addresses_are_told(store, villages, simulator, channels, tmp_path):
    """Issue 10's accounts carry an optional e-mail / Telegram chat id, set by `dasbor alerts
    contact`: the operator hears of their kecamatan, the admin of all, nobody twice."""
    from click.testing import CliRunner

    from dashboard.cli import main
    from warehouse.accounts import create_user

    smtp, telegram = channels
    settings = alert_settings(smtp, telegram, alert_email_kecamatan="", alert_telegram_kecamatan="")
    create_user(store, "budi", "kata-sandi-panjang-1", "operator", KERKAP)
    create_user(store, "sari", "kata-sandi-panjang-2", "operator", villages[-1].kode_kecamatan)
    create_user(store, "adm", "kata-sandi-panjang-3", "admin")
    env = {"DASBOR_DATABASE_URL": store.engine.url.render_as_string(hide_password=False)}
    runner = CliRunner()
    # the CLI opens its own engine, which knows nothing of a test's PostgreSQL schema
    cli = store.engine.dialect.name == "sqlite"
    contacts = [
        ("budi", "budi@kerkap.desa.id", None, None),
        ("sari", None, "222", None),
        ("adm", ADMIN, None, "en"),
    ]
    for user, email, chat, lang in contacts:
        if cli:
            args = [user]
            for option, value in (("--email", email), ("--telegram", chat), ("--lang", lang)):
                args += [option, value] if value else []
            done = runner.invoke(main, ["alerts", "contact", *args], env=env)
            assert done.exit_code == 0, done.output
        else:
            assert wa.set_user_contact(store, user, email=email, telegram=chat, language=lang)
    if cli:
        bad = runner.invoke(main, ["alerts", "contact", "budi", "--email", "budi"], env=env)
        assert bad.exit_code != 0 and "is not an e-mail address" in bad.output
    for _ in range(2):
        sweep(store, villages, settings, simulator, {villages[0].kode_desa: "500"})
    dispatch.check(store, settings)
    (mail,) = smtp.to("budi@kerkap.desa.id")
    assert villages[0].nama_desa in mail.get_body(("plain",)).get_content()
    assert telegram.to("222") == []  # another kecamatan's operator
    (admin,) = smtp.to(ADMIN)  # in the settings too (alert_email_admins): told once
    assert "New alerts" in admin.get_body(("plain",)).get_content()
    if cli:
        listed = runner.invoke(main, ["alerts", "list"], env=env)
        assert f"gagal_beruntun:{villages[0].kode_desa}" in listed.output


def test_the_scheduler_sends_the_digest_on_its_cron(sqlite_store, villages, channels):
    from apscheduler.schedulers.background import BackgroundScheduler

    from collectors.scheduler import build_scheduler

    smtp, telegram = channels
    settings = alert_settings(smtp, telegram)
    jobs = AlertJobs(sqlite_store, settings)
    scheduler = build_scheduler(
        sqlite_store, villages, settings, scheduler_cls=BackgroundScheduler,
        extra_jobs=jobs.extra_jobs(),
    )  # fmt: skip
    job = scheduler.get_job("alert-digest")
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("mon", "7", "0")
    assert str(job.trigger.timezone) == "Asia/Jakarta"
    job.func()  # what the cron fires: every recipient gets this week's digest once
    assert len(smtp.messages) == 2 and len(telegram.calls) == 1
    quiet = AlertJobs(sqlite_store, replace(settings, alert_digest=""))
    assert quiet.extra_jobs() == []
    with pytest.raises(SettingsError, match="alert_telegram_admins"):
        AlertJobs(sqlite_store, replace(settings, alert_telegram_admins="not-a-chat"))
