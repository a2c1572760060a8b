"""Health (monthly) and education (semester) datasets: per village, rolled up, over time.

Pure pandas over `Warehouse.measurements_frame()` and the regions frame. Rules, per measure kind:

- flows (AKI & AKB deaths, epidemi penyakit cases, children immunised: OpenDK's imunisasi is a
  whole number, issue 11) are events in a month: a quarter or year is the sum of its months, a
  region the sum of its villages;
- stocks (toilet & sanitasi households, and every semester dataset: people by attainment,
  pupils and school-age children, PAUD facilities) describe a moment: a quarter, year (or a
  year of semesters) takes each village's latest period in it, a region the sum of its villages;
- MEANS (none since issue 11) would be the mean of a village's months and the plain mean over
  reporting villages.

Rates and shares (enrolment = siswa ÷ anak usia, attainment shares) are recomputed from the
sums, never averaged. Period ids: bulan 202611, triwulan 2026Q4, semester 2026S2, tahun 2026.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aggregates.finance import villages as registry_villages
from config.datasets import BY_NAME

HEALTH = ("aki-akb", "imunisasi", "epidemi-penyakit", "toilet-sanitasi")
EDUCATION = ("tingkat-pendidikan", "putus-sekolah", "fasilitas-paud")
DATASETS = HEALTH + EDUCATION
GRAINS = {"bulan": ("bulan", "triwulan", "tahun"), "semester": ("semester", "tahun")}
FLOWS = frozenset({"aki-akb", "epidemi-penyakit", "imunisasi"})
MEANS: frozenset[str] = frozenset()
LEVELS = ("paud", "sd", "smp", "sma")
DISEASE_PREFIX = "penyakit_"
REGION_COLUMNS = ["kode_desa", "nama_desa", "kode_kecamatan", "nama_kecamatan"]


# -- periods -------------------------------------------------------------------------------
def grains(dataset: str) -> tuple[str, ...]:
    """The period grains a dataset can be shown at, finest first."""
    return GRAINS[BY_NAME[dataset].grain]


def period_of(periode: str, grain: str) -> str:
    """A stored period id (202611, 2026S2) at a coarser grain: 2026Q4, 2026, …"""
    periode = str(periode)
    if grain == "tahun":
        return periode[:4]
    if grain == "triwulan":
        if len(periode) != 6:
            raise ValueError(f"{periode} is not a month")
        return f"{periode[:4]}Q{(int(periode[4:]) - 1) // 3 + 1}"
    return periode  # bulan or semester: as stored


def _rows(meas: pd.DataFrame, dataset: str, kode: str | None) -> pd.DataFrame:
    if meas.empty:
        return meas.iloc[0:0]
    rows = meas[meas["dataset"] == dataset]
    if kode:
        rows = rows[
            (rows["kode_wilayah"] == kode) | rows["kode_wilayah"].str.startswith(kode + ".")
        ]
    return rows


def periods(meas: pd.DataFrame, dataset: str, grain: str) -> list[str]:
    """Periods with data at a grain, newest first."""
    rows = _rows(meas, dataset, None)
    return sorted({period_of(p, grain) for p in rows["periode"].dropna().astype(str)}, reverse=True)


def period_choices(meas: pd.DataFrame) -> pd.DataFrame:
    """Each stored (dataset, periode) of the health and education datasets, sorted: what the
    pages' period choices are made of (`periods_in`, `stored_in`)."""
    cols = ["dataset", "periode"]
    if meas.empty:
        return pd.DataFrame(columns=cols)
    rows = meas.loc[meas["dataset"].isin(DATASETS), cols].dropna(subset=["periode"])
    rows = rows.assign(periode=rows["periode"].astype(str)).drop_duplicates()
    return rows.sort_values(cols).reset_index(drop=True)


