"""Village finance and programmes: APBDes, pembangunan, bantuan (pure pandas).

Every function takes `Warehouse.measurements_frame()` (long: kode_wilayah, dataset, periode,
kode, ukuran, label, nilai, atribut) and the regions frame (kode, nama, tingkat, induk, jenis),
so every number shown is a plain sum of warehouse rows and can be reconciled to them.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

APBDES, PEMBANGUNAN, BANTUAN = "apbdes", "pembangunan", "bantuan"
DANA_DESA, ALOKASI_DANA_DESA = "4.2.1", "4.2.3"
# top-level APBDes account groups: 4 PENDAPATAN, 5 BELANJA, 6 PEMBIAYAAN
GROUPS = {"4": "pendapatan", "5": "belanja", "6": "pembiayaan"}

VILLAGE_COLUMNS = ["kode_desa", "nama_desa", "jenis", "kode_kecamatan", "nama_kecamatan"]
APBDES_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "nama_kecamatan",
    "anggaran_pendapatan",
    "realisasi_pendapatan",
    "anggaran_belanja",
    "realisasi_belanja",
    "serapan_belanja",
    "anggaran_pembiayaan",
    "realisasi_pembiayaan",
    "dana_desa",
    "alokasi_dana_desa",
    "peringkat",
]
ACCOUNT_COLUMNS = ["kode", "label", "anggaran", "realisasi", "serapan", "desa_melapor"]
ROLLUP_COLUMNS = [
    "kode_wilayah",
    "nama_wilayah",
    "anggaran_pendapatan",
    "realisasi_pendapatan",
    "anggaran_belanja",
    "realisasi_belanja",
    "serapan_belanja",
    "dana_desa",
    "alokasi_dana_desa",
    "desa_melapor",
    "desa",
]
PROJECT_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "nama_kecamatan",
    "tahun",
    "kode",
    "judul",
    "sumber_dana",
    "pelaksana",
    "lokasi",
    "volume",
    "anggaran",
    "progres",
]
PEMBANGUNAN_VILLAGE_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "nama_kecamatan",
    "jumlah_kegiatan",
    "anggaran",
    "rata_progres",
    "kegiatan_selesai",
]
BANTUAN_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "nama_kecamatan",
    "kode",
    "program",
    "sasaran",
    "asal_dana",
    "mulai",
    "selesai",
    "peserta",
]
PROGRAM_COLUMNS = ["program", "sasaran", "asal_dana", "desa", "peserta"]
BANTUAN_VILLAGE_COLUMNS = [
    "kode_desa",
    "nama_desa",
    "nama_kecamatan",
    "jumlah_program",
    "kepesertaan_penduduk",
    "kepesertaan_keluarga",
    "kepesertaan_rumah_tangga",
    "kepesertaan_kelompok",
    "kepesertaan_tanpa_sasaran",
]


# -- regions -------------------------------------------------------------------------------
def _in_scope(codes: pd.Series, kode: str | None) -> pd.Series:
    """Codes equal to or under `kode` (all when None)."""
    if not kode:
        return pd.Series(True, index=codes.index)
    return (codes == kode) | codes.str.startswith(kode + ".")


def villages(regions: pd.DataFrame, kode: str | None = None) -> pd.DataFrame:
    """Registry villages under a region: kode_desa, nama_desa, jenis, kode/nama_kecamatan."""
    if regions.empty:
        return pd.DataFrame(columns=VILLAGE_COLUMNS)
    desa = regions[regions["tingkat"] == "desa"]
    desa = desa[_in_scope(desa["kode"], kode)]
    kec = regions[regions["tingkat"] == "kecamatan"].set_index("kode")["nama"]
    out = pd.DataFrame(
        {
            "kode_desa": desa["kode"].astype(str),
            "nama_desa": desa["nama"].astype(str),
            # the registry's jenis, else the code's kind: 1xxx kelurahan, 2xxx desa
            "jenis": desa["jenis"].where(
                desa["jenis"].notna(),
                np.where(desa["kode"].str[-4] == "1", "kelurahan", "desa"),
            ),
            "kode_kecamatan": desa["induk"].astype(str),
        }
    )
    out["nama_kecamatan"] = out["kode_kecamatan"].map(kec)
    return out.sort_values("kode_desa").reset_index(drop=True)[VILLAGE_COLUMNS]


def _rows(meas: pd.DataFrame, dataset: str, kode: str | None) -> pd.DataFrame:
    if meas.empty:
        return meas.iloc[0:0]
    rows = meas[meas["dataset"] == dataset]
    return rows[_in_scope(rows["kode_wilayah"], kode)]


def _years(meas: pd.DataFrame, dataset: str) -> list[str]:
    rows = _rows(meas, dataset, None)
    return sorted({str(p) for p in rows["periode"].dropna() if str(p)}, reverse=True)


def _serapan(realisasi: pd.Series, anggaran: pd.Series) -> pd.Series:
    """realisasi / anggaran in percent; no budget gives NaN, not infinity."""
    num = pd.to_numeric(realisasi, errors="coerce").astype(float)
    den = pd.to_numeric(anggaran, errors="coerce").astype(float)
    return (num / den.where(den != 0) * 100).astype(float)


def parse_atribut(value: object) -> dict:
    """One value of the JSON atribut column as a dict (broken or missing: empty)."""
    if not isinstance(value, str) or not value:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _attrs(text: pd.Series, columns: list[str]) -> pd.DataFrame:
    """The JSON atribut column as text columns `columns` (a broken or missing value gives an
    empty row). Each cell is its own value as text, whatever the other rows hold: a region's
    rows are then the same as that region's part of every village's (issue 12: the rollup
    stores every village's table once and the pages read their region's slice of it)."""
    parsed = pd.DataFrame(
        [parse_atribut(v) for v in text], index=text.index, columns=columns, dtype=object
    )
    return parsed.astype("str")


# -- APBDes --------------------------------------------------------------------------------
def apbdes_years(meas: pd.DataFrame) -> list[str]:
    """Years with APBDes data (a village's own year, or months imported from OpenDK files),
    newest first."""
    return sorted({p[:4] for p in _years(meas, APBDES)}, reverse=True)


def _apbdes_year(rows: pd.DataFrame, tahun: str) -> pd.DataFrame:
    """A year's APBDes rows. Which wins (README, "Where a value comes from"): a village's
    own yearly APBDes (collected or pushed) when it has any for the year; else the sum of
    the months imported from OpenDK's files (OpenDK's yearly figure is its months' sum)."""
    periode = rows["periode"].astype(str)
    yearly = rows[periode == str(tahun)]
    monthly = rows[(periode.str.len() == 6) & periode.str.startswith(str(tahun))]
    monthly = monthly[~monthly["kode_wilayah"].isin(set(yearly["kode_wilayah"]))]
    if monthly.empty:
        return yearly
    labels = monthly.sort_values("periode").drop_duplicates(
        ["kode_wilayah", "kode", "ukuran"], keep="last"
    )
    summed = monthly.groupby(["kode_wilayah", "kode", "ukuran"], as_index=False)["nilai"].sum(
        min_count=1
    )
    summed = summed.merge(
        labels.drop(columns=["nilai", "periode"]), on=["kode_wilayah", "kode", "ukuran"]
    )
    summed["periode"] = str(tahun)
    return pd.concat([yearly, summed[yearly.columns]], ignore_index=True)


def apbdes_lines(meas: pd.DataFrame, tahun: str, kode: str | None = None) -> pd.DataFrame:
    """One row per village × account code: kode_desa, kode, label, anggaran, realisasi."""
    cols = ["kode_desa", "kode", "label", "anggaran", "realisasi"]
    rows = _rows(meas, APBDES, kode)
    rows = _apbdes_year(rows, tahun) if not rows.empty else rows
    if rows.empty:
        return pd.DataFrame(columns=cols).astype({"anggaran": float, "realisasi": float})
    wide = rows.pivot_table(
        index=["kode_wilayah", "kode"],
        columns="ukuran",
        values="nilai",
        aggfunc="sum",
        dropna=False,
    )
    wide = wide.reindex(columns=["anggaran", "realisasi"]).reset_index()
    first = rows.drop_duplicates(["kode_wilayah", "kode"])
    # one dict, not a MultiIndex lookup per row (issue 12: every village at once)
    labels = dict(zip(zip(first["kode_wilayah"], first["kode"], strict=True), first["label"],
                      strict=True))  # fmt: skip
    wide["label"] = [
        labels.get((k, c)) for k, c in zip(wide["kode_wilayah"], wide["kode"], strict=True)
    ]
    wide = wide.rename(columns={"kode_wilayah": "kode_desa"})
    wide.columns.name = None
    return wide[cols].sort_values(["kode_desa", "kode"], key=_account_key).reset_index(drop=True)


def village_lines(meas: pd.DataFrame, tahun: str) -> pd.DataFrame:
    """`apbdes_lines` of every village, each village's rows equal to its own
    `apbdes_lines(meas, tahun, kode_desa)`: only the accounts a village reports (the lines of
    several villages together also list, empty, the accounts only the others report)."""
    lines = apbdes_lines(meas, tahun)
    if lines.empty:
        return lines
    rows = _apbdes_year(_rows(meas, APBDES, None), tahun)
    reported = pd.MultiIndex.from_frame(rows[["kode_wilayah", "kode"]].astype(str))
    own = pd.MultiIndex.from_frame(lines[["kode_desa", "kode"]].astype(str)).isin(reported)
    return lines[own].reset_index(drop=True)


def _account_key(col: pd.Series) -> pd.Series:
    # "4.10" after "4.9": sort account codes by their numeric parts
    if col.name != "kode":
        return col
    return col.map(lambda k: tuple(int(p) if p.isdigit() else 0 for p in str(k).split(".")))


def account_table(lines: pd.DataFrame) -> pd.DataFrame:
    """Per account code summed over villages: kode, label, anggaran, realisasi, serapan %,
    desa_melapor (villages with that line), in account order."""
    if lines.empty:
        return pd.DataFrame(columns=ACCOUNT_COLUMNS).astype(
            {"anggaran": float, "realisasi": float, "serapan": float, "desa_melapor": int}
        )
    out = (
        lines.groupby("kode", sort=False)
        .agg(
            label=("label", "first"),
            anggaran=("anggaran", lambda s: s.sum(min_count=1)),
            realisasi=("realisasi", lambda s: s.sum(min_count=1)),
            desa_melapor=("kode_desa", "nunique"),
        )
        .reset_index()
    )
    out["serapan"] = _serapan(out["realisasi"], out["anggaran"])
    out = out.sort_values("kode", key=_account_key).reset_index(drop=True)
    return out[ACCOUNT_COLUMNS]


def group_table(lines: pd.DataFrame) -> pd.DataFrame:
    """The three top-level groups (4, 5, 6) only, from `account_table`."""
    table = account_table(lines)
    return table[table["kode"].isin(list(GROUPS))].reset_index(drop=True)


def apbdes_villages(
    meas: pd.DataFrame, regions: pd.DataFrame, tahun: str, kode: str | None = None
) -> pd.DataFrame:
    """Per registry village under `kode` (non-reporters and kelurahan too, with NaN): group
    budgets and realisations, belanja absorption %, Dana Desa and ADD budgets, and the rank
    by absorption among reporting villages (1 = highest)."""
    desa = villages(regions, kode)
    lines = apbdes_lines(meas, tahun, kode)
    values = {}
    for code, name in GROUPS.items():
        part = lines[lines["kode"] == code].set_index("kode_desa")
        values[f"anggaran_{name}"] = part["anggaran"]
        values[f"realisasi_{name}"] = part["realisasi"]
    for code, name in ((DANA_DESA, "dana_desa"), (ALOKASI_DANA_DESA, "alokasi_dana_desa")):
        values[name] = lines[lines["kode"] == code].set_index("kode_desa")["anggaran"]
    out = desa.copy()
    for name, series in values.items():
        out[name] = out["kode_desa"].map(series).astype(float)
    out["melapor"] = out["kode_desa"].isin(set(lines["kode_desa"]))
    out["serapan_belanja"] = _serapan(out["realisasi_belanja"], out["anggaran_belanja"])
    return ranked_in_region(out)[[*APBDES_COLUMNS, "jenis", "kode_kecamatan", "melapor"]]


def ranked_in_region(table: pd.DataFrame) -> pd.DataFrame:
    """`apbdes_villages` rows with `peringkat` the rank by absorption among the rows given
    (1 = highest): a region's slice of every village's table ranked within the region."""
    rank = table["serapan_belanja"].rank(method="min", ascending=False)
    return table.assign(peringkat=rank.astype("Int64"))


def absorption_ranking(table: pd.DataFrame) -> pd.DataFrame:
    """Reporting villages of `apbdes_villages`, highest belanja absorption first."""
    ranked = table[table["serapan_belanja"].notna()]
    return ranked.sort_values(
        ["serapan_belanja", "kode_desa"], ascending=[False, True]
    ).reset_index(drop=True)


def rollup_apbdes(table: pd.DataFrame, regions: pd.DataFrame, tingkat: str) -> pd.DataFrame:
    """`apbdes_villages` summed to kecamatan or kabupaten; absorption recomputed from the sums;
    desa_melapor = villages with APBDes, desa = villages listed (kelurahan included)."""
    if tingkat not in ("kecamatan", "kabupaten", "provinsi"):
        raise ValueError(f"tingkat must be kecamatan, kabupaten or provinsi, not {tingkat!r}")
    work = table.copy()
    width = {"kecamatan": 8, "kabupaten": 5, "provinsi": 2}[tingkat]
    work["kode_wilayah"] = work["kode_desa"].str.slice(0, width)
    sums = [
        "anggaran_pendapatan",
        "realisasi_pendapatan",
        "anggaran_belanja",
        "realisasi_belanja",
        "dana_desa",
        "alokasi_dana_desa",
    ]
    if work.empty:
        return pd.DataFrame(columns=ROLLUP_COLUMNS)
    # groupby's own sums (min_count=1: a region without any value stays NaN), not a Python
    # function per group: the rollup computes this for every region at once (issue 12)
    grouped = work.groupby("kode_wilayah")
    out = grouped[sums].sum(min_count=1)
    out["desa_melapor"] = grouped["melapor"].sum()
    out["desa"] = grouped["kode_desa"].size()
    out = out.reset_index()
    names = regions.set_index("kode")["nama"] if not regions.empty else pd.Series(dtype=str)
    out["nama_wilayah"] = out["kode_wilayah"].map(names)
    out["serapan_belanja"] = _serapan(out["realisasi_belanja"], out["anggaran_belanja"])
    out["desa_melapor"] = out["desa_melapor"].astype(int)
    return out[ROLLUP_COLUMNS].sort_values("kode_wilayah").reset_index(drop=True)


def apbdes_totals(table: pd.DataFrame) -> dict:
    """Sums over `apbdes_villages` rows, absorption from the sums, and reporting counts."""
    out = {
        c: float(table[c].sum())
        for c in (
            "anggaran_pendapatan",
            "realisasi_pendapatan",
            "anggaran_belanja",
            "realisasi_belanja",
            "dana_desa",
            "alokasi_dana_desa",
        )
    }
    ang = out["anggaran_belanja"]
    out["serapan_belanja"] = out["realisasi_belanja"] / ang * 100 if ang else float("nan")
    out["desa_melapor"] = int(table["melapor"].sum()) if "melapor" in table else 0
    out["desa"] = len(table)
    return out


def not_reported(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(desa without data, kelurahan) names in a per-village table with `melapor` and `jenis`.

    Kelurahan are listed apart: they are part of the kabupaten budget and have no APBDes.
    """
    if table.empty:
        return [], []
    missing = table[~table["melapor"].astype(bool)]
    kel = missing["jenis"] == "kelurahan"
    return list(missing.loc[~kel, "nama_desa"]), list(missing.loc[kel, "nama_desa"])


# -- pembangunan ---------------------------------------------------------------------------
def pembangunan_years(meas: pd.DataFrame) -> list[str]:
    return _years(meas, PEMBANGUNAN)


def projects(
    meas: pd.DataFrame, regions: pd.DataFrame, tahun: str | None = None, kode: str | None = None
) -> pd.DataFrame:
    """One row per project: village, year, id, title, funding source, executor, location,
    volume, budget (anggaran) and progress %."""
    rows = _rows(meas, PEMBANGUNAN, kode)
    if tahun:
        rows = rows[rows["periode"].astype(str) == str(tahun)]
    if rows.empty:
        return pd.DataFrame(columns=PROJECT_COLUMNS).astype({"anggaran": float, "progres": float})
    keys = ["kode_wilayah", "periode", "kode"]
    wide = rows.pivot_table(index=keys, columns="ukuran", values="nilai", aggfunc="sum")
    wide = wide.reindex(columns=["anggaran", "progres"]).reset_index()
    wide.columns.name = None
    first = rows.drop_duplicates(keys).set_index(keys)
    info = _attrs(first["atribut"], ["sumber_dana", "pelaksana", "lokasi", "volume"])
    info["judul"] = first["label"]
    out = wide.merge(info.reset_index(), on=keys, how="left")
    desa = villages(regions).set_index("kode_desa")
    out = out.rename(columns={"kode_wilayah": "kode_desa", "periode": "tahun"})
    out["nama_desa"] = out["kode_desa"].map(desa["nama_desa"])
    out["nama_kecamatan"] = out["kode_desa"].map(desa["nama_kecamatan"])
    out["sumber_dana"] = out["sumber_dana"].fillna("").replace("", "Tidak diketahui")
    return out[PROJECT_COLUMNS].sort_values(["kode_desa", "tahun", "kode"]).reset_index(drop=True)


def pembangunan_villages(projects_: pd.DataFrame, desa: pd.DataFrame) -> pd.DataFrame:
    """Per registry village (`villages(...)`): project count, budget, mean progress, projects
    at 100 %; villages without projects get 0 projects and NaN elsewhere."""
    # groupby's own aggregations, not a Python function per village (issue 12: the rollup
    # computes every village at once)
    by_desa = projects_.groupby("kode_desa")
    grouped = pd.DataFrame(
        {
            "jumlah_kegiatan": by_desa["kode"].size(),
            "anggaran": by_desa["anggaran"].sum(min_count=1),
            "rata_progres": by_desa["progres"].mean(),
            "kegiatan_selesai": (projects_["progres"] >= 100).groupby(projects_["kode_desa"]).sum(),
        }
    )
    out = desa.merge(grouped, left_on="kode_desa", right_index=True, how="left")
    out["melapor"] = out["jumlah_kegiatan"].notna()
    out["jumlah_kegiatan"] = out["jumlah_kegiatan"].fillna(0).astype(int)
    out["kegiatan_selesai"] = out["kegiatan_selesai"].fillna(0).astype(int)
    out["anggaran"] = out["anggaran"].astype(float)
    out["rata_progres"] = out["rata_progres"].astype(float)
    return out[[*PEMBANGUNAN_VILLAGE_COLUMNS, "jenis", "melapor"]].reset_index(drop=True)


def by_funding_source(projects_: pd.DataFrame) -> pd.DataFrame:
    """sumber_dana, jumlah_kegiatan, anggaran; the largest budget first."""
    cols = ["sumber_dana", "jumlah_kegiatan", "anggaran"]
    if projects_.empty:
        return pd.DataFrame(columns=cols).astype({"jumlah_kegiatan": int, "anggaran": float})
    out = (
        projects_.groupby("sumber_dana")
        .agg(jumlah_kegiatan=("kode", "size"), anggaran=("anggaran", "sum"))
        .reset_index()
    )
    return out.sort_values(["anggaran", "sumber_dana"], ascending=[False, True]).reset_index(
        drop=True
    )[cols]


def progress_distribution(projects_: pd.DataFrame) -> pd.DataFrame:
    """progres (each value reported, e.g. 0/30/80/100), jumlah_kegiatan, anggaran; ascending."""
    cols = ["progres", "jumlah_kegiatan", "anggaran"]
    known = projects_[projects_["progres"].notna()]
    if known.empty:
        return pd.DataFrame(columns=cols).astype(
            {"progres": float, "jumlah_kegiatan": int, "anggaran": float}
        )
    out = (
        known.groupby("progres")
        .agg(jumlah_kegiatan=("kode", "size"), anggaran=("anggaran", "sum"))
        .reset_index()
    )
    return out.sort_values("progres").reset_index(drop=True)[cols]


# -- per region (the drill-down bars of pembangunan and bantuan) ----------------------------
REGION_COLUMNS = ["kode", "nama", "nilai", "desa_melapor", "desa"]


def region_values(
    per_desa: pd.DataFrame,
    value_col: str,
    tingkat: str,
    regions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A per-village summary (`pembangunan_villages`, `bantuan_villages`) as bars: one row per
    kabupaten (`tingkat="kabupaten"`, a provinsi's; named from `regions`) or kecamatan
    (`"kecamatan"`), the value summed over reporting villages, or per reporting village
    (`"desa"`); kode, nama, nilai, desa_melapor, desa; kode ascending."""
    if tingkat not in ("kabupaten", "kecamatan", "desa"):
        raise ValueError(f"tingkat must be kabupaten, kecamatan or desa, not {tingkat!r}")
    if per_desa.empty:
        return pd.DataFrame(columns=REGION_COLUMNS)
    work = per_desa.assign(kode_kecamatan=per_desa["kode_desa"].str.slice(0, 8))
    if tingkat == "kabupaten":  # issue 12: a provinsi is drawn per kabupaten
        names = (
            regions.set_index("kode")["nama"]
            if regions is not None and not regions.empty
            else pd.Series(dtype=object)
        )
        kab = work["kode_desa"].str.slice(0, 5)
        work = work.assign(kode_kecamatan=kab, nama_kecamatan=kab.map(names))
        tingkat = "kecamatan"
    if tingkat == "desa":
        shown = work[work["melapor"]]
        out = pd.DataFrame(
            {
                "kode": shown["kode_desa"],
                "nama": shown["nama_desa"],
                "nilai": shown[value_col].astype(float),
                "desa_melapor": 1,
                "desa": 1,
            }
        )
    else:
        # groupby's own sums (min_count=1: no value stays NaN), not a function per group
        grouped = work.groupby(["kode_kecamatan", "nama_kecamatan"], dropna=False)
        out = (
            pd.DataFrame(
                {
                    "nilai": grouped[value_col].sum(min_count=1),
                    "desa_melapor": grouped["melapor"].sum(),
                    "desa": grouped["kode_desa"].size(),
                }
            )
            .reset_index()
            .rename(columns={"kode_kecamatan": "kode", "nama_kecamatan": "nama"})
        )
        out = out[out["desa_melapor"] > 0]
    out["desa_melapor"] = out["desa_melapor"].astype(int)
    return out[REGION_COLUMNS].sort_values("kode").reset_index(drop=True)


# -- bantuan -------------------------------------------------------------------------------
# OpenSID's program.sasaran: whom a programme gives to. Recipients of different targets are
# different things (persons, families, households, groups) and are never added together.
SASARAN = {1: "penduduk", 2: "keluarga", 3: "rumah_tangga", 4: "kelompok"}
TANPA_SASARAN = 0  # a programme whose source names no target (summary v1 allows it)
# the population statistics that count each recipient of a target once (their `jumlah` row)
PENERIMA_STATISTIK = {1: "bantuan-penduduk", 2: "bantuan-keluarga"}
TARGET_COLUMNS = ["sasaran", "jumlah_program", "kepesertaan", "desa"]


def _target(sasaran: pd.Series) -> pd.Series:
    """The target code of each row; a missing or unknown one as TANPA_SASARAN."""
    codes = pd.to_numeric(sasaran, errors="coerce")
    return codes.where(codes.isin(list(SASARAN)), TANPA_SASARAN).astype(int)


def bantuan_rows(
    meas: pd.DataFrame, regions: pd.DataFrame, kode: str | None = None
) -> pd.DataFrame:
    """One row per village × programme: id, name, target (sasaran 1–4), funding, period,
    recipients of the programme (peserta, a whole number)."""
    rows = _rows(meas, BANTUAN, kode)
    rows = rows[rows["ukuran"] == "peserta"]
    if rows.empty:
        return pd.DataFrame(columns=BANTUAN_COLUMNS).astype(
            {"peserta": "Int64", "sasaran": "Int64"}
        )
    info = _attrs(rows["atribut"], ["sasaran", "asal_dana", "mulai", "selesai"])
    desa = villages(regions).set_index("kode_desa")
    out = pd.DataFrame(
        {
            "kode_desa": rows["kode_wilayah"],
            "kode": rows["kode"],
            "program": rows["label"],
            # counts of people: "97", never "97.0", in the grid and the CSV
            "peserta": pd.to_numeric(rows["nilai"]).round().astype("Int64"),
        }
    ).join(info)
    out["sasaran"] = pd.to_numeric(out["sasaran"], errors="coerce").astype("Int64")
    out["nama_desa"] = out["kode_desa"].map(desa["nama_desa"])
    out["nama_kecamatan"] = out["kode_desa"].map(desa["nama_kecamatan"])
    return out[BANTUAN_COLUMNS].sort_values(["kode_desa", "kode"]).reset_index(drop=True)


def bantuan_programs(rows: pd.DataFrame) -> pd.DataFrame:
    """Per programme (name and target: ids differ between villages, names are what people
    know): funding, villages running it, recipients; most recipients first."""
    if rows.empty:
        return pd.DataFrame(columns=PROGRAM_COLUMNS).astype(
            {"desa": int, "peserta": "Int64", "sasaran": "Int64"}
        )
    work = rows.assign(sasaran=rows["sasaran"].astype("Int64"))
    out = (
        work.groupby(["program", "sasaran"], dropna=False)
        .agg(
            asal_dana=("asal_dana", "first"),
            desa=("kode_desa", "nunique"),
            peserta=("peserta", "sum"),
        )
        .reset_index()
    )
    out["peserta"] = out["peserta"].astype("Int64")
    return out.sort_values(["peserta", "program"], ascending=[False, True]).reset_index(drop=True)[
        PROGRAM_COLUMNS
    ]


def bantuan_targets(rows: pd.DataFrame) -> pd.DataFrame:
    """Per target (sasaran, TANPA_SASARAN last): programmes (by name), their recipients summed
    (kepesertaan: a family in two programmes counts twice) and villages running one.
    Only the targets present; never a total across targets."""
    if rows.empty:
        return pd.DataFrame(columns=TARGET_COLUMNS).astype(
            {"sasaran": int, "jumlah_program": int, "kepesertaan": "Int64", "desa": int}
        )
    work = rows.assign(sasaran=_target(rows["sasaran"]))
    out = (
        work.groupby("sasaran")
        .agg(
            jumlah_program=("program", "nunique"),
            kepesertaan=("peserta", "sum"),
            desa=("kode_desa", "nunique"),
        )
        .reset_index()
    )
    out["kepesertaan"] = out["kepesertaan"].astype("Int64")
    out["_last"] = out["sasaran"] == TANPA_SASARAN
    return out.sort_values(["_last", "sasaran"]).reset_index(drop=True)[TARGET_COLUMNS]


def with_distinct(targets: pd.DataFrame, distinct: dict[int, object]) -> pd.DataFrame:
    """`bantuan_targets` with `penerima`: each recipient of a target counted once (`distinct`
    by target, from the aid statistics' `jumlah` rows; NA where the source gives none, as for
    households and groups)."""
    out = targets.copy()
    out["penerima"] = pd.array([distinct.get(int(code)) for code in out["sasaran"]], dtype="Int64")
    return out[[*TARGET_COLUMNS[:3], "penerima", "desa"]]


def kepesertaan_column(sasaran: int) -> str:
    """The per-village column of a target's recipients summed over its programmes:
    kepesertaan_penduduk, kepesertaan_keluarga, …"""
    return f"kepesertaan_{SASARAN.get(sasaran, 'tanpa_sasaran')}"


def bantuan_villages(rows: pd.DataFrame, desa: pd.DataFrame) -> pd.DataFrame:
    """Per registry village: programmes run (0 when none reported) and, per target, the
    recipients of its programmes of that target summed (kepesertaan_penduduk,
    kepesertaan_keluarga, …; NA where it runs none); never one sum across targets."""
    grouped = rows.groupby("kode_desa").agg(jumlah_program=("kode", "size"))
    work = rows.assign(sasaran=_target(rows["sasaran"]))
    per_target = work.pivot_table(
        index="kode_desa", columns="sasaran", values="peserta", aggfunc="sum"
    )
    out = desa.merge(grouped, left_on="kode_desa", right_index=True, how="left")
    out["melapor"] = out["jumlah_program"].notna()
    out["jumlah_program"] = out["jumlah_program"].fillna(0).astype(int)
    for code in [*SASARAN, TANPA_SASARAN]:
        values = per_target[code] if code in per_target else pd.Series(dtype=float)
        out[kepesertaan_column(code)] = out["kode_desa"].map(values).round().astype("Int64")
    return out[[*BANTUAN_VILLAGE_COLUMNS, "jenis", "melapor"]].reset_index(drop=True)


# -- one village ---------------------------------------------------------------------------
IDENTITY_COLUMNS = ["kode_wilayah", "dataset", "ukuran", "nilai", "atribut", "updated_at"]


def identity_rows(meas: pd.DataFrame, kode: str | None = None) -> pd.DataFrame:
    """The identitas measurements under a region, the columns `identity` reads."""
    rows = _rows(meas, "identitas", kode)
    return rows.reindex(columns=IDENTITY_COLUMNS).reset_index(drop=True)


def identity(meas: pd.DataFrame, kode: str) -> dict:
    """A village's identitas attributes (nama_desa, website, source_app, …), or {}."""
    rows = _rows(meas, "identitas", None)
    rows = rows[rows["kode_wilayah"] == kode]
    profil = rows[rows["ukuran"] == "profil"]
    if profil.empty:
        return {}
    info = dict(parse_atribut(profil["atribut"].iloc[0]))
    info["updated_at"] = profil["updated_at"].iloc[0]
    # dusun, RW and RT counts, where the village's system lists them (OpenSID)
    for ukuran in ("dusun", "rw", "rt"):
        value = rows.loc[rows["ukuran"] == ukuran, "nilai"]
        if len(value) and pd.notna(value.iloc[0]):
            info[f"jumlah_{ukuran}"] = int(value.iloc[0])
    return {k: v for k, v in info.items() if not (isinstance(v, float) and np.isnan(v))}
