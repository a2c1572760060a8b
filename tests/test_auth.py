"""Accounts, roles and scope (issue 10), through HTTP as a browser or an attacker would: the
Flask test client of the real app, on SQLite and PostgreSQL where the warehouse is involved.

Anonymous uploads and collect-now requests are refused, also when posted straight to
/_dash-update-component, and nothing is written; an operator of one kecamatan is refused for
another's villages; CSRF without a token is refused; sign-in and collect-now are rate limited;
an idle session ends; no password or hash shows in a log, a page or an export; every action is
in the audit.
"""

from __future__ import annotations

import base64
import logging

import pytest
from click.testing import CliRunner

import dashboard.auth as auth
from config.settings import Settings, SettingsError, load_settings
from dashboard.app import create_app
from dashboard.cli import main
from dashboard.cli_users import ensure_demo_accounts
from dashboard.pages import pemantauan as pmt
from dashboard.pages import unggah as ung
from tests.auth_support import PASSWORD, form_token, sign_in
from tests.test_dashboard_callbacks import DashClient, find, texts
from warehouse.accounts import (
    Actor,
    NotPermitted,
    audit_frame,
    authenticate,
    check_scope,
    create_user,
    set_active,
)
from warehouse.store import Warehouse

KERKAP = "17.03.06"
TALANG_JAMBU, PURWODADI = "17.03.06.2001", "17.03.06.2002"  # Kerkap
MEOK = "17.03.01.2002"  # Enggano
ENGGANO = "17.03.01"
GOOD = f"desa_id,jumlah_aki,jumlah_akb\n{TALANG_JAMBU},1,3\n{PURWODADI},0,2\n"
MIXED = f"desa_id,jumlah_aki,jumlah_akb\n{TALANG_JAMBU},1,3\n{MEOK},0,2\n"


@pytest.fixture
def regions(store, default_villages):
    store.sync_regions(default_villages)
    return store


def app_client(store, **settings) -> DashClient:
    return DashClient(create_app(store, Settings(tahun=2026, **settings)))


def _body(client: DashClient, first_output: str, inputs: dict, state: dict) -> dict:
    """The JSON Dash's renderer posts for one callback (as tests.test_dashboard_callbacks)."""
    dep = client.dependency(first_output)

    def items(specs, values):
        return [
            {
                "id": s["id"],
                "property": s["property"],
                "value": values.get(f"{s['id']}.{s['property']}"),  # unnamed: empty
            }
            for s in specs
        ]

    outputs = []
    for part in dep["output"].strip(".").split("..."):
        ident, prop = part.rsplit(".", 1)
        outputs.append({"id": ident, "property": prop.split("@")[0]})
    return {
        "output": dep["output"],
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": items(dep["inputs"], inputs),
        "state": items(dep["state"], state),
        "changedPropIds": [next(iter(inputs))],
    }


def post_upload(client: DashClient, text: str, filename: str = "aki.csv"):
    data = base64.b64encode(text.encode()).decode()
    state = {
        f"{ung.ID_UPLOAD}.contents": f"data:text/csv;base64,{data}",
        f"{ung.ID_UPLOAD}.filename": filename,
        f"{ung.ID_DATASET}.value": "aki-akb",
        f"{ung.ID_TAHUN}.value": 2026,
        f"{ung.ID_BULAN}.value": 11,
        f"{ung.ID_SEMESTER}.value": 1,
        f"{ung.ID_PENYAKIT}.value": "",
    }
    body = _body(client, f"{ung.ID_HASIL}.children", {f"{ung.ID_KIRIM}.n_clicks": 1}, state)
    return client.http.post("/_dash-update-component", json=body)


def post_collect(client: DashClient, button: str, kecamatan: str | None, desa: str | None):
    buttons = (pmt.ID_KUMPULKAN, pmt.ID_KUMPULKAN_KECAMATAN, pmt.ID_KUMPULKAN_SEMUA)
    inputs = {f"{button}.n_clicks": 1, **{f"{b}.n_clicks": None for b in buttons if b != button}}
    state = {
        f"{pmt.ID_KECAMATAN}.value": kecamatan,
        f"{pmt.ID_DESA}.value": desa,
        f"{pmt.ID_PERMINTAAN}.data": [],
    }
    body = _body(client, f"{pmt.ID_PERMINTAAN}.data", inputs, state)
    return client.http.post("/_dash-update-component", json=body)


