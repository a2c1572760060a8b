"""The `gabungan` adapter against answers shaped exactly like the real API Database Gabungan's.

No simulator here: a fake HTTP client answers with payloads built by hand from the server's code,
OpenSID/API-Database-Gabungan v2506.0.0 (commit f45e501bc340eba8dd3de46eefa105af6d0def0d):
- routes/apiv1.php (which routes are public, which need the Sanctum token), RouteServiceProvider
  (60 requests a minute), Api/Auth/AuthController::login (`access_token`, "Invalid login details",
  every other token deleted, 403 after 5 failures);
- StatistikController::penduduk, StatistikRepository::getStatistik, PendudukRepository
  (listStatistik, listFooter, tabelReferensi: the `kriteria` columns), Umur::scopeCountStatistik
  (umur_dari/umur_sampai), StatistikTransformer (fields; `nama` upper case), helper persen()
  ("97,01%"), LabelStatistikEnum (66666/77777/88888);
- KeluargaRepository/KelasSosial (config_desa), RtmRepository::caseBdt (no rows, X-Desa);
- WilayahController::penduduk, WilayahRepository::listTotalPenduduk (`penduduk_count` through
  angka_lokal: "1.210");
- KeuanganRepository::summary (filters kode_desa, tahun; sums as MySQL decimals),
  KeuanganSummaryTransformer (anggaran_local, `id` = template_uuid);
- league/fractal's JsonApiSerializer: an item's `id` leaves its attributes, as a string.
Account codes as OpenSID's app/Models/Keuangan.php writes them ("5.1.1.01", "5.1.1.90-99").
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest

from collectors.adapters import gabungan
from collectors.http import Response
from collectors.model import PayloadError
from config.registry import Village
from config.statistik import BY_SLUG, PULLED_SLUGS

BASE = "http://gabungan.test"
LOGIN = "operator@kab.test:rahasia-kab"
KODE = "17.03.06.2001"
DIGITS = "1703062001"


def persen(part: int, whole: int) -> str:
    """The server's persen(): number_format(..., 2, ',') and a percent sign."""
    value = part / whole * 100 if whole else 0
    return f"{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ",") + "%"


def stat_item(ident, nama, laki, perempuan, total, kriteria, kind="statistik-penduduk") -> dict:
    attributes = {
        "nama": nama.upper(),
        "jumlah": laki + perempuan,
        "persentase_jumlah": persen(laki + perempuan, total),
        "laki_laki": laki,
        "persentase_laki_laki": persen(laki, total),
        "perempuan": perempuan,
        "persentase_perempuan": persen(perempuan, total),
        "kriteria": kriteria,
    }
    return {"type": kind, "id": str(ident), "attributes": attributes}


def stat_answer(
    filter_id, column, rows, total, *, kind="statistik-penduduk", belum="belum mengisi"
):
    """rows: (id, nama, laki, perempuan); total: (laki, perempuan) of the footer query."""
    whole = sum(total)
    items = [stat_item(i, n, lk, p, whole, json.dumps({column: int(i) if str(i).isdigit() else i}),
                       kind) for i, n, lk, p in rows]  # fmt: skip
    jl, jp = sum(r[2] for r in rows), sum(r[3] for r in rows)
    items += [
        stat_item(66666, "Jumlah", jl, jp, whole, json.dumps({"jumlah": filter_id}), kind),
        stat_item(
            77777,
            "Belum Mengisi",
            total[0] - jl,
            total[1] - jp,
            whole,
            json.dumps({belum: filter_id}),
            kind,
        ),  # fmt: skip
        stat_item(88888, "Total", *total, whole, json.dumps({"total": filter_id}), kind),
    ]
    return {"data": items}


def umur_answer(filter_id, brackets, total):
    """brackets: (id, nama, dari, sampai, laki, perempuan); kriteria as the SQL concat builds it."""
    rows = []
    for ident, nama, dari, sampai, laki, perempuan in brackets:
        kriteria = f'{{"umur_dari":{dari}, "umur_sampai":{sampai}}}'
        rows.append(stat_item(ident, nama, laki, perempuan, sum(total), kriteria))
    doc = stat_answer(filter_id, "x", [], total)
    jl, jp = sum(b[4] for b in brackets), sum(b[5] for b in brackets)
    footer = stat_answer(filter_id, "x", [("1", "x", jl, jp)], total)["data"][1:]
    doc["data"] = rows + footer
    return doc


