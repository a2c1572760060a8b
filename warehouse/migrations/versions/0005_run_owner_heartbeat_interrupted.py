"""collection runs know their process and its heartbeat, so a killed run can be marked
interrupted (issue 10)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("collection_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("owner_pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("detail", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("collection_run", schema=None) as batch_op:
        batch_op.drop_column("detail")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("owner_pid")
        batch_op.drop_column("owner_host")