def periods_in(choices: pd.DataFrame, dataset: str, grain: str) -> list[str]:
    """`periods` from a `period_choices` frame: the dataset's periods at a grain, newest first."""
    found = choices.loc[choices["dataset"] == dataset, "periode"]
    return sorted({period_of(p, grain) for p in found}, reverse=True)


def stored_in(choices: pd.DataFrame, dataset: str, grain: str, periode: str) -> list[str]:
    """The stored periods (months, semesters) behind a period shown at `grain`, oldest first."""
    found = choices.loc[choices["dataset"] == dataset, "periode"].unique()
    return sorted(p for p in found if period_of(p, grain) == str(periode))


def diseases(meas: pd.DataFrame) -> list[str]:
    """penyakit_id values with epidemi data, in numeric order."""
    rows = _rows(meas, "epidemi-penyakit", None)
    return sorted({str(k) for k in rows["kode"].dropna()}, key=lambda k: (len(k), k))


# -- measures ------------------------------------------------------------------------------
def base_measures(meas: pd.DataFrame, dataset: str) -> list[str]:
    """The stored measure columns of a dataset; epidemi: the total, then one per disease."""
    if dataset == "epidemi-penyakit":
        return ["jumlah_penderita", *(DISEASE_PREFIX + k for k in diseases(meas))]
    return list(BY_NAME[dataset].measures)


def derived_measures(dataset: str) -> list[str]:
    """Rates and shares computed from the sums (see add_derived)."""
    if dataset == "putus-sekolah":
        return [f"partisipasi_{lvl}" for lvl in LEVELS]
    if dataset == "tingkat-pendidikan":
        return ["jumlah", *(f"persen_{m}" for m in BY_NAME[dataset].measures)]
    if dataset == "fasilitas-paud":
        return ["siswa_per_guru"]
    return []


def _ratio(num: pd.Series, den: pd.Series, scale: float = 100.0) -> pd.Series:
    den = den.astype(float)
    return (num.astype(float) / den.where(den != 0) * scale).astype(float)