def bdt_answer(in_bdt: tuple[int, int], households: tuple[int, int]):
    doc = stat_answer("bdt", "bdt", [], households, kind="statistik-rtm")
    jumlah = doc["data"][0]["attributes"]
    jumlah.update(laki_laki=in_bdt[0], perempuan=in_bdt[1], jumlah=sum(in_bdt))
    belum = doc["data"][1]["attributes"]
    belum.update(laki_laki=households[0] - in_bdt[0], perempuan=households[1] - in_bdt[1],
                 jumlah=sum(households) - sum(in_bdt))  # fmt: skip
    return doc


AGAMA = [("1", "Islam", 590, 600), ("2", "Kristen", 6, 6)]
TOTAL_PENDUDUK = (600, 610)  # 1.210 residents


def default_statistic(filter_id: str) -> dict:
    column = gabungan.SOURCES[next(s for s, src in gabungan.SOURCES.items()
                                   if src.filter_id == filter_id)].kriteria  # fmt: skip
    if filter_id in ("rentang-umur", "kategori-umur", "akta-kelahiran"):
        return umur_answer(filter_id, [("5", "Di bawah 1 Tahun", 0, 1, 10, 12),
                                       ("6", "2 s/d 4 Tahun", 2, 4, 20, 18),
                                       ("20", "75 Tahun ke Atas", 75, 150, 5, 7)],
                           TOTAL_PENDUDUK)  # fmt: skip
    if filter_id == "agama":
        return stat_answer("agama", "agama_id", AGAMA, TOTAL_PENDUDUK)
    if filter_id == "jenis-kelamin":
        return stat_answer("jenis-kelamin", "sex", [("1", "Laki-laki", 600, 0),
                           ("2", "Perempuan", 0, 610)], TOTAL_PENDUDUK)  # fmt: skip
    if filter_id == "status-kehamilan":
        return stat_answer("status-kehamilan", "hamil", [("1", "Hamil", 0, 9)], (0, 610))
    if filter_id == "suku":
        return stat_answer("suku", "suku", [("Rejang", "Rejang", 300, 310)], TOTAL_PENDUDUK)
    if filter_id == "kelas-sosial":
        rows = [("1", "Keluarga Pra Sejahtera", 200, 180)]
        return stat_answer("kelas-sosial", "kelas_sosial", rows, (200, 180),
                           kind="statistik-keluarga", belum="belum_mengisi")  # fmt: skip
    if filter_id == "bdt":
        return bdt_answer((40, 20), (250, 100))
    return stat_answer(filter_id, column[0], [("1", "Satu", 100, 90)], TOTAL_PENDUDUK)


def account(code, uraian, parent, anggaran, realisasi) -> dict:
    attributes = {
        "anggaran": anggaran,
        "realisasi": realisasi,
        "template_uuid": code,
        "uraian": uraian,
        "parent_uuid": parent,
        "parent_uraian": None if parent is None else f"induk {parent}",
        "anggaran_local": "Rp. ...",
        "realisasi_local": "Rp. ...",
    }
    return {"type": "keuangan", "id": code, "attributes": attributes}


# OpenSID keeps 4.2 (level 2) and 4.2.1 (level 3) as sums, never 4 (level 1): it stays "0.00"
APBDES = [
    account("4", "Pendapatan", None, "0.00", "0.00"),
    account("4.2", "Pendapatan Transfer", "4", "350000000.00", "120000000.00"),
    account("4.2.1", "Dana Desa", "4.2", "350000000.00", "120000000.00"),
    account("4.2.1.01", "Dana Desa", "4.2.1", "300000000.00", "100000000.00"),
    account("4.2.1.90-99", "Dana Desa lain", "4.2.1", "50000000.00", "20000000.00"),
]


