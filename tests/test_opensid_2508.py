"""The opensid adapter against the answers of a real OpenSID 2508.0.0 (tests/fixtures).

Every expected value here is read from the recorded answers themselves, the way OpenSID's own
statistics page reads them, never from the adapter: categories (ids 666/777/888 apart), the
summary rows, projects with their documentation entries, recipients per programme.
"""

from __future__ import annotations

import copy
import json
import logging
from collections import defaultdict

import pytest
from sqlalchemy import inspect, text

from collectors.adapters.opensid import parse_statistik, progress, pull
from collectors.http import HttpClient
from collectors.model import PayloadError
from collectors.sweep import run_sweep
from config.registry import Village
from config.settings import Settings
from config.statistik import BY_SLUG, PULLED_SLUGS, TOTALS_DATASET
from tests.conftest import BACKENDS, _postgres_store
from tests.opensid_recorded import (
    VILLAGE_DOTTED,
    RecordedOpenSID,
    load_recordings,
    recorded_json,
)
from warehouse.store import Warehouse

TAHUN = 2026
SUMMARY = ("666", "777", "888")
SETTINGS = Settings(concurrency=2, read_timeout=5, retries=0, backoff=0.01, tahun=TAHUN)


def village(base_url: str) -> Village:
    return Village(VILLAGE_DOTTED, "Senggigi", "52.01.14", "Batu Layar", "opensid", base_url)


def served(key: str) -> dict:
    return recorded_json(f"/internal_api/statistik/{key}?tahun={TAHUN}")


def expected_rows(doc: dict) -> list[tuple[str, str, int, int, int]]:
    """(id, label, jumlah, laki, perempuan) of the category rows, as OpenSID's page shows them."""
    return [
        (
            it["id"],
            it["attributes"]["nama"].strip(),
            int(it["attributes"]["jumlah"]),
            int(it["attributes"]["laki"]),
            int(it["attributes"]["perempuan"]),
        )
        for it in doc["data"]
        if it["id"] not in SUMMARY
    ]


def summary_row(doc: dict, ident: str) -> tuple[int, int, int]:
    (attrs,) = [it["attributes"] for it in doc["data"] if it["id"] == ident]
    return int(attrs["jumlah"]), int(attrs["laki"]), int(attrs["perempuan"])


def personal_values() -> set[str]:
    """Every NIK, name, birth date, birthplace and address in the recorded recipient lists."""
    values: set[str] = set()
    for answer in load_recordings().values():
        if not answer.content_type.startswith("application/json"):
            continue
        for item in json.loads(answer.body).get("data", []):
            attrs = item.get("attributes", {}) if isinstance(item, dict) else {}
            if item.get("type") != "bantuan_peserta":
                continue
            for name in ("peserta", "kartu_nik", "kartu_nama", "kartu_tanggal_lahir",
                         "kartu_tempat_lahir", "kartu_alamat"):  # fmt: skip
                if attrs.get(name):
                    values.add(str(attrs[name]))
    # a birthplace that is one of the village's own dusun is a place name, public anyway
    dusun = {d["attributes"]["dusun"] for d in _pages("/internal_api/wilayah/administratif")}
    return values - dusun


@pytest.fixture(scope="module")
def real_site():
    with RecordedOpenSID() as site:
        yield site


@pytest.fixture(scope="module", params=BACKENDS)
def landed_run(request, real_site, tmp_path_factory):
    """One sweep of the recorded village into an empty warehouse (each backend), with every
    log record it wrote."""
    if request.param == "sqlite":
        stores = iter([Warehouse(f"sqlite:///{tmp_path_factory.mktemp('real') / 'wh.db'}")])
    else:
        stores = _postgres_store()
    store = next(stores)
    store.upgrade()
    records = _Capture()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(records)
    root.setLevel(logging.DEBUG)
    try:
        real_site.requests.clear()
        summary = run_sweep([village(real_site.base_url)], store, SETTINGS)
    finally:
        root.removeHandler(records)
        root.setLevel(old_level)
    yield store, summary, list(real_site.requests), "\n".join(records.lines)
    store.engine.dispose()
    if request.param != "sqlite":
        stores.close()


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def landed(landed_run):
    return landed_run[:3]


