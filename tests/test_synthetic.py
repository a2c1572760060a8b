"""simulator.synthetic: one deterministic record per village and year, following the corrected
catalogue (config/statistik.toml) and calibrated to Bengkulu Utara."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from config.registry import Village, load_registry
from config.statistik import BY_KEY, BY_SLUG, KATEGORI_UMUR_DEFAULT, OPEN_END, STATISTICS
from simulator.synthetic import (
    age_brackets,
    document_bytes,
    find_statistic,
    has_edited_brackets,
    village_document,
    village_record,
)

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "opensid-2508" / "5201142005"
FIELDS = ("total", "laki", "perempuan")
# ethnic groups of Bengkulu Utara (and of the settlers there), however a village types them
SUKU = {"rejang", "serawai", "jawa", "minang", "sunda", "bali", "batak", "bugis", "melayu",
        "lembak", "pekal", "enggano", "madura"}  # fmt: skip


@pytest.fixture(scope="module")
def villages() -> list[Village]:
    return load_registry(ROOT / "config" / "villages-17.03.csv")


@pytest.fixture(scope="module")
def records(villages):
    return {v.kode_digits: village_record(v) for v in villages}


@pytest.fixture(scope="module")
def docs(records) -> dict[str, dict]:
    return {kode: r.document for kode, r in records.items()}


def _rows(doc: dict, slug: str) -> dict[str, dict]:
    return {r["code"]: r for r in find_statistic(doc, slug)["rows"]}


def _share(docs, slug: str, code: str, field: str = "total") -> float:
    part = sum(_rows(d, slug).get(code, {field: 0})[field] for d in docs.values())
    return part / sum(find_statistic(d, slug)["total"][field] for d in docs.values())


def _recorded_rows(name: str) -> list[dict]:
    data = json.loads((FIXTURE / name).read_text())["data"]
    return [i for i in data if i["id"] not in ("666", "777", "888")]


# ------------------------------------------------------------------ determinism and size


def test_same_seed_same_record_other_seed_differs(villages):
    v = villages[10]
    assert document_bytes(village_document(v)) == document_bytes(village_document(v, seed=0))
    assert village_record(v).programmes == village_record(v, seed=0).programmes
    assert document_bytes(village_document(v, seed=1)) != document_bytes(village_document(v))
    assert village_record(v, seed=1).programmes != village_record(v).programmes


@pytest.mark.parametrize("index", range(0, 220, 27))
def test_other_year_differs_but_traits_stay(villages, index):
    v = villages[index]
    now, later = village_record(v, tahun=2026), village_record(v, tahun=2027)
    assert now.document != later.document
    grew = later.document["totals"]["penduduk"]["total"]
    assert grew > now.document["totals"]["penduduk"]["total"] * 0.98
    assert later.document["source"]["version"] == now.document["source"]["version"]
    assert later.brackets == now.brackets
    assert [(d.id, d.nama) for d in later.dusun] == [(d.id, d.nama) for d in now.dusun]
    # a programme keeps its id and dates; a year adds at most new ones after them
    old = {p.id: (p.nama, p.sdate) for p in now.programmes}
    assert {p.id: (p.nama, p.sdate) for p in later.programmes if p.id in old} == old
    # a project is the same project the next year, its later progress reports added
    first = {p.id: (p.judul, p.anggaran, p.cluster_id) for p in now.projects}
    assert {p.id: (p.judul, p.anggaran, p.cluster_id) for p in later.projects
            if p.id in first} == first  # fmt: skip
    assert len(later.projects) > len(now.projects)
    for p, q in zip(now.projects, later.projects, strict=False):
        assert q.progress[: len(p.progress)] == p.progress


def test_calibrated_to_bengkulu_utara(docs):
    penduduk = [d["totals"]["penduduk"] for d in docs.values()]
    total = sum(p["total"] for p in penduduk)
    laki = sum(p["laki"] for p in penduduk)
    perempuan = sum(p["perempuan"] for p in penduduk)
    assert len(docs) == 220
    assert abs(total - 305_000) <= 0.05 * 305_000
    assert 102 <= 100 * laki / perempuan <= 106
    sizes = sorted(p["total"] for p in penduduk)
    assert sizes[0] < 600 and sizes[-1] > 3000  # a few hundred to several thousand
    for d in docs.values():
        t = d["totals"]
        assert 3.2 <= t["penduduk"]["total"] / t["keluarga"] <= 3.9
        assert t["rumah_tangga"] < t["keluarga"]


def test_kelurahan_are_larger_and_named(docs):
    kel = [d for d in docs.values() if d["village"]["sebutan_desa"] == "kelurahan"]
    desa = [d for d in docs.values() if d["village"]["sebutan_desa"] == "desa"]
    assert len(kel) == 5 and len(desa) == 215
    assert all(d["village"]["kode_desa"][-4] == "1" for d in kel)
    mean = lambda ds: sum(d["totals"]["penduduk"]["total"] for d in ds) / len(ds)  # noqa: E731
    assert mean(kel) > mean(desa)


# ------------------------------------------------------------------ the catalogue


def test_every_statistic_with_the_catalogues_ids_and_labels(records):
    for kode, record in records.items():
        doc = record.document
        assert [s["key"] for s in doc["statistics"]] == [s.key for s in STATISTICS]
        for entry in doc["statistics"]:
            stat, where = BY_KEY[entry["key"]], f"{kode} {entry['slug']}"
            assert entry["slug"] == stat.slug, where
            got = [(r["code"], r["label"]) for r in entry["rows"]]
            if stat.jenis in ("kategori", "rtm"):
                assert got == list(stat.codes), where
            elif stat.slug == "kategori-umur":
                assert [(r["code"], r["label"], r["dari"], r["sampai"]) for r in entry["rows"]] == [
                    (b.code, b.label, b.dari, b.sampai) for b in KATEGORI_UMUR_DEFAULT
                ]
            elif stat.jenis == "umur":  # the village's own rentang-umur brackets
                expected = [(b.code, b.dari, b.sampai) for b in record.brackets]
                assert [(r["code"], r["dari"], r["sampai"]) for r in entry["rows"]] == expected
                for row in entry["rows"]:
                    if stat.slug == "rentang-umur":
                        assert row["label"] == next(
                            b.label for b in record.brackets if b.code == row["code"]
                        )
                    else:  # akta-kelahiran, akta-kematian: OpenSID's own label
                        assert row["label"] == f"UMUR {row['dari']} S/D {row['sampai']} TAHUN"
            elif stat.jenis == "bebas":
                assert all(code == label for code, label in got), where
                assert {label.casefold() for _, label in got} <= SUKU, where
            else:  # bantuan: a row per programme of the target running this year
                sasaran = 1 if stat.slug == "bantuan-penduduk" else 2
                expected = [(str(p.id), p.nama) for p in record.programmes
                            if p.sasaran == sasaran and p.runs_in(record.tahun)]  # fmt: skip
                assert got == expected and got, where


def test_counts_add_up_and_each_total_counts_its_unit(docs):
    for kode, d in docs.items():
        penduduk = d["totals"]["penduduk"]
        assert penduduk["total"] == penduduk["laki"] + penduduk["perempuan"]
        kawin = _rows(d, "status-perkawinan")
        for entry in d["statistics"]:
            stat, where = BY_KEY[entry["key"]], f"{kode} {entry['slug']}"
            jumlah = entry.get("jumlah")
            for counts in [*entry["rows"], entry["belum_mengisi"], entry["total"], jumlah or {}]:
                if counts:
                    assert counts["total"] == counts["laki"] + counts["perempuan"], where
                    assert min(counts[f] for f in FIELDS) >= 0, where
            for f in FIELDS:
                rows = sum(r[f] for r in entry["rows"])
                if stat.additive:
                    assert jumlah is None, where
                    assert rows + entry["belum_mengisi"][f] == entry["total"][f], where
                else:  # distinct recipients: at most the rows' sum, belum = the rest
                    assert jumlah[f] <= rows and jumlah[f] <= entry["total"][f], where
                    assert jumlah[f] + entry["belum_mengisi"][f] == entry["total"][f], where
            total = entry["total"]
            if stat.unit == "penduduk":
                assert total == penduduk, where
            elif stat.unit == "keluarga":
                assert total["total"] == d["totals"]["keluarga"], where
            elif stat.unit == "rumah_tangga":
                assert total["total"] == d["totals"]["rumah_tangga"], where
            elif stat.unit == "perempuan":
                assert total == {**penduduk, "total": penduduk["perempuan"], "laki": 0}, where
            elif stat.unit == "penduduk_kawin":
                for f in FIELDS:
                    assert total[f] == sum(kawin[c][f] for c in ("2", "3", "4")), where
            elif stat.unit == "penduduk_meninggal":  # a small number of deceased residents
                assert 0 < total["total"] < 0.05 * penduduk["total"], where
            else:
                assert stat.unit in ("wajib_ktp", "anak"), where
                assert 0 < total["total"] < penduduk["total"], where


def test_totals_agree_with_the_statistics_that_carry_them(docs):
    for d in docs.values():
        t = d["totals"]
        assert find_statistic(d, "4")["total"] == t["penduduk"]
        assert find_statistic(d, "kelas_sosial")["total"]["total"] == t["keluarga"]
        assert find_statistic(d, "bdt")["total"]["total"] == t["rumah_tangga"]
        assert (
            find_statistic(d, "bantuan_keluarga")["total"]
            == find_statistic(d, "kelas_sosial")["total"]
        )
        head = _rows(d, "hubungan-kk")["1"]  # KEPALA KELUARGA: one per family
        kelas = find_statistic(d, "kelas-sosial")["total"]
        assert (head["total"], head["laki"], head["perempuan"]) == (
            kelas["total"], kelas["laki"], kelas["perempuan"]
        )  # fmt: skip


def test_who_each_partial_total_counts(records):
    for record in records.values():
        d = record.document
        brackets = _rows(d, "rentang-umur")
        adults = sum(r["total"] for r in brackets.values() if r["dari"] >= 20)
        children = sum(r["total"] for r in brackets.values() if r["sampai"] <= 14)
        penduduk = d["totals"]["penduduk"]["total"]
        wajib = find_statistic(d, "kepemilikan-ktp")["total"]["total"]  # 17+ or ever married
        assert adults <= wajib <= penduduk - children
        anak = find_statistic(d, "kepemilikan-kia")["total"]["total"]  # 17 and younger
        assert children <= anak <= penduduk - adults
        assert _rows(d, "buku-nikah")["1"]["total"] == 0  # BELUM KAWIN never has a book


def test_opensids_real_reference_ids(docs):
    desa = [d for d in docs.values() if d["village"]["sebutan_desa"] == "desa"]
    for d in docs.values():
        kepala = _rows(d, "pekerjaan")["86"]["total"]  # 86 is KEPALA DESA
        assert kepala == (1 if d in desa else 0)
    assert BY_SLUG["pekerjaan"].codes[64] == ("65", "GURU")
    assert _share(docs, "pekerjaan", "65") > 0.005  # teachers are 65
    assert _share(docs, "kepemilikan-ktp", "7") > 0.4  # CARD ISSUED, the most common of 8
    used = {code for d in docs.values() for code, r in _rows(d, "kepemilikan-ktp").items()
            if r["total"]}  # fmt: skip
    assert used == {code for code, _ in BY_SLUG["kepemilikan-ktp"].codes}
    sedang = {code for d in docs.values() for code, r in _rows(d, "14").items() if r["total"]}
    assert sedang <= {str(i) for i in range(1, 21)} and {"19", "20", "18"} <= sedang
    assert _share(docs, "akseptor-kb", "99") > 0  # Lainnya is 99
    assert _share(docs, "asuransi-kesehatan", "99") > 0  # Asuransi Lainnya is 99


def test_plausible_mixes(docs):
    assert _share(docs, "kategori-umur", "1") > 0.08  # BALITA
    assert _share(docs, "agama", "1") > 0.9  # ISLAM
    assert 0.001 < _share(docs, "agama", "2") < 0.05
    assert _share(docs, "golongan-darah", "13") > 0.6  # TIDAK TAHU
    assert _share(docs, "penyandang-cacat", "7") > 0.95
    assert _share(docs, "pekerjaan", "2", "perempuan") > 0.2  # MENGURUS RUMAH TANGGA
    assert _share(docs, "pekerjaan", "2", "laki") < 0.01
    assert _share(docs, "pekerjaan", "9") > 0.15  # PETANI/PEKEBUN
    assert _share(docs, "status-perkawinan", "2") > 0.4  # KAWIN
    assert _share(docs, "status-penduduk", "1") > 0.9  # TETAP
    assert _share(docs, "14", "4") > 0.1  # SEDANG SD
    kb = sum(find_statistic(d, "16")["belum_mengisi"]["total"] for d in docs.values())
    assert kb / sum(d["totals"]["penduduk"]["total"] for d in docs.values()) > 0.6
    belum = [find_statistic(d, "agama")["belum_mengisi"]["total"] for d in docs.values()]
    assert any(belum) and not all(belum)
    bdt = [find_statistic(d, "bdt") for d in docs.values()]
    assert all(0 < e["rows"][0]["total"] < e["total"]["total"] for e in bdt)
    hamil = [_rows(d, "hamil")["1"] for d in docs.values()]
    assert all(r["laki"] == 0 for r in hamil) and sum(r["total"] for r in hamil) > 100


def test_suku_is_free_text_typical_of_bengkulu_utara(docs):
    seen = Counter()
    for d in docs.values():
        rows = find_statistic(d, "suku")["rows"]
        assert rows and [r["label"] for r in rows] == sorted(
            (r["label"] for r in rows), key=str.casefold
        )  # OpenSID's GROUP BY order
        spellings = {r["label"] == r["label"].upper() for r in rows}
        assert len(spellings) == 1  # a village types them one way
        for r in rows:
            seen[r["label"].casefold()] += r["total"]
    assert seen.most_common(2)[0][0] in ("rejang", "jawa")
    assert {"rejang", "serawai", "jawa", "minang", "sunda", "bali", "batak", "bugis"} <= set(seen)


def test_some_villages_edit_and_add_age_brackets(villages, records):
    recorded = [
        (r["id"], r["attributes"]["nama"], r["attributes"]["dari"], r["attributes"]["sampai"])
        for r in _recorded_rows("010.json")
    ]
    assert recorded[8][1] == "35 s/d 39 Tahun " and recorded[-1][1:] == ("75 Tahun ke Atas", 75,
                                                                       150)  # fmt: skip
    edited = []
    for v in villages:
        brackets = records[v.kode_digits].brackets
        assert brackets == age_brackets(v.kode_desa)
        got = [(b.code, b.label, b.dari, b.sampai) for b in brackets]
        if not has_edited_brackets(v.kode_digits):
            assert got == recorded  # OpenSID's defaults, exactly as served
            continue
        edited.append(got)
        assert got != recorded and any(int(code) > 21 for code, *_ in got)  # new ids after 21
        assert [int(code) for code, *_ in got] == sorted(int(code) for code, *_ in got)
        ages = sorted((dari, sampai) for _, _, dari, sampai in got)
        assert ages[0][0] == 0 and ages[-1][1] == OPEN_END
        for (_, hi), (lo, _) in zip(ages, ages[1:], strict=False):
            assert lo == hi + 1  # neither overlapping nor leaving a gap
    assert 0.04 * len(villages) <= len(edited) <= 0.2 * len(villages)
    assert len({tuple(e) for e in edited}) >= 2


# ------------------------------------------------------------------ programmes and projects


def test_aid_programmes_overlap_and_run_in_years(records):
    overlapping = {"bantuan-penduduk": 0, "bantuan-keluarga": 0}
    expired = 0
    for record in records.values():
        d, t = record.document, record.tahun
        ids = [p.id for p in record.programmes]
        assert ids == list(range(1, len(ids) + 1))
        assert [p.sdate for p in record.programmes] == sorted(p.sdate for p in record.programmes)
        expired += any(not p.runs_in(t) for p in record.programmes)
        for p in record.programmes:
            assert len(set(p.recipients)) == len(p.recipients)
            if p.sasaran == 1:
                pools = record.pools
                assert all(i < pools[sex][2] for i, sex in p.recipients)
            else:
                heads = record.keluarga_heads
                assert all((i < heads["L"]) == (sex == "L") for i, sex in p.recipients)
        for slug in overlapping:
            entry = find_statistic(d, slug)
            rows = sum(r["total"] for r in entry["rows"])
            overlapping[slug] += entry["jumlah"]["total"] < rows
        running = {p.id: p for p in record.programmes if p.runs_in(t)}
        assert [(b["program_id"], b["peserta"]) for b in d["bantuan"]] == [
            (str(i), len(p.recipients)) for i, p in running.items()
        ]
        blt = {r for p in running.values() if p.nama.startswith("BLT") for r in p.recipients}
        helped = {r for p in running.values() if p.nama in ("PKH", "Program Sembako")
                  for r in p.recipients}  # fmt: skip
        assert not blt & helped  # BLT Dana Desa goes to families without other aid
    assert overlapping["bantuan-keluarga"] > 0.8 * len(records)  # PKH families get Sembako
    assert overlapping["bantuan-penduduk"] > 0  # a scholarship for PIP pupils
    assert expired > 0.5 * len(records)  # old programmes stay listed


def test_projects_of_every_year_with_their_progress(records):
    typed, without, years = 0, 0, set()
    for record in records.values():
        d = record.document
        ids = [p.id for p in record.projects]
        assert ids == list(range(1, len(ids) + 1))
        active = [p for p in record.projects if p.active]
        assert [r["id"] for r in d["pembangunan"]] == [str(p.id) for p in active]
        for row, p in zip(d["pembangunan"], active, strict=True):
            assert row["progres"] == (p.progres or 0) <= 100
            assert row["tahun_anggaran"] == p.tahun_anggaran
            assert p.biaya and sum(p.biaya) == p.anggaran
        years |= {p.tahun_anggaran for p in record.projects}
        without += sum(1 for p in active if not p.progress)
        typed += sum(1 for p in active for g in p.progress if not g.persentase.endswith("%"))
    assert years == set(range(2022, 2027))
    assert without > 0 and typed > 0  # no report yet; a hand-typed "95"


def test_dusun_rt_counts_add_up_to_the_village(records):
    for record in records.values():
        d = record.document
        rts = [rt for dusun in record.dusun for rw in dusun.rws for rt in rw.rts]
        assert sum(rt.laki for rt in rts) == d["totals"]["penduduk"]["laki"]
        assert sum(rt.perempuan for rt in rts) == d["totals"]["penduduk"]["perempuan"]
        assert sum(rt.keluarga for rt in rts) == d["totals"]["keluarga"]
        ids = [x.id for dusun in record.dusun for x in (dusun, *dusun.rws, *(
            rt for rw in dusun.rws for rt in rw.rts))]  # fmt: skip
        assert len(ids) == len(set(ids))
