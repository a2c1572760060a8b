"""value provenance (issue 11): every value says where it came from

`sumber` on the value tables and their history: collection (pulled from the village), import
(a file), push (the village sent it), filled for existing values from the kind of the run
that last wrote them. And the epidemi-penyakit ids take OpenDK's meaning (1 Demam Berdarah,
2 Kolera, 3 Malaria, 4 Influensa): the values this dashboard stored as 2 Diare, 3 ISPA and
4 Malaria move to 101, 102 and 3 (config.penyakit).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_CURRENT = ("observation", "measurement")
_HISTORY = ("observation_history", "measurement_history")
# old id -> new id, in an order that never meets a value still to move
_PENYAKIT = (("2", "101"), ("3", "102"), ("4", "3"))


def upgrade() -> None:
    for table in _CURRENT:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("sumber", sa.String(16), nullable=False, server_default="collection")
            )
        op.execute(
            f"UPDATE {table} SET sumber = (SELECT r.kind FROM collection_run r "
            f"WHERE r.id = {table}.updated_run_id) "
            f"WHERE EXISTS (SELECT 1 FROM collection_run r WHERE r.id = {table}.updated_run_id)"
        )
    for table in _HISTORY:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("sumber", sa.String(16), nullable=True))
        op.execute(
            f"UPDATE {table} SET sumber = (SELECT r.kind FROM collection_run r "
            f"WHERE r.id = {table}.valid_from_run)"
        )
    for table in ("measurement", "measurement_history"):
        for old, new in _PENYAKIT:
            op.execute(
                sa.text(
                    f"UPDATE {table} SET kode = :new "
                    "WHERE dataset = 'epidemi-penyakit' AND kode = :old"
                ).bindparams(old=old, new=new)
            )


def downgrade() -> None:
    for table in ("measurement", "measurement_history"):
        for old, new in reversed(_PENYAKIT):
            op.execute(
                sa.text(
                    f"UPDATE {table} SET kode = :old "
                    "WHERE dataset = 'epidemi-penyakit' AND kode = :new"
                ).bindparams(old=old, new=new)
            )
    for table in (*_CURRENT, *_HISTORY):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("sumber")