def _int(value) -> int | None:
    return None if value is None or value != value else int(value)


def current(store, dataset: str) -> list[tuple]:
    frame = store.observations_frame([dataset])
    return sorted(
        (r.kode, r.label, _int(r.jumlah), _int(r.laki_laki), _int(r.perempuan))
        for r in frame.itertuples()
    )


# ----------------------------------------------------------------- the whole village lands


def test_every_dataset_of_the_real_village_lands(landed, real_site):
    store, summary, requests = landed
    assert summary.count("failed") == 0, summary.failed
    status = store.dataset_status_frame()
    failed = status[status["last_status"] != "ok"]
    assert failed.empty, failed[["dataset", "last_error"]].to_dict("records")
    assert set(status["dataset"]) == {TOTALS_DATASET, *PULLED_SLUGS, "identitas", "pembangunan",
                                      "bantuan"}  # fmt: skip
    assert real_site.unrecorded == [], "the adapter asked what the real system was not asked"
    # one request per statistic plus each page of the four lists, nothing retried
    lists = ("wilayah/administratif", "pembangunan", "peserta_bantuan/bantuan_penduduk",
             "peserta_bantuan/bantuan_keluarga")  # fmt: skip
    pages = sum(
        recorded_json(f"/internal_api/{path}")["meta"]["pagination"]["total_pages"]
        for path in lists
    )
    assert (
        len(requests) == len(set(requests)) == len({BY_SLUG[s].key for s in PULLED_SLUGS}) + pages
    )


@pytest.mark.parametrize("slug", [s for s in PULLED_SLUGS if BY_SLUG[s].jenis != "rtm"])
def test_each_statistic_equals_what_opensid_served(landed, slug):
    store = landed[0]
    doc = served(BY_SLUG[slug].key)
    want = expected_rows(doc)
    want.append(("belum_mengisi", "BELUM MENGISI", *summary_row(doc, "777")))
    want.append(("total", "TOTAL", *summary_row(doc, "888")))
    if BY_SLUG[slug].jenis == "bantuan":  # distinct recipients: not the rows' sum
        want.append(("jumlah", "JUMLAH", *summary_row(doc, "666")))
    assert current(store, slug) == sorted(want)


def test_bdt_keeps_the_households_in_the_bdt_as_its_category(landed):
    doc = served("bdt")
    assert expected_rows(doc) == []  # OpenSID 2508 drops the BDT's rows
    code, label = BY_SLUG["bdt"].codes[0]
    assert current(landed[0], "bdt") == sorted(
        [
            (code, label, *summary_row(doc, "666")),
            ("belum_mengisi", "BELUM MENGISI", *summary_row(doc, "777")),
            ("total", "TOTAL", *summary_row(doc, "888")),
        ]
    )


def test_totals_come_from_sex_families_and_households(landed):
    rows = {r[0]: r for r in current(landed[0], TOTALS_DATASET) if r[0] == "penduduk"}
    assert rows["penduduk"][2:] == summary_row(served("4"), "888")
    frame = landed[0].observations_frame([TOTALS_DATASET]).set_index("kode")
    assert int(frame.loc["keluarga", "jumlah"]) == summary_row(served("kelas_sosial"), "888")[0]
    assert int(frame.loc["rumah_tangga", "jumlah"]) == summary_row(served("bdt"), "888")[0]


def test_age_brackets_keep_their_bounds(landed):
    frame = landed[0].observations_frame(["rentang-umur"])
    frame = frame[~frame["kode"].isin(["belum_mengisi", "total"])]
    got = {r.kode: (int(r.dari), int(r.sampai)) for r in frame.itertuples()}
    want = {
        it["id"]: (it["attributes"]["dari"], it["attributes"]["sampai"])
        for it in served("13")["data"]
        if it["id"] not in SUMMARY
    }
    assert got == want
    assert got["5"] == (0, 1) and got["21"][0] == 75  # "Di bawah 1 Tahun", "75 Tahun ke Atas"


