"""The Unggah Data page: uploads go through import_file and the report is shown; and, in
headless Chromium, the language switch in the navbar."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook

from config.registry import load_registry
from config.settings import Settings
from dashboard.app import create_app
from dashboard.pages import unggah as ung
from dashboard.shell_ids import ID_BAHASA
from tests.auth_support import sign_in
from tests.browser_support import (
    assert_no_console_errors,
    click,
    requires_chromium,
    serve_app,
    wait_for,
)
from tests.test_dashboard_callbacks import DashClient, find, texts
from warehouse.store import Warehouse

TALANG_JAMBU, PURWODADI = "17.03.06.2001", "17.03.06.2002"
GOOD = f"desa_id,jumlah_aki,jumlah_akb\n{TALANG_JAMBU},1,3\n{PURWODADI},0,2\n"
BAD = f"desa_id,jumlah_aki,jumlah_akb\n{TALANG_JAMBU},x,3\n99.99.99.9999,0,-2\n"


def as_upload(text: str | bytes, mime: str = "text/csv") -> str:
    """What dcc.Upload puts in `contents`."""
    data = text.encode() if isinstance(text, str) else text
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


@pytest.fixture
def upload_store(tmp_path) -> Iterator[Warehouse]:
    """An empty warehouse of our own (uploads write to it)."""
    store = Warehouse(f"sqlite:///{tmp_path / 'unggah.db'}")
    store.upgrade()
    store.sync_regions(load_registry(Settings().villages))
    yield store
    store.engine.dispose()


@pytest.fixture
def client(upload_store) -> DashClient:
    client = DashClient(create_app(upload_store, Settings(tahun=2026)))
    sign_in(client.http, upload_store)  # uploading needs an account (issue 10)
    return client


def submit(client: DashClient, contents: str | None, filename: str, **fields) -> object:
    state = {
        f"{ung.ID_UPLOAD}.contents": contents,
        f"{ung.ID_UPLOAD}.filename": filename,
        f"{ung.ID_DATASET}.value": fields.get("dataset", "aki-akb"),
        f"{ung.ID_TAHUN}.value": fields.get("tahun", 2026),
        f"{ung.ID_BULAN}.value": fields.get("bulan", 11),
        f"{ung.ID_SEMESTER}.value": fields.get("semester", 1),
        f"{ung.ID_PENYAKIT}.value": fields.get("penyakit", ""),
        f"{ung.ID_WILAYAH}.value": fields.get("wilayah"),
    }
    out = client.call(f"{ung.ID_HASIL}.children", {f"{ung.ID_KIRIM}.n_clicks": 1}, state)
    return out[ung.ID_HASIL]["children"]


def test_page_renders_with_the_importable_datasets(client):
    page = client.page("/unggah")
    dropdown = find(page, ung.ID_DATASET)
    names = [o["value"] for o in dropdown["props"]["options"]]
    assert names == [d.name for d in ung.IMPORTABLE] and "identitas" not in names
    assert "Unggah Data" in texts(page)
    # the first, apbdes, is OpenDK's monthly file for one village chosen on the page
    assert find(page, ung.ID_DATASET)["props"]["value"] == "apbdes"
    assert find(page, ung.ID_BULAN_BOX)["props"]["style"] == {}
    assert find(page, ung.ID_WILAYAH_BOX)["props"]["style"] == {}
    assert find(page, ung.ID_SEMESTER_BOX)["props"]["style"] == ung.HIDDEN
    assert find(page, ung.ID_PENYAKIT_BOX)["props"]["style"] == ung.HIDDEN


def test_fields_follow_the_dataset(client):
    def styles(name: str) -> tuple:
        out = client.call(f"{ung.ID_BULAN_BOX}.style", {f"{ung.ID_DATASET}.value": name})
        return tuple(out[box]["style"] for box in ung_boxes())

    def ung_boxes() -> tuple[str, ...]:
        return (ung.ID_BULAN_BOX, ung.ID_SEMESTER_BOX, ung.ID_PENYAKIT_BOX)

    assert styles("tingkat-pendidikan") == (ung.HIDDEN, {}, ung.HIDDEN)
    assert styles("epidemi-penyakit") == ({}, ung.HIDDEN, {})
    assert styles("apbdes") == ({}, ung.HIDDEN, ung.HIDDEN)  # OpenDK's APBDes is monthly


def test_good_csv_is_loaded(client, upload_store):
    shown = texts(submit(client, as_upload(GOOD), "aki.csv"))
    assert "Data dimuat." in shown
    assert "2 desa, 4 nilai dimuat" in shown
    frame = upload_store.measurements_frame(["aki-akb"])
    got = {(r.kode_wilayah, r.periode, r.ukuran): r.nilai for r in frame.itertuples(index=False)}
    assert got == {
        (TALANG_JAMBU, "202611", "jumlah_aki"): 1,
        (TALANG_JAMBU, "202611", "jumlah_akb"): 3,
        (PURWODADI, "202611", "jumlah_aki"): 0,
        (PURWODADI, "202611", "jumlah_akb"): 2,
    }
    run = upload_store.latest_run_id()
    assert run is not None


def test_bad_file_loads_nothing_and_lists_each_error(client, upload_store):
    result = submit(client, as_upload(BAD), "aki.csv")
    shown = texts(result)
    assert "Berkas ditolak" in shown
    table = find(result, ung.ID_GALAT)
    body = table["props"]["children"][1]["props"]["children"]
    lines = [[texts(cell) for cell in row["props"]["children"]] for row in body]
    assert len(lines) == 3, lines
    assert lines[0][:2] == ["2", "jumlah_aki"] and "'x' bukan angka" in lines[0][2]
    assert ["3", "desa_id"] == lines[1][:2] and "99.99.99.9999" in lines[1][2]
    assert lines[2][:2] == ["3", "jumlah_akb"] and "negatif" in lines[2][2]
    assert upload_store.measurements_frame(["aki-akb"]).empty
    for village in load_registry(Settings().villages):  # tokens never reach the page
        if village.token_spec:
            assert village.token_spec not in shown


def test_errors_in_english(client):
    client.http.get("/bahasa/en?next=/unggah")
    shown = texts(submit(client, as_upload(BAD), "aki.csv"))
    assert "File rejected" in shown and "is not a number" in shown


def test_missing_file_period_and_xlsx_mislabelled(client, upload_store):
    assert "Pilih berkas dulu." in texts(submit(client, None, ""))
    shown = texts(submit(client, as_upload(GOOD), "aki.csv", dataset="tingkat-pendidikan"))
    assert "Berkas ditolak" in shown  # wrong columns for the dataset
    shown = texts(submit(client, as_upload(b"not a zip"), "aki.xlsx"))
    assert "XLSX" in shown
    assert upload_store.measurements_frame().empty


def test_template_download_has_the_headers(client):
    out = client.call(
        f"{ung.ID_TEMPLAT_DOWNLOAD}.data",
        {f"{ung.ID_TEMPLAT}.n_clicks": 1},
        {f"{ung.ID_DATASET}.value": "epidemi-penyakit"},
    )
    data = out[ung.ID_TEMPLAT_DOWNLOAD]["data"]
    # OpenDK's own template: its file name, sheet and header row (the disease is chosen)
    assert data["filename"] == "Format_Upload_Epidemi_Penyakit.xlsx"
    sheet = load_workbook(io.BytesIO(base64.b64decode(data["content"]))).active
    assert sheet.title == "EPIDEMI PENYAKIT"
    assert [c.value for c in sheet[1]] == ["desa_id", "jumlah_penderita"]


def test_a_template_without_desa_id_imports_for_the_village_chosen(client, upload_store):
    """OpenDK's tingkat pendidikan template has no desa_id: the page's choice names it; the
    choice lists the registry's villages, and without one the file is refused saying so."""

    def region_choice(dataset: str) -> dict:
        return client.call(f"{ung.ID_WILAYAH_BOX}.style", {f"{ung.ID_DATASET}.value": dataset})

    chosen = region_choice("tingkat-pendidikan")
    assert chosen[ung.ID_WILAYAH_BOX]["style"] == {}
    options = [o["value"] for o in chosen[ung.ID_WILAYAH]["options"]]
    assert TALANG_JAMBU in options and len(options) == 220
    assert region_choice("aki-akb")[ung.ID_WILAYAH_BOX]["style"] == ung.HIDDEN
    kec = [o["value"] for o in region_choice("anggaran-kecamatan")[ung.ID_WILAYAH]["options"]]
    assert "17.03.06" in kec and all(len(k) == 8 for k in kec)

    header = "tidak_tamat_sekolah,tamat_sd_sederajat,tamat_smp_sederajat,tamat_sma_sederajat,"
    text = header + "tamat_diploma_sederajat\n12,30,21,19,4\n"
    refused = texts(submit(client, as_upload(text), "tp.csv", dataset="tingkat-pendidikan"))
    assert "pilih desa saat impor" in refused
    shown = texts(submit(client, as_upload(text), "tp.csv", dataset="tingkat-pendidikan",
                         wilayah=TALANG_JAMBU))  # fmt: skip
    assert "Data dimuat." in shown
    frame = upload_store.measurements_frame(["tingkat-pendidikan"])
    assert set(frame["kode_wilayah"]) == {TALANG_JAMBU} and set(frame["periode"]) == {"2026S1"}
    assert dict(zip(frame["ukuran"], frame["nilai"], strict=True))["tamat_sd"] == 30


