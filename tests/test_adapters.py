"""Parsing of the village-summary v1 document (OpenSID's real answers: test_opensid_2508.py)."""

from __future__ import annotations

import copy
import json

import pytest

from collectors.adapters.common import age_range
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


def test_age_brackets_from_labels():
    assert age_range("5 s/d 9 Tahun") == (5, 9)
    assert age_range("Di atas 75 Tahun") == (75, None)
    assert age_range("Di bawah 1 Tahun") == (0, 0)
    assert age_range("BALITA") == (None, None)
