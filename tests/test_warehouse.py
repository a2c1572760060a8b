"""Warehouse: schema by Alembic, idempotent upserts, run log — on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import inspect

from config.registry import load_registry
from config.settings import DEFAULT_REGISTRY
from warehouse.store import DatasetWrite, ObservationRow, SourceInfo

DESA = "17.03.06.2001"
ROWS = [
    ObservationRow("1", "ISLAM", 10, 4, 6, urutan=1),
    ObservationRow("2", "KRISTEN", 3, 2, 1, urutan=2),
    ObservationRow("belum_mengisi", "BELUM MENGISI", 1, 1, 0, urutan=9998),
]


def _snapshot(store):
    obs = store.observations_frame()
    return obs.drop(columns=["updated_run_id"]).to_dict("records")


def test_schema_has_every_table(store):
    tables = set(inspect(store.engine).get_table_names())
    assert {"wilayah", "observation", "collection_run", "fetch_log", "alembic_version"} <= tables
    store.upgrade()  # a second upgrade is a no-op


def test_regions_hierarchy(store):
    villages = load_registry(DEFAULT_REGISTRY)
    store.sync_regions(villages)
    store.sync_regions(villages)
    regions = store.regions_frame()
    assert regions["tingkat"].value_counts().to_dict() == {
        "desa": 220,
        "kecamatan": 19,
        "kabupaten": 1,
        "provinsi": 1,  # issue 12: the level above, which a registry may span
    }
    row = regions.set_index("kode").loc[DESA]
    assert row["induk"] == "17.03.06" and row["jenis"] == "desa"
    prov = regions.set_index("kode").loc["17"]
    assert prov["nama"] == "Bengkulu" and pd.isna(prov["induk"])
    assert regions.set_index("kode").loc["17.03", "induk"] == "17"


def test_upsert_is_idempotent(store):
    run1 = store.start_run(total=1)
    assert store.record_dataset(run1, DESA, "agama", rows=ROWS, status="ok") == "ok"
    first = _snapshot(store)
    run2 = store.start_run(total=1)
    assert store.record_dataset(run2, DESA, "agama", rows=ROWS, status="ok") == "unchanged"
    assert _snapshot(store) == first
    obs = store.observations_frame()
    assert set(obs["updated_run_id"]) == {run1}


def test_upsert_updates_inserts_and_deletes(store):
    run1 = store.start_run()
    store.record_dataset(run1, DESA, "agama", rows=ROWS, status="ok")
    run2 = store.start_run()
    changed = [
        ObservationRow("1", "ISLAM", 11, 5, 6, urutan=1),
        ObservationRow("3", "KATHOLIK", 2, 1, 1, urutan=3),
    ]
    assert store.record_dataset(run2, DESA, "agama", rows=changed, status="ok") == "ok"
    obs = store.observations_frame().set_index("kode")
    assert sorted(obs.index) == ["1", "3"]
    assert obs.loc["1", "jumlah"] == 11 and obs.loc["1", "updated_run_id"] == run2


def test_failure_keeps_previous_values_and_is_logged(store):
    run1 = store.start_run()
    store.record_dataset(run1, DESA, "agama", rows=ROWS, status="ok")
    store.finish_run(run1, ok=1, unchanged=0, failed=0)
    before = _snapshot(store)
    run2 = store.start_run()
    status = store.record_dataset(
        run2, DESA, "agama", rows=None, status="failed", http_status=500, error="HTTP 500"
    )
    store.finish_run(run2, ok=0, unchanged=0, failed=1)
    assert status == "failed"
    assert _snapshot(store) == before
    log = store.fetch_log_frame(run2)
    assert log[["kode_desa", "dataset", "status", "http_status", "error"]].to_dict("records") == [
        {
            "kode_desa": DESA,
            "dataset": "agama",
            "status": "failed",
            "http_status": 500,
            "error": "HTTP 500",
        }  # fmt: skip
    ]
    state = store.dataset_status_frame().iloc[0]
    assert state["last_status"] == "failed" and state["last_success_run_id"] == run1
    assert store.latest_run_id() == run2


def test_duplicate_codes_are_refused_whole(store):
    run = store.start_run()
    store.record_dataset(run, DESA, "agama", rows=ROWS, status="ok")
    before = _snapshot(store)
    bad = [ObservationRow("1", "ISLAM", 99, 50, 49), ObservationRow("1", "ISLAM", 1, 1, 0)]
    assert store.record_dataset(run, DESA, "agama", rows=bad, status="ok") == "failed"
    assert _snapshot(store) == before
    log = store.fetch_log_frame(run)
    assert "duplicate kode 1" in log.iloc[-1]["error"]


def test_one_dataset_refused_others_land(store):
    run = store.start_run()
    bad = [ObservationRow("1", "ISLAM", 99, 50, 49), ObservationRow("1", "ISLAM", 1, 1, 0)]
    statuses = store.record_village(
        run,
        DESA,
        [
            DatasetWrite("agama", "ok", bad),
            DatasetWrite("pekerjaan", "ok", ROWS),
            DatasetWrite("golongan-darah", "failed", None, 500, 10, "HTTP 500"),
        ],
    )
    assert statuses == {"agama": "failed", "pekerjaan": "ok", "golongan-darah": "failed"}
    assert set(store.observations_frame()["dataset"]) == {"pekerjaan"}
    status = store.dataset_status_frame().set_index("dataset")
    assert status.loc["golongan-darah", "last_error"] == "HTTP 500"
    assert status.loc["pekerjaan", "last_success_run_id"] == run


def test_source_state_etag(store):
    store.save_source_state(DESA, SourceInfo("summary-v1", '"abc"', "OpenSID", "1"))
    store.save_source_state(DESA, SourceInfo("summary-v1", '"def"', "OpenSID", "2"))
    assert store.etags("summary-v1") == {DESA: '"def"'}
    store.save_source_state(DESA, SourceInfo("summary-v1", '"def"'))  # a 304 keeps the version
    assert store.source_state_frame().iloc[0]["source_version"] == "2"


def test_collect_requests_lifecycle(store):
    first = store.request_collect(DESA, requested_by="dashboard").id
    second = store.request_collect(None).id
    claimed = store.claim_requests()
    assert [r["id"] for r in claimed] == [first, second] and claimed[1]["kode_desa"] is None
    assert [r["scope"] for r in claimed] == ["desa", "semua"]
    assert store.claim_requests() == []  # claimed once only
    assert store.requeue_running_requests() == 2  # a killed scheduler's requests come back
    assert [r["id"] for r in store.claim_requests()] == [first, second]
    store.finish_requests([first], 7)
    store.finish_requests([second], None, status="failed", detail="stopped")
    frame = store.requests_frame().set_index("id")
    assert frame.loc[first, "status"] == "done" and frame.loc[first, "run_id"] == 7
    assert frame.loc[second, "detail"] == "stopped"


@pytest.mark.parametrize("refused_by", ["bounds", "database"])
def test_database_refusal_rolls_back_only_that_dataset(store, refused_by, monkeypatch):
    """A value the database cannot store (a count beyond BIGINT) fails its dataset alone, in
    the middle of a pull: the datasets before and after it land, its previous values and
    history stay as they were, it is logged as failed, and the validator is not kept. The
    warehouse's bounds refuse it before any SQL (warehouse.bounds); should a value get past
    them, the database's own refusal is replayed dataset by dataset to the same end."""
    if refused_by == "database":
        monkeypatch.setattr("warehouse.store.check_rows", lambda *args: None)
    run1 = store.start_run()
    writes = [DatasetWrite(d, "ok", ROWS) for d in ("agama", "pekerjaan", "golongan-darah")]
    first = store.record_village(run1, DESA, writes, SourceInfo("summary-v1", '"v1"'))
    assert set(first.values()) == {"ok"} and store.etags("summary-v1") == {DESA: '"v1"'}

    run2 = store.start_run()
    changed = [ObservationRow("1", "ISLAM", 12, 6, 6, urutan=1), *ROWS[1:]]
    huge = [ObservationRow("1", "ISLAM", 2**70, 2**69, 2**69, urutan=1)]
    statuses = store.record_village(
        run2,
        DESA,
        [DatasetWrite("agama", "ok", changed), DatasetWrite("pekerjaan", "ok", huge),
         DatasetWrite("golongan-darah", "ok", changed)],
        SourceInfo("summary-v1", '"v2"'),
    )  # fmt: skip
    assert statuses == {"agama": "ok", "pekerjaan": "failed", "golongan-darah": "ok"}
    obs = store.observations_frame().set_index(["dataset", "kode"])
    assert (
        obs.loc[("agama", "1"), "jumlah"] == 12 and obs.loc[("golongan-darah", "1"), "jumlah"] == 12
    )
    assert obs.loc[("pekerjaan", "1"), "jumlah"] == 10  # the refused dataset kept its values
    assert sorted(obs.loc["pekerjaan"].index) == ["1", "2", "belum_mengisi"]
    log = store.fetch_log_frame(run2).set_index("dataset")
    assert log.loc["pekerjaan", "status"] == "failed"
    if refused_by == "database":
        assert log.loc["pekerjaan", "error"].startswith("refused by the warehouse")
        assert log.loc["pekerjaan", "error_code"] == "warehouse.refused"
    else:
        assert log.loc["pekerjaan", "error"] == (
            f"desa {DESA}, dataset pekerjaan, kode 1: laki_laki {2**69} is outside what the "
            f"warehouse stores ({-(2**63)} to {2**63 - 1})"
        )
        assert log.loc["pekerjaan", "error_code"] == "value.out_of_range"
    state = store.dataset_status_frame().set_index("dataset")
    assert state.loc["pekerjaan", "last_status"] == "failed"
    assert state.loc["pekerjaan", "last_success_run_id"] == run1
    assert state.loc["agama", "last_success_run_id"] == run2
    assert store.etags("summary-v1") == {}  # pulled again next time, not answered with a 304
    audit = store.audit_frame(run_id=run2)
    assert set(audit["dataset"]) == {"agama", "golongan-darah"}  # no history of the refusal

    # a village seen for the first time: its bookkeeping lands in full all the same
    other = "17.03.06.2002"
    run3 = store.start_run()
    statuses = store.record_village(
        run3, other, [DatasetWrite("agama", "ok", huge), DatasetWrite("pekerjaan", "ok", ROWS)]
    )
    assert statuses == {"agama": "failed", "pekerjaan": "ok"}
    state = store.dataset_status_frame()
    mine = state[state.kode_desa == other].set_index("dataset")
    assert mine.loc["agama", "last_status"] == "failed"
    assert pd.isna(mine.loc["agama", "last_success_run_id"])  # never landed
    assert mine.loc["pekerjaan", "last_success_run_id"] == run3
    assert set(store.observations_frame().query("kode_desa == @other")["dataset"]) == {"pekerjaan"}