def paged(items: list, params: dict, path: str) -> dict:
    size, number = int(params.get("page[size]", 30)), int(params.get("page[number]", 1))
    pages = max(1, -(-len(items) // size))
    chunk = items[(number - 1) * size : number * size]
    meta = {"total": len(items), "count": len(chunk), "per_page": size, "current_page": number,
            "total_pages": pages}  # fmt: skip
    links = {"self": BASE + path, "first": BASE + path, "last": BASE + path}
    if number < pages:
        links["next"] = BASE + path + f"?page[number]={number + 1}"
    return {"data": chunk, "meta": {"pagination": meta}, "links": links}


class FakeGabungan:
    """An HttpClient that answers as the real server would; it records every request."""

    def __init__(self, *, password="rahasia-kab", known=DIGITS, apbdes=APBDES, penduduk="1.210"):
        self.password = password
        self.known = known
        self.apbdes = apbdes
        self.penduduk = penduduk
        self.tokens: set[str] = set()
        self.requests: list[tuple[str, str, dict, dict]] = []
        self.overrides: dict[str, dict] = {}
        self.rate_limit: str | None = None

    def _reply(self, status: int, doc) -> Response:
        headers = {"Content-Type": "application/json"}
        if self.rate_limit:
            headers["X-RateLimit-Limit"] = self.rate_limit
        return Response(status, json.dumps(doc).encode(), headers, 1)

    def post_json(self, url, payload, *, headers=None, until=None) -> Response:
        self.requests.append(("POST", urlsplit(url).path, dict(payload), dict(headers or {})))
        if payload.get("email") != "operator@kab.test" or payload.get("password") != self.password:
            return self._reply(401, {"message": "Invalid login details"})
        self.tokens.clear()  # "hapus token yang masih tersimpan"
        token = f"{len(self.requests)}|{'x' * 40}"
        self.tokens.add(token)
        return self._reply(200, {"message": "Login Success ", "access_token": token,
                                 "token_type": "Bearer"})  # fmt: skip

    def get(self, url, *, params=None, headers=None, until=None) -> Response:
        path, params, headers = urlsplit(url).path, dict(params or {}), dict(headers or {})
        self.requests.append(("GET", path, params, headers))
        if path == gabungan.KEUANGAN:  # behind auth:sanctum
            token = headers.get("Authorization", "").removeprefix("Bearer ")
            if token not in self.tokens:
                return self._reply(401, {"message": "Unauthenticated."})
            if params.get("filter[kode_desa]") != self.known:
                return self._reply(200, paged([], params, path))
            return self._reply(200, paged(self.apbdes, params, path))
        if path == gabungan.WILAYAH:
            if params.get("filter[kode_desa]") != self.known:
                return self._reply(200, paged([], params, path))
            desa = {"type": "desa", "id": "12", "attributes": {
                "nama_desa": "Talang Jambu", "kode_desa": self.known, "kode_kecamatan": "170306",
                "nama_kecamatan": "Kerkap", "penduduk_count": self.penduduk}}  # fmt: skip
            return self._reply(200, paged([desa], params, path))
        if path in (gabungan.STATISTIK, gabungan.STATISTIK_KELUARGA, gabungan.STATISTIK_RTM):
            wanted = params.get("filter[id]", "")
            if wanted in self.overrides:
                return self._reply(200, self.overrides[wanted])
            if not any(s.filter_id == wanted and s.path == path
                       for s in gabungan.SOURCES.values()):  # fmt: skip
                return self._reply(500, {"message": "Server Error"})
            return self._reply(200, default_statistic(wanted))
        return self._reply(404, {"message": "Not Found"})

    def sent(self, path: str) -> list[tuple[dict, dict]]:
        return [(p, h) for _, at, p, h in self.requests if at == path]


@pytest.fixture(autouse=True)
def fresh_state():
    for state in (gabungan._tokens, gabungan._refused, gabungan._paces):
        state.clear()
    yield
    for state in (gabungan._tokens, gabungan._refused, gabungan._paces):
        state.clear()


def village(kode=KODE, token=LOGIN) -> Village:
    return Village(kode, "Talang Jambu", kode[:8], "Kerkap", "gabungan", BASE, token,
                   scope=kode[:8])  # fmt: skip


def results(pull) -> dict:
    return {r.dataset: r for r in pull.results}


# ------------------------------------------------------------------ parsing


def test_statistic_as_the_server_sends_it():
    doc = stat_answer("agama", "agama_id", AGAMA, TOTAL_PENDUDUK)
    assert "id" not in doc["data"][0]["attributes"]  # Fractal moves it to the item
    assert doc["data"][-1]["attributes"]["persentase_jumlah"] == "100,00%"
    stat = gabungan.parse_statistik(doc, "agama", "desa x, statistik agama")
    assert [(r.kode, r.label, r.counts.jumlah) for r in stat.rows] == [
        ("1", "ISLAM", 1190),
        ("2", "KRISTEN", 12),
    ]
    assert (stat.belum_mengisi.laki_laki, stat.belum_mengisi.perempuan) == (4, 4)
    assert (stat.total.jumlah, stat.total.laki_laki, stat.total.perempuan) == (1210, 600, 610)


def test_age_brackets_take_their_bounds_from_kriteria():
    brackets = [("5", "Di bawah 1 Tahun", 0, 1, 10, 12), ("20", "75 Tahun ke Atas", 75, 150, 5, 7)]
    doc = umur_answer("rentang-umur", brackets, (20, 30))
    stat = gabungan.parse_statistik(doc, "rentang-umur", "w")
    assert [(r.kode, r.dari, r.sampai) for r in stat.rows] == [("5", 0, 1), ("20", 75, 150)]
    assert stat.belum_mengisi.jumlah == 50 - 34
    doc["data"][1]["attributes"]["kriteria"] = "{}"  # labels do not say the bounds: refused
    with pytest.raises(PayloadError, match="75 TAHUN KE ATAS: an age bracket without umur_dari"):
        gabungan.parse_statistik(doc, "rentang-umur", "w")


def test_bdt_has_no_rows_and_66666_is_the_households_in_it():
    stat = gabungan.parse_statistik(bdt_answer((40, 20), (250, 100)), "bdt", "w")
    assert [(r.kode, r.counts.jumlah) for r in stat.rows] == [("terdata", 60)]
    assert (stat.belum_mengisi.jumlah, stat.total.jumlah) == (290, 350)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["data"][0]["attributes"].update(kriteria='{"pekerjaan_id":1}'),
         "counts pekerjaan_id, not agama_id: not the statistic asked for"),
        (lambda d: d["data"][-1]["attributes"].update(kriteria='{"total":"pekerjaan"}'),
         "answered statistic 'pekerjaan', not 'agama'"),
        (lambda d: d["data"].pop(), "no summary row 88888"),
        (lambda d: d["data"][1]["attributes"].update(laki_laki="enam"), "not a whole number"),
        (lambda d: d["data"][0]["attributes"].update(jumlah=5), r"laki \(590\) \+ perempuan"),
        (lambda d: d["data"][-2]["attributes"].update(perempuan=-1), "negative count -1"),
        (lambda d: d["data"][0]["attributes"].update(nama="x" * 300), "more than 200"),
        (lambda d: d.update(data={"rows": []}), "expected a JSON:API data list"),
    ],
)  # fmt: skip
def test_statistics_that_are_refused(mutate, message):
    doc = stat_answer("agama", "agama_id", AGAMA, TOTAL_PENDUDUK)
    mutate(doc)
    with pytest.raises(PayloadError, match=message):
        gabungan.parse_statistik(doc, "agama", "desa 17.03.06.2001, statistik agama")


