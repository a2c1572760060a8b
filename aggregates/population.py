"""Population rollups: desa → kecamatan → kabupaten → provinsi, recomputable from the warehouse
alone."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from aggregates.age_brackets import as_own, harmonise, not_harmonised, pooled
from config.statistik import BY_SLUG, TOTALS_DATASET

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
TINGKAT = ("provinsi", "kabupaten", "kecamatan", "desa")
# stored for reconciliation; never shown or exported as a category ("jumlah": the distinct
# recipients of overlapping aid programmes, see config/statistik.toml)
NOT_CATEGORIES = ("total", "jumlah")
AGE_BRACKETS = "rentang-umur"  # the statistic of the population pyramid


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
    obs["kode_provinsi"] = obs["kode_desa"].str.slice(0, 2)
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
    return f"kode_{tingkat}"


def shown_codes(slug: str) -> tuple[str, ...]:
    """The source rows a statistic never shows as categories: TOTAL always; JUMLAH too, but
    for the aid statistics, where it is the distinct recipients (their programme rows
    overlap, see config/statistik.toml)."""
    stat = BY_SLUG.get(slug)
    return ("total",) if stat is not None and not stat.additive else NOT_CATEGORIES


def category_rows(obs: pd.DataFrame) -> pd.DataFrame:
    """Observations of any statistics without the rows that are not categories (`shown_codes`
    of each statistic): no TOTAL row, no JUMLAH row but the aid statistics' recipients."""
    aid = [slug for slug, stat in BY_SLUG.items() if not stat.additive]
    hidden = (obs["kode"] == "total") | ((obs["kode"] == "jumlah") & ~obs["dataset"].isin(aid))
    return obs[~hidden & (obs["dataset"] != TOTALS_DATASET)]


def partition_codes(table: pd.DataFrame, slug: str) -> pd.Series:
    """Which rows of a statistic table add up to its total: every category and belum
    mengisi; for the aid statistics only the recipients (`jumlah`) and the non-recipients
    (`belum_mengisi`), their programme rows overlapping."""
    stat = BY_SLUG.get(slug)
    if stat is not None and not stat.additive:
        return table["kode"].isin(("jumlah", "belum_mengisi"))
    return ~table["kode"].isin(NOT_CATEGORIES)


def rollup_categories(obs: pd.DataFrame, slug: str) -> pd.DataFrame:
    """A statistic's rows with the categories villages share once they are summed: age
    brackets mapped onto the default ones (the rest pooled as `tidak_diselaraskan`); aid
    programmes by name, their ids being each village's own (kode = the programme's name)."""
    stat = BY_SLUG.get(slug)
    if stat is None:
        return obs
    if stat.jenis == "umur":
        return pooled(harmonise(obs, slug))
    if stat.jenis == "bantuan":
        programme = ~obs["kode"].isin(("jumlah", "belum_mengisi", "total"))
        name = obs["label"].astype(str).str.strip()
        return obs.assign(
            kode=obs["kode"].where(~programme, name), label=name.where(programme, obs["label"])
        )
    return obs


def statistic_table(
    data: PopulationData,
    slug: str,
    tingkat: str,
    kode: str | None = None,
    *,
    harmonised: bool | None = None,
) -> pd.DataFrame:
    """One row per region and category (belum_mengisi included, totals not), export columns.

    Categories are matched by code and label. Age brackets (`umur` statistics) differ
    between villages: above the desa level (or with `harmonised`) they are mapped onto
    OpenSID's default brackets (aggregates.age_brackets), and the village brackets that
    straddle a default bound are summed into one `tidak_diselaraskan` category, so no two
    unlike brackets are added and the region's counts still equal the villages'; a desa
    keeps its own brackets. The aid statistics keep their `jumlah` row (distinct recipients).
    """
    group = _group_column(tingkat)
    obs = _scope(data.observations, kode)
    obs = obs[(obs["dataset"] == slug) & ~obs["kode"].isin(shown_codes(slug))]
    if obs.empty:
        return pd.DataFrame(columns=[*EXPORT_COLUMNS, "urutan", "dari", "sampai"])
    if harmonised if harmonised is not None else tingkat != "desa":
        obs = rollup_categories(obs, slug)
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
    # belum_mengisi last; age brackets by their lower bound; other categories by the source
    # order (the aid statistics' recipients and the brackets not harmonised come after them)
    out["_belum"] = out["kode"] == "belum_mengisi"
    out["_dari"] = pd.to_numeric(out["dari"], errors="coerce")
    out = out.sort_values(["kode_wilayah", "_belum", "_dari", "urutan", "kode"], na_position="last")
    out = out.drop(columns=["_belum", "_dari", "label_key"]).reset_index(drop=True)
    return out[[*EXPORT_COLUMNS, "urutan", "dari", "sampai"]]


