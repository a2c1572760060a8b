"""Project and progress pushes (`pembangunan`, `pembangunan/dokumentasi`) as OpenSID 2508
sends them (zip of photos and one CSV each), merged into what the warehouse holds."""

from __future__ import annotations

import io
import zipfile

import pytest

from collectors.opendk import (
    PushError,
    merge_pembangunan,
    read_dokumentasi,
    read_pembangunan,
    refusal,
    success,
)
from tests import opendk_sender as sender
from warehouse.values import MeasurementRow

ZIP_NAME = "pembangunan_20_08_2026.zip"


def parts(zip_bytes: bytes):
    headers, body = sender.guzzle_upload(zip_bytes, ZIP_NAME)
    form, files = sender.parse_multipart(headers["Content-Type"], body)
    return form, files["file"][1]


def projects() -> list[sender.Project]:
    return [
        sender.Project(1, "Jalan Usaha Tani, Dusun I", "2025", 150_000_000, foto="jalan.jpg",
                       progress=["25%", "80%", "60%"]),
        sender.Project(2, 'Sumur Bor "Air Bersih"', "2026", 87_500_000.5, lokasi=None,
                       progress=["95"]),
        sender.Project(3, "Posyandu", "2026", 1.5e8, volume=None, pelaksana_kegiatan=None),
        sender.Project(4, "Gorong-gorong", "2024", 20_000_000, status=0, progress=["100%"]),
    ]  # fmt: skip


def test_the_zip_is_photos_then_the_csv():
    names = zipfile.ZipFile(io.BytesIO(sender.pembangunan_zip(projects()))).namelist()
    assert names == ["jalan.jpg", "pembangunan_20_08_2026.csv"]


def test_projects_are_read_as_a_pull_keeps_them():
    form, data = parts(sender.pembangunan_zip(projects()))
    push = read_pembangunan(data, form, expected="17.03.06.2001")
    assert push.kode_desa == "17.03.06.2001"
    got = {p.id: p for p in push.projects}
    assert [(p.judul, p.tahun, p.anggaran, p.aktif) for p in got.values()] == [
        ("Jalan Usaha Tani, Dusun I", "2025", 150_000_000.0, True),
        ('Sumur Bor "Air Bersih"', "2026", 87_500_000.5, True),
        ("Posyandu", "2026", 150_000_000.0, True),
        ("Gorong-gorong", "2024", 20_000_000.0, False),
    ]
    assert dict(got["1"].atribut) == {
        "sumber_dana": "Dana Desa", "volume": "100 m", "pelaksana": "TPK Desa",
        "lokasi": "Dusun I", "sifat_proyek": "BARU",
    }  # fmt: skip
    assert "lokasi" not in got["2"].atribut and "volume" not in got["3"].atribut


def test_progress_is_the_highest_entry_per_project():
    form, data = parts(sender.dokumentasi_zip(projects()))
    push = read_dokumentasi(data, form)
    assert dict(push.progress) == {"1": 80.0, "2": 95.0, "4": 100.0}
    assert push.entries == 5


def test_merge_replaces_pushed_projects_and_keeps_the_rest():
    stored = [
        MeasurementRow("anggaran", 5e6, "9", "Balai Desa", "2023", {"sumber_dana": "ADD"}),
        MeasurementRow("progres", 100.0, "9", "Balai Desa", "2023", {"sumber_dana": "ADD"}),
        MeasurementRow("anggaran", 1e6, "1", "Jalan (lama)", "2024", {}),
        MeasurementRow("progres", 90.0, "1", "Jalan (lama)", "2024", {}),
        MeasurementRow("anggaran", 2e7, "4", "Gorong-gorong", "2024", {}),
        MeasurementRow("progres", 50.0, "4", "Gorong-gorong", "2024", {}),
    ]
    form, data = parts(sender.pembangunan_zip(projects()))
    pushed = read_pembangunan(data, form)
    result = merge_pembangunan(stored, projects=pushed)
    rows = {(r.kode, r.ukuran): r for r in result.data}
    assert set(rows) == {(k, m) for k in ("1", "2", "3", "9") for m in ("anggaran", "progres")}
    assert rows["1", "anggaran"] == MeasurementRow(
        "anggaran", 150_000_000.0, "1", "Jalan Usaha Tani, Dusun I", "2025",
        {"sumber_dana": "Dana Desa", "volume": "100 m", "pelaksana": "TPK Desa",
         "lokasi": "Dusun I", "sifat_proyek": "BARU"},
    )  # fmt: skip
    assert rows["1", "progres"].nilai == 90.0  # kept until progress is pushed
    assert rows["2", "progres"].nilai is None  # a new project: no progress yet
    assert rows["9", "progres"] == stored[1]  # not in this page: untouched
    assert result.periods == ("2023", "2024", "2025", "2026")  # 2024 loses project 4 and 1
    form, data = parts(sender.dokumentasi_zip(projects()))
    after = merge_pembangunan(result.data, progress_push=read_dokumentasi(data, form))
    progress = {r.kode: r.nilai for r in after.data if r.ukuran == "progres"}
    assert progress == {"1": 90.0, "2": 95.0, "3": None, "9": 100.0}  # 80% < the stored 90%
    assert "progress of 1 project(s) not yet sent (4)" in after.warning


def test_an_empty_page_changes_nothing():
    """After a Program Bantuan sync OpenSID sends only projects changed since: usually a
    header without desa_id and one empty row, which OpenDK acknowledges as a success."""
    csv_bytes = sender.openspout_csv([], fields=sender.PROJECT_FIELDS)
    assert csv_bytes.decode().splitlines()[1] == "," * 19
    form, data = parts(sender.pembangunan_zip([]))
    push = read_pembangunan(data, form)
    assert push.projects == ()
    stored = [MeasurementRow("anggaran", 5e6, "9", "Balai", "2023")]
    assert merge_pembangunan(stored, projects=push).data == stored
    form, data = parts(sender.dokumentasi_zip([]))
    assert read_dokumentasi(data, form).progress == {}


def test_a_bad_cell_names_row_and_column():
    bad = projects()
    bad[1].tahun_anggaran = "26"
    form, data = parts(sender.pembangunan_zip(bad))
    with pytest.raises(PushError) as caught:
        read_pembangunan(data, form)
    assert caught.value.text() == (
        "village 17.03.06.2001, pembangunan push: row 3, column tahun_anggaran: not a year "
        "2000–2100"
    )
    status, body = refusal("pembangunan", caught.value)
    assert status == 200 and body["status"] == "danger"
    assert body["message"].startswith("Proses Sinkronisasi Data gagal. Error : baris 3")
    bad = projects()
    bad[0].progress = ["delapan puluh"]
    form, data = parts(sender.dokumentasi_zip(bad))
    with pytest.raises(PushError) as caught:
        read_dokumentasi(data, form)
    assert (caught.value.code, caught.value.params) == (
        "push.cell.not_percent",
        {"row": 2, "column": "persentase"},
    )


def test_a_zip_without_a_data_file_is_refused():
    form, _ = parts(sender.pembangunan_zip(projects()))
    photos_only = sender.ci_zip([("a.jpg", b"\xff\xd8 jpeg")])
    with pytest.raises(PushError) as caught:
        read_pembangunan(photos_only, form)
    assert caught.value.code == "push.zip.no_data_file"


def test_success_answer_is_opendks():
    assert success("pembangunan/dokumentasi") == (200, {
        "message": "Proses Sinkronisasi Data Pembangunan OpenSID sedang berjalan",
        "status": "success",
    })  # fmt: skip