def test_apbdes_accounts_as_the_server_sends_them():
    rows, warning = gabungan.parse_apbdes(APBDES, 2026, "w")
    anggaran = {r.kode: r.nilai for r in rows if r.ukuran == "anggaran"}
    # level 1 is not kept by OpenSID: the sum of its sub-accounts, silently when it was 0
    assert anggaran == {"4": 350e6, "4.2": 350e6, "4.2.1": 350e6, "4.2.1.01": 300e6,
                        "4.2.1.90-99": 50e6}  # fmt: skip
    assert warning is None
    labels = {r.kode: r.label for r in rows}
    assert labels["4.2.1"] == "Dana Desa" and {r.periode for r in rows} == {"2026"}
    stale = [dict(a, attributes=dict(a["attributes"])) for a in APBDES]
    stale[0]["attributes"]["anggaran"] = "100.00"
    rows, warning = gabungan.parse_apbdes(stale, 2026, "w")
    assert "top-level accounts taken as the sums" in warning and "4: 100/0" in warning


@pytest.mark.parametrize(
    "index, field, value, message",
    [
        (2, "anggaran", "340000000.00", "4.2 Pendapatan Transfer: anggaran 350,000,000 is not"),
        (3, "realisasi", "-5.00", "negative"),
        (3, "anggaran", "Rp. 300.000.000", "is not a number"),
        (3, "template_uuid", "5.1 1", "is not an account code"),
    ],
)
def test_apbdes_refused(index, field, value, message):
    items = [dict(a, attributes=dict(a["attributes"])) for a in APBDES]
    items[index]["attributes"][field] = value
    with pytest.raises(PayloadError, match=message):
        gabungan.parse_apbdes(items, 2026, "desa 17.03.06.2001, apbdes 2026")


