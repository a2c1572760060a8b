"""kinds of arrival, reasons as codes, import status, collect-now scope (issue 8)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 17:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# datasets that only ever arrive by spreadsheet
IMPORT_ONLY = (
    "aki-akb", "imunisasi", "epidemi-penyakit", "toilet-sanitasi", "tingkat-pendidikan",
    "putus-sekolah", "fasilitas-paud", "anggaran-kecamatan",
)  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("collection_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="collection")
        )
    op.execute("UPDATE collection_run SET kind = 'import' WHERE \"trigger\" = 'import'")

    for table, prefix in (("fetch_log", ""), ("dataset_status", "last_")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(f"{prefix}error_code", sa.String(length=64)))
            batch_op.add_column(sa.Column(f"{prefix}error_params", sa.Text()))

    op.create_table(
        "import_status",
        sa.Column("kode_wilayah", sa.String(length=13), nullable=False),
        sa.Column("dataset", sa.String(length=64), nullable=False),
        sa.Column("periode", sa.String(length=16), nullable=False),
        sa.Column("last_import_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint(
            "kode_wilayah", "dataset", "periode", name=op.f("pk_import_status")
        ),
    )
    # what imports wrote so far: their values name the run; dataset_status was theirs too
    listed = ", ".join(f"'{d}'" for d in IMPORT_ONLY)
    op.execute(
        "INSERT INTO import_status (kode_wilayah, dataset, periode, last_import_at, run_id) "
        "SELECT m.kode_wilayah, m.dataset, m.periode, MAX(m.updated_at), MAX(m.updated_run_id) "
        "FROM measurement m JOIN collection_run r ON r.id = m.updated_run_id "
        "WHERE r.kind = 'import' GROUP BY m.kode_wilayah, m.dataset, m.periode"
    )
    op.execute(f"DELETE FROM dataset_status WHERE dataset IN ({listed})")

    with op.batch_alter_table("collect_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=16), nullable=False, server_default="desa")
        )
    op.execute("UPDATE collect_request SET scope = 'semua' WHERE kode_desa IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("collect_request", schema=None) as batch_op:
        batch_op.drop_column("scope")
    op.drop_table("import_status")
    for table, prefix in (("dataset_status", "last_"), ("fetch_log", "")):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(f"{prefix}error_params")
            batch_op.drop_column(f"{prefix}error_code")
    with op.batch_alter_table("collection_run", schema=None) as batch_op:
        batch_op.drop_column("kind")
