"""Contact suggestions: a phone or e-mail a guest gives at the table waits for a manager (issue 12).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from guestbook.models.base import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contact_suggestion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guest_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("suggested_by", sa.String(length=200), nullable=False),
        sa.Column("suggested_by_id", sa.Integer(), nullable=True),
        sa.Column("suggested_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["guest_id"], ["guest.id"], name=op.f("fk_contact_suggestion_guest_id_guest"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["suggested_by_id"], ["staff_user.id"], name=op.f("fk_contact_suggestion_suggested_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_suggestion")),
    )
    with op.batch_alter_table("contact_suggestion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_suggestion_guest_id"), ["guest_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contact_suggestion_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("contact_suggestion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_suggestion_status"))
        batch_op.drop_index(batch_op.f("ix_contact_suggestion_guest_id"))
    op.drop_table("contact_suggestion")
