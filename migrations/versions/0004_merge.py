"""Merge the reservations (0002) and letters (0003) branches into one head.

Revision ID: 0004
Revises: 0002, 0003
Create Date: 2026-11-22
"""

revision = "0004"
down_revision = ("0002", "0003")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
