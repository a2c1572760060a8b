"""Population indicators per region, village comparisons and trends from the value history.

Pure pandas: PopulationData (aggregates.population) or `Warehouse.history_frame` in,
DataFrames out.
"""

from __future__ import annotations

import pandas as pd

from aggregates.population import (
    NOT_CATEGORIES,
    PopulationData,
    _group_column,
    _scope,
    partition_codes,
    rollup_categories,
    statistic_table,
    totals_table,
)
from config.statistik import TOTALS_DATASET

AGE_DATASET = "rentang-umur"
DESA_CODE_LENGTH = len("17.03.06.2001")
YOUNG_BELOW, OLD_FROM = 15, 65  # dependency ratio: 0–14 and 65+ per 15–64
INDICATOR_COLUMNS = [
    "kode_wilayah",
    "nama_wilayah",
    "tingkat",
    "penduduk",
    "laki_laki",
    "perempuan",
    "keluarga",
    "rasio_jenis_kelamin",  # laki-laki per 100 perempuan
    "penduduk_per_keluarga",
    "usia_muda",  # 0–14
    "usia_produktif",  # 15–64
    "usia_tua",  # 65+
    "rasio_ketergantungan",  # (0–14 + 65+) per 100 of 15–64
    "desa_umur",  # villages whose age brackets were counted
    "desa_umur_dikecualikan",  # villages whose brackets do not split at 15 and 65
    "desa_melapor",
]
COMPARE_COLUMNS = [
    "kode_wilayah",
    "nama_wilayah",
    "kode",
    "label",
    "urutan_kategori",
    "jumlah",
    "total",
    "persen",
]
TREND_COLUMNS = ["waktu", "jumlah", "laki_laki", "perempuan", "desa"]


def _ratio(num: pd.Series, den: pd.Series, scale: float = 1.0) -> pd.Series:
    """num / den × scale as floats; NaN where the denominator is 0 or missing."""
    num = pd.to_numeric(num, errors="coerce").astype(float)
    den = pd.to_numeric(den, errors="coerce").astype(float)
    return (num / den.where(den > 0)) * scale


def age_groups(data: PopulationData, kode: str | None = None) -> pd.DataFrame:
    """Per village: people aged 0–14, 15–64 and 65+, and whether its brackets allow it.

    A village's brackets are usable only when none straddles 15 or 65 (a "10–19" bracket
    cannot be split without guessing); those villages get `terpakai` False and no counts.
    """
    obs = _scope(data.observations, kode)
    obs = obs[
        (obs["dataset"] == AGE_DATASET) & ~obs["kode"].isin((*NOT_CATEGORIES, "belum_mengisi"))
    ]
    columns = ["kode_desa", "usia_muda", "usia_produktif", "usia_tua", "terpakai"]
    if obs.empty:
        return pd.DataFrame(columns=columns)
    dari = pd.to_numeric(obs["dari"], errors="coerce")
    sampai = pd.to_numeric(obs["sampai"], errors="coerce")  # NaN: open-ended ("75 and over")
    young = sampai.notna() & (sampai < YOUNG_BELOW)
    working = (dari >= YOUNG_BELOW) & sampai.notna() & (sampai < OLD_FROM)
    old = dari >= OLD_FROM
    jumlah = pd.to_numeric(obs["jumlah"], errors="coerce").fillna(0)
    frame = pd.DataFrame(
        {
            "kode_desa": obs["kode_desa"],
            "usia_muda": jumlah.where(young, 0),
            "usia_produktif": jumlah.where(working, 0),
            "usia_tua": jumlah.where(old, 0),
            "fits": (young | working | old) & dari.notna(),
        }
    )
    out = frame.groupby("kode_desa", sort=True).agg(
        usia_muda=("usia_muda", "sum"),
        usia_produktif=("usia_produktif", "sum"),
        usia_tua=("usia_tua", "sum"),
        terpakai=("fits", "all"),
    )
    out.loc[~out["terpakai"], ["usia_muda", "usia_produktif", "usia_tua"]] = pd.NA
    return out.reset_index()[columns]