# -- headless browser: the language switch (tests/conftest.py, tests/browser_support.py) ---
@pytest.fixture
def live(upload_store) -> Iterator[str]:
    with serve_app(create_app(upload_store, Settings()), name="dasbor-unggah") as url:
        yield url


def navbar_text(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, ".app-navbar").text


@pytest.mark.browser
@requires_chromium
def test_switch_to_english_in_the_browser(live, browser):
    from selenium.webdriver.common.by import By

    browser.get(live + "/unggah")
    wait_for(browser, lambda d: "Unggah Data" in navbar_text(d), "Indonesian navbar")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "id"
    # the link carries the view shown, so the switch comes back to it
    link = wait_for(
        browser,
        lambda d: (
            (el := d.find_element(By.ID, f"{ID_BAHASA}-en"))
            and "next=%2Funggah" in (el.get_attribute("href") or "")
            and el
        ),
        "EN link pointing back here",
    )
    click(browser, link)
    wait_for(browser, lambda d: "Upload Data" in navbar_text(d), "English navbar")
    assert browser.current_url.rstrip("/").endswith("/unggah")
    assert "Ringkasan" not in navbar_text(browser)
    wait_for(browser, lambda d: d.title == "Upload Data · Kecamatan Dashboard", "English title")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"

    browser.refresh()  # the cookie keeps it
    wait_for(browser, lambda d: "Upload Data" in navbar_text(d), "English after reload")
    assert "Overview" in navbar_text(browser)
    # the public sees the form without its upload (issue 10): the hidden button's words
    assert "Load data" in browser.find_element(By.ID, ung.ID_KIRIM).get_attribute("textContent")
    assert "sign in first" in browser.find_element(By.ID, "ung-akun").text
    assert_no_console_errors(browser)


def test_the_result_lists_the_values_the_file_replaced(client, upload_store):
    """An import's changes are listed with the import (issue 8), not as a collection's."""
    first = submit(client, as_upload(GOOD), "aki.csv")
    none = find(first, ung.ID_PERUBAHAN)["props"]["children"]
    assert none == "Tidak ada nilai lama yang diganti atau dihapus."
    corrected = GOOD.replace(f"{PURWODADI},0,2", f"{PURWODADI},1,2")
    result = submit(client, as_upload(corrected), "aki-2.csv")
    changes = find(result, ung.ID_PERUBAHAN)
    shown = texts(changes)
    assert "Nilai yang diganti atau dihapus oleh unggahan ini: 1." in shown
    body = changes["props"]["children"][1]["props"]["children"][1]["props"]["children"]
    cells = [texts(cell["props"]["children"]) for cell in body[0]["props"]["children"]]
    assert cells == [f"Tebat Pacur ({PURWODADI})", "202611", "", "jumlah_aki", "0", "1"]
    # the villages' collection status is not the import's to write
    assert upload_store.dataset_status_frame().empty
