"""A reservation records when it was cancelled, so a guest's record can count late cancellations (issue 12).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import guestbook.models.base

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reservation") as batch:
        batch.add_column(sa.Column("cancelled_at", guestbook.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("reservation") as batch:
        batch.drop_column("cancelled_at")