def shown(response) -> str:
    return texts(response.get_json()["response"])


def audit(store, action: str | None = None):
    return audit_frame(store, action=action)


# -- the public may read, never write ----------------------------------------------------------
def test_anonymous_upload_posted_straight_to_dash_is_refused_and_writes_nothing(regions):
    client = app_client(regions)
    response = post_upload(client, GOOD)
    assert response.status_code == 403
    assert regions.measurements_frame(["aki-akb"]).empty and regions.runs_frame().empty
    # the import itself refuses an anonymous caller too, before reading the file
    from collectors.spreadsheet import import_file
    from config.registry import load_registry

    report = import_file(regions, "aki-akb", GOOD.encode(), "aki.csv", tahun=2026, bulan=11,
                         villages=load_registry(Settings().villages), actor=None)  # fmt: skip
    assert not report.ok and "masuk dulu" in report.errors[0].message
    assert regions.measurements_frame(["aki-akb"]).empty and regions.runs_frame().empty
    assert list(audit(regions, "unggah")["outcome"]) == ["refused"]


def test_anonymous_collect_now_posted_straight_to_dash_is_refused_and_writes_nothing(regions):
    client = app_client(regions)
    for button, kec, desa in (
        (pmt.ID_KUMPULKAN, ENGGANO, MEOK),
        (pmt.ID_KUMPULKAN_SEMUA, None, None),
    ):
        assert post_collect(client, button, kec, desa).status_code == 403
    assert regions.requests_frame().empty
    from collectors.collect_now import ask_collect

    with pytest.raises(NotPermitted):
        ask_collect(regions, MEOK, villages=[MEOK], actor=None)
    assert regions.requests_frame().empty


def test_read_only_callbacks_and_pages_work_without_signing_in(regions):
    client = app_client(regions)
    page = client.page("/pemantauan")
    panel = find(page, pmt.ID_KUMPULKAN)
    assert panel is not None  # the ids stay, so the page's callbacks stay valid …
    # … but the panel is hidden from the public, and Unggah offers no upload
    assert "Masuk dulu" in texts(client.page("/unggah")) or "masuk dulu" in texts(
        client.page("/unggah")
    )
    out = client.call(
        f"{pmt.ID_KUMPULKAN}.disabled",
        {f"{pmt.ID_KECAMATAN}.value": ENGGANO, f"{pmt.ID_DESA}.value": MEOK},  # fmt: skip
    )
    assert pmt.ID_KUMPULKAN in out
    assert client.http.get("/api/v1/desa").status_code == 200
    assert "_csrf_token" not in {c.key for c in client.http._cookies.values()}


# -- scope -------------------------------------------------------------------------------------
def test_operator_upload_outside_its_kecamatan_is_refused_whole_naming_the_villages(regions):
    client = app_client(regions)
    sign_in(client.http, regions, "kerkap", "operator", KERKAP)
    response = post_upload(client, MIXED, "campur.csv")
    assert response.status_code == 200
    text = shown(response)
    assert "ditolak seluruhnya" in text and MEOK in text and "Meok" in text
    assert TALANG_JAMBU not in text.split("di luar")[-1]  # only the outside villages named
    assert regions.measurements_frame(["aki-akb"]).empty and regions.runs_frame().empty
    row = audit(regions, "unggah").iloc[0]
    assert (row["actor"], row["outcome"], row["target"]) == ("user:kerkap", "refused", "campur.csv")
    assert MEOK in row["detail"]


def test_operator_upload_of_its_own_kecamatan_lands_and_its_values_name_the_uploader(regions):
    client = app_client(regions)
    sign_in(client.http, regions, "kerkap", "operator", KERKAP)
    response = post_upload(client, GOOD)
    assert "Data dimuat." in shown(response)
    values = regions.measurements_frame(["aki-akb"])
    assert len(values) == 4
    runs = regions.runs_frame().set_index("id")
    # each value the file changed links to who uploaded it through its run
    assert set(runs.loc[values["updated_run_id"].astype(int), "actor"]) == {"user:kerkap"}
    row = audit(regions, "unggah").iloc[0]
    assert (row["actor"], row["outcome"], row["ip"]) == ("user:kerkap", "ok", "127.0.0.1")
    assert int(row["run_id"]) == int(values["updated_run_id"].iloc[0])


