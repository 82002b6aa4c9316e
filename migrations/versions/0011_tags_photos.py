"""Guest tags with colours, and photos kept only with recorded consent (issue 12).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from guestbook.models.base import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_key", sa.String(length=40), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag")),
        sa.UniqueConstraint("name_key", name=op.f("uq_tag_name_key")),
    )
    op.create_table(
        "guest_tag",
        sa.Column("guest_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["guest_id"], ["guest.id"], name=op.f("fk_guest_tag_guest_id_guest"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tag.id"], name=op.f("fk_guest_tag_tag_id_tag"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("guest_id", "tag_id", name=op.f("pk_guest_tag")),
    )
    op.create_index("ix_guest_tag_tag", "guest_tag", ["tag_id", "guest_id"], unique=False)
    op.create_table(
        "guest_photo",
        sa.Column("guest_id", sa.Integer(), nullable=False),
        sa.Column("consent_by", sa.String(length=200), nullable=False),
        sa.Column("consent_at", UTCDateTime(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("mime", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["guest_id"], ["guest.id"], name=op.f("fk_guest_photo_guest_id_guest"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("guest_id", name=op.f("pk_guest_photo")),
    )


def downgrade():
    op.drop_table("guest_photo")
    op.drop_index("ix_guest_tag_tag", table_name="guest_tag")
    op.drop_table("guest_tag")
    op.drop_table("tag")