def indicators(data: PopulationData, tingkat: str, kode: str | None = None) -> pd.DataFrame:
    """Sex ratio, dependency ratio and persons per family for each region of one level.

    Totals come from the `total` dataset (as on Ringkasan); the dependency ratio from the
    age brackets of the villages whose brackets split at 15 and 65 only — how many were left
    out is in `desa_umur_dikecualikan`.
    """
    group = _group_column(tingkat)
    totals = totals_table(data, tingkat, kode)
    ages = age_groups(data, kode)
    if totals.empty and ages.empty:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    if not ages.empty:
        ages["kode_kecamatan"] = ages["kode_desa"].str.slice(0, 8)
        ages["kode_kabupaten"] = ages["kode_desa"].str.slice(0, 5)
        ages["kode_provinsi"] = ages["kode_desa"].str.slice(0, 2)
        used = ages[ages["terpakai"].astype(bool)]
        by_region = (
            used.groupby(group)[["usia_muda", "usia_produktif", "usia_tua"]]
            .sum()
            .join(used.groupby(group).size().rename("desa_umur"), how="outer")
            .join(
                ages[~ages["terpakai"].astype(bool)]
                .groupby(group)
                .size()
                .rename("desa_umur_dikecualikan"),
                how="outer",
            )
        )
        by_region.index.name = "kode_wilayah"
        by_region = by_region.reset_index()
    else:
        by_region = pd.DataFrame(
            columns=["kode_wilayah", "usia_muda", "usia_produktif", "usia_tua", "desa_umur",
                     "desa_umur_dikecualikan"]
        )  # fmt: skip
    out = totals.merge(by_region, on="kode_wilayah", how="outer")
    names = data.regions.set_index("kode")["nama"]
    out["nama_wilayah"] = out["kode_wilayah"].map(names).fillna(out["kode_wilayah"])
    out["tingkat"] = tingkat
    for col in ("desa_umur", "desa_umur_dikecualikan", "desa_melapor"):
        out[col] = pd.to_numeric(out[col]).fillna(0).astype(int)
    for col in ("usia_muda", "usia_produktif", "usia_tua"):
        # a region whose villages all have their own brackets has no age counts, not zero
        out[col] = pd.to_numeric(out[col]).where(out["desa_umur"] > 0).astype("Int64")
    out["rasio_jenis_kelamin"] = _ratio(out["laki_laki"], out["perempuan"], 100)
    out["penduduk_per_keluarga"] = _ratio(out["penduduk"], out["keluarga"])
    dependents = pd.to_numeric(out["usia_muda"]) + pd.to_numeric(out["usia_tua"])
    out["rasio_ketergantungan"] = _ratio(dependents, out["usia_produktif"], 100)
    return out[INDICATOR_COLUMNS].sort_values("kode_wilayah").reset_index(drop=True)


def compare_villages(data: PopulationData, slug: str, kecamatan: str) -> pd.DataFrame:
    """Each village's category shares (% of the village's own total) in one kecamatan.

    `belum_mengisi` is a share of its own, so every village adds up to 100 (an aid statistic:
    recipients and non-recipients, its programmes overlapping). Age brackets are harmonised
    onto the default ones (aggregates.age_brackets), so every bar has the same categories. Given the
    kabupaten code instead, compares its kecamatan. Categories get one order across all
    regions (`urutan_kategori`), so a stacked chart stacks them the same way in every bar.
    """
    # villages compared side by side share one set of categories: age brackets harmonised
    table = statistic_table(data, slug, compare_level(kecamatan), kecamatan, harmonised=True)
    return compare_shares(table, slug)


def compare_level(kode: str) -> str:
    """The level `compare_villages` compares under a region: a provinsi code its kabupaten
    (issue 12), a kabupaten code its kecamatan, a kecamatan code its villages."""
    return {2: "kabupaten", 5: "kecamatan"}.get(len(kode), "desa")


