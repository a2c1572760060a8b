"""The rollup's people tables (issue 12): see aggregates.rollup.

What Kependudukan, the village profile and Ringkasan read beyond the population tables of
aggregates.rollup, computed once over every village and read back per region as slices:

- `PIRAMIDA` per level: the age pyramid of each region (a sum over its villages, so one table
  per level, sliced by region); its notes come from `TIDAK_SELARAS` and `RENTANG_SENDIRI`.
- `TIDAK_SELARAS` per age statistic: the village brackets no default bracket holds, by
  village (`not_harmonised_table` of the kabupaten: a region's rows are its villages').
- `RENTANG_SENDIRI`: villages none of whose age brackets the pyramid can draw.
- `BANDING` per statistic whose categories a rollup renames (age brackets, aid programmes):
  the villages' harmonised statistic table, the input of `compare_shares` (the shares' one
  category order depends on the villages compared, so the page keeps that last step; the
  other statistics compare the population rollup's own tables).
- `RIWAYAT` per statistic: the value history the trend reads, only the versions a trend
  drawn from now on can reach (the current ones and those valid at a past month end).
- `DESA_PENDUDUK`: every village's population rows (the profile's table).
- `PERUBAHAN` per collection run (its id the periode): the values that collection changed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pandas as pd

from aggregates.age_brackets import DETAIL_COLUMNS, as_own, harmonise, not_harmonised
from aggregates.changes import collection_changes
from aggregates.indicators import month_ends
from aggregates.population import (
    AGE_BRACKETS,
    NOT_CATEGORIES,
    TINGKAT,
    PopulationData,
    bracket_sums,
    category_rows,
    not_harmonised_table,
    statistic_table,
)
from aggregates.rollup_inputs import RollupInputs
from aggregates.status import last_run_summary
from config.statistik import BY_SLUG
from warehouse.models import VILLAGE_RUN_KINDS
from warehouse.rollups import FrameKey

log = logging.getLogger(__name__)


PIRAMIDA = "kpd.piramida"
TIDAK_SELARAS = "kpd.tidak-selaras"
RENTANG_SENDIRI = "kpd.rentang-sendiri"
BANDING = "kpd.banding"
RIWAYAT = "kpd.riwayat"
DESA_PENDUDUK = "desa.penduduk"
PERUBAHAN = "rks.perubahan"

TREND_MONTHS = 12  # the months a trend draws (Kependudukan)
# what `trend` reads of a version (not the runs that started and ended it, nor the change)
HISTORY_COLUMNS = ["kode_desa", "dataset", "kode", "label", "urutan", "dari", "sampai",
                   "laki_laki", "perempuan", "jumlah", "valid_from", "valid_to"]  # fmt: skip
PYRAMID_COLUMNS = ["kode_wilayah", "label", "laki_laki", "perempuan", "jumlah", "dari"]
VILLAGE_POPULATION_COLUMNS = ["kode_desa", "statistik", "kode", "label", "laki_laki",
                              "perempuan", "jumlah"]  # fmt: skip


def age_slugs() -> list[str]:
    """The statistics of age brackets (harmonised above the desa, with notes)."""
    return [slug for slug, stat in BY_SLUG.items() if stat.jenis == "umur"]


def renamed_slugs() -> list[str]:
    """The statistics whose categories `rollup_categories` renames (so a harmonised desa
    table differs from the desa's own): age brackets and aid programmes."""
    return [slug for slug, stat in BY_SLUG.items() if stat.jenis in ("umur", "bantuan")]


# -- the pyramid -------------------------------------------------------------------------------
def _age_rows(data: PopulationData) -> pd.DataFrame:
    obs = data.observations
    return obs[(obs["dataset"] == AGE_BRACKETS) & ~obs["kode"].isin(NOT_CATEGORIES)]


def pyramid_level(data: PopulationData, tingkat: str) -> pd.DataFrame:
    """`pyramid(data, kode)` of every region of one level, the region in `kode_wilayah`: a
    desa its own brackets, a region its villages' harmonised ones (`harmonise` maps each row
    alone, so harmonising every village at once gives each region's rows)."""
    obs = _age_rows(data)
    mapped = as_own(obs) if tingkat == "desa" else harmonise(obs, AGE_BRACKETS)
    brackets = mapped[mapped["selaras"] & (mapped["kode"] != "belum_mengisi")]
    group = f"kode_{tingkat}"
    grouped = bracket_sums(brackets, [group]).rename(columns={group: "kode_wilayah"})
    return grouped[PYRAMID_COLUMNS].reset_index(drop=True)


def own_bracket_villages(data: PopulationData) -> pd.DataFrame:
    """Villages none of whose age brackets a region's pyramid draws (`pyramid`'s
    `attrs["desa_rentang_sendiri"]`, by village: whether a village's brackets are drawn
    depends on its own rows only)."""
    mapped = harmonise(_age_rows(data), AGE_BRACKETS)
    drawn = set(mapped.loc[mapped["selaras"] & (mapped["kode"] != "belum_mengisi"), "kode_desa"])
    rest = set(not_harmonised(mapped)["kode_desa"]) if len(mapped) else set()
    return pd.DataFrame({"kode_desa": sorted(rest - drawn)}, dtype=object)


def pyramid_from_parts(
    table: pd.DataFrame, rest: pd.DataFrame | None = None, own: pd.DataFrame | None = None
) -> pd.DataFrame:
    """`pyramid(data, kode)` from the rollup's slices for `kode`: its `PIRAMIDA` rows, its
    `TIDAK_SELARAS` rows of rentang-umur and its `RENTANG_SENDIRI` villages (none for one
    desa, which shows its own brackets: nothing left out)."""
    out = table.drop(columns="kode_wilayah").reset_index(drop=True)
    out.attrs["desa_rentang_sendiri"] = [] if own is None else [str(k) for k in own["kode_desa"]]
    if rest is None:
        rest = pd.DataFrame(columns=["kode_desa", "nama_desa", *DETAIL_COLUMNS[1:]])
    out.attrs["tidak_diselaraskan"] = rest
    return out


# -- the trend's inputs -------------------------------------------------------------------------
def trend_history(history: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """The versions of `history` a trend drawn at `now` or later can reach: the current ones
    and those valid at one of the month ends before `now` (a later `now` only looks at later
    month ends, where a version ended before the first of them is never valid), in order."""
    if history.empty:
        return history.reset_index(drop=True)[[c for c in HISTORY_COLUMNS if c in history]]
    start = pd.to_datetime(history["valid_from"], utc=True)
    end = pd.to_datetime(history["valid_to"], utc=True)
    keep = end.isna()
    for ts in month_ends(now, TREND_MONTHS)[:-1]:
        keep |= (start <= ts) & (end > ts)
    kept = history[keep.to_numpy()].reset_index(drop=True)
    return kept[[c for c in HISTORY_COLUMNS if c in kept]]


# -- the village profile and Ringkasan ---------------------------------------------------------
def village_population(obs: pd.DataFrame) -> pd.DataFrame:
    """Every village's population rows as its profile lists them (categories only: a
    statistic's TOTAL row is not one, an aid statistic's JUMLAH is), by village."""
    rows = category_rows(obs)
    out = pd.DataFrame(
        {
            "kode_desa": rows["kode_desa"],
            "statistik": rows["dataset"],
            "kode": rows["kode"],
            "label": rows["label"],
            "laki_laki": rows["laki_laki"],
            "perempuan": rows["perempuan"],
            "jumlah": rows["jumlah"],
        }
    )
    return out.reset_index(drop=True)[VILLAGE_POPULATION_COLUMNS]


def changes_key(run_id: int) -> FrameKey:
    """Where the changes of collection `run_id` are stored (a snapshot whose last collection
    is another run finds none and computes its own)."""
    return FrameKey(PERUBAHAN, "desa", "", str(run_id))


# -- the producer ------------------------------------------------------------------------------
def frames(inputs: RollupInputs) -> Iterator[tuple[FrameKey, pd.DataFrame]]:
    """Every people table the pages and the API read, under its key."""
    clock = time.perf_counter()
    data = inputs.population
    now = pd.Timestamp.now(tz="UTC")  # before reading the history: every later view is later
    held = set(data.regions["tingkat"]) if not data.regions.empty else set()
    for tingkat in (t for t in TINGKAT if t in held):  # the levels the aggregates group by
        yield FrameKey(PIRAMIDA, tingkat), pyramid_level(data, tingkat)
    yield FrameKey(RENTANG_SENDIRI, "desa"), own_bracket_villages(data)
    # each statistic's rows once, not a scan of every observation per statistic
    obs = data.observations
    by_dataset = dict(tuple(obs.groupby("dataset", sort=False))) if len(obs) else {}

    def only(slug: str) -> PopulationData:
        return PopulationData(by_dataset.get(slug, obs.iloc[0:0]), data.regions)

    for slug in age_slugs():
        yield FrameKey(TIDAK_SELARAS, "desa", slug), not_harmonised_table(only(slug), slug)
    for slug in renamed_slugs():
        table = statistic_table(only(slug), slug, "desa", harmonised=True)
        yield FrameKey(BANDING, "desa", slug), table
    history = inputs.store.history_frame("observation", datasets=list(BY_SLUG))
    parts = dict(tuple(history.groupby("dataset", sort=False))) if len(history) else {}
    for slug in BY_SLUG:
        part = parts.get(slug, history.iloc[0:0])
        yield FrameKey(RIWAYAT, "desa", slug), trend_history(part, now)
    yield FrameKey(DESA_PENDUDUK, "desa"), village_population(obs)
    run_id = last_run_summary(inputs.store.runs_frame(kinds=VILLAGE_RUN_KINDS))["run_id"]
    if run_id is not None:
        audit = inputs.store.audit_frame(run_id=run_id)
        yield changes_key(run_id), collection_changes(audit, data.regions)
    log.info("rollup: people tables in %.2f s", time.perf_counter() - clock)