def test_null_sums_are_zero():
    items = [account("5", "Belanja", None, None, None)]
    rows, warning = gabungan.parse_apbdes(items, 2026, "w")
    assert [r.nilai for r in rows] == [0.0, 0.0]


# ------------------------------------------------------------------ the pull


def test_a_village_pulled_the_way_the_server_wants_it():
    client = FakeGabungan()
    result = results(gabungan.pull(village(), client, tahun=2026))
    served = {s for s in PULLED_SLUGS if s in gabungan.SOURCES}
    assert set(result) == {"total", *served, "apbdes"}
    assert not set(result) & set(gabungan.NOT_SERVED)
    assert all(r.status == "ok" for r in result.values()), [
        (r.dataset, r.error) for r in result.values() if r.error
    ]
    totals = result["total"].data
    assert (totals.penduduk.jumlah, totals.keluarga, totals.rumah_tangga) == (1210, 380, 350)
    assert result["hubungan-kk"].data.total.jumlah == 1210
    lookup = client.sent(gabungan.WILAYAH)
    assert lookup == [
        ({"filter[kode_desa]": DIGITS, "page[size]": 2}, {"Accept": "application/json"})
    ]
    for params, headers in client.sent(gabungan.STATISTIK):
        assert params["filter[desa]"] == DIGITS and params["filter[tahun]"] == ""
        assert "Authorization" not in headers  # statistik-web is public
        assert ("X-Desa" in headers) == (params["filter[id]"] == "suku")
        assert "page[size]" not in params  # not paginated
    ids = {p["filter[id]"] for p, _ in client.sent(gabungan.STATISTIK)}
    assert "hubungan-dalam-kk" in ids and "ktp" not in ids
    [(keluarga, _)] = client.sent(gabungan.STATISTIK_KELUARGA)
    assert keluarga["config_desa"] == "12" and keluarga["filter[bulan]"] == ""
    [(_, rtm_headers)] = client.sent(gabungan.STATISTIK_RTM)
    assert rtm_headers["X-Desa"] == DIGITS
    [(keuangan, headers)] = client.sent(gabungan.KEUANGAN)
    assert keuangan == {"filter[kode_desa]": DIGITS, "filter[tahun]": 2026, "page[size]": 500,
                        "page[number]": 1}  # fmt: skip
    assert headers["Authorization"].startswith("Bearer ") and "|" in headers["Authorization"]
    [(signin, _)] = client.sent(gabungan.SIGNIN)
    assert signin == {"email": "operator@kab.test", "password": "rahasia-kab"}


def test_one_sign_in_per_source_and_a_deleted_token_renewed_once():
    client = FakeGabungan()
    for _ in range(2):
        gabungan.pull(village(), client, tahun=2026, datasets=["apbdes"])
    assert len(client.sent(gabungan.SIGNIN)) == 1
    client.tokens.clear()  # someone signed in with the same account elsewhere
    result = results(gabungan.pull(village(), client, tahun=2026, datasets=["apbdes"]))
    assert result["apbdes"].status == "ok" and len(client.sent(gabungan.SIGNIN)) == 2


def test_a_token_another_thread_already_renewed_is_not_renewed_again():
    client = FakeGabungan()
    call = gabungan._Call(village(), client)
    first = gabungan._token(call)
    second = gabungan._token(call, stale=first)
    assert second != first and len(client.sent(gabungan.SIGNIN)) == 2
    assert gabungan._token(call, stale=first) == second  # a late 401 of the old token
    assert len(client.sent(gabungan.SIGNIN)) == 2


