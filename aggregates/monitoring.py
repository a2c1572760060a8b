"""Monitoring: is every village's system alive, complete and plausible (pure pandas).

Activity follows Pantau's rule (active if seen within 7 days, inactive after 4 months), with
"stale" in between; outliers use DHIS2's modified z-score against the kabupaten's villages.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aggregates.reasons import REASON_COLUMNS, latest_failures
from config.statistik import TOTALS_DATASET

AKTIF_HARI = 7  # seen within 7 days: active
TIDAK_AKTIF_BULAN = 4  # not seen for more than 4 months: inactive
KELAS = ("aktif", "tertinggal", "tidak_aktif", "belum_pernah")
# a village's state as the map shows it (issue 8): failing in its latest attempt, else stale
# (no success within AKTIF_HARI), never collected, or ok
KEADAAN = ("gagal", "tertinggal", "belum_pernah", "baik")
STATUSES = ("ok", "unchanged", "failed", "never")
ERROR_CHARS = 120  # a reason on one line (the village profile); the whole is on hover and below
JUMP_PERCENT = 10.0  # a village's penduduk total moving more than this between versions
Z_THRESHOLD = 3.5  # Iglewicz & Hoaglin's cut-off, as DHIS2 uses

FRESHNESS_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "kode_kecamatan",
    "nama_kecamatan",
    "kelas",
    "keadaan",
    "status_terakhir",
    "terakhir_berhasil",
    "hari_sejak",
    "galat_terakhir",
    "alasan_kode",
    "alasan_param",
    "dataset_gagal",
    "waktu_respons_ms",
    "sistem",
    "versi",
]
SUMMARY_COLUMNS = [
    "kode_kecamatan",
    "nama_kecamatan",
    "desa",
    *KELAS,
    "melapor",
    "gagal",
    "persen_melapor",
    "persen_lengkap",
]
OUTLIER_COLUMNS = ["kode_desa", "indikator", "nilai", "pembanding", "skor", "alasan"]


def _villages(regions: pd.DataFrame) -> pd.DataFrame:
    """kode_desa, nama_desa, kode_kecamatan, nama_kecamatan of every registered village."""
    if regions.empty:
        return pd.DataFrame(columns=FRESHNESS_COLUMNS[:4])
    desa = regions[regions["tingkat"] == "desa"][["kode", "nama", "induk"]]
    kec = regions[regions["tingkat"] == "kecamatan"].set_index("kode")["nama"]
    out = desa.rename(columns={"kode": "kode_desa", "nama": "nama_desa", "induk": "kode_kecamatan"})
    out["nama_kecamatan"] = out["kode_kecamatan"].map(kec)
    return out.sort_values("kode_desa").reset_index(drop=True)


def shorten(text: object, limit: int = ERROR_CHARS) -> str | None:
    """The first line of an error, cut at a word to at most `limit` characters."""
    if text is None or (isinstance(text, float) and np.isnan(text)) or text is pd.NA:
        return None
    line = " ".join(str(text).split())
    if len(line) <= limit:
        return line or None
    cut = line[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def activity_class(last_success: pd.Series, now: pd.Timestamp) -> pd.Series:
    """aktif (≤ 7 days), tertinggal (≤ 4 months), tidak_aktif (older), belum_pernah (never)."""
    now = pd.Timestamp(now)
    now = now.tz_localize("UTC") if now.tzinfo is None else now.tz_convert("UTC")
    seen = pd.to_datetime(last_success, utc=True)
    age = now - seen
    limit = now - pd.DateOffset(months=TIDAK_AKTIF_BULAN)  # calendar months, as people count
    out = np.select(
        [seen.isna(), age <= pd.Timedelta(days=AKTIF_HARI), seen >= limit],
        ["belum_pernah", "aktif", "tertinggal"],
        default="tidak_aktif",
    )
    return pd.Series(out, index=last_success.index, dtype=object)


def village_state(status_terakhir: pd.Series, kelas: pd.Series) -> pd.Series:
    """gagal (the latest attempt failed: whatever arrived before, the village's system does
    not answer now), else tertinggal (no success within AKTIF_HARI days), belum_pernah, baik."""
    out = np.select(
        [status_terakhir == "failed", kelas == "belum_pernah", kelas != "aktif"],
        ["gagal", "belum_pernah", "tertinggal"],
        default="baik",
    )
    return pd.Series(out, index=status_terakhir.index, dtype=object)


def freshness(
    dataset_status: pd.DataFrame,
    regions: pd.DataFrame,
    now: object,
    *,
    fetch_log: pd.DataFrame | None = None,
    source_state: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per village: activity class and state (KEADAAN), latest status, last success of any
    dataset, the reason of its latest failure (original text, code and values: whole, the
    pages render and shorten it), mean response time of its last run in `fetch_log`, system
    and version."""
    out = _villages(regions)
    now = pd.Timestamp(now)
    if dataset_status.empty:
        per = pd.DataFrame(
            columns=["status_terakhir", "terakhir_berhasil", *REASON_COLUMNS, "dataset_gagal"]
        )
    else:
        ds = dataset_status.copy()
        ds["_failed"] = ds["last_status"] == "failed"
        ds["last_success_at"] = pd.to_datetime(ds["last_success_at"], utc=True)
        grouped = ds.groupby("kode_desa")
        per = pd.DataFrame(
            {
                "terakhir_berhasil": grouped["last_success_at"].max(),
                "dataset_gagal": grouped["_failed"].sum().astype(int),
                "_ok": grouped["last_status"].agg(lambda s: (s == "ok").any()),
            }
        )
        # the worst dataset of the latest attempt, as on the Ringkasan page
        per["status_terakhir"] = np.where(
            per["dataset_gagal"] > 0, "failed", np.where(per["_ok"], "ok", "unchanged")
        )
        reasons = latest_failures(dataset_status)
        for col in REASON_COLUMNS:
            per[col] = reasons[col].reindex(per.index)
        per = per.drop(columns="_ok")
    out = out.merge(per, left_on="kode_desa", right_index=True, how="left")
    out["terakhir_berhasil"] = pd.to_datetime(out["terakhir_berhasil"], utc=True)
    out["status_terakhir"] = out["status_terakhir"].fillna("never")
    out["dataset_gagal"] = out["dataset_gagal"].fillna(0).astype(int)
    out["kelas"] = activity_class(out["terakhir_berhasil"], now)
    out["keadaan"] = village_state(out["status_terakhir"], out["kelas"])
    now_utc = now.tz_localize("UTC") if now.tzinfo is None else now.tz_convert("UTC")
    out["hari_sejak"] = ((now_utc - out["terakhir_berhasil"]).dt.total_seconds() // 86400).astype(
        "Int64"
    )
    out["waktu_respons_ms"] = _response_ms(fetch_log).reindex(out["kode_desa"]).to_numpy()
    system = _system(source_state)
    out["sistem"] = system["sistem"].reindex(out["kode_desa"]).to_numpy()
    out["versi"] = system["versi"].reindex(out["kode_desa"]).to_numpy()
    return out[FRESHNESS_COLUMNS].reset_index(drop=True)