def test_large_dataset_lands_whole_and_idempotent(store):
    """More rows than one INSERT statement carries: all land; the same rows again change
    nothing and write no history."""
    rows = [ObservationRow(str(i), f"KATEGORI {i}", i, i // 2, i - i // 2, urutan=i)
            for i in range(1, 701)]  # fmt: skip
    run1 = store.start_run()
    assert store.record_dataset(run1, DESA, "pekerjaan", rows=rows, status="ok") == "ok"
    obs = store.observations_frame()
    assert len(obs) == 700 and obs.set_index("kode").loc["699", "perempuan"] == 350
    run2 = store.start_run()
    assert store.record_dataset(run2, DESA, "pekerjaan", rows=rows, status="ok") == "unchanged"
    assert store.audit_frame().empty
    assert set(store.observations_frame()["updated_run_id"]) == {run1}


def test_migrations_build_exactly_the_models(store):
    """`dasbor db upgrade` gives the schema the models declare, on each backend."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from warehouse.models import Base

    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_collect_requests_merge_while_waiting_or_running(store):
    """A second request for a target an open request covers is merged: no new row (issue 8)."""
    kecamatan = DESA[:8]
    village = store.request_collect(DESA.replace(".", ""), requested_by="a")  # digits too
    assert village.merged is False
    assert store.request_collect(DESA, requested_by="b") == (village.id, True)
    # a kecamatan is more than its village: a row of its own, and it covers its villages
    kec = store.request_collect(kecamatan)
    assert (kec.merged, store.requests_frame().set_index("id").loc[kec.id, "scope"]) == (
        False, "kecamatan")  # fmt: skip
    other = f"{kecamatan}.2099"
    assert store.request_collect(other) == (kec.id, True)
    assert store.request_collect("17.03.07.2001").merged is False  # another kecamatan
    assert len(store.requests_frame()) == 3
    # still merged once the scheduler runs them; a new row once they ended
    store.claim_requests()
    assert store.request_collect(DESA) == (village.id, True)
    store.finish_requests([village.id, kec.id], 1)
    again = store.request_collect(DESA)
    assert again.merged is False and again.id not in (village.id, kec.id)
    # "all" covers every village and kecamatan
    every = store.request_collect(None)
    assert every.merged is False
    assert store.request_collect("17.03.09") == (every.id, True)
    assert store.request_collect(None) == (every.id, True)
    frame = store.requests_frame()
    assert len(frame) == 5 and list(frame["id"]) == sorted(frame["id"], reverse=True)


def test_concurrent_collect_requests_leave_one_open(store):
    """Two clicks at once may both insert; the later row gives way to the earlier."""
    import threading

    barrier = threading.Barrier(4)
    tickets = []

    def ask() -> None:
        barrier.wait()
        tickets.append(store.request_collect(DESA))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    rows = store.requests_frame()
    assert len(rows) == 1
    assert {t.id for t in tickets} == {int(rows.iloc[0]["id"])}
    assert sum(not t.merged for t in tickets) == 1