def _village_names(data: PopulationData, codes: pd.Series) -> pd.Series:
    """Village names by code (the code itself for a village the registry does not list)."""
    return codes.map(data.regions.set_index("kode")["nama"]).fillna(codes)


def not_harmonised_table(data: PopulationData, slug: str, kode: str | None = None) -> pd.DataFrame:
    """The village age brackets under a region that fit no default bracket (summed as
    `tidak_diselaraskan` in the region's rollup): one row per village and bracket, with the
    village's name and its own code, label, bounds and counts."""
    obs = _scope(data.observations, kode)
    obs = obs[(obs["dataset"] == slug) & ~obs["kode"].isin(NOT_CATEGORIES)]
    rest = not_harmonised(harmonise(obs, slug))
    rest.insert(1, "nama_desa", _village_names(data, rest["kode_desa"]))
    return rest


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
        index=["kode_desa", "kode_kecamatan", "kode_kabupaten", "kode_provinsi"],
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


def bracket_sums(brackets: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Drawn age brackets summed per `by` (none: the whole frame) and bracket start (`dari`):
    label, laki_laki, perempuan, jumlah — the pyramid's bars."""
    return (
        brackets.groupby([*by, "dari"], sort=True)
        .agg(
            label=("label", "first"),
            laki_laki=("laki_laki", "sum"),
            perempuan=("perempuan", "sum"),
            jumlah=("jumlah", "sum"),
        )
        .reset_index()
    )


def pyramid(data: PopulationData, kode: str | None = None) -> pd.DataFrame:
    """Age brackets (rentang-umur) with male and female counts, youngest first.

    For one desa: its own brackets, whatever they are. For a kecamatan or the kabupaten
    (`kode` None): the villages' brackets harmonised onto the default ones (aggregates.
    age_brackets); those that straddle a default bound are left out of the pyramid and listed
    by village and bracket in `attrs["tidak_diselaraskan"]` (the pyramid plus that list
    equals the warehouse's brackets). `attrs["desa_rentang_sendiri"]` names the villages none
    of whose brackets could be drawn.
    """
    obs = _scope(data.observations, kode)
    obs = obs[(obs["dataset"] == AGE_BRACKETS) & ~obs["kode"].isin(NOT_CATEGORIES)]
    one_desa = kode is not None and len(kode) == len("17.03.06.2001")
    mapped = as_own(obs) if one_desa else harmonise(obs, AGE_BRACKETS)
    brackets = mapped[mapped["selaras"] & (mapped["kode"] != "belum_mengisi")]
    grouped = bracket_sums(brackets, [])
    grouped = grouped[["label", "laki_laki", "perempuan", "jumlah", "dari"]].reset_index(drop=True)
    rest = not_harmonised(mapped)
    drawn = set(brackets["kode_desa"])
    grouped.attrs["desa_rentang_sendiri"] = sorted(set(rest["kode_desa"]) - drawn)
    rest.insert(1, "nama_desa", _village_names(data, rest["kode_desa"]))
    grouped.attrs["tidak_diselaraskan"] = rest
    return grouped