def _response_ms(fetch_log: pd.DataFrame | None) -> pd.Series:
    """Mean duration_ms per village over its own latest run in the log (the pages pass
    `Warehouse.latest_attempts_frame()`: collections only, an import takes no time)."""
    if fetch_log is None or fetch_log.empty:
        return pd.Series(dtype=float)
    last = fetch_log.groupby("kode_desa")["run_id"].transform("max")
    rows = fetch_log[fetch_log["run_id"] == last]
    return rows.groupby("kode_desa")["duration_ms"].mean().round(0)


def _system(source_state: pd.DataFrame | None) -> pd.DataFrame:
    """The most recently seen system name and version per village (any endpoint)."""
    if source_state is None or source_state.empty:
        return pd.DataFrame(columns=["sistem", "versi"])
    seen = source_state.dropna(subset=["source_app", "source_version"], how="all")
    latest = seen.sort_values("updated_at").groupby("kode_desa").last()
    return latest.rename(columns={"source_app": "sistem", "source_version": "versi"})[
        ["sistem", "versi"]
    ]


def completeness(
    dataset_status: pd.DataFrame, regions: pd.DataFrame, datasets: Sequence[str]
) -> pd.DataFrame:
    """Village × dataset: the latest status (ok, unchanged, failed, never) per dataset column,
    `terisi` = datasets with data (collected successfully at least once), `persen_terisi`."""
    out = _villages(regions)
    names = list(dict.fromkeys(datasets))
    if dataset_status.empty or not names:
        status = pd.DataFrame(index=pd.Index([], name="kode_desa"), columns=names)
        filled = pd.Series(dtype=int)
    else:
        ds = dataset_status[dataset_status["dataset"].isin(names)]
        status = ds.pivot_table(
            index="kode_desa", columns="dataset", values="last_status", aggfunc="first"
        )
        filled = ds[ds["last_success_at"].notna()].groupby("kode_desa")["dataset"].nunique()
    status = status.reindex(index=out["kode_desa"], columns=names)
    for name in names:
        out[name] = status[name].astype(object).fillna("never").to_numpy()
    out["terisi"] = filled.reindex(out["kode_desa"]).fillna(0).astype(int).to_numpy()
    share = out["terisi"] / len(names) * 100 if names else pd.Series(0.0, index=out.index)
    out["persen_terisi"] = share.astype(float).round(1)
    return out