def add_derived(df: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Rates from the counts: partisipasi_<jenjang> = siswa ÷ anak usia × 100 (putus sekolah),
    persen_<jenjang> of `jumlah` (tingkat pendidikan), siswa per guru (PAUD)."""
    out = df.copy()
    if dataset == "putus-sekolah":
        for lvl in LEVELS:
            out[f"partisipasi_{lvl}"] = _ratio(out[f"siswa_{lvl}"], out[f"anak_usia_{lvl}"])
    elif dataset == "tingkat-pendidikan":
        cols = list(BY_NAME[dataset].measures)
        out["jumlah"] = out[cols].sum(axis=1, min_count=1)
        for col in cols:
            out[f"persen_{col}"] = _ratio(out[col], out["jumlah"])
    elif dataset == "fasilitas-paud":
        out["siswa_per_guru"] = _ratio(out["jumlah_siswa_paud"], out["jumlah_guru_paud"], 1.0)
    return out


# -- per village and period ----------------------------------------------------------------
def village_periods(
    meas: pd.DataFrame, dataset: str, grain: str, kode: str | None = None
) -> pd.DataFrame:
    """One row per reporting village × period at `grain`: kode_desa, periode, the dataset's
    measures (flows summed, stocks the latest stored period, imunisasi the mean), and
    `laporan`, the stored periods behind the value (months of a quarter, …)."""
    measures = base_measures(meas, dataset)
    cols = ["kode_desa", "periode", *measures, "laporan"]
    rows = _rows(meas, dataset, kode)
    if rows.empty:
        return pd.DataFrame(columns=cols).astype({m: float for m in measures} | {"laporan": int})
    rows = rows.assign(periode=rows["periode"].astype(str))
    if dataset == "epidemi-penyakit":
        per = rows.assign(ukuran=DISEASE_PREFIX + rows["kode"].astype(str))
        rows = pd.concat([rows, per], ignore_index=True)
    wide = rows.pivot_table(
        index=["kode_wilayah", "periode"], columns="ukuran", values="nilai", aggfunc="sum"
    )
    wide = wide.reindex(columns=measures).reset_index()
    wide.columns.name = None
    wide["asal"] = wide["periode"]
    wide["periode"] = [period_of(p, grain) for p in wide["periode"]]
    wide = wide.sort_values(["kode_wilayah", "asal"])
    grouped = wide.groupby(["kode_wilayah", "periode"], sort=True)
    if dataset in FLOWS:
        values = grouped[measures].sum(min_count=1)
    elif dataset in MEANS:
        values = grouped[measures].mean()
    else:
        values = grouped[measures].last()
    values["laporan"] = grouped["asal"].nunique()
    out = values.reset_index().rename(columns={"kode_wilayah": "kode_desa"})
    return out[cols].reset_index(drop=True)


def _combine(df: pd.DataFrame, dataset: str, measures: list[str], by: list[str]) -> pd.DataFrame:
    """Villages combined: sums, or the plain mean over reporting villages for imunisasi."""
    grouped = df.groupby(by, sort=True)
    how = "mean" if dataset in MEANS else "sum"
    values = grouped[measures].agg(how) if how == "mean" else grouped[measures].sum(min_count=1)
    values["desa_melapor"] = grouped["kode_desa"].nunique()
    return values.reset_index()


def village_table(
    meas: pd.DataFrame,
    regions: pd.DataFrame,
    dataset: str,
    grain: str,
    periode: str,
    kode: str | None = None,
) -> pd.DataFrame:
    """Every registry village under `kode` for one period (non-reporters with NaN and
    melapor False): names, measures, derived rates, laporan."""
    desa = registry_villages(regions, kode)[REGION_COLUMNS]
    vp = village_periods(meas, dataset, grain, kode)
    return period_table(desa, vp, base_measures(meas, dataset), dataset, periode)


def period_table(
    desa: pd.DataFrame, vp: pd.DataFrame, measures: list[str], dataset: str, periode: str
) -> pd.DataFrame:
    """The villages `desa` (`registry_villages`) with their values of one period of `vp`
    (`village_periods` of the same villages or more): `village_table`."""
    vp = vp[vp["periode"] == str(periode)].drop(columns="periode")
    out = desa.merge(vp, on="kode_desa", how="left")
    out["melapor"] = out["kode_desa"].isin(set(vp["kode_desa"]))
    out["laporan"] = out["laporan"].fillna(0).astype(int)
    out[measures] = out[measures].astype(float)
    out = add_derived(out, dataset)
    return out.reset_index(drop=True)


def rollup(table: pd.DataFrame, regions: pd.DataFrame, dataset: str, tingkat: str) -> pd.DataFrame:
    """A `village_table` per kecamatan or kabupaten: kode_wilayah, nama_wilayah, measures
    (over reporting villages), derived rates from the sums, desa_melapor, desa."""
    if tingkat not in ("kecamatan", "kabupaten", "provinsi"):
        raise ValueError(f"tingkat must be kecamatan, kabupaten or provinsi, not {tingkat!r}")
    width = {"kecamatan": 8, "kabupaten": 5, "provinsi": 2}[tingkat]
    measures = [c for c in table.columns if c in stored_measures(table, dataset)]
    work = table.assign(kode_wilayah=table["kode_desa"].str.slice(0, width))
    counts = work.groupby("kode_wilayah").size().rename("desa")
    rep = work[work["melapor"]]
    if rep.empty:
        sums = pd.DataFrame({"kode_wilayah": counts.index})
        for m in measures:
            sums[m] = np.nan
        sums["desa_melapor"] = 0
    else:
        sums = _combine(rep, dataset, measures, ["kode_wilayah"])
    out = pd.DataFrame({"kode_wilayah": counts.index}).merge(sums, on="kode_wilayah", how="left")
    out["desa_melapor"] = out["desa_melapor"].fillna(0).astype(int)
    out["desa"] = out["kode_wilayah"].map(counts).astype(int)
    names = regions.set_index("kode")["nama"] if not regions.empty else pd.Series(dtype=str)
    out.insert(1, "nama_wilayah", out["kode_wilayah"].map(names))
    return add_derived(out, dataset).reset_index(drop=True)


def stored_measures(table: pd.DataFrame, dataset: str) -> list[str]:
    """The summed (or averaged) columns of a table: epidemi's diseases as found in it."""
    if dataset == "epidemi-penyakit":
        return ["jumlah_penderita", *(c for c in table.columns if c.startswith(DISEASE_PREFIX))]
    return list(BY_NAME[dataset].measures)


def totals(table: pd.DataFrame, dataset: str) -> dict:
    """One region's values from a `village_table`: sums (imunisasi: mean over reporting
    villages), derived rates, desa_melapor and desa."""
    measures = stored_measures(table, dataset)
    rep = table[table["melapor"]]
    row: dict = {}
    for m in measures:
        if rep.empty:
            row[m] = float("nan")
        elif dataset in MEANS:
            row[m] = float(rep[m].mean())
        else:
            row[m] = float(rep[m].sum())
    out = add_derived(pd.DataFrame([row], columns=measures), dataset).iloc[0].to_dict()
    out["desa_melapor"] = int(len(rep))
    out["desa"] = int(len(table))
    return out


def trend(meas: pd.DataFrame, dataset: str, grain: str, kode: str | None = None) -> pd.DataFrame:
    """The region's values per period at `grain`, oldest first: periode, measures, derived
    rates, desa_melapor (villages with data in that period)."""
    measures = base_measures(meas, dataset)
    return trend_of(village_periods(meas, dataset, grain, kode), dataset, measures)


def trend_of(
    vp: pd.DataFrame, dataset: str, measures: list[str], width: int | None = None
) -> pd.DataFrame:
    """`trend` from the villages' periods `vp` (`village_periods`); with `width`, the trend
    of every region whose code is that long (kode_wilayah first: a kecamatan's rows are its
    `trend`), as the rollup stores it."""
    by = [] if width is None else ["kode_wilayah"]
    if width is not None:
        vp = vp.assign(kode_wilayah=vp["kode_desa"].str.slice(0, width))
    if vp.empty:
        # typed as a trend with rows is, so an empty region reads back from the rollup as
        # it is computed here
        empty = pd.DataFrame(columns=[*by, "periode", *measures, "desa_melapor"])
        types = {"periode": str} | {m: float for m in measures} | {"desa_melapor": int}
        return add_derived(empty.astype(types), dataset)
    out = _combine(vp, dataset, measures, [*by, "periode"])
    return add_derived(out, dataset).sort_values([*by, "periode"]).reset_index(drop=True)


def last_periods(meas: pd.DataFrame, dataset: str) -> pd.Series:
    """kode_desa → the latest period a village reported `dataset` for (e.g. "2026-03")."""
    rows = _rows(meas, dataset, None)
    if rows.empty:
        return pd.Series(dtype=object)
    return rows.groupby("kode_wilayah")["periode"].max()


def last_period_frame(meas: pd.DataFrame, dataset: str, kode: str | None = None) -> pd.DataFrame:
    """`last_periods` of the villages under `kode` as a frame: kode_desa, periode (the
    villages with any data of `dataset`)."""
    rows = _rows(meas, dataset, kode)
    if rows.empty:
        return pd.DataFrame(columns=["kode_desa", "periode"])
    latest = rows.groupby("kode_wilayah")["periode"].max()
    return pd.DataFrame({"kode_desa": latest.index.astype(str), "periode": latest.to_numpy()})


def not_reported(table: pd.DataFrame) -> list[str]:
    """Names of the villages of a `village_table` without data for the period."""
    return [str(n) for n in table.loc[~table["melapor"], "nama_desa"]]
