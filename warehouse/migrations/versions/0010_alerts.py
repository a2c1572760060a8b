"""alerts sent and their state (issue 13)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_state",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("kode_desa", sa.String(length=13), nullable=True),
        sa.Column("kode_kecamatan", sa.String(length=13), nullable=True),
        sa.Column("dataset", sa.String(length=64), nullable=True),
        sa.Column("params", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_alert_state")),
    )
    op.create_index(
        op.f("ix_alert_state_kode_kecamatan"), "alert_state", ["kode_kecamatan"], unique=False
    )
    op.create_table(
        "alert_send",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("alert_key", sa.String(length=200), nullable=False),
        sa.Column("kode_kecamatan", sa.String(length=13), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_send")),
    )
    op.create_index(op.f("ix_alert_send_at"), "alert_send", ["at"], unique=False)
    op.create_index("ix_alert_send_key", "alert_send", ["alert_key", "kind", "at"], unique=False)
    # users (issue 10) may carry where their alerts go
    op.add_column("app_user", sa.Column("alert_email", sa.String(length=200), nullable=True))
    op.add_column("app_user", sa.Column("alert_telegram", sa.String(length=64), nullable=True))
    op.add_column("app_user", sa.Column("alert_language", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("alert_language")
        batch.drop_column("alert_telegram")
        batch.drop_column("alert_email")
    op.drop_index("ix_alert_send_key", table_name="alert_send")
    op.drop_index(op.f("ix_alert_send_at"), table_name="alert_send")
    op.drop_table("alert_send")
    op.drop_index(op.f("ix_alert_state_kode_kecamatan"), table_name="alert_state")
    op.drop_table("alert_state")
