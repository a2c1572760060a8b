"""Alerts as data: pure rules over warehouse frames, each alert with a stable key (issue 13).

A rule takes frames and thresholds and returns rows of ALERT_COLUMNS; `find_alerts` runs the
rules that are on, `diff_alerts` compares what they find now with the stored state (what
opens, what stays open, what clears). Nothing here sends or writes: notify/ does, in the
scheduler process. Messages are words, so they live above (notify/messages.py); an alert
carries only codes and values (`params`, JSON text).

Keys: `tidak_terkumpul:<desa>`, `gagal_beruntun:<desa>`, `token_ditolak:<desa>`,
`pencilan:<desa>:<indikator>`, `tenggat:<desa>:<dataset>:<periode>`. A key names what is
wrong, not its current numbers, so a village failing a fourth night is the same alert.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from aggregates import monitoring as mon
from config.datasets import DATASETS

ALERT_COLUMNS = ["key", "rule", "kode_desa", "kode_kecamatan", "dataset", "params"]
RULES = ("tidak_terkumpul", "gagal_beruntun", "token_ditolak", "pencilan", "tenggat")
# reason codes of a village's token (or sign-in) refused by its server (collectors/http.py,
# collectors/adapters/gabungan.py)
TOKEN_REFUSED_CODES = frozenset(
    {
        "http.unauthorized",
        "gabungan.token_refused",
        "gabungan.token_refused_again",
        "gabungan.signin_wrong",
        "gabungan.token_invalid",
    }
)
DEADLINE_GRAINS = ("bulan", "semester")
DEADLINE_PERIODS = 12  # periods back a missing upload is still asked for


@dataclass(frozen=True)
class AlertRules:
    """Which rules are on and their thresholds (from settings; 0 = off)."""

    stale_days: int = 7
    failing_runs: int = 3
    token_refused: bool = True
    outliers: bool = True
    deadline_days: int = 10
    deadline_datasets: tuple[str, ...] = field(
        default_factory=lambda: tuple(
            d.name
            for d in DATASETS
            if d.grain in DEADLINE_GRAINS and d.level == "desa" and d.importable
        )
    )

    @classmethod
    def from_settings(cls, settings: object) -> AlertRules:
        return cls(
            stale_days=int(getattr(settings, "alert_stale_days", 7)),
            failing_runs=int(getattr(settings, "alert_failing_runs", 3)),
            token_refused=bool(int(getattr(settings, "alert_token_refused", 1))),
            outliers=bool(int(getattr(settings, "alert_outliers", 1))),
            deadline_days=int(getattr(settings, "alert_deadline_days", 10)),
        )

    def on(self, rule: str) -> bool:
        return {
            "tidak_terkumpul": self.stale_days > 0,
            "gagal_beruntun": self.failing_runs > 0,
            "token_ditolak": self.token_refused,
            "pencilan": self.outliers,
            "tenggat": self.deadline_days > 0,
        }[rule]


@dataclass
class AlertInputs:
    """The warehouse frames the rules read (load_inputs, or built by hand in tests)."""

    regions: pd.DataFrame
    dataset_status: pd.DataFrame
    village_runs: pd.DataFrame  # kode_desa, run_id, failed, at: newest runs per village
    outliers: pd.DataFrame  # aggregates.monitoring.outliers
    import_status: pd.DataFrame


def load_inputs(store: object, *, failing_runs: int = 3) -> AlertInputs:
    """Read what the rules need (the warehouse's frames; the only I/O of this module)."""
    from warehouse import alerts as wa

    return AlertInputs(
        regions=store.regions_frame(),
        dataset_status=store.dataset_status_frame(),
        village_runs=wa.village_runs_frame(store, per_village=max(failing_runs, 1)),
        outliers=mon.outliers(
            store.history_frame(datasets=["total"]), store.observations_frame(datasets=["total"])
        ),
        import_status=store.import_status_frame(),
    )


def _params(values: dict) -> str:
    clean = {}
    for k, v in values.items():
        if v is None or (isinstance(v, float) and pd.isna(v)):
            continue
        if isinstance(v, pd.Timestamp):
            v = v.isoformat()
        elif hasattr(v, "item"):  # numpy scalars
            v = v.item()
        clean[k] = v
    return json.dumps(clean, ensure_ascii=False, sort_keys=True)


def _frame(rows: Iterable[dict]) -> pd.DataFrame:
    out = pd.DataFrame(list(rows), columns=ALERT_COLUMNS)
    return out.astype(object).where(out.notna(), None)


def _kecamatan_of(regions: pd.DataFrame) -> dict[str, str]:
    if regions.empty:
        return {}
    desa = regions[regions["tingkat"] == "desa"]
    return dict(zip(desa["kode"], desa["induk"], strict=True))


def _utc(now: object) -> pd.Timestamp:
    ts = pd.Timestamp(now)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


# -- the rules -------------------------------------------------------------------------------
def stale_villages(
    dataset_status: pd.DataFrame, regions: pd.DataFrame, now: object, days: int
) -> pd.DataFrame:
    """Villages of the registry whose last successful collection of any dataset is more than
    `days` days old. A village never collected is not "stale": it fails (gagal_beruntun)."""
    kec = _kecamatan_of(regions)
    if dataset_status.empty or days <= 0:
        return _frame([])
    seen = pd.to_datetime(dataset_status["last_success_at"], utc=True)
    last = seen.groupby(dataset_status["kode_desa"]).max().dropna()
    now = _utc(now)
    old = last[last < now - pd.Timedelta(days=days)]
    rows = []
    for kode, at in old.items():
        if kode not in kec:
            continue  # left the registry
        rows.append(
            dict(
                key=f"tidak_terkumpul:{kode}",
                rule="tidak_terkumpul",
                kode_desa=kode,
                kode_kecamatan=kec[kode],
                dataset=None,
                params=_params(
                    {
                        "hari": int((now - at).total_seconds() // 86400),
                        "terakhir": at,
                        "batas": days,
                    }
                ),
            )
        )
    return _frame(rows)


def failing_in_a_row(
    village_runs: pd.DataFrame,
    dataset_status: pd.DataFrame,
    regions: pd.DataFrame,
    runs: int,
) -> pd.DataFrame:
    """Villages whose newest `runs` collection runs all failed (a run fails a village when
    any of its datasets failed, as the pages' status says), with the reason of the latest."""
    kec = _kecamatan_of(regions)
    if village_runs.empty or runs <= 0:
        return _frame([])
    reasons = mon.latest_failures(dataset_status) if not dataset_status.empty else None
    rows = []
    for kode, mine in village_runs.sort_values("run_id").groupby("kode_desa"):
        newest = mine.tail(runs)
        if kode not in kec or len(newest) < runs or not newest["failed"].astype(bool).all():
            continue
        why: dict = {"kali": runs}
        if reasons is not None and kode in reasons.index:
            r = reasons.loc[kode]
            why.update(
                dataset=r["dataset"],
                alasan_kode=r["alasan_kode"],
                alasan_param=r["alasan_param"],
                galat=mon.shorten(r["galat_terakhir"], 300),
            )
        rows.append(
            dict(
                key=f"gagal_beruntun:{kode}",
                rule="gagal_beruntun",
                kode_desa=kode,
                kode_kecamatan=kec[kode],
                dataset=why.get("dataset"),
                params=_params(why),
            )
        )
    return _frame(rows)


def refused_tokens(dataset_status: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Villages whose latest attempt of any dataset was refused for the token (HTTP 401): one
    alert per village (one token), naming how many datasets and the first of them."""
    kec = _kecamatan_of(regions)
    if dataset_status.empty or "last_error_code" not in dataset_status:
        return _frame([])
    ds = dataset_status[
        (dataset_status["last_status"] == "failed")
        & dataset_status["last_error_code"].isin(TOKEN_REFUSED_CODES)
    ]
    rows = []
    for kode, mine in ds.sort_values(["kode_desa", "dataset"]).groupby("kode_desa"):
        if kode not in kec:
            continue
        first = mine.iloc[0]
        rows.append(
            dict(
                key=f"token_ditolak:{kode}",
                rule="token_ditolak",
                kode_desa=kode,
                kode_kecamatan=kec[kode],
                dataset=first["dataset"],
                params=_params(
                    {
                        "jumlah_dataset": len(mine),
                        "alasan_kode": first["last_error_code"],
                        "alasan_param": first["last_error_params"],
                        "galat": mon.shorten(first["last_error"], 300),
                    }
                ),
            )
        )
    return _frame(rows)


def outlier_alerts(outliers: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """The Pemantauan page's outliers (aggregates.monitoring.outliers: a penduduk total
    jumping more than JUMP_PERCENT, or an indicator past |modified z| > Z_THRESHOLD)."""
    kec = _kecamatan_of(regions)
    if outliers is None or outliers.empty:
        return _frame([])
    rows = []
    for r in outliers.itertuples(index=False):
        if r.kode_desa not in kec:
            continue
        rows.append(
            dict(
                key=f"pencilan:{r.kode_desa}:{r.indikator}",
                rule="pencilan",
                kode_desa=r.kode_desa,
                kode_kecamatan=kec[r.kode_desa],
                dataset="total",
                params=_params(
                    {
                        "indikator": r.indikator,
                        "nilai": r.nilai,
                        "pembanding": r.pembanding,
                        "skor": r.skor,
                        "alasan": r.alasan,
                    }
                ),
            )
        )
    return _frame(rows)


def _period_end(periode: str, grain: str) -> pd.Timestamp:
    """The first moment after a period (UTC midnight): 202611 → 2026-12-01, 2026S1 → 07-01."""
    if grain == "bulan":
        start = pd.Timestamp(year=int(periode[:4]), month=int(periode[4:6]), day=1, tz="UTC")
        return start + pd.DateOffset(months=1)
    year, half = int(periode[:4]), int(periode[-1])
    return pd.Timestamp(year=year + (half == 2), month=7 if half == 1 else 1, day=1, tz="UTC")


def _previous(periode: str, grain: str) -> str:
    if grain == "bulan":
        y, m = int(periode[:4]), int(periode[4:6])
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        return f"{y}{m:02d}"
    y, half = int(periode[:4]), int(periode[-1])
    return f"{y}S1" if half == 2 else f"{y - 1}S2"


def due_periods(grain: str, now: object, days: int, first: str) -> list[str]:
    """The periods of `grain` from `first` on whose deadline (`days` after the period's end)
    has passed at `now`, newest first, at most DEADLINE_PERIODS."""
    now = _utc(now)
    ts = now - pd.Timedelta(days=days)
    current = f"{ts.year}{ts.month:02d}" if grain == "bulan" else f"{ts.year}S{1 + (ts.month > 6)}"
    out = []
    p = current
    while len(out) < DEADLINE_PERIODS and p >= first:
        if _period_end(p, grain) + pd.Timedelta(days=days) <= now:
            out.append(p)
        p = _previous(p, grain)
    return out


def missing_at_deadline(
    import_status: pd.DataFrame,
    regions: pd.DataFrame,
    now: object,
    days: int,
    datasets: Sequence[str],
) -> pd.DataFrame:
    """Village × dataset × period with no data `days` days after the period ended, for the
    monthly and semester spreadsheet datasets in use (imported at least once for some
    region), from the first period ever imported on (at most DEADLINE_PERIODS back)."""
    kec = _kecamatan_of(regions)
    if import_status.empty or days <= 0 or not kec:
        return _frame([])
    grains = {d.name: d.grain for d in DATASETS}
    rows = []
    for dataset in datasets:
        mine = import_status[import_status["dataset"] == dataset]
        if mine.empty or grains.get(dataset) not in DEADLINE_GRAINS:
            continue
        grain = grains[dataset]
        first = str(mine["periode"].astype(str).min())
        have = set(zip(mine["kode_wilayah"], mine["periode"].astype(str), strict=True))
        for periode in due_periods(grain, now, days, first):
            deadline = _period_end(periode, grain) + pd.Timedelta(days=days)
            for kode, kode_kec in sorted(kec.items()):
                # a kecamatan-wide file covers its villages
                if (kode, periode) in have or (kode_kec, periode) in have:
                    continue
                rows.append(
                    dict(
                        key=f"tenggat:{kode}:{dataset}:{periode}",
                        rule="tenggat",
                        kode_desa=kode,
                        kode_kecamatan=kode_kec,
                        dataset=dataset,
                        params=_params({"periode": periode, "tenggat": deadline}),
                    )
                )
    return _frame(rows)


def find_alerts(inputs: AlertInputs, rules: AlertRules, now: object) -> pd.DataFrame:
    """Every alert the rules that are on find now, one row per key, sorted by key."""
    frames = []
    if rules.on("tidak_terkumpul"):
        frames.append(stale_villages(inputs.dataset_status, inputs.regions, now, rules.stale_days))
    if rules.on("gagal_beruntun"):
        frames.append(
            failing_in_a_row(
                inputs.village_runs, inputs.dataset_status, inputs.regions, rules.failing_runs
            )
        )
    if rules.on("token_ditolak"):
        frames.append(refused_tokens(inputs.dataset_status, inputs.regions))
    if rules.on("pencilan"):
        frames.append(outlier_alerts(inputs.outliers, inputs.regions))
    if rules.on("tenggat"):
        frames.append(
            missing_at_deadline(
                inputs.import_status,
                inputs.regions,
                now,
                rules.deadline_days,
                rules.deadline_datasets,
            )
        )
    frames = [f for f in frames if not f.empty]
    if not frames:
        return _frame([])
    out = pd.concat(frames, ignore_index=True).drop_duplicates("key")
    return out.sort_values("key").reset_index(drop=True)


class AlertDiff(NamedTuple):
    opened: pd.DataFrame  # found now, not open before (new, or open again after clearing)
    still: pd.DataFrame  # found now and open before
    cleared: pd.DataFrame  # open before, not found now (the stored rows)


def diff_alerts(found: pd.DataFrame, states: pd.DataFrame) -> AlertDiff:
    """What a check changes: `found` = find_alerts, `states` = the stored alert_state rows."""
    open_keys = set(states.loc[states["status"] == "open", "key"]) if not states.empty else set()
    found_keys = set(found["key"]) if not found.empty else set()
    opened = found[~found["key"].isin(open_keys)] if not found.empty else found
    still = found[found["key"].isin(open_keys)] if not found.empty else found
    cleared = (
        states[(states["status"] == "open") & ~states["key"].isin(found_keys)]
        if not states.empty
        else states
    )
    return AlertDiff(
        opened.reset_index(drop=True), still.reset_index(drop=True), cleared.reset_index(drop=True)
    )


# -- what the Pemantauan page shows ----------------------------------------------------------
OPEN_COLUMNS = [
    "key",
    "rule",
    "kode_desa",
    "nama_desa",
    "kode_kecamatan",
    "dataset",
    "params",
    "sejak",
]
SEND_COLUMNS = [
    "at",
    "kind",
    "channel",
    "recipient",
    "ok",
    "error",
    "alert_key",
    "kode_kecamatan",
]


def in_region(frame: pd.DataFrame, kode: str | None) -> pd.DataFrame:
    """Rows of a kecamatan or village (by kode_desa, or kode_kecamatan for digests)."""
    if not kode or frame.empty:
        return frame
    kode_desa = frame["kode_desa"] if "kode_desa" in frame else pd.Series("", index=frame.index)
    desa = kode_desa.fillna("").astype(str)
    kec = frame["kode_kecamatan"].fillna("").astype(str)
    mine = (desa == kode) | desa.str.startswith(kode + ".") | (kec == kode)
    mine |= kec.str.startswith(kode + ".")
    return frame[mine].reset_index(drop=True)


def open_alerts(states: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """The alerts open now, newest first, with the village's name."""
    if states.empty:
        return pd.DataFrame(columns=OPEN_COLUMNS)
    out = states[states["status"] == "open"].copy()
    names = regions.set_index("kode")["nama"] if not regions.empty else pd.Series(dtype=object)
    out["nama_desa"] = out["kode_desa"].map(names)
    out["sejak"] = pd.to_datetime(out["opened_at"], utc=True)
    out = out.sort_values(["sejak", "key"], ascending=[False, True])
    return out[OPEN_COLUMNS].reset_index(drop=True)


def recent_sends(sends: pd.DataFrame, kode: str | None = None) -> pd.DataFrame:
    """Send attempts, newest first, for a region (a village's, its kecamatan's digests)."""
    if sends.empty:
        return pd.DataFrame(columns=SEND_COLUMNS)
    out = sends.copy()
    out["kode_desa"] = out["alert_key"].str.split(":").str[1].where(out["kind"] != "digest")
    out = in_region(out, kode)
    return out.sort_values("at", ascending=False)[SEND_COLUMNS].reset_index(drop=True)
