"""PostgreSQL: search tokens in code-point order (COLLATE "C"); nothing to do on SQLite

Search scans a prefix as the range [prefix, prefix + U+10FFFF) of guest_token.token. That is exact
in code-point order (SQLite's BINARY collation) but not under a linguistic collation, the usual
database default on PostgreSQL (ICU sorts Thai pre-vowels after the consonant that follows them,
so "สมเกียรติ" is not >= "สมเ"). The "C" collation also keeps the comparison cheap.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    # Rewrites the column and rebuilds the indexes on it (primary key and ix_guest_token_guest).
    op.alter_column(
        "guest_token",
        "token",
        existing_type=sa.String(length=120),
        type_=sa.String(length=120, collation="C"),
        existing_nullable=False,
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "guest_token",
        "token",
        existing_type=sa.String(length=120, collation="C"),
        type_=sa.String(length=120),
        existing_nullable=False,
    )
