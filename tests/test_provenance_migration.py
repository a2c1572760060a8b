"""Migration 0007 (issue 11): existing values get their source from the run that wrote them,
and the disease ids this dashboard used before (2 Diare, 3 ISPA, 4 Malaria) take OpenDK's
meaning (Malaria is 3; Diare and ISPA move to 101 and 102) — SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from warehouse.store import MIGRATIONS_INI


def _to(store, revision: str, down: bool = False) -> None:
    cfg = Config(str(MIGRATIONS_INI))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_0007_fills_sumber_and_moves_the_old_disease_ids(store):
    _to(store, "0006", down=True)  # the fixture is at head
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with store.engine.begin() as conn:
        for run, kind in ((1, "collection"), (2, "import")):
            conn.execute(
                text("INSERT INTO collection_run (id, started_at, status, kind, trigger, "
                     "villages_total, villages_ok, villages_unchanged, villages_failed) "
                     "VALUES (:id, :t, 'completed', :k, 'test', 1, 1, 0, 0)"),
                {"id": run, "t": now, "k": kind},
            )  # fmt: skip
        rows = [("apbdes", "2026", "4", 1, 1.0)] + [
            ("epidemi-penyakit", "202611", old, 2, float(old)) for old in ("1", "2", "3", "4")
        ]
        for dataset, periode, kode, run, nilai in rows:
            conn.execute(
                text("INSERT INTO measurement (kode_wilayah, dataset, periode, kode, ukuran, "
                     "label, nilai, first_run_id, updated_run_id, updated_at) VALUES "
                     "('17.03.06.2001', :d, :p, :k, 'm', '', :n, :r, :r, :t)"),
                {"d": dataset, "p": periode, "k": kode, "n": nilai, "r": run, "t": now},
            )  # fmt: skip
    _to(store, "0007")
    with store.engine.connect() as conn:
        got = {
            (r.dataset, r.kode): (r.nilai, r.sumber)
            for r in conn.execute(text("SELECT dataset, kode, nilai, sumber FROM measurement"))
        }
    assert got == {
        ("apbdes", "4"): (1.0, "collection"),
        ("epidemi-penyakit", "1"): (1.0, "import"),  # Demam Berdarah either way
        ("epidemi-penyakit", "101"): (2.0, "import"),  # was 2 Diare
        ("epidemi-penyakit", "102"): (3.0, "import"),  # was 3 ISPA
        ("epidemi-penyakit", "3"): (4.0, "import"),  # was 4 Malaria: OpenDK's 3
    }
    _to(store, "0006", down=True)
    with store.engine.connect() as conn:
        query = "SELECT kode, nilai FROM measurement WHERE dataset = 'epidemi-penyakit'"
        back = sorted(conn.execute(text(query)).all())
    assert back == [("1", 1.0), ("2", 2.0), ("3", 3.0), ("4", 4.0)]
    _to(store, "head")
