"""The residents' push (`penduduk/storedata`) as OpenSID 2508 sends it, reduced to statistics.

Every expected value is worked out here from the fake residents themselves, the way OpenSID's
SQL counts them (status_dasar 1, LEFT JOINs on its reference tables, MySQL's FROM_DAYS age),
not with the receiver's code.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import inspect, text

from collectors.opendk import PushError, read_penduduk
from collectors.opendk.umur import opensid_age
from collectors.sweep import land_pull, prepare_pull
from config.statistik import BY_SLUG
from tests import opendk_sender as sender
from warehouse.store import Warehouse

ON = sender.SENT_ON


def mysql_age(born: date | None, on: date) -> int | None:
    """OpenSID's DATE_FORMAT(FROM_DAYS(TO_DAYS(NOW()) - TO_DAYS(born)), '%Y') + 0: MySQL's
    day numbers are Python's ordinals plus 365 (its year 0 has 365 days), and FROM_DAYS of
    365 or less is the zero date."""
    if born is None:
        return None
    days = on.toordinal() - born.toordinal()
    return date.fromordinal(days - 365).year if days > 365 else 0


# ----------------------------------------------------------------- OpenSID's SQL, redone here

KTP_STATUS_REKAM = {"1": 2, "2": 3, "3": 4, "4": 5, "5": 6, "6": 7, "7": 8, "8": 1}


def expected(people: list[sender.Resident], on: date) -> dict[str, dict]:
    """Per statistic: {kode: (jumlah, laki, perempuan)}, plus "total" and "belum" entries."""
    alive = [p for p in people if p.status_dasar == 1]
    rows = [dict(p.row, _age=mysql_age(p.born, on)) for p in alive]

    def sexes(group) -> tuple[int, int, int]:
        c = Counter(r["jenis_kelamin"] for r in group)
        return (len(group), c[1], c[2])

    def stat(slug, match, population=lambda r: True, listed_only=False):
        pop = [r for r in rows if population(r)]
        out = {}
        for code, _label in BY_SLUG[slug].codes:
            group = [r for r in pop if match(r, code)]
            if group or not listed_only:
                out[code] = sexes(group)
        total = sexes(pop)
        counted = tuple(sum(v[i] for v in out.values()) for i in range(3))
        out["total"] = total
        out["belum"] = tuple(t - c for t, c in zip(total, counted, strict=True))
        return out

    def column(name):
        return lambda r, code: r[name] is not None and str(r[name]) == code

    def bracket(slug, extra=lambda r: True):
        spans = {b.code: (b.dari, b.sampai) for b in BY_SLUG[slug].brackets}
        return lambda r, code: (
            r["_age"] is not None and spans[code][0] <= r["_age"] <= spans[code][1] and extra(r)
        )

    def married(r):
        return r["kawin"] is not None and r["kawin"] != 1

    def wajib(r):
        return (r["_age"] is not None and r["_age"] >= 17) or married(r)

    def child(r):
        return r["_age"] is not None and r["_age"] <= 17

    def ktp(r, code):
        return r["status_rekam"] == KTP_STATUS_REKAM[code] and r["ktp_el"] not in (None, 3)

    def kia(r, code):
        return r["status_rekam"] == KTP_STATUS_REKAM[code] and r["ktp_el"] == 3

    plain = {
        "jenis-kelamin": "jenis_kelamin", "pendidikan-dalam-kk": "pendidikan_dlm_kk",
        "pendidikan-sedang-ditempuh": "pendidikan_sdg_ditempuh", "pekerjaan": "pekerjaan",
        "status-perkawinan": "kawin", "agama": "agama", "warga-negara": "kewarganegaraan",
        "golongan-darah": "gol_darah", "penyandang-cacat": "cacat", "akseptor-kb": "cara_kb",
        "hubungan-kk": "hubungan_keluarga",
    }  # fmt: skip
    out = {slug: stat(slug, column(col)) for slug, col in plain.items()}
    out["status-kehamilan"] = stat(
        "status-kehamilan", column("hamil"), lambda r: r["jenis_kelamin"] == 2, listed_only=True
    )
    out["buku-nikah"] = stat(
        "buku-nikah",
        lambda r, code: column("kawin")(r, code) and bool(r["nomor_akta_perkawinan"]),
        married,
        listed_only=True,
    )
    out["kepemilikan-ktp"] = stat("kepemilikan-ktp", ktp, wajib)
    out["kepemilikan-kia"] = stat("kepemilikan-kia", kia, child)
    out["rentang-umur"] = stat("rentang-umur", bracket("rentang-umur"))
    out["kategori-umur"] = stat("kategori-umur", bracket("kategori-umur"))
    out["akta-kelahiran"] = stat(
        "akta-kelahiran", bracket("akta-kelahiran", lambda r: bool(r["akta_lahir"]))
    )
    heads = {r["nomor_kk"] for r in rows if r["hubungan_keluarga"] == 1 and r["nomor_kk"]}
    out["total"] = {"penduduk": sexes(rows), "keluarga": len(heads)}
    return out


def as_table(statistic) -> dict:
    got = {
        r.kode: (r.counts.jumlah, r.counts.laki_laki, r.counts.perempuan) for r in statistic.rows
    }
    t, b = statistic.total, statistic.belum_mengisi
    got["total"] = (t.jumlah, t.laki_laki, t.perempuan)
    got["belum"] = (b.jumlah, b.laki_laki, b.perempuan)
    return got


def upload_of(people, **kw) -> bytes:
    """The `file` part of the request exactly as OpenSID sends it, as a Flask route gets it."""
    headers, body = sender.penduduk_request(people, **kw)
    form, files = sender.parse_multipart(headers["Content-Type"], body)
    assert form == {}  # no desa_id field in this request
    filename, data = files["file"]
    assert filename == "desa/upload/sinkronisasi/penduduk_opendk_20_08_2026.zip"
    return data


# residents turning a bracket's first age on the day of the push: OpenSID still counts most
# of them in the bracket before (its age formula lags the birthday)
BIRTHDAYS = (1, 2, 5, 6, 10, 15, 17, 18, 20, 31, 45, 60, 75) * 2


@pytest.fixture(scope="module")
def people():
    return sender.residents(600, birthdays=BIRTHDAYS)


@pytest.fixture(scope="module")
def push(people):
    return read_penduduk(upload_of(people), on=ON, expected="1703062001")


# ----------------------------------------------------------------- the statistics


def test_every_statistic_equals_what_opensid_would_count(people, push):
    want = expected(people, ON)
    got = {r.dataset: r.data for r in push.pull.results}
    assert set(got) == set(want)
    for slug, table in want.items():
        if slug == "total":
            continue
        assert as_table(got[slug]) == table, slug
    totals = got["total"]
    assert (totals.penduduk.jumlah, totals.penduduk.laki_laki, totals.penduduk.perempuan) == (
        want["total"]["penduduk"]
    )
    assert totals.keluarga == want["total"]["keluarga"] == push.keluarga
    assert totals.rumah_tangga is None  # the residents' file has no households
    assert push.residents == len(people)
    assert push.hidup == sum(1 for p in people if p.status_dasar == 1) < len(people)


def test_the_fake_village_exercises_every_rule(people, push):
    """The data is varied enough that the comparison above means something."""
    got = {r.dataset: r.data for r in push.pull.results}
    assert {p.status_dasar for p in people} >= {1, 2, 3}
    for slug in ("pekerjaan", "pendidikan-dalam-kk", "akseptor-kb", "rentang-umur"):
        assert got[slug].belum_mengisi.jumlah > 0, slug  # unknown codes, missing dates
    hamil = got["status-kehamilan"]
    assert [r.kode for r in hamil.rows] == ["1"]  # listed only where someone is counted
    assert (
        hamil.total.laki_laki == 0
        and hamil.total.jumlah == got["jenis-kelamin"].rows[1].counts.jumlah
    )
    assert all(r.counts.jumlah > 0 for r in got["buku-nikah"].rows)
    assert sum(r.counts.jumlah for r in got["kepemilikan-kia"].rows) > 0
    assert sum(r.counts.jumlah for r in got["kepemilikan-ktp"].rows) > 0
    on_birthday = [p for p in people if p.born and (p.born.month, p.born.day) == (8, 20)]
    lagging = [p for p in on_birthday if mysql_age(p.born, ON) == ON.year - p.born.year - 1]
    assert len(lagging) >= 10


def test_unknown_codes_are_belum_mengisi_and_said_so(push):
    warnings = {r.dataset: r.warning for r in push.pull.results if r.warning}
    assert "pekerjaan" in warnings and "(90)" in warnings["pekerjaan"]
    assert "akseptor-kb" in warnings and "100" in warnings["akseptor-kb"]
    assert "jenis-kelamin" not in warnings


def test_age_brackets_carry_their_bounds(push):
    got = {r.dataset: r.data for r in push.pull.results}
    rows = got["rentang-umur"].rows
    assert [(r.kode, r.dari, r.sampai) for r in rows[:2]] == [("5", 0, 1), ("6", 2, 4)]
    assert (rows[-1].label, rows[-1].dari, rows[-1].sampai) == ("75 Tahun ke Atas", 75, 150)


def test_statistics_not_in_the_file_are_named(push):
    assert set(push.not_derived) == {
        "status-penduduk", "penyakit-menahun", "asuransi-kesehatan", "suku", "akta-kematian",
        "bpjs-ketenagakerjaan", "status-asuransi-kesehatan", "kelas-sosial", "bdt",
        "bantuan-penduduk", "bantuan-keluarga",
    }  # fmt: skip


@pytest.mark.parametrize(
    "born, on, age",
    [
        (date(2000, 1, 1), date(2026, 1, 1), 26),
        (date(2000, 3, 1), date(2026, 3, 1), 25),  # OpenSID: not yet 26 on the birthday
        (date(2000, 3, 1), date(2026, 3, 2), 26),
        (date(2026, 8, 20), date(2026, 8, 20), 0),
        (date(2025, 8, 19), date(2026, 8, 20), 1),  # 366 days
        (date(2025, 8, 20), date(2026, 8, 20), 0),  # 365 days: MySQL's zero date
        (date(2030, 1, 1), date(2026, 8, 20), 0),  # a future birth date
        (date(1900, 6, 15), date(2026, 8, 20), 126),
    ],
)
def test_opensid_age(born, on, age):
    assert opensid_age(born, on) == age == mysql_age(born, on)


def test_opensid_age_equals_mysql_for_every_day_of_150_years():
    on = date(2026, 8, 20)
    for days in range(0, 150 * 366, 7):
        born = date.fromordinal(on.toordinal() - days)
        assert opensid_age(born, on) == mysql_age(born, on), born


def test_the_village_is_named_dotted_and_checked(people):
    data = upload_of(people[:30])
    assert read_penduduk(data, on=ON).kode_desa == "17.03.06.2001"
    with pytest.raises(PushError) as caught:
        read_penduduk(data, on=ON, expected="17.03.06.2002")
    assert caught.value.code == "push.village.mismatch"
    assert str(caught.value) == (
        "village 17.03.06.2001, penduduk push: the payload names village 17.03.06.2001, "
        "but this token belongs to 17.03.06.2002"
    )


def test_undotted_desa_id_in_rows_is_normalised(people):
    rows = [sender.Resident(dict(p.row, desa_id="1703062001"), p.status_dasar, p.sex, p.born)
            for p in people[:20]]  # fmt: skip
    assert read_penduduk(upload_of(rows), on=ON).kode_desa == "17.03.06.2001"


def test_rows_naming_two_villages_load_nothing(people):
    rows = list(people[:20])
    p = rows[7]
    rows[7] = sender.Resident(dict(p.row, desa_id="17.03.06.2002"), p.status_dasar, p.sex, p.born)
    with pytest.raises(PushError) as caught:
        read_penduduk(upload_of(rows), on=ON)
    assert caught.value.code == "push.village.mixed"
    assert caught.value.params == {"row": 9, "other": "17.03.06.2002", "kode": "17.03.06.2001"}


def test_an_empty_village_is_refused():
    with pytest.raises(PushError) as caught:
        read_penduduk(upload_of([]), on=ON)
    assert caught.value.code == "push.penduduk.empty"
    assert caught.value.kode_desa is None


def test_a_missing_column_is_refused(people):
    rows = [sender.Resident({k: v for k, v in p.row.items() if k != "status_dasar"},
                            p.status_dasar, p.sex, p.born) for p in people[:5]]  # fmt: skip
    with pytest.raises(PushError) as caught:
        read_penduduk(upload_of(rows), on=ON)
    assert (caught.value.code, caught.value.params) == (
        "push.column.missing",
        {"column": "status_dasar"},
    )


def test_no_file_is_refused():
    with pytest.raises(PushError) as caught:
        read_penduduk(None, on=ON)
    assert caught.value.code == "push.upload.missing"


# ----------------------------------------------------------------- no personal data anywhere


def personal_values(people: list[sender.Resident]) -> set[str]:
    """Every NIK, KK number, name, birth place and date, address and document number."""
    fields = (
        "nama", "nomor_kk", "nomor_nik", "tempat_lahir", "tanggal_lahir", "nama_ayah",
        "nama_ibu", "akta_lahir", "nik_ayah", "nomor_akta_perkawinan", "alamat",
        "alamat_sekarang", "foto",
    )  # fmt: skip
    values = {str(p.row[f]) for p in people for f in fields if p.row.get(f)}
    return {v for v in values if len(v) >= 6 and v != "0000-00-00"}


def test_bad_cells_are_named_by_row_and_column_never_by_value(people):
    rows = list(people[:40])
    p = next(r for r in rows[10:] if r.status_dasar == 1)
    at = rows.index(p)
    secret = "1990-13-45"
    rows[at] = sender.Resident(dict(p.row, tanggal_lahir=secret), 1, p.sex, None)
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logging.getLogger().addHandler(handler)
    try:
        with pytest.raises(PushError) as caught:
            read_penduduk(upload_of(rows), on=ON)
    finally:
        logging.getLogger().removeHandler(handler)
    error = caught.value
    assert (error.code, error.params) == (
        "push.cell.not_date",
        {"row": at + 2, "column": "tanggal_lahir"},
    )
    assert error.text("id") == (
        f"desa 17.03.06.2001, kiriman penduduk: baris {at + 2}, kolom tanggal_lahir: bukan "
        "tanggal (YYYY-MM-DD)"
    )
    shown = "".join(traceback.format_exception(error)) + error.text("id") + "".join(records)
    for value in (*personal_values(rows), secret):
        assert value not in shown


def test_a_resident_without_sex_is_refused_by_row(people):
    rows = list(people[:10])
    at = next(i for i, r in enumerate(rows) if r.status_dasar == 1)
    p = rows[at]
    rows[at] = sender.Resident(dict(p.row, jenis_kelamin=None), 1, 0, p.born)
    with pytest.raises(PushError) as caught:
        read_penduduk(upload_of(rows), on=ON)
    assert caught.value.code == "push.cell.sex"
    assert caught.value.params == {"row": at + 2, "column": "jenis_kelamin"}


def _every_text(store: Warehouse) -> str:
    parts = []
    with store.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                parts.append(" ".join(str(v) for v in row))
    return "\n".join(parts)


def test_landed_push_holds_no_personal_data(people, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    result = read_penduduk(upload_of(people), on=ON)
    store = Warehouse(f"sqlite:///{tmp_path / 'wh.db'}")
    store.upgrade()
    from config.registry import load_registry
    from config.settings import DEFAULT_REGISTRY

    store.sync_regions(load_registry(DEFAULT_REGISTRY))
    run = store.start_run(trigger="push", total=1)
    writes, source = prepare_pull(result.pull)
    statuses = land_pull(store, run, result.pull, writes, source)
    store.finish_run(run, ok=1, unchanged=0, failed=0)
    assert set(statuses) == {"ok"}
    stored = store.observations_frame(["agama"])
    mine = stored[stored["kode_desa"] == "17.03.06.2001"]
    assert int(mine[mine["kode"] == "total"]["jumlah"].iloc[0]) == result.hidup
    hay = _every_text(store) + "\n".join(r.getMessage() for r in caplog.records)
    hay += repr(result)
    leaked = sorted(v for v in personal_values(people) if v in hay)
    assert leaked == []


def test_a_shifted_desa_id_cell_is_not_quoted(people):
    """A row whose desa_id cell holds someone's NIK (a shifted row) is refused by row only."""
    rows = list(people[:10])
    p = rows[3]
    rows[3] = sender.Resident(
        dict(p.row, desa_id=p.row["nomor_nik"]), p.status_dasar, p.sex, p.born
    )
    with pytest.raises(PushError) as caught:
        read_penduduk(upload_of(rows), on=ON)
    error = caught.value
    assert (error.code, error.params) == ("push.cell.not_village", {"row": 5, "column": "desa_id"})
    told = error.text("en") + error.text("id") + "".join(traceback.format_exception(error))
    assert p.row["nomor_nik"] not in told
