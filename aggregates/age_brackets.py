"""Villages' own age brackets mapped onto OpenSID's default brackets (issue 8).

OpenSID lets a village edit and add age brackets (tweb_penduduk_umur), so a kecamatan's
villages may count "60 s/d 69 Tahun" next to "60 s/d 64" and "65 s/d 69". Summing them by code
or label adds unlike things. Here each village bracket is mapped by its bounds (dari, sampai):

- a bracket lying inside one default bracket counts towards it, so several village brackets
  whose union is a default bracket (75–79 and 80+ for "75 Tahun ke Atas") fill it;
- a bracket straddling a default bound (60–69 across 60–64 | 65–69) cannot be split without
  guessing: it keeps its own code, label and counts and is marked as not harmonised, so it can be
  listed by village and bracket and every count still reconciles to the warehouse.

Pure pandas: observation rows in, rows out.
"""

from __future__ import annotations

import pandas as pd

from config.statistik import BY_SLUG, OPEN_END, Bracket

NOT_HARMONISED = "tidak_diselaraskan"  # the category of brackets that fit no default bracket
NOT_HARMONISED_LABEL = "TIDAK DISELARASKAN"
# rows that are not brackets: never mapped
NOT_BRACKETS = ("belum_mengisi", "total", "jumlah")
DETAIL_COLUMNS = [
    "kode_desa",
    "kode",
    "label",
    "dari",
    "sampai",
    "laki_laki",
    "perempuan",
    "jumlah",
]


def default_brackets(slug: str) -> tuple[Bracket, ...]:
    """The default brackets of an `umur` statistic (none for other statistics)."""
    stat = BY_SLUG.get(slug)
    return stat.brackets if stat is not None and stat.jenis == "umur" else ()


def harmonise(obs: pd.DataFrame, slug: str) -> pd.DataFrame:
    """Observation rows of one statistic with every age bracket mapped onto the defaults.

    A mapped row takes the default bracket's code, label, order and bounds; a row that fits
    no default bracket keeps its own and gets `selaras` False. Rows that are not brackets
    (belum mengisi, totals) and rows of statistics without default brackets are unchanged
    (`selaras` True). The village's own code and label stay in `kode_asal`, `label_asal`.
    """
    out = as_own(obs)
    brackets = default_brackets(slug)
    if out.empty or not brackets:
        return out
    for col in ("dari", "sampai"):  # bounds with gaps: floats
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    is_bracket = ~out["kode"].isin(NOT_BRACKETS)
    dari = pd.to_numeric(out["dari"], errors="coerce")
    # an open end ("75 Tahun ke Atas") is stored as sampai 150, or left empty by some sources
    sampai = pd.to_numeric(out["sampai"], errors="coerce").fillna(OPEN_END).clip(upper=OPEN_END)
    matched = pd.Series(pd.NA, index=out.index, dtype="Int64")
    for i, b in enumerate(brackets):
        inside = is_bracket & matched.isna() & (dari >= b.dari) & (sampai <= b.sampai)
        matched[inside.fillna(False)] = i
    hit = matched.notna()
    out["selaras"] = ~is_bracket | hit
    if not hit.any():
        return out
    index = matched[hit].astype(int)
    out.loc[hit, "kode"] = [brackets[i].code for i in index]
    out.loc[hit, "label"] = [brackets[i].label.strip() for i in index]
    out.loc[hit, "urutan"] = [i + 1 for i in index]
    out.loc[hit, "dari"] = [float(brackets[i].dari) for i in index]
    out.loc[hit, "sampai"] = [float(brackets[i].sampai) for i in index]
    return out


def as_own(obs: pd.DataFrame) -> pd.DataFrame:
    """Observation rows kept as the village has them (one desa shows its own brackets), in
    the shape of `harmonise`."""
    return obs.assign(kode_asal=obs["kode"], label_asal=obs["label"], selaras=True)


def pooled(harmonised: pd.DataFrame) -> pd.DataFrame:
    """`harmonise` output with the brackets not harmonised pooled into one category
    (`tidak_diselaraskan`, no bounds), as a region's rollup shows them."""
    out = harmonised.copy()
    rest = ~out["selaras"].astype(bool)
    out.loc[rest, "kode"] = NOT_HARMONISED
    out.loc[rest, "label"] = NOT_HARMONISED_LABEL
    out.loc[rest, "urutan"] = 9997  # after the brackets, before belum mengisi (9998)
    out.loc[rest, ["dari", "sampai"]] = float("nan")
    return out


def not_harmonised(harmonised: pd.DataFrame) -> pd.DataFrame:
    """The village brackets `harmonise` could not map, by village and lower bound, with the
    village's own code, label, bounds and counts."""
    rest = harmonised[~harmonised["selaras"].astype(bool)]
    out = rest.assign(kode=rest["kode_asal"], label=rest["label_asal"])
    out = out.sort_values(["kode_desa", "dari", "kode"], na_position="last")
    return out[DETAIL_COLUMNS].reset_index(drop=True)
