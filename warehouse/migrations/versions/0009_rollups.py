"""rollup tables computed once per run (issue 12)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rollup",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("frames", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup")),
    )
    op.create_index(op.f("ix_rollup_status"), "rollup", ["status"], unique=False)
    op.create_table(
        "rollup_frame",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rollup_id", sa.Integer(), nullable=False),
        sa.Column("aggregat", sa.String(length=32), nullable=False),
        sa.Column("tingkat", sa.String(length=16), nullable=False),
        sa.Column("statistik", sa.String(length=64), nullable=False),
        sa.Column("periode", sa.String(length=16), nullable=False),
        sa.Column("kolom", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rollup_id"],
            ["rollup.id"],
            name=op.f("fk_rollup_frame_rollup_id_rollup"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_frame")),
        sa.UniqueConstraint(
            "rollup_id",
            "aggregat",
            "tingkat",
            "statistik",
            "periode",
            name=op.f("uq_rollup_frame_rollup_id"),
        ),
    )
    op.create_table(
        "rollup_slice",
        sa.Column("frame_id", sa.Integer(), nullable=False),
        sa.Column("kode_wilayah", sa.String(length=13), nullable=False),
        sa.Column("baris", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["frame_id"],
            ["rollup_frame.id"],
            name=op.f("fk_rollup_slice_frame_id_rollup_frame"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("frame_id", "kode_wilayah", name=op.f("pk_rollup_slice")),
    )


def downgrade() -> None:
    op.drop_table("rollup_slice")
    op.drop_table("rollup_frame")
    op.drop_index(op.f("ix_rollup_status"), table_name="rollup")
    op.drop_table("rollup")
