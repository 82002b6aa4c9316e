"""Search token recency as a 64-bit integer (minus the last-visit epoch would overflow 32 bits in 2038).

SQLite's INTEGER is already 64-bit; the batch operation rewrites the column type for the model check.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("guest_token") as batch_op:
        batch_op.alter_column("recency", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)


def downgrade():
    with op.batch_alter_table("guest_token") as batch_op:
        batch_op.alter_column("recency", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
