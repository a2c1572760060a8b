"""Population rollups: desa → kecamatan → kabupaten, recomputable from the warehouse alone."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from config.statistik import RENTANG_UMUR_DEFAULT, TOTALS_DATASET

EXPORT_COLUMNS = [
    "kode_wilayah",
    "nama_wilayah",
    "tingkat",
    "statistik",
    "kode",
    "label",
    "laki_laki",
    "perempuan",
    "jumlah",
]
TOTALS_COLUMNS = [
    "kode_wilayah",
    "nama_wilayah",
    "tingkat",
    "penduduk",
    "laki_laki",
    "perempuan",
    "keluarga",
    "rumah_tangga",
    "desa_melapor",
]
TINGKAT = ("kabupaten", "kecamatan", "desa")
# stored for reconciliation; never shown or exported as a category ("jumlah": the distinct
# recipients of overlapping aid programmes, see config/statistik.toml)
NOT_CATEGORIES = ("total", "jumlah")


@dataclass(frozen=True)
class PopulationData:
    """Current observations with each village's kecamatan and kabupaten attached."""

    observations: pd.DataFrame  # one row per village × dataset × category
    regions: pd.DataFrame  # wilayah: kode, nama, tingkat, induk, jenis

    def name_of(self, kode: str) -> str:
        match = self.regions.loc[self.regions["kode"] == kode, "nama"]
        return str(match.iloc[0]) if len(match) else kode


def build_population(observations: pd.DataFrame, regions: pd.DataFrame) -> PopulationData:
    """Attach the region hierarchy to raw warehouse observations."""
    obs = observations.copy()
    obs["kode_kecamatan"] = obs["kode_desa"].str.slice(0, 8)
    obs["kode_kabupaten"] = obs["kode_desa"].str.slice(0, 5)
    for col in ("laki_laki", "perempuan", "jumlah"):
        obs[col] = pd.to_numeric(obs[col]).astype("Int64")
    return PopulationData(observations=obs, regions=regions.copy())


def villages_in(data: PopulationData, kode: str | None) -> pd.DataFrame:
    """Registry villages (from wilayah) under a region code; all when kode is None."""
    desa = data.regions[data.regions["tingkat"] == "desa"]
    if not kode:
        return desa
    return desa[(desa["kode"] == kode) | desa["kode"].str.startswith(kode + ".")]


def _scope(obs: pd.DataFrame, kode: str | None) -> pd.DataFrame:
    if not kode:
        return obs
    return obs[(obs["kode_desa"] == kode) | obs["kode_desa"].str.startswith(kode + ".")]


def _group_column(tingkat: str) -> str:
    if tingkat not in TINGKAT:
        raise ValueError(f"tingkat {tingkat!r}: expected one of {', '.join(TINGKAT)}")
    return {"desa": "kode_desa", "kecamatan": "kode_kecamatan", "kabupaten": "kode_kabupaten"}[
        tingkat
    ]


def statistic_table(
    data: PopulationData, slug: str, tingkat: str, kode: str | None = None
) -> pd.DataFrame:
    """One row per region and category (belum_mengisi included, totals not), export columns.

    Categories are matched by code and label, so villages that edited their age brackets
    keep their own brackets instead of being merged into someone else's.
    """
    group = _group_column(tingkat)
    obs = _scope(data.observations, kode)
    obs = obs[(obs["dataset"] == slug) & ~obs["kode"].isin(NOT_CATEGORIES)]
    if obs.empty:
        return pd.DataFrame(columns=[*EXPORT_COLUMNS, "urutan", "dari", "sampai"])
    obs = obs.assign(label_key=obs["label"].str.upper().str.strip())
    out = (
        obs.groupby([group, "kode", "label_key"], sort=False, dropna=False)
        .agg(
            label=("label", "first"),
            laki_laki=("laki_laki", "sum"),
            perempuan=("perempuan", "sum"),
            jumlah=("jumlah", "sum"),
            urutan=("urutan", "min"),
            dari=("dari", "min"),
            sampai=("sampai", "max"),
        )
        .reset_index()
        .rename(columns={group: "kode_wilayah"})
    )
    names = data.regions.set_index("kode")["nama"]
    out["nama_wilayah"] = out["kode_wilayah"].map(names).fillna(out["kode_wilayah"])
    out["tingkat"] = tingkat
    out["statistik"] = slug
    # belum_mengisi last; age brackets by their lower bound; other categories by the source order
    out["_belum"] = out["kode"] == "belum_mengisi"
    out["_dari"] = pd.to_numeric(out["dari"], errors="coerce")
    out = out.sort_values(["kode_wilayah", "_belum", "_dari", "urutan", "kode"], na_position="last")
    out = out.drop(columns=["_belum", "_dari", "label_key"]).reset_index(drop=True)
    return out[[*EXPORT_COLUMNS, "urutan", "dari", "sampai"]]