def _pages(path: str) -> list[dict]:
    items, number = [], 1
    while True:
        doc = recorded_json(f"{path}?page[number]={number}&page[size]=100")
        if not doc["data"]:
            return items
        items += doc["data"]
        number += 1


def test_projects_with_their_progress_as_opensid_shows_it(landed):
    frame = landed[0].measurements_frame(["pembangunan"])
    got = {
        (r.kode, r.ukuran): (r.periode, None if r.nilai != r.nilai else r.nilai)
        for r in frame.itertuples()
    }
    projects = _pages("/internal_api/pembangunan")
    assert (
        len(projects) == recorded_json("/internal_api/pembangunan")["meta"]["pagination"]["total"]
    )
    want = {}
    for item in projects:
        a = item["attributes"]
        entries = [float(d["persentase"].rstrip("%")) for d in a["pembangunan_dokumentasi"]]
        want[(item["id"], "anggaran")] = (a["tahun_anggaran"], float(a["anggaran"]))
        want[(item["id"], "progres")] = (a["tahun_anggaran"], max(entries) if entries else None)
    assert got == want
    # a hand-typed "95" beside "100%", and projects with no entry at all
    assert want[("3", "progres")][1] == 100.0
    assert sum(1 for (k, u), v in want.items() if u == "progres" and v[1] is None) > 0


def test_programmes_count_their_recipients_without_keeping_them(landed):
    frame = landed[0].measurements_frame(["bantuan"])
    got = {r.kode: (r.label, int(r.nilai)) for r in frame.itertuples()}
    want: dict[str, set] = defaultdict(set)
    names = {}
    for target in ("bantuan_penduduk", "bantuan_keluarga"):
        for item in _pages(f"/internal_api/peserta_bantuan/{target}"):
            want[item["id"]].add(item["attributes"]["peserta"])
            names[item["id"]] = item["attributes"]["nama"]
    assert got == {p: (names[p], len(who)) for p, who in want.items()}
    # one family (DAHRI's) receives all four family programmes: the rows overlap
    keluarga = recorded_json("/internal_api/statistik/bantuan_keluarga")
    rows = sum(r[2] for r in expected_rows(keluarga))
    assert summary_row(keluarga, "666")[0] < rows


def test_identity_comes_from_the_registry_and_dusun_from_the_village(landed):
    frame = landed[0].measurements_frame(["identitas"]).set_index("ukuran")
    dusun = _pages("/internal_api/wilayah/administratif")
    assert int(frame.loc["dusun", "nilai"]) == len(dusun) > 0
    assert int(frame.loc["rt", "nilai"]) == sum(d["attributes"]["rts_count"] for d in dusun)
    assert int(frame.loc["rw", "nilai"]) == sum(d["attributes"]["rws_count"] for d in dusun)
    profil = json.loads(frame.loc["profil", "atribut"])
    assert profil["nama_desa"] == "Senggigi" and profil["source_app"] == "OpenSID"


# ----------------------------------------------------------------- no personal data anywhere


def _every_text(store) -> str:
    """Every value of every table of the warehouse, as one text."""
    parts = []
    with store.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(" ".join(str(v) for v in row))
    return "\n".join(parts)


def test_no_personal_field_reaches_the_warehouse_logs_or_exports(landed_run):
    from aggregates.load import load_population
    from aggregates.population import export_frame, statistic_table
    from dashboard.app import create_app

    store, logs = landed_run[0], landed_run[3]
    secrets = personal_values()
    assert len(secrets) > 10  # NIKs, names, birth dates, birthplaces, addresses were served
    exports = [  # what `dasbor export` writes
        export_frame(statistic_table(load_population(store), slug, "desa", None)).to_csv()
        for slug in ("bantuan-penduduk", "bantuan-keluarga")
    ]
    http = create_app(store, Settings()).server.test_client()
    for path in (
        "/api/v1/dataset/bantuan",
        "/api/v1/dataset/bantuan.csv",
        "/api/v1/statistik/bantuan-keluarga?tingkat=desa",
        "/api/v1/dataset/identitas",
    ):
        resp = http.get(path)
        assert resp.status_code == 200, path
        exports.append(resp.get_data(as_text=True))  # fmt: skip
    haystacks = {
        "warehouse": _every_text(store),
        "logs": logs,
        "exports": "\n".join(exports),
    }
    for where, hay in haystacks.items():
        leaked = sorted(v for v in secrets if v in hay)
        assert leaked == [], f"personal data in the {where}: {len(leaked)} values"
    assert "JAMKESMAS" in haystacks["exports"]  # the programmes themselves are there


