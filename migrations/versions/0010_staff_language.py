"""Each staff account has a language for the staff interface (issue 11).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_user") as batch:
        batch.add_column(sa.Column("language", sa.String(length=10), nullable=False, server_default="en"))


def downgrade():
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_column("language")
