"""PostgreSQL: a larger statistics sample for search tokens (common names were guessed at one row); SQLite: nothing

Unique e-mail and phone tokens crowd the names out of guest_token.token's most-common-values list at the
default target (100). A common name is then estimated at one row, and the per-candidate probe of a second
query word chose the token-first primary key (scanning the name's whole range for every candidate: 20 s at
ten million guests) instead of ix_guest_token_guest (guest_id, token).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE guest_token ALTER COLUMN token SET STATISTICS 1000")
    op.execute("ANALYZE guest_token")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE guest_token ALTER COLUMN token SET STATISTICS -1")