# ----------------------------------------------------------------- what real villages also do


def _edited(doc: dict, edit) -> dict:
    doc = copy.deepcopy(doc)
    edit(doc["data"])
    return doc


def _split_last_bracket(data: list) -> None:
    """The village edited '75 Tahun ke Atas' to 75–79 and added '80 Tahun ke Atas' (new id 22),
    moving its oldest residents into the new bracket, and typed a label of its own."""
    last = next(it for it in data if it["id"] == "21")
    a = last["attributes"]
    a.update(nama="75 s/d 79 Tahun", sampai=79)
    moved = {"jumlah": 1, "laki": 0, "perempuan": 1}
    new = copy.deepcopy(last)
    new["id"] = "22"
    new["attributes"].update(nama="80 Tahun ke Atas", dari=80, sampai=150, **moved)
    for k, v in moved.items():
        a[k] -= v
    data.insert(data.index(last) + 1, new)
    next(it for it in data if it["id"] == "6")["attributes"]["nama"] = "Balita 2-4 th"


def _bdt_households(data: list) -> None:
    """One of the village's households entered in the BDT (666 = 1, 777 = the rest)."""
    rows = {it["id"]: it["attributes"] for it in data}
    rows["666"].update(jumlah=1, laki=1, perempuan=0)
    rows["777"].update(jumlah=rows["888"]["jumlah"] - 1, laki=rows["888"]["laki"] - 1)


def test_edited_brackets_and_bdt_households_land(store):
    overrides = {
        f"/internal_api/statistik/13?tahun={TAHUN}": _edited(served("13"), _split_last_bracket),
        f"/internal_api/statistik/bdt?tahun={TAHUN}": _edited(served("bdt"), _bdt_households),
    }
    with RecordedOpenSID(overrides=overrides) as site:
        summary = run_sweep([village(site.base_url)], store, SETTINGS)
    assert summary.count("failed") == 0, summary.failed
    brackets = store.observations_frame(["rentang-umur"]).set_index("kode")
    assert (int(brackets.loc["22", "dari"]), int(brackets.loc["22", "sampai"])) == (80, 150)
    assert brackets.loc["6", "label"] == "Balita 2-4 th"
    bdt = store.observations_frame(["bdt"]).set_index("kode")
    assert int(bdt.loc[BY_SLUG["bdt"].codes[0][0], "jumlah"]) == 1
    assert int(bdt.loc["total", "jumlah"]) == summary_row(served("bdt"), "888")[0]


def test_indicators_use_the_real_default_brackets(landed):
    from aggregates.indicators import age_groups
    from aggregates.population import PopulationData

    store = landed[0]
    data = PopulationData(store.observations_frame(), store.regions_frame())
    groups = age_groups(data).set_index("kode_desa")
    rows = expected_rows(served("13"))
    bounds = {it["id"]: (it["attributes"]["dari"], it["attributes"]["sampai"])
              for it in served("13")["data"] if it["id"] not in SUMMARY}  # fmt: skip
    young = sum(r[2] for r in rows if bounds[r[0]][1] < 15)
    old = sum(r[2] for r in rows if bounds[r[0]][0] >= 65)
    assert bool(groups.loc[VILLAGE_DOTTED, "terpakai"])
    assert int(groups.loc[VILLAGE_DOTTED, "usia_muda"]) == young
    assert int(groups.loc[VILLAGE_DOTTED, "usia_tua"]) == old


