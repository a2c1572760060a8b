"""The simulator's OpenSID mode against a real OpenSID 2508 (tests/fixtures/opensid-2508):
for every kind of request recorded, the same status, content type, shape, attribute order,
JSON types, reference ids and labels, summary rows, pagination and links; then the
behaviours the real code has (bantuan by year, distinct recipients, per-recipient rows, the
village's own age brackets), checked on the simulated villages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from config.registry import Village, load_registry
from config.statistik import STATISTICS
from simulator.opensid import persen2
from simulator.synthetic import find_statistic, has_edited_brackets
from simulator.villages import Simulator

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "opensid-2508" / "5201142005"
RECORDED_VILLAGE = "5201142005"
INDEX = [json.loads(line) for line in (FIXTURE / "index.jsonl").read_text().splitlines()]
SUMMARY_IDS = ("666", "777", "888")
# statistics whose rows the recorded village had none of: the real code gives them the
# columns of this recorded statistic's reference table (or just nama, like agama)
ROW_SHAPE_OF = {
    "suku": "3?tahun=2026", "bpjs-tenagakerja": "1?tahun=2026", "hamil": "3?tahun=2026",
    "status-asuransi-kesehatan": "3?tahun=2026", "buku-nikah": "2?tahun=2026",
    "bantuan_penduduk": "bantuan_keluarga", "bantuan_keluarga": "bantuan_keluarga",
}  # fmt: skip
HOST = "desa.example"


@pytest.fixture(scope="module")
def villages() -> list[Village]:
    return load_registry(ROOT / "config" / "villages-17.03.csv")


@pytest.fixture(scope="module")
def sim(villages):
    with Simulator(villages, port=0) as simulator:
        yield simulator


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


def recorded(name: str) -> dict:
    return json.loads((FIXTURE / name).read_text())


def recorded_path(path: str) -> dict:
    entry = next(e for e in INDEX if e["path"] == path)
    return recorded(entry["file"])


def ask(sim: Simulator, http, kode: str, path: str, **headers) -> requests.Response:
    """GET a path under a village, as if the village were at http://desa.example/<kode>."""
    return http.get(f"{sim.url}/{kode}{path}", headers={"Host": HOST, **headers}, timeout=10)


def key_of(path: str) -> str:
    return path.split("?")[0].rsplit("/", 1)[-1]


def shape(value: object) -> object:
    """Attribute names in order with JSON types, nested objects and lists alike."""
    if isinstance(value, dict):
        return tuple((k, shape(v)) for k, v in value.items())
    if isinstance(value, list):
        return ("list", shape(value[0]) if value else None)
    return type(value).__name__


def _categories(payload: dict) -> list[dict]:
    return [i for i in payload["data"] if i["id"] not in SUMMARY_IDS]


def _summary(payload: dict) -> dict[str, dict]:
    return {i["id"]: i["attributes"] for i in payload["data"] if i["id"] in SUMMARY_IDS}


def _merge_types(items: list[dict]) -> tuple[set, dict[str, set]]:
    """Key orders seen, and the JSON types seen per attribute (for rows whose optional
    values vary, as a project with or without a location)."""
    orders, types = set(), {}
    for item in items:
        attrs = item["attributes"]
        orders.add(tuple(attrs))
        for k, v in attrs.items():
            types.setdefault(k, set()).add(shape(v))
    return orders, types


