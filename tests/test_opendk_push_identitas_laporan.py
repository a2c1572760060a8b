"""The identity form (`identitas-desa`) and the PDF reports (`laporan-penduduk`,
`laporan-apbdes`) as OpenSID 2508 sends them, and OpenDK's answers to them."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qsl

import pytest

from collectors.opendk import (
    PushError,
    identitas_result,
    laporan_result,
    read_identitas,
    read_laporan,
    refusal,
    success,
)
from collectors.opendk.limits import Limits
from tests import opendk_sender as sender
from warehouse.values import MeasurementRow

BOUNDARY = "[[[[102.1234,-3.4567],[102.2234,-3.4667],[102.1734,-3.5067]]]]"


def identitas_form(**overrides) -> dict[str, str]:
    fields = {"kode_desa": sender.KODE_DESA, "sebutan_desa": "desa",
              "website": "https://talangjambu.desa.id/~opensid/", "path": BOUNDARY}  # fmt: skip
    fields.update(overrides)
    body = sender.http_build_query(fields)
    # what a Flask route's request.form holds for this body
    return dict(parse_qsl(body.decode(), keep_blank_values=True))


def test_the_form_as_php_encodes_it():
    body = sender.http_build_query({"kode_desa": "17.03.06.2001", "sebutan_desa": "desa adat",
                                    "website": "https://x.id/~a", "path": None})  # fmt: skip
    assert (
        body == b"kode_desa=17.03.06.2001&sebutan_desa=desa+adat&website=https%3A%2F%2Fx.id%2F%7Ea"
    )


def test_identity_is_kept_without_the_boundary():
    push = read_identitas(identitas_form(), expected="1703062001")
    assert (push.kode_desa, push.sebutan_desa, push.website, push.batas_wilayah) == (
        "17.03.06.2001", "desa", "https://talangjambu.desa.id/~opensid/", True
    )  # fmt: skip
    stored = [MeasurementRow("profil", None, atribut={"nama_desa": "Talang Jambu"}),
              MeasurementRow("dusun", 3.0), MeasurementRow("rw", 6.0)]  # fmt: skip
    result = identitas_result(push, stored, nama_desa="Talang Jambu")
    profil, *rest = result.data
    assert profil.atribut == {
        "nama_desa": "Talang Jambu", "source_app": "OpenSID", "source_api": "opendk-push",
        "sumber_identitas": "push", "sebutan_desa": "desa",
        "website": "https://talangjambu.desa.id/~opensid/", "batas_wilayah": True,
    }  # fmt: skip
    assert rest == stored[1:]  # dusun and RW counts stay
    assert BOUNDARY not in repr(result)


def test_no_boundary_drawn():
    """OpenSID leaves `path` out of the form when none was drawn (http_build_query drops
    nulls); OpenDK would answer 422, we keep the identity."""
    form = identitas_form(path=None)
    assert "path" not in form
    assert read_identitas(form).batas_wilayah is False
    assert read_identitas(identitas_form(path="[[[[]]]]")).batas_wilayah is False


@pytest.mark.parametrize(
    "overrides, code, field",
    [
        ({"kode_desa": ""}, "form.missing", "kode_desa"),
        ({"kode_desa": "17.03.06"}, "village.invalid", "kode_desa"),
        ({"sebutan_desa": ""}, "form.missing", "sebutan_desa"),
        ({"website": "javascript:alert(1)"}, "form.url", "website"),
        ({"path": "[" * 20_001}, "form.too_long", "path"),
    ],
)
def test_a_bad_form_is_a_422_as_opendk_gives_it(overrides, code, field):
    with pytest.raises(PushError) as caught:
        read_identitas(identitas_form(**overrides), limits=Limits(form_field_chars=20_000))
    assert caught.value.code == f"push.{code}"
    status, body = refusal("identitas-desa", caught.value)
    assert status == 422 and list(body) == ["message", "errors"]
    assert body["errors"] == {field: [body["message"]]}


def test_identity_of_another_village_is_refused():
    with pytest.raises(PushError) as caught:
        read_identitas(identitas_form(), expected="17.03.06.2002")
    assert caught.value.text("id") == (
        "desa 17.03.06.2001, kiriman identitas: kiriman menyebut desa 17.03.06.2001, padahal "
        "token ini milik 17.03.06.2002"
    )


def test_success_answer_is_opendks():
    assert success("/identitas-desa/") == (
        200, {"status": "success", "message": "Proses sinkronisasi identitas desa sudah selesai"}
    )  # fmt: skip


# ----------------------------------------------------------------- laporan

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + bytes(range(256)) * 20 + b"%%EOF\n"


def laporan_body(tipe: str, reports: list[dict], kode: str = sender.KODE_DESA) -> bytes:
    """Laporan_apbdes::kirim(): ext-curl JSON, PHP json_encode (`/` escaped)."""
    field = f"laporan_{tipe}"
    items = []
    for r in reports:
        item = {"id": r["id"], "judul": r.get("judul", "Laporan Semester I")}
        item["semester" if tipe == "apbdes" else "bulan"] = r["part"]
        item.update({
            "nama_file": "laporan_semester_i_20_08_2026.pdf", "tahun": r.get("tahun", 2026),
            "created_at": "2026-08-20T02:41:07.000000Z",
            "updated_at": "2026-08-20T02:41:07.000000Z",
            "file": base64.b64encode(r.get("pdf", PDF)).decode(),
        })  # fmt: skip
        items.append(item)
    return sender.php_json({"desa_id": kode, field: items})


def test_reports_are_kept_as_arrived_without_the_pdf():
    body = laporan_body("apbdes", [{"id": 3, "part": 1}, {"id": 4, "part": 2, "tahun": 2025}])
    assert b"\\/" in body  # base64 in PHP's JSON
    push = read_laporan(body, "apbdes", expected="17.03.06.2001")
    assert push.dataset == "laporan-apbdes"
    assert [(r.id, r.periode, r.ukuran_byte) for r in push.reports] == [
        ("3", "2026S1", len(PDF)), ("4", "2025S2", len(PDF))
    ]  # fmt: skip
    stored = [MeasurementRow("diterima", 1.0, "1", periode="2025S1"),
              MeasurementRow("diterima", 1.0, "3", periode="2025S1")]  # fmt: skip
    result = laporan_result(push, stored)
    assert [(r.kode, r.periode) for r in result.data] == [
        ("1", "2025S1"), ("3", "2026S1"), ("4", "2025S2")
    ]  # fmt: skip
    assert result.periods == ("2025S1", "2025S2", "2026S1")
    assert "Laporan Semester" not in repr(result) and "JVBERi" not in repr(result)


def test_population_reports_are_monthly():
    push = read_laporan(laporan_body("penduduk", [{"id": 9, "part": 8}]), "penduduk")
    assert [(r.id, r.periode) for r in push.reports] == [("9", "202608")]
    with pytest.raises(PushError) as caught:
        read_laporan(laporan_body("penduduk", [{"id": 9, "part": 13}]), "penduduk")
    assert caught.value.text() == (
        "village 17.03.06.2001, laporan-penduduk push: report 1: bulan 13 is outside 1–12"
    )


@pytest.mark.parametrize(
    "body, code",
    [
        (b"{not json", "json.invalid"),
        (b"[" * 5000 + b"]" * 5000, "json.shape"),
        (b'{"desa_id":"17.03.06.2001","x":' + b"[" * 40 + b"]" * 40 + b"}", "json.too_deep"),
        (json.dumps({"desa_id": sender.KODE_DESA}).encode(), "json.shape"),
        (json.dumps({"desa_id": sender.KODE_DESA, "laporan_apbdes": []}).encode(), "laporan.none"),
        (
            laporan_body("apbdes", [{"id": 1, "part": 1, "pdf": b"<html>not a pdf"}]),
            "laporan.not_pdf",
        ),
        (laporan_body("apbdes", [{"id": 1, "part": 1}, {"id": 1, "part": 2}]), "laporan.duplicate"),
        (
            laporan_body("apbdes", [{"id": 1, "part": 1}]).replace(b'"file":"', b'"file":"*'),
            "laporan.not_base64",
        ),
        (laporan_body("apbdes", [{"id": 1, "part": 1}], kode="17.03.06.2002"), "village.mismatch"),
    ],
)
def test_a_bad_report_push_is_a_422(body, code):
    with pytest.raises(PushError) as caught:
        read_laporan(body, "apbdes", expected=sender.KODE_DESA)
    assert caught.value.code == f"push.{code}"
    # OpenSID marks reports as sent on any answer but 422: a refusal must be a 422
    status, body = refusal("laporan-apbdes", caught.value)
    assert status == 422 and "message" in body and "errors" in body


def test_report_sizes_are_bounded():
    limits = Limits(pdf_bytes=1000, json_bytes=100_000)
    with pytest.raises(PushError) as caught:
        read_laporan(laporan_body("apbdes", [{"id": 1, "part": 1}]), "apbdes", limits=limits)
    assert caught.value.code == "push.laporan.too_large"
    big = laporan_body("apbdes", [{"id": 1, "part": 1, "pdf": PDF * 40}])
    with pytest.raises(PushError) as caught:
        read_laporan(big, "apbdes", limits=limits)
    assert caught.value.code == "push.json.too_large"
    many = laporan_body("apbdes", [{"id": i, "part": 1, "pdf": b"%PDF-"} for i in range(101)])
    with pytest.raises(PushError) as caught:
        read_laporan(many, "apbdes")
    assert caught.value.code == "push.laporan.too_many"


def test_laporan_success_answers_are_opendks():
    assert success("laporan-apbdes")[1] == {
        "status": "success", "message": "Proses sync data APBDes OpenSID sedang berjalan"
    }  # fmt: skip
    assert success("laporan-penduduk")[1]["message"] == (
        "Proses sync data Laporan Penduduk OpenSID sedang berjalan"
    )
