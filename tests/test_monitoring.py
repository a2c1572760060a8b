"""aggregates.monitoring on small, realistic frames: activity boundaries, completeness,
kecamatan summary and outliers."""

from __future__ import annotations

import pandas as pd
import pytest

from aggregates import monitoring as mon

NOW = pd.Timestamp("2026-11-28 00:00", tz="UTC")
KEC = "17.03.06"
VILLAGES = [f"{KEC}.20{i:02d}" for i in range(1, 7)]  # six desa of one kecamatan


def regions() -> pd.DataFrame:
    rows = [("17.03", "Bengkulu Utara", "kabupaten", "17", None)]
    rows += [(KEC, "Kerkap", "kecamatan", "17.03", None)]
    rows += [(k, f"Desa {k[-2:]}", "desa", KEC, "desa") for k in VILLAGES]
    return pd.DataFrame(rows, columns=["kode", "nama", "tingkat", "induk", "jenis"])


def status_row(kode, dataset, status, success, attempt=NOW, error=None) -> dict:
    return {
        "kode_desa": kode,
        "dataset": dataset,
        "last_status": status,
        "last_attempt_at": attempt,
        "last_success_at": success,
        "last_error": error,
    }


def dataset_status() -> pd.DataFrame:
    """01 exactly 7 days ago, 02 7 days + 1 s, 03 exactly 4 months, 04 4 months + 1 s,
    05 ok on total but apbdes failing, 06 never reported (no rows)."""
    four_months = NOW - pd.DateOffset(months=4)
    ages = {
        VILLAGES[0]: NOW - pd.Timedelta(days=7),
        VILLAGES[1]: NOW - pd.Timedelta(days=7, seconds=1),
        VILLAGES[2]: four_months,
        VILLAGES[3]: four_months - pd.Timedelta(seconds=1),
    }
    rows = [status_row(k, d, "ok", seen) for k, seen in ages.items() for d in ("total", "apbdes")]
    rows.append(status_row(VILLAGES[4], "total", "ok", NOW - pd.Timedelta(hours=2)))
    long_error = "Desa tidak menjawab dalam 10 detik (batas waktu baca). " * 5
    rows.append(status_row(VILLAGES[4], "apbdes", "failed", None, error=long_error))
    frame = pd.DataFrame(rows)
    for col in ("last_attempt_at", "last_success_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


def test_activity_classes_at_the_boundaries():
    fresh = mon.freshness(dataset_status(), regions(), NOW).set_index("kode_desa")
    assert list(fresh["kelas"]) == [
        "aktif",  # exactly 7 days: still active
        "tertinggal",
        "tertinggal",  # exactly 4 months: not yet inactive
        "tidak_aktif",
        "aktif",
        "belum_pernah",
    ]
    assert fresh.loc[VILLAGES[5], "status_terakhir"] == "never"
    assert pd.isna(fresh.loc[VILLAGES[5], "terakhir_berhasil"])
    assert fresh.loc[VILLAGES[0], "hari_sejak"] == 7
    assert list(fresh.reset_index().columns) == mon.FRESHNESS_COLUMNS


def test_a_failing_dataset_marks_the_village_failed_with_its_whole_error():
    fresh = mon.freshness(dataset_status(), regions(), NOW).set_index("kode_desa")
    row = fresh.loc[VILLAGES[4]]
    assert row["status_terakhir"] == "failed"
    assert row["kelas"] == "aktif"  # the totals still arrived two hours ago
    assert row["keadaan"] == "gagal"  # but the map shows it failing (issue 8)
    assert row["dataset_gagal"] == 1
    # whole: the pages shorten it for a line and show the rest on hover
    assert row["galat_terakhir"] == "Desa tidak menjawab dalam 10 detik (batas waktu baca). " * 5
    assert pd.isna(row["alasan_kode"])  # a row stored before reasons had codes


def test_state_of_each_village():
    """failing beats everything; then stale (no success within 7 days), never, ok."""
    fresh = mon.freshness(dataset_status(), regions(), NOW).set_index("kode_desa")
    assert list(fresh["keadaan"]) == [
        "baik",  # exactly 7 days
        "tertinggal",
        "tertinggal",
        "tertinggal",  # inactive is stale too
        "gagal",
        "belum_pernah",
    ]
    assert set(fresh["keadaan"]) <= set(mon.KEADAAN)


def test_the_latest_failure_gives_the_villages_reason_and_code():
    rows = [
        status_row(VILLAGES[0], "total", "failed", None, NOW - pd.Timedelta(hours=1), "old"),
        status_row(VILLAGES[0], "agama", "failed", None, NOW, "HTTP 500: server error"),
        status_row(VILLAGES[0], "apbdes", "ok", NOW, NOW, "an error before it recovered"),
    ]
    frame = pd.DataFrame(rows)
    frame["last_error_code"] = ["http.timeout", "http.server_error", "http.timeout"]
    frame["last_error_params"] = ['{"detik": 10}', '{"http_status": 500}', '{"detik": 10}']
    for col in ("last_attempt_at", "last_success_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    row = mon.freshness(frame, regions(), NOW).set_index("kode_desa").loc[VILLAGES[0]]
    assert (row["galat_terakhir"], row["alasan_kode"]) == (
        "HTTP 500: server error",
        "http.server_error",
    )
    assert row["alasan_param"] == '{"http_status": 500}' and row["dataset_gagal"] == 2


def test_response_time_uses_each_villages_last_run_and_system_version():
    log = pd.DataFrame(
        {
            "run_id": [1, 1, 2, 2, 1],
            "kode_desa": [VILLAGES[0]] * 4 + [VILLAGES[1]],
            "duration_ms": [900, 900, 100, 300, 450],
        }
    )
    state = pd.DataFrame(
        {
            "kode_desa": [VILLAGES[0], VILLAGES[0]],
            "endpoint": ["summary-v1", "internal_api"],
            "source_app": ["OpenSID", "OpenSID"],
            "source_version": ["2407.0.0", "2510.0.0"],
            "updated_at": pd.to_datetime(["2026-01-01", "2026-11-01"], utc=True),
        }
    )
    fresh = mon.freshness(dataset_status(), regions(), NOW, fetch_log=log, source_state=state)
    fresh = fresh.set_index("kode_desa")
    assert fresh.loc[VILLAGES[0], "waktu_respons_ms"] == 200  # run 2 only
    assert fresh.loc[VILLAGES[1], "waktu_respons_ms"] == 450
    assert fresh.loc[VILLAGES[0], "versi"] == "2510.0.0"  # the newest seen
    assert pd.isna(fresh.loc[VILLAGES[2], "versi"])


def test_empty_warehouse_gives_every_village_never():
    empty = pd.DataFrame(columns=list(dataset_status().columns))
    fresh = mon.freshness(empty, regions(), NOW)
    assert set(fresh["kelas"]) == {"belum_pernah"} and len(fresh) == len(VILLAGES)
    complete = mon.completeness(empty, regions(), ["total", "apbdes"])
    assert set(complete["total"]) == {"never"} and set(complete["persen_terisi"]) == {0.0}


def test_completeness_matrix_and_kecamatan_summary():
    complete = mon.completeness(dataset_status(), regions(), ["total", "apbdes", "bantuan"])
    c = complete.set_index("kode_desa")
    assert c.loc[VILLAGES[0], ["total", "apbdes", "bantuan"]].tolist() == ["ok", "ok", "never"]
    assert c.loc[VILLAGES[4], "apbdes"] == "failed"
    assert c.loc[VILLAGES[0], "persen_terisi"] == pytest.approx(66.7)
    assert c.loc[VILLAGES[4], "persen_terisi"] == pytest.approx(33.3)  # failed = not filled
    assert c.loc[VILLAGES[5], "persen_terisi"] == 0

    fresh = mon.freshness(dataset_status(), regions(), NOW)
    summary = mon.kecamatan_summary(fresh, complete)
    assert list(summary.columns) == mon.SUMMARY_COLUMNS
    row = summary.iloc[0]
    assert (row["desa"], row["aktif"], row["tertinggal"], row["tidak_aktif"]) == (6, 2, 2, 1)
    assert (row["belum_pernah"], row["melapor"], row["gagal"]) == (1, 4, 1)
    assert row["persen_melapor"] == pytest.approx(66.7)
    assert row["persen_lengkap"] == pytest.approx(c["persen_terisi"].mean(), abs=0.05)


def totals(penduduk: dict[str, tuple[int, int]], keluarga: dict[str, int]) -> pd.DataFrame:
    rows = [
        {"kode_desa": k, "dataset": "total", "kode": "penduduk", "laki_laki": lk, "perempuan": pr,
         "jumlah": lk + pr}
        for k, (lk, pr) in penduduk.items()
    ]  # fmt: skip
    rows += [
        {"kode_desa": k, "dataset": "total", "kode": "keluarga", "laki_laki": None,
         "perempuan": None, "jumlah": n}
        for k, n in keluarga.items()
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_outliers_find_a_jump_and_a_village_far_from_its_peers():
    base = {k: (700 + i * 10, 680 + i * 10) for i, k in enumerate(VILLAGES)}
    keluarga = {k: 390 + i * 3 for i, k in enumerate(VILLAGES)}
    keluarga[VILLAGES[2]] = 140  # ~10 per family where peers have ~3.5
    obs = totals(base, keluarga)
    history = pd.DataFrame(
        {
            "kode_desa": [VILLAGES[0], VILLAGES[0], VILLAGES[1], VILLAGES[1]],
            "dataset": "total",
            "kode": "penduduk",
            "jumlah": [1000, 1500, 1000, 1050],  # +50 % and +5 %
            "valid_from": pd.to_datetime(["2026-01-01", "2026-06-01"] * 2, utc=True),
        }
    )
    out = mon.outliers(history, obs)
    assert list(out.columns) == mon.OUTLIER_COLUMNS
    jump = out[out["indikator"] == "penduduk"]
    assert jump["kode_desa"].tolist() == [VILLAGES[0]]  # 5 % is not a jump
    assert jump.iloc[0][["nilai", "pembanding", "skor", "alasan"]].tolist() == [
        1500,
        1000,
        50.0,
        "lonjakan_naik",
    ]
    far = out[out["indikator"] == "penduduk_per_keluarga"]
    assert far["kode_desa"].tolist() == [VILLAGES[2]]
    assert far.iloc[0]["skor"] > mon.Z_THRESHOLD and far.iloc[0]["alasan"] == "di_atas_sebaya"
    assert far.iloc[0]["pembanding"] == pytest.approx(
        mon.peer_indicators(obs)["penduduk_per_keluarga"].median(), abs=0.01
    )


def test_modified_z_score():
    values = pd.Series([10.0, 10, 11, 9, 10, 30])
    z = mon.modified_z(values)
    # median 10, MAD 0.5 → 0.6745 * 20 / 0.5
    assert z.iloc[-1] == pytest.approx(26.98)
    flat = mon.modified_z(pd.Series([5.0, 5, 5, 5, 9]))  # MAD 0: mean absolute deviation
    assert flat.iloc[-1] == pytest.approx(4 / (1.253314 * 0.8))
    assert mon.modified_z(pd.Series([3.0, 3, 3])).abs().sum() == 0


def test_no_history_no_observations_no_outliers():
    out = mon.outliers(pd.DataFrame(), pd.DataFrame())
    assert out.empty and list(out.columns) == mon.OUTLIER_COLUMNS