def export_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The stable CSV schema of a statistic table."""
    out = table[EXPORT_COLUMNS].copy()
    for col in ("laki_laki", "perempuan", "jumlah"):
        out[col] = out[col].astype("Int64")
    return out


def totals_table(data: PopulationData, tingkat: str, kode: str | None = None) -> pd.DataFrame:
    """Penduduk (by sex), keluarga and rumah tangga per region, and how many villages reported."""
    group = _group_column(tingkat)
    obs = _scope(data.observations, kode)
    obs = obs[obs["dataset"] == TOTALS_DATASET]
    names = data.regions.set_index("kode")["nama"]
    if obs.empty:
        return pd.DataFrame(columns=TOTALS_COLUMNS)
    wide = obs.pivot_table(
        index=["kode_desa", "kode_kecamatan", "kode_kabupaten"],
        columns="kode",
        values="jumlah",
        aggfunc="sum",
    )
    pend = obs[obs["kode"] == "penduduk"].set_index("kode_desa")[["laki_laki", "perempuan"]]
    wide = wide.reset_index().merge(pend, left_on="kode_desa", right_index=True, how="left")
    for col in ("penduduk", "keluarga", "rumah_tangga"):
        if col not in wide:
            wide[col] = pd.NA
    out = (
        wide.groupby(group)
        .agg(
            penduduk=("penduduk", "sum"),
            laki_laki=("laki_laki", "sum"),
            perempuan=("perempuan", "sum"),
            keluarga=("keluarga", "sum"),
            rumah_tangga=("rumah_tangga", "sum"),
            desa_melapor=("kode_desa", "nunique"),
        )
        .reset_index()
        .rename(columns={group: "kode_wilayah"})
    )
    out["nama_wilayah"] = out["kode_wilayah"].map(names).fillna(out["kode_wilayah"])
    out["tingkat"] = tingkat
    for col in ("penduduk", "laki_laki", "perempuan", "keluarga", "rumah_tangga"):
        out[col] = pd.to_numeric(out[col]).astype("Int64")
    return out[TOTALS_COLUMNS].sort_values("kode_wilayah").reset_index(drop=True)


def pyramid(data: PopulationData, kode: str | None = None) -> pd.DataFrame:
    """Age brackets (rentang-umur) with male and female counts, youngest first.

    Only villages using the default brackets are summed: brackets a village edited cannot be
    split into the default ones without guessing. Their codes are in
    `attrs["desa_rentang_sendiri"]`; the statistic table still shows their own brackets.
    """
    obs = _scope(data.observations, kode)
    obs = obs[
        (obs["dataset"] == "rentang-umur") & ~obs["kode"].isin((*NOT_CATEGORIES, "belum_mengisi"))
    ]
    default = {(a, -1 if b is None else b) for a, b in RENTANG_UMUR_DEFAULT}
    schemes = obs.assign(
        _b=obs["sampai"].fillna(-1).astype(int), _a=obs["dari"].fillna(-2).astype(int)
    )
    per_village = schemes.groupby("kode_desa").apply(
        lambda g: set(zip(g["_a"], g["_b"], strict=True)) == default, include_groups=False
    )
    own = sorted(per_village[~per_village].index) if len(per_village) else []
    obs = obs[~obs["kode_desa"].isin(own)]
    grouped = (
        obs.groupby(["dari"], sort=True)
        .agg(
            label=("label", "first"),
            laki_laki=("laki_laki", "sum"),
            perempuan=("perempuan", "sum"),
            jumlah=("jumlah", "sum"),
        )
        .reset_index()
    )
    grouped = grouped[["label", "laki_laki", "perempuan", "jumlah", "dari"]].reset_index(drop=True)
    grouped.attrs["desa_rentang_sendiri"] = own
    return grouped
