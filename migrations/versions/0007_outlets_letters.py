"""Outlets renamed, deactivated and given a language; letters skipped by a run are kept on the batch.

An outlet gains ``active`` (inactive outlets leave the pickers, history keeps them) and ``language``
(the language its menu items and table names are written in, so a letter quotes them only in that language).
A letter batch gains ``skipped``: the letters its last run could not make, with the reason.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outlet", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("language", sa.String(length=35), nullable=False, server_default="en"))
    with op.batch_alter_table("letter_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("skipped", sa.JSON(), nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("letter_batch", schema=None) as batch_op:
        batch_op.drop_column("skipped")
    with op.batch_alter_table("outlet", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("active")
