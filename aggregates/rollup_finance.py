"""The rollup's finance tables (issue 12): see aggregates.rollup.

What the finance pages (keuangan, pembangunan, bantuan) and the village profile read, each
computed once over every village with the same aggregates.finance functions the pages call
per region, and stored per village (sliced by `kode_desa`): a region's rows are then exactly
what the function gives for that region. The bars per kecamatan and per kabupaten (a
provinsi's) are stored per level (sliced by `kode_wilayah`): a region's bars are the rows of
the regions under it. What ranks or totals within the region itself (the absorption rank,
the headline cards, programmes, targets, funding sources, progress) stays in the page, a
cheap last step over its slice. The year choices are one-column frames (`tahun`).

The keys live here so the pages and the producer name the same tables.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from aggregates import finance, sarana
from aggregates.rollup_inputs import RollupInputs
from warehouse.rollups import FrameKey

DESA = "desa"  # the level of every per-village table below (sliced to any region above)
APBDES_YEARS = FrameKey("keu.apbdes-tahun", "")
PEMBANGUNAN_YEARS = FrameKey("pbg.tahun", "")
BANTUAN_ROWS = FrameKey("bnt.program-desa", DESA)  # bantuan_rows
BANTUAN_VILLAGES = FrameKey("bnt.desa", DESA)  # bantuan_villages
FACILITIES = FrameKey("keu.sarana", DESA)  # sarana.facilities
IDENTITY = FrameKey("keu.identitas", DESA)  # finance.identity_rows


def apbdes_villages_key(tahun: str) -> FrameKey:
    """finance.apbdes_villages of a year (its `peringkat` over every village: a region's
    slice is ranked again, finance.ranked_in_region)."""
    return FrameKey("keu.apbdes-desa", DESA, "", tahun)


def apbdes_lines_key(tahun: str) -> FrameKey:
    """finance.village_lines of a year: each village's own accounts."""
    return FrameKey("keu.apbdes-baris", DESA, "", tahun)


def projects_key(tahun: str) -> FrameKey:
    """finance.projects of a year ("": every year, as the village profile lists them)."""
    return FrameKey("pbg.kegiatan", DESA, "", tahun)


def pembangunan_villages_key(tahun: str) -> FrameKey:
    return FrameKey("pbg.desa", DESA, "", tahun)


# the levels a region's bars are drawn at above the villages: a kabupaten per kecamatan, a
# provinsi per kabupaten (a kecamatan's bars, per village, are its slice of the per-village table)
BAR_LEVELS = ("kecamatan", "kabupaten")


def apbdes_regions_key(tingkat: str, tahun: str) -> FrameKey:
    """finance.rollup_apbdes of a year at one level (per kecamatan or kabupaten)."""
    return FrameKey("keu.apbdes-wilayah", tingkat, "", tahun)


def pembangunan_regions_key(tingkat: str, tahun: str) -> FrameKey:
    """The project budget bars (finance.region_values of `anggaran`) of a year at one level,
    their `kode` stored as kode_wilayah (`as_stored`), so a region reads its slice."""
    return FrameKey("pbg.wilayah", tingkat, "anggaran", tahun)


def bantuan_regions_key(tingkat: str, column: str) -> FrameKey:
    """The memberships bars of one target column (finance.kepesertaan_column) at one level,
    their `kode` stored as kode_wilayah (`as_stored`)."""
    return FrameKey("bnt.wilayah", tingkat, column)


def as_stored(bars: pd.DataFrame) -> pd.DataFrame:
    """finance.region_values rows as stored: `kode` named kode_wilayah, the column the rollup
    slices a per-region table by (warehouse.rollups.REGION_COLUMNS); `as_read` undoes it."""
    return bars.rename(columns={"kode": "kode_wilayah"})


def as_read(stored: pd.DataFrame) -> pd.DataFrame:
    return stored.rename(columns={"kode_wilayah": "kode"})


def choice_frame(values: list[str], column: str = "tahun") -> pd.DataFrame:
    """A page's choices (years, newest first) as a one-column frame with no region column."""
    return pd.DataFrame({column: pd.Series([str(v) for v in values], dtype="str")})


def _by_dataset(meas: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The measurements of each finance dataset (the same rows, in the same order): every
    function below reads its own dataset only, so splitting once spares filtering every
    measurement per table and year."""
    wanted = [finance.APBDES, finance.PEMBANGUNAN, finance.BANTUAN, sarana.SARANA, "identitas"]
    if meas.empty:
        return {name: meas for name in wanted}
    groups = meas.groupby("dataset", sort=False).indices
    empty = meas.iloc[0:0]
    return {name: meas.iloc[groups[name]] if name in groups else empty for name in wanted}


def frames(inputs: RollupInputs) -> Iterator[tuple[FrameKey, pd.DataFrame]]:
    """Every finance table the pages and the API read, under its key."""
    parts = _by_dataset(inputs.measurements)
    regions = inputs.regions
    desa = finance.villages(regions)

    apbdes = parts[finance.APBDES]
    apbdes_years = finance.apbdes_years(apbdes)
    yield APBDES_YEARS, choice_frame(apbdes_years)
    # a page without years asks for "" (resolve_choice): that table too
    for tahun in apbdes_years or [""]:
        table = finance.apbdes_villages(apbdes, regions, tahun)
        yield apbdes_villages_key(tahun), table
        yield apbdes_lines_key(tahun), finance.village_lines(apbdes, tahun)
        for tingkat in BAR_LEVELS:  # sums per region: each region's own villages only
            rows = finance.rollup_apbdes(table, regions, tingkat)
            yield apbdes_regions_key(tingkat, tahun), rows

    pembangunan = parts[finance.PEMBANGUNAN]
    pembangunan_years = finance.pembangunan_years(pembangunan)
    yield PEMBANGUNAN_YEARS, choice_frame(pembangunan_years)
    every_year = finance.projects(pembangunan, regions, None)
    yield projects_key(""), every_year
    yield pembangunan_villages_key(""), finance.pembangunan_villages(every_year, desa)
    for tahun in pembangunan_years:
        # a year's projects are its rows of every year's (each row is one project's own)
        items = every_year[every_year["tahun"] == tahun].reset_index(drop=True)
        per_desa = finance.pembangunan_villages(items, desa)
        yield projects_key(tahun), items
        yield pembangunan_villages_key(tahun), per_desa
        for tingkat in BAR_LEVELS:
            bars = finance.region_values(per_desa, "anggaran", tingkat, regions)
            yield pembangunan_regions_key(tingkat, tahun), as_stored(bars)

    rows = finance.bantuan_rows(parts[finance.BANTUAN], regions)
    per_desa = finance.bantuan_villages(rows, desa)
    yield BANTUAN_ROWS, rows
    yield BANTUAN_VILLAGES, per_desa
    for code in [*finance.SASARAN, finance.TANPA_SASARAN]:
        column = finance.kepesertaan_column(code)
        for tingkat in BAR_LEVELS:
            bars = finance.region_values(per_desa, column, tingkat, regions)
            yield bantuan_regions_key(tingkat, column), as_stored(bars)

    yield FACILITIES, sarana.facilities(parts[sarana.SARANA])
    yield IDENTITY, finance.identity_rows(parts["identitas"])