def kecamatan_summary(fresh: pd.DataFrame, complete: pd.DataFrame) -> pd.DataFrame:
    """Per kecamatan: villages, counts per activity class, villages that reported / failed in
    their latest attempt (% reported) and mean completeness (%)."""
    if fresh.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    f = fresh.copy()
    for kelas in KELAS:
        f[kelas] = (f["kelas"] == kelas).astype(int)
    f["melapor"] = f["status_terakhir"].isin(["ok", "unchanged"]).astype(int)
    f["gagal"] = (f["status_terakhir"] == "failed").astype(int)
    out = f.groupby(["kode_kecamatan", "nama_kecamatan"], dropna=False, as_index=False).agg(
        desa=("kode_desa", "size"), **{c: (c, "sum") for c in (*KELAS, "melapor", "gagal")}
    )
    out["persen_melapor"] = (out["melapor"] / out["desa"] * 100).round(1)
    lengkap = complete.groupby("kode_kecamatan")["persen_terisi"].mean().round(1)
    out["persen_lengkap"] = out["kode_kecamatan"].map(lengkap)
    return out[SUMMARY_COLUMNS].sort_values("kode_kecamatan").reset_index(drop=True)


def modified_z(values: pd.Series) -> pd.Series:
    """Iglewicz–Hoaglin modified z-score; with a zero MAD, the mean absolute deviation."""
    x = values.astype(float)
    median = x.median()
    deviation = (x - median).abs()
    mad = deviation.median()
    if mad > 0:
        return 0.6745 * (x - median) / mad
    mean_ad = deviation.mean()
    if mean_ad > 0:
        return (x - median) / (1.253314 * mean_ad)
    return pd.Series(0.0, index=x.index)  # every village equal: nobody stands out


def outliers(
    history: pd.DataFrame,
    observations: pd.DataFrame,
    *,
    jump_percent: float = JUMP_PERCENT,
    threshold: float = Z_THRESHOLD,
) -> pd.DataFrame:
    """Implausible values. `history` = store.history_frame(datasets=["total"]): penduduk totals
    that moved more than `jump_percent` from the previous version (alasan lonjakan_naik /
    lonjakan_turun; skor = % change). `observations` = the current "total" rows: penduduk per
    keluarga and sex ratio far from the kabupaten's villages (|modified z| > threshold; alasan
    di_atas_sebaya / di_bawah_sebaya; pembanding = the median)."""
    frames = [_jumps(history, jump_percent), _peers(observations, threshold)]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=OUTLIER_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["_abs"] = out["skor"].abs()
    out = out.sort_values(["_abs", "kode_desa"], ascending=[False, True])
    return out[OUTLIER_COLUMNS].reset_index(drop=True)


def _jumps(history: pd.DataFrame, jump_percent: float) -> pd.DataFrame:
    if history is None or history.empty:
        return pd.DataFrame(columns=OUTLIER_COLUMNS)
    h = history[(history["dataset"] == TOTALS_DATASET) & (history["kode"] == "penduduk")]
    h = h.sort_values(["kode_desa", "valid_from"])
    rows = []
    for kode, versions in h.groupby("kode_desa"):
        if len(versions) < 2:
            continue
        new, old = float(versions["jumlah"].iloc[-1]), float(versions["jumlah"].iloc[-2])
        if old <= 0:
            continue
        change = (new - old) / old * 100
        if abs(change) > jump_percent:
            alasan = "lonjakan_naik" if change > 0 else "lonjakan_turun"
            rows.append((kode, "penduduk", new, old, round(change, 1), alasan))
    return pd.DataFrame(rows, columns=OUTLIER_COLUMNS)


def peer_indicators(observations: pd.DataFrame) -> pd.DataFrame:
    """Per village: penduduk_per_keluarga and rasio_jenis_kelamin (men per 100 women)."""
    cols = ["penduduk_per_keluarga", "rasio_jenis_kelamin"]
    if observations is None or observations.empty:
        return pd.DataFrame(columns=cols)
    obs = observations[observations["dataset"] == TOTALS_DATASET]
    pend = obs[obs["kode"] == "penduduk"].set_index("kode_desa")
    kel = obs[obs["kode"] == "keluarga"].set_index("kode_desa")["jumlah"].astype(float)
    out = pd.DataFrame(index=pend.index)
    keluarga = kel.reindex(out.index)
    out["penduduk_per_keluarga"] = pend["jumlah"].astype(float) / keluarga.where(keluarga > 0)
    women = pend["perempuan"].astype(float)
    out["rasio_jenis_kelamin"] = pend["laki_laki"].astype(float) / women.where(women > 0) * 100
    return out[cols]


def _peers(observations: pd.DataFrame, threshold: float) -> pd.DataFrame:
    ind = peer_indicators(observations)
    rows = []
    for indikator in ind.columns:
        values = ind[indikator].dropna()
        if len(values) < 3:  # no peers to speak of
            continue
        scores = modified_z(values)
        median = float(values.median())
        for kode in scores[scores.abs() > threshold].index:
            score = float(scores[kode])
            alasan = "di_atas_sebaya" if score > 0 else "di_bawah_sebaya"
            rows.append(
                (kode, indikator, round(float(values[kode]), 2), round(median, 2), round(score, 2),
                 alasan)
            )  # fmt: skip
    return pd.DataFrame(rows, columns=OUTLIER_COLUMNS)