def _links_rule(payload: dict) -> None:
    """fractal's rule: self, first, prev (from page 2), next (before the last), last."""
    p = payload["meta"]["pagination"]
    expected = ["self", "first"]
    expected += ["prev"] if p["current_page"] > 1 else []
    expected += ["next"] if p["current_page"] < p["total_pages"] else []
    assert list(payload["links"]) == [*expected, "last"]
    assert p["count"] == len(payload["data"])
    assert p["total_pages"] == max(1, -(-p["total"] // p["per_page"]))


def _number(link: str) -> int:
    return int(re.search(r"page%5Bnumber%5D=(\d+)$", link).group(1))


@pytest.fixture(scope="module")
def kode(villages, sim) -> str:
    """A desa with OpenSID's default age brackets and more than a page of projects."""
    for v in villages:
        record = sim.record(v.kode_digits)
        if (
            v.kode_desa[9] == "2"
            and not has_edited_brackets(v.kode_digits)
            and 30 < sum(p.active for p in record.projects) <= 60
            and any(p.nama == "Jamkesmas" for p in record.programmes)
        ):
            return v.kode_digits
    raise AssertionError("no such village")


# ------------------------------------------------------------------ every recorded request


@pytest.mark.parametrize("entry", INDEX, ids=[e["path"] for e in INDEX])
def test_every_recorded_request_is_answered_alike(sim, http, kode, entry):
    path = entry["path"]
    r = ask(sim, http, kode, path)
    assert r.status_code == entry["status"]
    assert r.headers["Content-Type"] == entry["content_type"]
    body = (FIXTURE / entry["file"]).read_bytes()
    if entry["file"].endswith(".html"):  # a 404 HTML page, or the empty 500 body
        assert (r.content == b"") == (body == b"")
        assert r.content == b"" or r.content.lstrip().startswith(b"<!DOCTYPE html>")
        return
    real, ours = json.loads(body), r.json()
    assert list(ours) == list(real)
    assert {i["type"] for i in ours["data"]} <= {i["type"] for i in real["data"]} or not real[
        "data"
    ]
    if "/statistik/" in path:
        _same_statistik_shape(path, real, ours)
    else:
        _same_page_shape(path, real, ours, kode)


def _same_statistik_shape(path: str, real: dict, ours: dict) -> None:
    assert "meta" not in ours and "links" not in ours
    assert [i["id"] for i in ours["data"]][-3:] == list(SUMMARY_IDS)
    for ident, attrs in _summary(ours).items():  # JUMLAH, BELUM MENGISI, TOTAL: exactly so
        assert shape(attrs) == shape(_summary(real)[ident]), ident
        assert attrs["nama"] == _summary(real)[ident]["nama"]
    reference = real
    if not _categories(real):  # nobody in the recorded village: the same table's columns
        key = key_of(path)
        if key.startswith("50") or key == "bdt":
            assert not _categories(ours)  # one programme, or bdt: summary rows only
            return
        reference = recorded_path(f"/internal_api/statistik/{ROW_SHAPE_OF[key]}")
    orders, types = _merge_types(_categories(reference))
    mine_orders, mine_types = _merge_types(_categories(ours))
    assert mine_orders <= orders, (mine_orders, orders)
    for k, seen in mine_types.items():
        assert seen <= types[k], k


def _endpoint(path: str) -> str:
    return path.split("?")[0].split("/")[2]  # pembangunan, wilayah, peserta_bantuan


def _recorded_items(endpoint: str) -> list[dict]:
    """Every item recorded from one paginated endpoint (its pages differ in what they show)."""
    return [
        item
        for e in INDEX
        if e["file"].endswith(".json") and _endpoint(e["path"]) == endpoint
        for item in recorded(e["file"])["data"]
    ]


def _same_page_shape(path: str, real: dict, ours: dict, kode: str) -> None:
    assert shape(ours["meta"]) == shape(real["meta"])
    assert ours["meta"]["pagination"]["per_page"] == real["meta"]["pagination"]["per_page"] == 30
    _links_rule(real)
    _links_rule(ours)
    here = f"http://{HOST}/{kode}/internal_api/"
    there = f"http://{HOST}/{RECORDED_VILLAGE}/internal_api/"
    for link in ours["links"].values():
        assert link.startswith(here), link
    # the same request: the same self link, the others the same but for the page number
    assert ours["links"]["self"].replace(here, there) == real["links"]["self"]
    for name in ("first", "last", "prev", "next"):
        if name in ours["links"] and name in real["links"]:
            mine = re.sub(r"\d+$", "N", ours["links"][name].replace(here, there))
            assert mine == re.sub(r"\d+$", "N", real["links"][name]), name
    orders, types = _merge_types(_recorded_items(_endpoint(path)))
    mine_orders, mine_types = _merge_types(ours["data"])
    assert mine_orders <= orders, mine_orders - orders
    for k, seen in mine_types.items():
        assert seen <= types[k], (k, seen, types[k])


def test_unknown_paths_answer_an_html_404_page(sim, http, kode):
    recorded = (FIXTURE / "050.html").read_bytes()
    assert recorded.lstrip().startswith(b"<!DOCTYPE html>") and b"404" in recorded
    for path in (
        "/internal_api/tidak-ada",
        "/internal_api/statistik",
        "/internal_api/",
        "/internal_api/statistik/3/lagi",
        "/index.php",
        "/internal_api/peserta_bantuan",
    ):
        r = ask(sim, http, kode, path)
        assert r.status_code == 404, path
        assert r.headers["Content-Type"] == "text/html; charset=UTF-8"
        assert r.content.lstrip().startswith(b"<!DOCTYPE html>") and b"404" in r.content
    other = http.get(f"{sim.url}/{kode}/internal_api/tidak-ada", timeout=5)  # another host
    assert f"127.0.0.1:{sim.port}".encode() in other.content


# ------------------------------------------------------------------ reference ids and labels


FIXED_ROWS = (
    "0", "1", "2", "3", "4", "5", "6", "7", "9", "10", "13", "14", "15", "16", "17", "18", "19",
    "hubungan_kk", "covid", "kia", "akta-kematian", "kelas_sosial",
)  # fmt: skip


@pytest.mark.parametrize("key", FIXED_ROWS)
def test_reference_rows_are_the_recorded_ones(sim, http, kode, key):
    """Ids, labels and every reference column (age bounds, KB sex, KTP status) as served."""
    real = _categories(recorded_path(f"/internal_api/statistik/{key}?tahun=2026"))
    ours = _categories(ask(sim, http, kode, f"/internal_api/statistik/{key}").json())
    counts = {"jumlah", "laki", "perempuan", "persen", "persen1", "persen2"}
    strip = lambda items: [  # noqa: E731
        (i["id"], {k: v for k, v in i["attributes"].items() if k not in counts}) for i in items
    ]
    assert strip(ours) == strip(real)


def test_catalogue_codes_are_the_recorded_ones():
    """config/statistik.toml was taken from the recording; the simulator serves it."""
    for stat in STATISTICS:
        if stat.jenis not in ("kategori", "umur") or stat.key not in FIXED_ROWS:
            continue
        real = _categories(recorded_path(f"/internal_api/statistik/{stat.key}?tahun=2026"))
        assert [(i["id"], i["attributes"]["nama"]) for i in real] == list(stat.codes), stat.key


def test_unknown_keys_answer_pendidikan_dalam_kk(sim, http, kode):
    pendidikan = recorded("000.json")
    for name in ("045.json", "046.json", "047.json"):  # 8, 12, 99 on the real system
        assert recorded(name) == pendidikan
    ours = ask(sim, http, kode, "/internal_api/statistik/0").json()
    assert [i["attributes"]["nama"] for i in _categories(ours)] == [
        i["attributes"]["nama"] for i in _categories(pendidikan)
    ]
    for key in ("8", "11", "12", "99", "xyz", "50", "0501", "BDT", "agama"):
        r = ask(sim, http, kode, f"/internal_api/statistik/{key}")
        assert r.status_code == 200 and r.json() == ours, key


def test_key_14_sends_empty_categories_as_strings(sim, http, villages):
    real = _categories(recorded("011.json"))
    assert {type(i["attributes"]["jumlah"]) for i in real} == {str, int}
    seen = set()
    for v in villages[:40]:
        items = ask(sim, http, v.kode_digits, "/internal_api/statistik/14").json()["data"]
        rows = items[:-3]
        assert [i["attributes"]["no"] for i in rows] == list(range(1, 21))
        assert [i["attributes"]["no"] for i in items[-3:]] == ["", "", ""]
        for item in rows:
            a = item["attributes"]
            if isinstance(a["jumlah"], str):
                assert (a["jumlah"], a["laki"], a["perempuan"], a["persen"]) == ("0", "0", "0",
                                                                               "0%")  # fmt: skip
            else:
                assert a["jumlah"] > 0 and a["persen"].endswith("%") and "," in a["persen"]
            seen.add(type(a["jumlah"]))
    assert seen == {str, int}


# ------------------------------------------------------------------ numbers and percentages


def _bantuan_percentages(payload: dict) -> None:
    """Statistik::bantuan's percentages: of everyone counted, but a programme row's persen1
    is the men counted divided by the programme's men (OpenSID swaps the arguments)."""
    whole = _summary(payload)["888"]
    total = (whole["laki"] or 0) + (whole["perempuan"] or 0)
    for item in payload["data"]:
        a = item["attributes"]
        assert a["persen"] == persen2(a["jumlah"], total)
        assert a["persen2"] == persen2(a["perempuan"], total)
        if item["id"] not in SUMMARY_IDS:
            assert a["persen1"] == persen2(whole["laki"], a["laki"])


def test_percentages_are_computed_as_opensid_does():
    """persen2 against every recorded listData row: part / TOTAL's jumlah, half up."""
    checked = 0
    for entry in INDEX:
        key = key_of(entry["path"])
        if "/statistik/" not in entry["path"] or not entry["file"].endswith(".json"):
            continue
        payload = recorded(entry["file"])
        summary = _summary(payload)
        whole = summary["888"]
        if key.startswith("bantuan") or key.startswith("50"):
            _bantuan_percentages(payload)
            checked += 1
            continue
        for item in payload["data"]:
            a = item["attributes"]
            if isinstance(a["jumlah"], str):
                continue
            part = a["laki"] + a["perempuan"] if item["id"] == "888" else a["jumlah"]
            assert a["persen"] == persen2(part, whole["jumlah"])
            assert a["persen1"] == persen2(a["laki"], whole["jumlah"])
        checked += 1
    assert checked > 40
    assert persen2(1, 32) == "3,13%"  # PHP rounds half up
    assert persen2(0, 0) == persen2(5, None) == "0,00%"


def test_summary_rows_and_units(sim, http, villages):
    """666 is the rows' sum (bdt: its households in the BDT), 777 the rest of 888, and 888
    what the statistic counts; the numbers are those of the village's summary document."""
    for v in villages[::22]:
        doc = sim.document(v.kode_digits)[0]
        for stat in STATISTICS:
            if stat.jenis == "bantuan":
                continue
            payload = ask(sim, http, v.kode_digits, f"/internal_api/statistik/{stat.key}").json()
            summary = _summary(payload)
            entry = find_statistic(doc, stat.key)
            where = (v.kode_desa, stat.key)
            rows = {i["id"]: i["attributes"] for i in _categories(payload)}
            numbers = {c: (a["jumlah"], a["laki"], a["perempuan"]) for c, a in rows.items()
                       if not isinstance(a["jumlah"], str)}  # fmt: skip
            served = {
                r["code"]: (r["total"], r["laki"], r["perempuan"])
                for r in entry["rows"]
                if r["total"]
                or stat.key
                not in (
                    "hamil",
                    "buku-nikah",
                    "bpjs-tenagakerja",
                    "suku",
                    "status-asuransi-kesehatan",
                    "14",
                )
            }
            if stat.jenis == "rtm":
                assert rows == {}, where
                assert summary["666"]["jumlah"] == entry["rows"][0]["total"], where
            else:
                assert numbers == served, where
            t = entry["total"]
            assert (
                summary["888"]["jumlah"],
                summary["888"]["laki"],
                summary["888"]["perempuan"],
            ) == (t["total"], t["laki"], t["perempuan"]), where
            for f in ("jumlah", "laki", "perempuan"):
                assert summary["777"][f] == summary["888"][f] - summary["666"][f], where
                if stat.jenis != "rtm":
                    assert summary["666"][f] == sum(n[("jumlah", "laki", "perempuan").index(
                        f)] for n in numbers.values()), where  # fmt: skip
        totals = doc["totals"]

        def total(key: str, kode: str = v.kode_digits) -> dict:
            return _summary(ask(sim, http, kode, f"/internal_api/statistik/{key}").json())["888"]

        assert total("4")["jumlah"] == totals["penduduk"]["total"]
        assert total("kelas_sosial")["jumlah"] == totals["keluarga"]
        assert total("bdt")["jumlah"] == totals["rumah_tangga"]
        assert total("hamil")["jumlah"] == total("hamil")["perempuan"] == totals["penduduk"][
            "perempuan"]  # fmt: skip
        assert 0 < total("akta-kematian")["jumlah"] < totals["penduduk"]["total"] * 0.05
        assert total("18")["jumlah"] + total("kia")["jumlah"] > totals["penduduk"]["total"]
        assert total("covid")["jumlah"] == totals["penduduk"]["total"]


# ------------------------------------------------------------------ bantuan


def _programmes(sim, kode, sasaran):
    return [p for p in sim.record(kode).programmes if p.sasaran == sasaran]


def test_bantuan_rows_are_the_programmes_running_in_tahun(sim, http, villages):
    recorded_rows = {i["attributes"]["nama"] for i in _categories(recorded("038.json"))}
    assert recorded_rows - {i["attributes"]["nama"] for i in _categories(recorded("042.json"))}
    overlap = 0
    for v in villages[:60]:
        for key, sasaran in (("bantuan_penduduk", 1), ("bantuan_keluarga", 2)):
            programmes = _programmes(sim, v.kode_digits, sasaran)
            for tahun in (None, 2010, 2020, 2026):
                query = "" if tahun is None else f"?tahun={tahun}"
                payload = ask(sim, http, v.kode_digits, f"/internal_api/statistik/{key}{query}")
                payload = payload.json()
                running = [p for p in programmes if tahun is None or p.runs_in(tahun)]
                rows = _categories(payload)
                assert [(i["id"], i["attributes"]["nama"]) for i in rows] == [
                    (str(p.id), p.nama) for p in running
                ]
                for item, p in zip(rows, running, strict=True):
                    assert item["attributes"]["jumlah"] == len(p.recipients)
                _bantuan_percentages(payload)
                summary = _summary(payload)
                distinct = {r for p in running for r in p.recipients}
                assert summary["666"]["jumlah"] == len(distinct)
                assert summary["666"]["laki"] == sum(1 for _, s in distinct if s == "L")
                assert summary["666"]["nama"] == "PENERIMA"
                for f in ("jumlah", "laki", "perempuan"):
                    assert summary["777"][f] == summary["888"][f] - summary["666"][f]
                overlap += summary["666"]["jumlah"] < sum(i["attributes"]["jumlah"] for i in rows)
            heads = sim.record(v.kode_digits).keluarga_heads
            whole = _summary(payload)["888"]
            if sasaran == 2:
                assert (whole["laki"], whole["perempuan"]) == (heads["L"], heads["P"])
    assert overlap > 60  # a family in two programmes is counted once


def test_one_programme_and_an_unknown_one(sim, http, kode):
    for p in sim.record(kode).programmes:
        for tahun in (2026, 2010):
            payload = ask(sim, http, kode, f"/internal_api/statistik/50{p.id}?tahun={tahun}").json()
            assert [i["id"] for i in payload["data"]] == list(SUMMARY_IDS)
            s = _summary(payload)
            assert [s[i]["nama"] for i in SUMMARY_IDS] == ["PESERTA", "BUKAN PESERTA", "TOTAL"]
            assert s["666"]["jumlah"] == (len(p.recipients) if p.runs_in(tahun) else 0)
            assert s["777"]["persen1"] == persen2(s["777"]["laki"], s["888"]["laki"])
    real = recorded("035.json")
    assert _summary(real)["888"]["laki"] is None
    for key in ("5099", "50999", "500"):
        assert ask(sim, http, kode, f"/internal_api/statistik/{key}?tahun=2026").json() == real


def test_a_year_that_is_not_a_number_fails_bantuan_only(sim, http, kode):
    for key in ("bantuan_penduduk", "bantuan_keluarga", "501"):
        r = ask(sim, http, kode, f"/internal_api/statistik/{key}?tahun=abc")
        assert (r.status_code, r.content, r.headers["Content-Type"]) == (
            500, b"", "text/html; charset=UTF-8"
        )  # fmt: skip
    for tahun in ("", "0"):  # falsy in PHP: no filter
        plain = ask(sim, http, kode, "/internal_api/statistik/bantuan_keluarga").json()
        assert ask(sim, http, kode, f"/internal_api/statistik/bantuan_keluarga?tahun={tahun}"
                   ).json() == plain  # fmt: skip
    agama = ask(sim, http, kode, "/internal_api/statistik/3").json()
    for tahun in ("abc", "2010", "2030"):  # every other key ignores tahun
        assert ask(sim, http, kode, f"/internal_api/statistik/3?tahun={tahun}").json() == agama


# ------------------------------------------------------------------ age brackets


def test_age_statistics_follow_the_villages_brackets(sim, http, villages):
    edited = [v for v in villages if has_edited_brackets(v.kode_digits)]
    assert edited
    for v in edited[:6]:
        brackets = sim.record(v.kode_digits).brackets
        for key in ("13", "17", "akta-kematian"):
            rows = _categories(ask(sim, http, v.kode_digits, f"/internal_api/statistik/{key}"
                                   ).json())  # fmt: skip
            assert [(i["id"], i["attributes"]["dari"], i["attributes"]["sampai"]) for i in rows
                    ] == [(b.code, b.dari, b.sampai) for b in brackets]  # fmt: skip
            for item, b in zip(rows, brackets, strict=True):
                label = b.label if key == "13" else f"UMUR {b.dari} S/D {b.sampai} TAHUN"
                assert item["attributes"]["nama"] == label
                assert item["attributes"]["status"] == 1
        assert any(int(b.code) > 21 for b in brackets)
        kategori = _categories(ask(sim, http, v.kode_digits, "/internal_api/statistik/15").json())
        assert [i["attributes"]["nama"] for i in kategori] == [
            i["attributes"]["nama"] for i in _categories(recorded("012.json"))
        ]


# ------------------------------------------------------------------ pages


def _all_pages(sim, http, kode, path) -> list[dict]:
    payload = ask(sim, http, kode, path).json()
    items, pages = [], 0
    while True:
        pages += 1
        _links_rule(payload)
        assert payload["meta"]["pagination"]["current_page"] == pages
        items += payload["data"]
        if "next" not in payload["links"]:
            return items
        assert _number(payload["links"]["next"]) == pages + 1
        payload = http.get(payload["links"]["next"].replace(f"http://{HOST}", sim.url),
                           headers={"Host": HOST}, timeout=10).json()  # fmt: skip


def test_pembangunan_every_active_project_newest_year_first(sim, http, kode):
    record = sim.record(kode)
    active = [p for p in record.projects if p.active]
    items = _all_pages(sim, http, kode, "/internal_api/pembangunan?page[size]=100")
    assert len(items) == len(active) > 30
    years = [i["attributes"]["tahun_anggaran"] for i in items]
    assert all(isinstance(y, str) for y in years) and years == sorted(years, reverse=True)
    assert sorted(int(i["id"]) for i in items) == [p.id for p in active]
    by_id = {str(p.id): p for p in active}
    doc = {r["id"]: r for r in sim.document(kode)[0]["pembangunan"]}
    real_keys = list(recorded("052.json")["data"][0]["attributes"])
    empty = 0
    for item in items:
        a = item["attributes"]
        assert list(a) == real_keys and "persentase" not in a and "progres" not in a
        assert isinstance(a["anggaran"], int) and a["anggaran"] == by_id[item["id"]].anggaran
        reports = [d["persentase"] for d in a["pembangunan_dokumentasi"]]
        empty += not reports
        best = max((int(r.rstrip("%")) for r in reports), default=0)
        assert doc[item["id"]]["progres"] == best  # summary v1: the highest report
    assert empty > 0
    past = ask(sim, http, kode, "/internal_api/pembangunan?page[number]=9").json()
    assert past["data"] == [] and "prev" in past["links"] and "next" not in past["links"]
    for size in ("100", "0", "-5", "abc"):
        payload = ask(sim, http, kode, f"/internal_api/pembangunan?page[size]={size}").json()
        assert payload["meta"]["pagination"]["per_page"] == 30
    first = ask(sim, http, kode, "/internal_api/pembangunan?page[number]=x").json()
    assert first["meta"]["pagination"]["current_page"] == 1


def test_peserta_bantuan_one_row_per_recipient(sim, http, villages):
    real = recorded("064.json")["data"][0]["attributes"]
    for v in villages[:12]:
        record = sim.record(v.kode_digits)
        for key, sasaran in (("bantuan_penduduk", 1), ("bantuan_keluarga", 2)):
            items = _all_pages(sim, http, v.kode_digits, f"/internal_api/peserta_bantuan/{key}")
            programmes = [p for p in record.programmes if p.sasaran == sasaran]
            assert [i["id"] for i in items] == [str(p.id) for p in programmes
                                                for _ in p.recipients]  # fmt: skip
            rows = _categories(ask(sim, http, v.kode_digits, f"/internal_api/statistik/{key}"
                                   ).json())  # fmt: skip
            per_programme = {i["id"]: i["attributes"]["jumlah"] for i in rows}
            counted = {}
            for item in items:
                a = item["attributes"]
                assert shape(a) == shape(real) and str(a["program_id"]) == item["id"]
                assert re.fullmatch(r"\d{16}", a["kartu_nik"]) and re.fullmatch(
                    r"\d{16}", a["peserta"]
                )
                assert a["kartu_nik"][:6] == v.kode_digits[:6] and a["kartu_nama"]
                if sasaran == 1:
                    assert a["peserta"] == a["kartu_nik"]
                counted[item["id"]] = counted.get(item["id"], 0) + 1
            assert counted == {k: n for k, n in per_programme.items() if n}
            distinct = {i["attributes"]["peserta"] for i in items}
            assert len(distinct) == _summary(ask(sim, http, v.kode_digits,
                                                 f"/internal_api/statistik/{key}").json()
                                             )["666"]["jumlah"]  # fmt: skip
        p = record.programmes[0]
        one = _all_pages(sim, http, v.kode_digits, f"/internal_api/peserta_bantuan/{p.id}")
        assert one == _all_pages(
            sim, http, v.kode_digits, f"/internal_api/peserta_bantuan/50{p.id}"
        )
        assert len(one) == len(p.recipients)
    empty = ask(sim, http, villages[0].kode_digits, "/internal_api/peserta_bantuan/987").json()
    assert empty["data"] == [] and empty["meta"]["pagination"]["total"] == 0


def test_peserta_are_the_same_fake_people_every_time(villages, sim, http):
    kode = villages[5].kode_digits
    path = "/internal_api/peserta_bantuan/bantuan_keluarga?page[number]=1"
    with Simulator(villages, port=0) as again:
        assert (
            ask(sim, http, kode, path).json()["data"] == ask(again, http, kode, path).json()["data"]
        )
    with Simulator(villages, port=0, seed=5) as other:
        assert ask(sim, http, kode, path).json() != ask(other, http, kode, path).json()


def test_wilayah_administratif_lists_dusun_and_names_no_village(sim, http, villages):
    real = recorded("056.json")["data"][0]["attributes"]
    kelurahan = next(v for v in villages if v.kode_desa[9] == "1")  # RW numbers, Lingkungan
    numbered = 0
    for v in [*villages[::20], kelurahan]:
        payload = ask(sim, http, v.kode_digits, "/internal_api/wilayah/administratif").json()
        doc = sim.document(v.kode_digits)[0]
        laki = perempuan = keluarga = 0
        for item in payload["data"]:
            a = item["attributes"]
            assert item["type"] == "wilayah-administratif"
            assert list(a) == list(real)
            for rw in a["rws"]:
                keys = list(real["rws"][0])
                if rw["rw"] != "-":  # an RW with a number also names its head
                    keys.insert(keys.index("penduduk_pria_wanita_count") + 1, "kepala_nama")
                    numbered += 1
                assert list(rw) == keys
                assert [list(rt) for rt in rw["rts"]] == [list(real["rws"][0]["rts"][0])] * len(
                    rw["rts"]
                )
                assert rw["rts_count"] == len(rw["rts"])
            assert a["rws_count"] == sum(rw["rw"] != "-" for rw in a["rws"])
            assert a["rts_count"] == sum(len(rw["rts"]) for rw in a["rws"])
            laki += a["penduduk_pria_count"]
            perempuan += a["penduduk_wanita_count"]
            keluarga += a["keluarga_aktif_count"]
        t = doc["totals"]
        assert (laki, perempuan, keluarga) == (t["penduduk"]["laki"], t["penduduk"]["perempuan"],
                                               t["keluarga"])  # fmt: skip
        text = json.dumps(payload["data"])
        assert v.kode_digits not in text and v.kode_desa not in text
        assert v.nama_desa.upper() not in text.upper()
    assert numbered and a["sebutan_dusun"] == "Lingkungan"


def test_nothing_names_the_village_or_its_version(sim, http, kode, villages):
    v = next(v for v in villages if v.kode_digits == kode)
    for path in (
        "/internal_api/statistik/4",
        "/internal_api/statistik/bantuan_keluarga",
        "/internal_api/pembangunan",
        "/internal_api/wilayah/administratif",
        "/internal_api/peserta_bantuan/bantuan_penduduk",
        "/internal_api/nothing",
    ):
        r = ask(sim, http, kode, path)
        assert not [h for h in r.headers if "version" in h.lower() or "opensid" in h.lower()]
        # the links carry the path we asked for
        body = json.dumps(r.json()) if path != "/internal_api/nothing" else r.text
        body = body.replace(f"/{kode}/", "/")
        assert kode not in body and v.kode_desa not in body, path
        assert "2508" not in body and "kode_desa" not in body, path
