"""A village that sends as OpenSID 2508's "Sinkronisasi ke OpenDK" does: every request of one
sync, in the order its operator clicks them, to any OpenDK address (ours, in the demo and
tests). The bodies and headers are simulator.opendk_sender's, built as OpenSID builds them;
the residents and recipients are fake (simulator.people).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

import requests

from simulator import opendk_sender as sender

# a boundary as OpenSID's map editor stores it (sent as text, never kept by us)
BOUNDARY = "[[[[102.1234,-3.4567],[102.2234,-3.4667],[102.1734,-3.5067]]]]"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + b"demo laporan " * 200 + b"%%EOF\n"


@dataclass(frozen=True)
class SyncRequest:
    path: str  # under /api/v1
    headers: dict[str, str]
    body: bytes


def _with_token(headers: dict[str, str], token: str) -> dict[str, str]:
    out = {k: v for k, v in headers.items() if k != "Host"}
    out["Authorization"] = f"Bearer {token}"  # OpenSID's api_opendk_key, empty or not
    return out


def sync_requests(
    kode: str,
    token: str,
    *,
    now: datetime = sender.SENT_AT,
    residents: int = 400,
    seed: int = 7,
    website: str | None = None,
) -> list[SyncRequest]:
    """Every request of one village's full sync (identitas, penduduk, program bantuan and its
    recipients, pembangunan and its progress, one laporan APBDes and one laporan penduduk)."""
    today = now.date()
    people = sender.residents(residents, seed=seed, kode=kode, today=today)
    programmes = sender.fake_programmes(seed, kode, today=today, people=people)
    projects = [
        sender.Project(1, "Jalan Usaha Tani", str(now.year - 1), 150_000_000, foto="jalan.jpg",
                       progress=["25%", "80%"]),
        sender.Project(2, "Sumur Bor Air Bersih", str(now.year), 87_500_000, progress=["40"]),
        sender.Project(3, "Posyandu", str(now.year), 120_000_000),
    ]  # fmt: skip
    out: list[SyncRequest] = []

    digits = kode.replace(".", "")
    form = sender.http_build_query({
        "kode_desa": kode, "sebutan_desa": "desa",
        "website": website or f"https://{digits}.desa.id/", "path": BOUNDARY,
    })  # fmt: skip
    out.append(SyncRequest("identitas-desa", _with_token({
        "User-Agent": "GuzzleHttp/7", "Content-Type": "application/x-www-form-urlencoded",
        "X-Requested-With": "XMLHttpRequest", "Content-Length": str(len(form)),
    }, token), form))  # fmt: skip

    headers, body = sender.penduduk_request(people, now=now)
    out.append(SyncRequest("penduduk/storedata", _with_token(headers, token), body))

    stem = sender.namafile(f"program_bantuan_{now:%d_%m_%Y}_opendk", now)
    zipped = sender.program_bantuan_zip(programmes, today=today, now=now, kode=kode)
    headers, body = sender.guzzle_upload(zipped, f"{stem}.zip", kode)
    out.append(SyncRequest("program-bantuan", _with_token(headers, token), body))
    zipped = sender.peserta_bantuan_zip(programmes, now=now, kode=kode)
    name = sender.namafile("peserta_bantuan_opendk", now) + ".zip"
    headers, body = sender.guzzle_upload(zipped, name, kode)
    out.append(SyncRequest("program-bantuan/peserta", _with_token(headers, token), body))

    name = sender.namafile("pembangunan", now) + ".zip"
    headers, body = sender.guzzle_upload(sender.pembangunan_zip(projects, now=now, kode=kode),
                                         name, kode)  # fmt: skip
    out.append(SyncRequest("pembangunan", _with_token(headers, token), body))
    headers, body = sender.guzzle_upload(sender.dokumentasi_zip(projects, now=now, kode=kode),
                                         name, kode)  # fmt: skip
    out.append(SyncRequest("pembangunan/dokumentasi", _with_token(headers, token), body))

    # Eloquent serialises the laporan timestamps in UTC (the village is on WIB)
    stamp = (now.replace(tzinfo=None) - sender.WIB).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
    for tipe, part_field, part in (("apbdes", "semester", 1), ("penduduk", "bulan", now.month)):
        item = {"id": 1, "judul": f"Laporan {tipe} {now.year}", part_field: part,
                "nama_file": f"laporan_{tipe}_{now:%d_%m_%Y}.pdf", "tahun": now.year,
                "created_at": stamp, "updated_at": stamp,
                "file": base64.b64encode(PDF).decode()}  # fmt: skip
        body = sender.php_json({"desa_id": kode, f"laporan_{tipe}": [item]})
        out.append(SyncRequest(f"laporan-{tipe}", _with_token({
            "Accept": "application/json", "Content-Type": "application/json",
            "Accept-Encoding": "deflate, gzip, br, zstd", "Content-Length": str(len(body)),
        }, token), body))  # fmt: skip
    return out


def push_village(
    base_url: str, kode: str, token: str, *, now: datetime | None = None, timeout: float = 60
) -> list[tuple[str, int, object]]:
    """Send one village's full sync to `base_url` (OpenSID's api_opendk_server); each
    request's path, HTTP status and decoded answer."""
    now = now or datetime.now()
    answers = []
    with requests.Session() as session:
        for req in sync_requests(kode, token, now=now):
            url = f"{base_url.rstrip('/')}/api/v1/{req.path}"
            response = session.post(url, data=req.body, headers=req.headers, timeout=timeout)
            try:
                answer = response.json()
            except ValueError:
                answer = response.text[:200]
            answers.append((req.path, response.status_code, answer))
    return answers