def compare_shares(table: pd.DataFrame, slug: str) -> pd.DataFrame:
    """`compare_villages` from the regions' harmonised statistic table (`statistic_table(...,
    harmonised=True)` of the compared regions): shares and one category order across them
    (the order depends on the regions compared, so a rollup stores the table, not this)."""
    # shares of a whole: an aid statistic's programmes overlap, its recipients do not
    table = table[partition_codes(table, slug)]
    if table.empty:
        return pd.DataFrame(columns=COMPARE_COLUMNS)
    table = table.copy()
    table["jumlah"] = pd.to_numeric(table["jumlah"]).fillna(0)
    table["total"] = table.groupby("kode_wilayah")["jumlah"].transform("sum")
    table = table[table["total"] > 0]  # a village that reported only zeros has no shares
    table["persen"] = table["jumlah"] / table["total"] * 100
    # one category order for all regions: as statistic_table orders a region's categories
    keys = table.assign(
        _belum=table["kode"] == "belum_mengisi",
        _dari=pd.to_numeric(table["dari"], errors="coerce"),
        _label=table["label"].str.upper().str.strip(),
    )
    order = (
        keys.groupby(["kode", "_label"], sort=False)
        .agg(_belum=("_belum", "first"), _dari=("_dari", "min"), urutan=("urutan", "min"))
        .reset_index()
        .sort_values(["_belum", "_dari", "urutan", "kode"], na_position="last")
        .reset_index(drop=True)
    )
    order["urutan_kategori"] = range(len(order))
    keys = keys.merge(order[["kode", "_label", "urutan_kategori"]], on=["kode", "_label"])
    keys["jumlah"] = keys["jumlah"].astype(int)
    keys["total"] = keys["total"].astype(int)
    out = keys.sort_values(["nama_wilayah", "kode_wilayah", "urutan_kategori"])
    return out[COMPARE_COLUMNS].reset_index(drop=True)


def month_ends(now: pd.Timestamp, periods: int = 12) -> list[pd.Timestamp]:
    """The ends of the last `periods` months, the current month's being `now` itself."""
    now = pd.Timestamp(now)
    if now.tzinfo is None:
        now = now.tz_localize("UTC")
    first_of_month = now.normalize().replace(day=1)
    ends = [
        first_of_month - pd.DateOffset(months=k) - pd.Timedelta(microseconds=1)
        for k in range(periods - 2, -1, -1)
    ]
    return [*ends, now]


def trend(
    history: pd.DataFrame,
    slug: str,
    kode: str | None,
    periods: int = 12,
    *,
    kategori: str | None = None,
    now: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The region's value as of each month end over the last `periods` months.

    `history` is `Warehouse.history_frame(kind="observation")`: at each time the version
    valid then (valid_from ≤ t < valid_to) is taken and summed over the region's villages.
    For `slug` "total" the value is `kategori` (default penduduk); for a statistic it is the
    sum of its categories (belum_mengisi included; an aid statistic's recipients and
    non-recipients), or one category's (`kategori`, a code as `statistic_table` gives it for
    the region: harmonised age brackets, aid programmes by name above the desa level).
    Months before any value was collected have `jumlah` NA and `desa` 0.
    """
    hist = _scope(history, kode) if not history.empty else history
    if not hist.empty:
        hist = hist[hist["dataset"] == slug]
        if slug == TOTALS_DATASET:
            hist = hist[hist["kode"] == (kategori or "penduduk")]
        elif kategori is not None:
            if not kode or len(kode) < DESA_CODE_LENGTH:  # the region's categories, summed
                hist = rollup_categories(hist[hist["kode"] != "total"], slug)
            hist = hist[hist["kode"] == kategori]
        else:
            hist = hist[partition_codes(hist, slug)]
    when = month_ends(now if now is not None else pd.Timestamp.now(tz="UTC"), periods)
    rows = []
    for ts in when:
        if hist.empty:
            valid = hist
        else:
            start = pd.to_datetime(hist["valid_from"], utc=True)
            end = pd.to_datetime(hist["valid_to"], utc=True)
            valid = hist[(start <= ts) & (end.isna() | (end > ts))]
        count = int(valid["kode_desa"].nunique()) if not valid.empty else 0
        sums = {
            col: (pd.to_numeric(valid[col]).sum() if count else pd.NA)
            for col in ("jumlah", "laki_laki", "perempuan")
        }
        rows.append({"waktu": ts, **sums, "desa": count})
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    for col in ("jumlah", "laki_laki", "perempuan"):
        out[col] = pd.to_numeric(out[col]).astype("Int64")
    return out
