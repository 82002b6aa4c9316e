"""The dashboard's figures as of the last segments refresh, visits indexed by time across guests, and guests' segment
rows by spend (the dashboard's top guests).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 16:00:00

"""

import sqlalchemy as sa
from alembic import op

import guestbook.models.base

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "segment_summary",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("computed_at", guestbook.models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segment_summary")),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index("ix_visit_visited_at", ["visited_at", "guest_id", "party_size"], unique=False)
    with op.batch_alter_table("guest_segment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guest_segment_spend_window"), ["spend_window"], unique=False)


def downgrade():
    with op.batch_alter_table("guest_segment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guest_segment_spend_window"))
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_visited_at")
    op.drop_table("segment_summary")
