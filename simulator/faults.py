"""Fault modes: what a village server that misbehaves does, and the broken data it sends.

A fault is set per village (`Simulator(faults=...)`, `set_fault`, or `fault_rate` for a seeded
share of villages) and applies to every request for that village, on both routes (the
village-summary v1 document and OpenSID's internal_api) unless said otherwise:

- timeout: hold the request without answering (until hold_seconds or stop)
- 500: HTTP 500: summary v1 with a JSON error, internal_api with an empty text/html body (what
  OpenSID's CodeIgniter sends when PHP fails)
- 401: 401 whatever the token (a proxy in front of the village that wants a login)
- 429: 429 + Retry-After: 1 for the first burst_429 requests of a window, then serves
- slow: waits slow_ms before answering normally
- drip: sends the body in small pieces with pauses (gaps < a short read timeout, the whole
  longer than a deadline)
- too-large: 200 with a body (and Content-Length) over 25 MB, streamed
- bad-json: 200 with the JSON body cut in half
- unknown-fields: extra unknown fields in every JSON object; valid otherwise
- negative: one negative count (summary v1: agama's first row; internal_api: the first
  category of a statistic, the first project's anggaran)
- sum-mismatch: agama's rows + belum mengisi != total (both routes)
- unknown-code: agama gains a row "99" "LAINNYA (BARU)"; sums stay consistent (both routes)
- schema: summary v1 with schema_version "9" (internal_api unaffected: it has no version)
- wrong-code: the summary v1 document names another village (internal_api unaffected: real
  OpenSID names no village anywhere)
- string-counts: NOT OpenSID: every count of a statistik answer as a JSON string ("424"),
  as the simulator wrongly did before issue 7 (real 2508 does it only for key 14's empty
  categories); summary v1 unaffected
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.numbers import stable_int

FAULT_MODES = (
    "timeout",
    "500",
    "bad-json",
    "wrong-code",
    "negative",
    "401",
    "429",
    "slow",
    "drip",
    "sum-mismatch",
    "unknown-fields",
    "schema",
    "too-large",
    "unknown-code",
    "string-counts",
)
# faults that change the data itself (the document is copied and broken)
DATA_FAULTS = ("wrong-code", "negative", "sum-mismatch", "unknown-code", "schema")
MISMATCH_SLUG = "agama"  # the statistic that sum-mismatch and unknown-code break
UNKNOWN_CODE = ("99", "LAINNYA (BARU)")


def check_mode(mode: str, modes: Sequence[str] = FAULT_MODES) -> None:
    if mode not in modes:
        raise ValueError(f"unknown fault {mode!r}; expected one of {', '.join(modes)}")


def seeded_faults(
    codes: Sequence[str], rate: float, seed: int, modes: Sequence[str]
) -> dict[str, str]:
    """round(rate * villages) villages, picked by a seeded hash, each with a seeded mode."""
    if rate <= 0 or not modes:
        return {}
    count = min(len(codes), round(rate * len(codes)))
    ranked = sorted(codes, key=lambda kode: stable_int(seed, kode, "fault"))
    return {
        kode: modes[stable_int(seed, kode, "fault-mode") % len(modes)] for kode in ranked[:count]
    }


def with_unknown_fields(value: object, depth: int = 0) -> object:
    """A copy with extra, unknown fields in every object (of several JSON types)."""
    if isinstance(value, list):
        return [with_unknown_fields(v, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: with_unknown_fields(v, depth + 1) for k, v in value.items()}
    out["x_catatan"] = "field baru dari versi mendatang"
    out["x_meta"] = {"depth": depth, "tags": ["baru", 2], "ok": True, "none": None}
    return out


def break_sums(entry: dict) -> None:
    """rows + belum mengisi != total: the first row gains 3 men (the row itself adds up)."""
    row = entry["rows"][0]
    row["laki"] += 3
    row["total"] += 3


def add_unknown_code(entry: dict) -> None:
    """A category the catalogue does not know, filled by moving people from the largest row."""
    code, label = UNKNOWN_CODE
    if any(r["code"] == code for r in entry["rows"]):
        code = "98"
    donor = max(entry["rows"], key=lambda r: r["total"])
    laki, perempuan = min(2, donor["laki"]), min(1, donor["perempuan"])
    donor["laki"] -= laki
    donor["perempuan"] -= perempuan
    donor["total"] -= laki + perempuan
    entry["rows"].append(
        {"code": code, "label": label, "total": laki + perempuan, "laki": laki,
         "perempuan": perempuan}
    )  # fmt: skip


def mismatch_entry(doc: dict) -> dict:
    """The statistic sum-mismatch and unknown-code break (agama, or the first with rows)."""
    stats = doc["statistics"]
    return next((s for s in stats if s["slug"] == MISMATCH_SLUG and s["rows"]), stats[0])


def make_negative(doc: dict) -> None:
    """Make one count of one statistic row negative (agama, or the first statistic)."""
    row = mismatch_entry(doc)["rows"][0]
    row["laki"] = -row["laki"] - 1


def broken_document(doc: dict, fault: str | None, other_code: str) -> dict:
    """A private copy of the document as a village with a data fault serves it (or the
    document itself when the fault does not touch the data)."""
    if fault not in DATA_FAULTS:
        return doc
    import copy

    broken = copy.deepcopy(doc)
    if fault == "wrong-code":
        broken["village"]["kode_desa"] = other_code
    elif fault == "negative":
        make_negative(broken)
    elif fault == "sum-mismatch":
        break_sums(mismatch_entry(broken))
    elif fault == "unknown-code":
        add_unknown_code(mismatch_entry(broken))
    else:
        broken["schema_version"] = "9"
    return broken