def test_operator_collect_now_only_for_its_own_kecamatan(regions):
    client = app_client(regions)
    sign_in(client.http, regions, "kerkap", "operator", KERKAP)
    refused = post_collect(client, pmt.ID_KUMPULKAN, ENGGANO, MEOK)
    assert refused.status_code == 200 and "Ditolak" in shown(refused)
    everything = post_collect(client, pmt.ID_KUMPULKAN_SEMUA, None, None)
    assert "Ditolak" in shown(everything)
    assert regions.requests_frame().empty
    asked = post_collect(client, pmt.ID_KUMPULKAN_KECAMATAN, KERKAP, TALANG_JAMBU)
    assert asked.status_code == 200
    frame = regions.requests_frame()
    assert list(zip(frame["kode_desa"], frame["requested_by"], strict=True)) == [
        (KERKAP, "user:kerkap")
    ]
    outcomes = audit(regions, "kumpulkan")
    assert list(outcomes["outcome"]) == ["ok", "refused", "refused"]
    # the operator's own buttons: the other kecamatan's and "all villages" disabled
    where = {f"{pmt.ID_KECAMATAN}.value": ENGGANO, f"{pmt.ID_DESA}.value": MEOK}
    state = client.call(f"{pmt.ID_KUMPULKAN}.disabled", where)
    assert state[pmt.ID_KUMPULKAN]["disabled"] is True
    assert state[pmt.ID_KUMPULKAN_SEMUA]["disabled"] is True


def test_check_scope_rules():
    operator = Actor("user:k", "operator", KERKAP)
    check_scope(operator, [TALANG_JAMBU, KERKAP])
    for codes in ([MEOK], [None], ["17.03.061.2001"]):  # another kecamatan, all, a look-alike
        with pytest.raises(NotPermitted):
            check_scope(operator, codes)
    check_scope(Actor("user:a", "admin"), [MEOK, None])
    with pytest.raises(NotPermitted):
        check_scope(None, [MEOK])


# -- CSRF --------------------------------------------------------------------------------------
def test_writing_callbacks_without_the_csrf_token_are_refused(regions):
    client = app_client(regions)
    sign_in(client.http, regions)
    del client.http.environ_base["HTTP_X_CSRFTOKEN"]
    assert post_upload(client, GOOD).status_code == 403
    assert post_collect(client, pmt.ID_KUMPULKAN_SEMUA, None, None).status_code == 403
    client.http.environ_base["HTTP_X_CSRFTOKEN"] = "forged"
    assert post_upload(client, GOOD).status_code == 403
    assert regions.runs_frame().empty and regions.requests_frame().empty


def test_sign_in_and_sign_out_need_the_form_token(regions):
    create_user(regions, "admin", PASSWORD, "admin")
    client = app_client(regions)
    no_token = client.http.post("/masuk", data={"username": "admin", "password": PASSWORD})
    assert no_token.status_code == 400
    assert client.http.get("/api/v1/audit").status_code == 401  # not signed in
    sign_in(client.http, regions)
    assert client.http.post("/keluar", data={}).status_code == 400
    assert client.http.get("/api/v1/audit").status_code == 200  # still signed in
    # the navbar's sign-out form carries the session's token
    corner = find(client.http.get("/_dash-layout").get_json(), "app-akun")
    token = next(
        c["props"]["value"]
        for c in corner["props"]["children"][1]["props"]["children"]
        if c["props"].get("name") == "csrf_token"
    )
    assert client.http.post("/keluar", data={"csrf_token": token}).status_code == 303
    assert client.http.get("/api/v1/audit").status_code == 401
    assert list(audit(regions)["action"])[:2] == ["keluar", "masuk"]