@pytest.mark.parametrize(
    "asked, answer_of",
    [
        ("kia", "8"),  # a release without KIA answers with pendidikan dalam KK
        ("13", "12"),  # rentang umur asked, pendidikan came back
        ("suku", "99"),
        ("bdt", "0"),
        ("bantuan_keluarga", "8"),
        ("1", "0"),
    ],
)
def test_an_answer_of_another_statistic_is_refused_and_not_retried(store, asked, answer_of):
    wrong = load_recordings()
    (body,) = [a.body for k, a in wrong.items() if k[0] == f"/internal_api/statistik/{answer_of}"
               and a.status == 200][:1]  # fmt: skip
    overrides = {f"/internal_api/statistik/{asked}?tahun={TAHUN}": body}
    slug = next(s.slug for s in BY_SLUG.values() if s.key == asked)
    with RecordedOpenSID(overrides=overrides) as site:
        run_sweep([village(site.base_url)], store, SETTINGS)
        asked_paths = [p for p in site.requests if p.startswith("/internal_api/statistik/")]
    status = store.dataset_status_frame().set_index("dataset")
    error = status.loc[slug, "last_error"]
    assert status.loc[slug, "last_status"] == "failed"
    assert error.startswith(f"statistik {slug} (key {asked}): ")
    assert "TIDAK / BELUM SEKOLAH" in error  # what came back
    assert VILLAGE_DOTTED in error or "not age brackets" in error or "sends none" in error
    assert store.observations_frame([slug]).empty
    # never retried under another key; every other statistic landed
    assert len(asked_paths) == len(set(asked_paths))
    others = status.drop(
        index=[slug, *([TOTALS_DATASET] if asked in ("bdt", "kelas_sosial", "4") else [])]
    )
    assert (others["last_status"] == "ok").all(), others[others["last_status"] != "ok"]


def test_unknown_key_fallback_really_is_pendidikan():
    """The premise of the check above, as recorded: 8, 12 and 99 answer with key 0's rows."""
    for key in ("8", "12", "99"):
        assert expected_rows(served(key)) == expected_rows(served("0"))


def test_a_village_answering_html_fails_in_words():
    """A wrong base URL gets CodeIgniter's 404 page, as recorded: a failure that says so."""
    with RecordedOpenSID(overrides={}) as site:
        site.answers = {k: v for k, v in site.answers.items() if v.status == 404} | {
            ("/internal_api/statistik/3", (("tahun", str(TAHUN)),)): next(
                v for v in site.answers.values() if v.status == 404
            )
        }
        got = pull(village(site.base_url), HttpClient(SETTINGS), tahun=TAHUN, datasets=["agama"])
    (result,) = got.results
    assert result.status == "failed" and result.http_status == 404
    assert result.error == (
        "statistik agama (key 3): HTTP 404: endpoint not found (wrong base_url or adapter?)"
    )


def test_parse_refuses_broken_real_answers():
    doc = served("3")
    broken = _edited(doc, lambda data: data[0]["attributes"].update(laki=44))
    with pytest.raises(PayloadError, match=r"laki \(44\) \+ perempuan"):
        parse_statistik(broken, "agama", "3")
    no_total = _edited(doc, lambda data: data.pop())
    with pytest.raises(PayloadError, match="no summary row 888"):
        parse_statistik(no_total, "agama", "3")
    off_by_one = _edited(doc, lambda data: data[-1]["attributes"].update(jumlah=98, laki=47))
    with pytest.raises(PayloadError, match="but total is 98"):
        parse_statistik(off_by_one, "agama", "3")
    overlap = _edited(served("13"), lambda data: data[1]["attributes"].update(dari=1))
    with pytest.raises(PayloadError, match="overlap"):
        parse_statistik(overlap, "rentang-umur", "13")
    assert progress([{"persentase": "80%"}, {"persentase": "95"}], "p") == 95.0
    assert progress([], "p") is None
    with pytest.raises(PayloadError, match="over 100%"):
        progress([{"persentase": "120%"}], "p")