def test_the_sanctum_token_itself_needs_no_sign_in():
    client = FakeGabungan()
    client.tokens.add("7|" + "t" * 40)
    result = results(gabungan.pull(village(token="7|" + "t" * 40), client, tahun=2026))
    assert result["apbdes"].status == "ok" and not client.sent(gabungan.SIGNIN)
    client.tokens.clear()  # regenerated on the server's Token page
    result = results(gabungan.pull(village(token="7|" + "t" * 40), client, tahun=2026))
    assert "HTTP 401: the server refused the token" in result["apbdes"].error
    assert result["agama"].status == "ok"  # public routes still answer
    assert "t" * 40 not in " ".join(r.error or "" for r in result.values())


def test_a_refused_sign_in_is_not_repeated_for_every_village():
    client = FakeGabungan(password="something-else")
    for _ in range(3):
        result = results(gabungan.pull(village(), client, tahun=2026, datasets=["apbdes"]))
        assert "sign-in refused (HTTP 401)" in result["apbdes"].error
        assert "desa 17.03.06.2001, apbdes 2026" in result["apbdes"].error
        assert "rahasia" not in result["apbdes"].error
    assert len(client.sent(gabungan.SIGNIN)) == 1  # the server locks after 5


def test_dotted_codes_are_tried_when_the_digits_are_unknown():
    client = FakeGabungan(known=KODE)
    result = results(gabungan.pull(village(), client, tahun=2026, datasets=["agama", "apbdes"]))
    assert result["agama"].status == "ok" and result["apbdes"].status == "ok"
    assert [p["filter[kode_desa]"] for p, _ in client.sent(gabungan.WILAYAH)] == [DIGITS, KODE]
    assert {p["filter[desa]"] for p, _ in client.sent(gabungan.STATISTIK)} == {KODE}


def test_a_village_the_server_does_not_know_fails_every_dataset_at_once():
    client = FakeGabungan(known="9999999999")
    result = results(gabungan.pull(village(), client, tahun=2026))
    assert {r.status for r in result.values()} == {"failed"}
    assert "desa 17.03.06.2001, wilayah/penduduk: the server knows neither" in result["agama"].error
    assert len(client.requests) == 2  # two lookups, nothing else


def test_a_statistic_that_is_not_the_village_s_is_refused():
    client = FakeGabungan(penduduk="1.209")
    result = results(gabungan.pull(village(), client, tahun=2026, datasets=["agama", "suku"]))
    assert "TOTAL 1210 is more than the village's 1209 residents" in result["agama"].error
    client = FakeGabungan(penduduk="1.211")  # one resident without a sex: counted, not shown
    result = results(gabungan.pull(village(), client, tahun=2026, datasets=["agama"]))
    assert result["agama"].status == "ok"
    assert "TOTAL 1210 is below the village's 1211 residents" in result["agama"].warning
    client = FakeGabungan()
    client.overrides["agama"] = stat_answer("agama", "pekerjaan_id", AGAMA, TOTAL_PENDUDUK)
    result = results(gabungan.pull(village(), client, tahun=2026, datasets=["agama"]))
    assert "desa 17.03.06.2001, statistik agama: row 1 (ISLAM) counts pekerjaan_id" in (
        result["agama"].error
    )


def test_the_rate_limit_the_server_announces_spaces_requests():
    pace = gabungan._Pace()
    assert pace.wait() == 0.0  # nothing announced yet
    pace.learn({"x-ratelimit-limit": "60"})
    assert pace.interval == pytest.approx(1.1)
    pace.learn({"X-RateLimit-Limit": "6000"})
    start = time.perf_counter()
    waits = [pace.wait() for _ in range(4)]
    assert waits[0] == 0.0 and waits[-1] > 0 and time.perf_counter() - start >= 0.025
    client = FakeGabungan()
    client.rate_limit = "60000"
    gabungan.pull(village(), client, tahun=2026, datasets=["agama"])
    assert gabungan._paces[BASE].interval == pytest.approx(0.0011)


def test_every_catalogue_slug_is_either_served_or_explained():
    assert set(gabungan.SOURCES) | set(gabungan.NOT_SERVED) == set(BY_SLUG)
    assert not set(gabungan.SOURCES) & set(gabungan.NOT_SERVED)