# -- rate limits -------------------------------------------------------------------------------
def test_sign_in_is_rate_limited_and_each_attempt_audited(regions):
    create_user(regions, "admin", PASSWORD, "admin")
    client = app_client(regions, signin_rate_limit="3 per minute")
    token = form_token(client.http)
    codes = [
        client.http.post(
            "/masuk", data={"username": "admin", "password": f"salah-{i}", "csrf_token": token}
        ).status_code
        for i in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    # the right password does not get past the limit either
    right = client.http.post(
        "/masuk", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    assert right.status_code == 429 and "Terlalu banyak" in right.get_data(as_text=True)
    outcomes = list(audit(regions, "masuk")["outcome"])
    assert outcomes == ["refused", "refused", "failed", "failed", "failed"]


def test_collect_now_is_rate_limited_per_user(regions):
    client = app_client(regions, collect_rate_limit="2 per minute")
    sign_in(client.http, regions)
    codes = [post_collect(client, pmt.ID_KUMPULKAN, ENGGANO, MEOK).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert len(regions.requests_frame()) == 1  # the second merged into the first


# -- sessions ----------------------------------------------------------------------------------
def test_session_ends_after_the_idle_timeout(regions, monkeypatch):
    client = app_client(regions, session_idle=120)
    sign_in(client.http, regions)
    assert client.http.get("/api/v1/audit").status_code == 200
    start = auth.time.time()
    monkeypatch.setattr(auth.time, "time", lambda: start + 100)
    assert client.http.get("/api/v1/audit").status_code == 200  # active: the clock restarts
    monkeypatch.setattr(auth.time, "time", lambda: start + 200)
    assert client.http.get("/api/v1/audit").status_code == 200  # 100 s after the last request
    monkeypatch.setattr(auth.time, "time", lambda: start + 400)
    assert client.http.get("/api/v1/audit").status_code == 401  # 200 s idle: signed out
    assert post_collect(client, pmt.ID_KUMPULKAN_SEMUA, None, None).status_code == 403


def test_a_disabled_user_is_signed_out_at_the_next_request(regions):
    client = app_client(regions)
    sign_in(client.http, regions)
    set_active(regions, "admin", False)
    assert client.http.get("/api/v1/audit").status_code == 401
    assert authenticate(regions, "admin", PASSWORD) is None


def test_session_cookie_flags(regions):
    create_user(regions, "admin", PASSWORD, "admin")
    for https, secure in ((0, False), (1, True)):
        client = app_client(regions, https=https)
        token = form_token(client.http)
        response = client.http.post(
            "/masuk", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
        )
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if "dasbor_sesi=" in c)
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


def test_production_mode_needs_a_secret_key():
    with pytest.raises(SettingsError, match="DASBOR_SECRET_KEY"):
        auth.require_secret(Settings())
    auth.require_secret(Settings(mode="demo"))
    auth.require_secret(Settings(secret_key="x" * 32))
    with pytest.raises(SettingsError, match="mode"):
        load_settings(env={"DASBOR_MODE": "testing"})
    with pytest.raises(SettingsError, match="DASBOR_SECRET_KEY"):
        from dashboard.app import run_server

        run_server(None, Settings(), "127.0.0.1", 0)  # refuses before it serves


def test_sign_in_only_mode(regions):
    client = DashClient.__new__(DashClient)  # the shell itself needs a sign-in now
    client.app = create_app(regions, Settings(sign_in_required=1))
    client.http = client.app.server.test_client()
    first = client.http.get("/pemantauan?wilayah=17.03.01")
    assert first.status_code == 303
    assert first.headers["Location"].startswith("/masuk?next=%2Fpemantauan%3Fwilayah%3D17.03.01")
    assert client.http.get("/api/v1/desa").status_code == 401
    assert client.http.post("/_dash-update-component", json={}).status_code == 401
    assert client.http.get("/masuk").status_code == 200  # the way in stays open
    sign_in(client.http, regions)
    assert client.http.get("/pemantauan").status_code == 200
    assert client.http.get("/api/v1/desa").status_code == 200


# -- the audit ---------------------------------------------------------------------------------
def test_the_audit_is_for_admins_only_as_a_page_and_an_api(regions):
    client = app_client(regions)
    assert client.http.get("/api/v1/audit").status_code == 401
    assert "Audit" not in texts(client.http.get("/_dash-layout").get_json())
    operator = app_client(regions)
    sign_in(operator.http, regions, "kerkap", "operator", KERKAP)
    assert operator.http.get("/api/v1/audit.csv").status_code == 403
    assert find(operator.page("/audit"), "audit-tolak") is not None
    admin = app_client(regions)
    sign_in(admin.http, regions)
    post_collect(admin, pmt.ID_KUMPULKAN, ENGGANO, MEOK)
    body = admin.http.get("/api/v1/audit?aksi=masuk").get_json()
    assert {r["actor"] for r in body["rows"]} == {"user:kerkap", "user:admin"}
    csv = admin.http.get("/api/v1/audit.csv").get_data(as_text=True)
    assert csv.splitlines()[0] == "id,at,actor,action,outcome,target,ip,run_id,detail"
    assert "kumpulkan" in csv and "user:admin" in csv
    page = admin.page("/audit")
    assert find(page, "audit-tabel") is not None and "kumpulkan" in texts(page)
    assert "Audit" in texts(admin.http.get("/_dash-layout").get_json())  # in the admin's navbar
    assert admin.http.get("/api/v1/audit?batas=x").status_code == 400


def test_no_password_or_hash_in_any_log_page_or_export(regions, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    wrong = "tebakan-salah-XYZ123"
    client = app_client(regions)
    sign_in(client.http, regions)
    other = app_client(regions)
    token = form_token(other.http)
    other.http.post("/masuk", data={"username": "admin", "password": wrong, "csrf_token": token})
    post_upload(client, GOOD)
    seen = [
        client.http.get("/api/v1/audit").get_data(as_text=True),
        client.http.get("/api/v1/audit.csv").get_data(as_text=True),
        texts(client.page("/audit")),
        texts(client.http.get("/_dash-layout").get_json()),
        client.http.get("/masuk").get_data(as_text=True),
        caplog.text,
    ]
    for text in seen:
        assert PASSWORD not in text and wrong not in text and "$argon2" not in text


def test_cli_users_and_the_demo_accounts(tmp_path, monkeypatch):
    monkeypatch.setenv("DASBOR_VAR_DIR", str(tmp_path / "var"))
    runner = CliRunner()

    def run(*args, stdin=None):
        return runner.invoke(main, ["users", *args], input=stdin, catch_exceptions=False)

    added = run("add", "budi", "--role", "operator", "--kecamatan", "170306", "--password-stdin",
                stdin=PASSWORD + "\n")  # fmt: skip
    assert added.exit_code == 0 and "operator of kecamatan 17.03.06" in added.output
    assert run("add", "budi", "--role", "admin", "--password-stdin", stdin=PASSWORD).exit_code
    short = run("add", "ani", "--role", "admin", "--password-stdin", stdin="pendek\n")
    assert short.exit_code != 0 and "at least" in short.output
    prompted = run("add", "ani", "--role", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0, prompted.output
    listed = run("list").output
    assert "budi" in listed and "17.03.06" in listed and "$argon2" not in listed
    assert run("disable", "budi").exit_code == 0
    assert "disabled" in run("list").output
    new = "kata-sandi-baru-2027"
    assert run("set-password", "ani", "--password-stdin", stdin=new + "\n").exit_code == 0
    store = Warehouse(Settings(var_dir=str(tmp_path / "var")).resolved_database_url)
    assert authenticate(store, "ani", new) is not None
    assert authenticate(store, "budi", PASSWORD) is None  # disabled
    rows = audit_frame(store)
    assert set(rows["action"]) == {
        "pengguna.tambah", "pengguna.nonaktifkan", "pengguna.sandi"}  # fmt: skip
    assert all(a.startswith("cli:") for a in rows["actor"])
    for text in rows["detail"].dropna():
        assert PASSWORD not in text and new not in text
    printed: list[str] = []
    ensure_demo_accounts(store, printed.append)
    assert [line.split(" (")[0] for line in printed] == [
        "demo account admin",
        "demo account operator",
    ]
    password = printed[0].rsplit(": ", 1)[1]
    assert authenticate(store, "admin", password) is not None
    again: list[str] = []
    ensure_demo_accounts(store, again.append)
    assert len(again) == 1 and password not in again[0]  # printed once
