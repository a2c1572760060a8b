"""OpenDK push tokens per village (issue 11)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kode_desa", sa.String(length=13), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_push_token_token_hash")),
    )
    op.create_index(op.f("ix_push_token_kode_desa"), "push_token", ["kode_desa"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_push_token_kode_desa"), table_name="push_token")
    op.drop_table("push_token")
