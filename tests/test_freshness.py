"""aggregates.freshness on small hand-made frames: which villages a figure's line counts, and
the time it gives (issue 8)."""

from __future__ import annotations

import pandas as pd

from aggregates.freshness import Freshness, collected_datasets, figure_freshness

A, B, C, D = "17.03.06.2001", "17.03.06.2002", "17.03.06.2003", "17.03.06.2004"
REGION = [A, B, C, D]


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def status(*rows: tuple) -> pd.DataFrame:
    """(kode_desa, dataset, last_status, last_attempt_at, last_success_at) rows."""
    frame = pd.DataFrame(
        rows,
        columns=["kode_desa", "dataset", "last_status", "last_attempt_at", "last_success_at"],
    )
    for col in ("last_attempt_at", "last_success_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    return frame


def imports(*rows: tuple) -> pd.DataFrame:
    """(kode_wilayah, dataset, periode, last_import_at) rows."""
    frame = pd.DataFrame(rows, columns=["kode_wilayah", "dataset", "periode", "last_import_at"])
    frame["last_import_at"] = pd.to_datetime(frame["last_import_at"], utc=True)
    return frame


NO_IMPORTS = imports()


def test_collected_counts_current_villages_as_of_the_oldest_of_them():
    ds = status(
        (A, "total", "ok", "2026-12-03 01:00", "2026-12-03 01:00"),
        (B, "total", "unchanged", "2026-12-03 01:02", "2026-12-03 01:02"),
        # collected again on request: does not make the others look newer
        (C, "total", "ok", "2026-12-03 14:00", "2026-12-03 14:00"),
        # failing since: its old data is shown, it is behind
        (D, "total", "failed", "2026-12-03 01:01", "2026-11-20 01:00"),
    )
    f = figure_freshness(ds, NO_IMPORTS, REGION, ["total"], REGION)
    assert f == Freshness(ts("2026-12-03 01:00"), 3, 4, (D,), "collection")


def test_villages_without_data_are_neither_counted_nor_behind():
    ds = status(
        (A, "total", "ok", "2026-12-03 01:00", "2026-12-03 01:00"),
        (B, "total", "failed", "2026-12-03 01:00", None),  # never succeeded: no data
    )
    f = figure_freshness(ds, NO_IMPORTS, REGION, ["total"], [A])
    assert (f.current, f.expected, f.behind, f.as_of) == (1, 4, (), ts("2026-12-03 01:00"))
    # the whole region failing: 0 of M, as of the newest data still shown
    ds = status(
        (A, "total", "failed", "2026-12-03 21:13", "2026-12-03 21:00"),
        (B, "total", "failed", "2026-12-03 21:13", "2026-12-01 21:00"),
    )
    f = figure_freshness(ds, NO_IMPORTS, [A, B], ["total"], [A, B])
    assert (f.current, f.behind, f.as_of) == (0, (A, B), ts("2026-12-03 21:00"))
    nothing = figure_freshness(status(), NO_IMPORTS, REGION, ["total"], [])
    assert (nothing.as_of, nothing.current, nothing.expected) == (None, 0, 4)


def test_several_datasets_need_every_latest_attempt_to_succeed():
    ds = status(
        (A, "total", "ok", "2026-12-03 01:00", "2026-12-03 01:00"),
        (A, "apbdes", "ok", "2026-11-29 02:00", "2026-11-29 02:00"),  # weekly group
        (B, "total", "ok", "2026-12-03 01:00", "2026-12-03 01:00"),
        (B, "apbdes", "failed", "2026-11-29 02:00", "2026-11-22 02:00"),
    )
    f = figure_freshness(ds, NO_IMPORTS, [A, B], ["total", "apbdes"], [A, B])
    # a village's time: its latest success of any of them (as the monitoring grid shows)
    assert (f.current, f.behind, f.as_of) == (1, (B,), ts("2026-12-03 01:00"))


def test_an_imported_dataset_counts_villages_with_data_as_of_its_last_import():
    assert "aki-akb" not in collected_datasets() and "apbdes" in collected_datasets()
    imp = imports(
        (A, "aki-akb", "202611", "2026-12-02 09:00"),
        (B, "aki-akb", "202611", "2026-12-04 10:30"),  # a correction, later
        (C, "aki-akb", "202610", "2026-12-05 08:00"),  # another month: not this figure's
    )
    f = figure_freshness(status(), imp, REGION, ["aki-akb"], [A, B], periods=["202611"])
    assert f == Freshness(ts("2026-12-04 10:30"), 2, 4, (), "import")
    # every period (a trend): the newest import of any
    f = figure_freshness(status(), imp, REGION, ["aki-akb"], [A, B, C])
    assert (f.current, f.as_of) == (3, ts("2026-12-05 08:00"))


def test_a_file_after_the_latest_collection_makes_a_village_current():
    """APBDes arrives both ways: realisasi imported after a failed collection is current as
    of the import; an import older than the latest failed attempt is not."""
    ds = status(
        (A, "apbdes", "failed", "2026-12-01 02:00", "2026-11-01 02:00"),
        (B, "apbdes", "failed", "2026-12-01 02:00", "2026-11-01 02:00"),
        (C, "apbdes", "ok", "2026-12-01 02:00", "2026-12-01 02:00"),
    )
    imp = imports(
        (A, "apbdes", "2026", "2026-12-02 09:00"),
        (B, "apbdes", "2026", "2026-11-15 09:00"),
        (D, "apbdes", "2026", "2026-12-03 09:00"),  # never collected: the file is its data
    )
    f = figure_freshness(ds, imp, REGION, ["apbdes"], REGION, periods=["2026"])
    assert (f.current, f.behind, f.kind) == (3, (B,), "collection")
    assert f.as_of == ts("2026-12-01 02:00")  # the oldest of A (import), C, D (import)
    # another year's figure: the 2026 files say nothing of 2025
    f = figure_freshness(ds, imp, REGION, ["apbdes"], [A, C], periods=["2025"])
    assert (f.current, f.behind) == (1, (A,))
