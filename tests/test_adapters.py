"""Parsing of both adapters' payloads, including OpenSID's summary rows and string numbers."""

from __future__ import annotations

import copy
import json

import pytest

from collectors.adapters.common import age_range
from collectors.adapters.opensid import parse_statistik
from collectors.adapters.summary_v1 import parse_document, parse_statistic, parse_totals
from collectors.model import PayloadError

DOC = {
    "schema_version": "1",
    "village": {"kode_desa": "17.03.06.2001", "nama_desa": "Talang Jambu"},
    "totals": {"penduduk": {"total": 1210, "laki": 600, "perempuan": 610}, "keluarga": 380},
    "statistics": [
        {
            "key": "3",
            "slug": "agama",
            "rows": [
                {"code": "1", "label": "ISLAM", "total": 1190, "laki": 590, "perempuan": 600},
                {"code": "2", "label": "KRISTEN", "total": 12, "laki": 6, "perempuan": 6},
            ],
            "belum_mengisi": {"total": 8, "laki": 4, "perempuan": 4},
            "total": {"total": 1210, "laki": 600, "perempuan": 610},
            "an_unknown_field": "ignored",
        }
    ],
}


def _opensid(rows, as_strings=False):
    def val(v):
        return str(v) if as_strings else v

    data = []
    for ident, nama, jumlah, laki, perempuan in rows:
        data.append(
            {
                "type": "statistik",
                "id": ident,
                "attributes": {
                    "no": 1,
                    "nama": nama,
                    "jumlah": val(jumlah),
                    "laki": val(laki),
                    "perempuan": val(perempuan),
                    "persen": "97,01%",
                },
            }
        )
    return json.dumps({"data": data}).encode()


AGAMA_ROWS = [
    ("1", "ISLAM", 812, 401, 411),
    ("2", "KRISTEN", 0, 0, 0),
    ("666", "JUMLAH", 812, 401, 411),
    ("777", "BELUM MENGISI", 25, 10, 15),
    ("888", "TOTAL", 837, 411, 426),
]


def test_summary_v1_parses_totals_and_statistic():
    doc = parse_document(json.dumps(DOC).encode(), "17.03.06.2001")
    totals = parse_totals(doc)
    assert (totals.penduduk.jumlah, totals.keluarga, totals.rumah_tangga) == (1210, 380, None)
    stat = parse_statistic(doc, "agama")
    assert [r.kode for r in stat.rows] == ["1", "2"]
    assert stat.belum_mengisi.jumlah == 8 and stat.total.perempuan == 610


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["village"].update(kode_desa="17.03.06.2002"), "wrong village code"),
        (lambda d: d.update(schema_version="2"), "schema version '2' unknown"),
        (lambda d: d["statistics"][0]["rows"][0].update(laki=-1), "negative count -1"),
        (lambda d: d["statistics"][0]["rows"][1].update(total="12"), "not a whole number"),
        (lambda d: d["statistics"][0]["rows"][1].update(total=13), "= 1211, but total is 1210"),
    ],
)
def test_summary_v1_rejects_bad_payloads(mutate, message):
    doc = copy.deepcopy(DOC)
    mutate(doc)
    with pytest.raises(PayloadError, match=message):
        parsed = parse_document(json.dumps(doc).encode(), "17.03.06.2001")
        parse_statistic(parsed, "agama")


def test_summary_v1_rejects_garbage_and_missing_statistic():
    with pytest.raises(PayloadError, match="invalid JSON"):
        parse_document(b'{"schema_version": "1", "vill', "17.03.06.2001")
    doc = parse_document(json.dumps(DOC).encode(), "17.03.06.2001")
    with pytest.raises(PayloadError, match="statistik pekerjaan: missing"):
        parse_statistic(doc, "pekerjaan")


@pytest.mark.parametrize("as_strings", [False, True])
def test_opensid_summary_rows_are_not_categories(as_strings):
    stat = parse_statistik(_opensid(AGAMA_ROWS, as_strings), "agama", "3")
    assert [(r.kode, r.label) for r in stat.rows] == [("1", "ISLAM"), ("2", "KRISTEN")]
    assert stat.belum_mengisi.jumlah == 25
    assert (stat.total.jumlah, stat.total.laki_laki, stat.total.perempuan) == (837, 411, 426)


def test_opensid_total_keseluruhan_and_nested_shape():
    rows = [("1", "ISLAM", "424", "200", "224"), ("x", "TOTAL KESELURUHAN", "424", "200", "224")]
    nested = {
        "data": [
            {
                "attributes": {
                    "label": "Agama",
                    "data": [
                        {
                            "id": i,
                            "attributes": {"nama": n, "jumlah": j, "laki": lk, "perempuan": p},
                        }
                        for i, n, j, lk, p in rows
                    ],
                }
            }
        ]
    }
    stat = parse_statistik(json.dumps(nested).encode(), "agama", "3")
    assert [r.kode for r in stat.rows] == ["1"] and stat.total.jumlah == 424


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("1", "ISLAM", "abc", 1, 1), ("888", "TOTAL", 2, 1, 1)], "'abc' is not a whole number"),
        ([("1", "ISLAM", 5, 3, 2), ("888", "TOTAL", 6, 3, 3)], "but total is 6"),
        ([("1", "ISLAM", 5, 3, 3), ("888", "TOTAL", 5, 3, 2)], r"laki \(3\) \+ perempuan \(3\)"),
        ([("1", "ISLAM", 5, 3, 2)], "no TOTAL"),
    ],
)
def test_opensid_rejects_bad_statistics(rows, message):
    with pytest.raises(PayloadError, match=message):
        parse_statistik(_opensid(rows), "agama", "3")


def test_age_brackets_from_labels():
    assert age_range("5 s/d 9 Tahun") == (5, 9)
    assert age_range("Di atas 75 Tahun") == (75, None)
    assert age_range("Di bawah 1 Tahun") == (0, 0)
    assert age_range("BALITA") == (None, None)
