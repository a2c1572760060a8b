"""Issue 10: nothing the public sees names an internal host or port. Villages that refuse the
connection, answer 500 or time out are pulled by a real sweep; then every public answer that
reports their state (the API's monitoring and village tables as JSON and CSV, the Pemantauan
and village pages, the Ringkasan CSV) is read anonymously."""

from __future__ import annotations

import re
import socket
from dataclasses import replace

import pytest

from collectors.sweep import run_sweep
from config.settings import Settings
from dashboard.app import create_app
from tests.test_dashboard_callbacks import DashClient, texts

KERKAP = "17.03.06"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: connections are refused


@pytest.fixture
def failing(store, simulator, default_villages):
    villages = [v for v in default_villages if v.kode_kecamatan == KERKAP][:4]
    refused, broken, slow, fine = villages
    dead = _closed_port()
    pointed = [
        replace(refused, base_url=f"http://127.0.0.1:{dead}/{refused.kode_digits}"),
        replace(broken, base_url=f"{simulator.url}/{broken.kode_digits}"),
        replace(slow, base_url=f"{simulator.url}/{slow.kode_digits}"),
        replace(fine, base_url=f"{simulator.url}/{fine.kode_digits}"),
    ]
    simulator.set_fault(broken.kode_digits, "500")
    simulator.set_fault(slow.kode_digits, "timeout")
    try:
        settings = Settings(concurrency=4, connect_timeout=1, read_timeout=1, retries=0,
                            village_deadline=3, request_deadline=2, tahun=2026)  # fmt: skip
        summary = run_sweep(pointed, store, settings)
    finally:
        simulator.set_fault(broken.kode_digits, None)
        simulator.set_fault(slow.kode_digits, None)
    assert summary.count("failed") >= 3
    port = simulator.url.rsplit(":", 1)[1]
    # what must never show: the loopback address, either port, an urllib3 pool's repr
    leak = re.compile(rf"127\.0\.0\.1|localhost|:{port}\b|:{dead}\b|HTTPConnectionPool|host=")
    return store, [v.kode_desa for v in villages], leak


def test_public_answers_name_no_internal_host(failing):
    store, codes, leak = failing
    client = DashClient(create_app(store, Settings(mode="demo")))
    http = client.http
    paths = [
        "/api/v1/desa",
        "/api/v1/desa.csv",
        f"/api/v1/halaman/pemantauan/desa?wilayah={KERKAP}",
        f"/api/v1/halaman/pemantauan/desa.csv?wilayah={KERKAP}",
        f"/api/v1/halaman/pemantauan/kecamatan.csv?wilayah={KERKAP}",
        f"/api/v1/halaman/ringkasan/desa.csv?wilayah={KERKAP}",
    ]
    for kode in codes[:3]:
        paths += [
            f"/api/v1/halaman/desa/riwayat?wilayah={kode}",
            f"/api/v1/halaman/desa/riwayat.csv?wilayah={kode}",
            f"/api/v1/halaman/desa/kesegaran.csv?wilayah={kode}",
        ]
    seen_reason = False
    for path in paths:
        resp = http.get(path)
        assert resp.status_code == 200, (path, resp.status_code)
        text = resp.get_data(as_text=True)
        found = leak.search(text)
        assert not found, f"{path}: {text[max(0, found.start() - 120) : found.end() + 40]}"
        seen_reason |= "http.connection_refused" in text or "timeout" in text
    assert seen_reason  # the reason in words (codes) is still public
    for page in (f"/pemantauan?wilayah={KERKAP}", *(f"/desa/{k}" for k in codes[:3])):
        shown = texts(
            client.page(page.split("?")[0], "?" + page.split("?")[1] if "?" in page else "")
        )
        found = leak.search(shown)
        assert not found, f"{page}: {shown[max(0, found.start() - 120) : found.end() + 40]}"
