"""PostgreSQL: a larger statistics sample for guests' phone digits (four typed digits were guessed at 1% of guests);
SQLite: nothing

A phone search looks for a run of digits anywhere in ``guest_search_key.phone_digits`` (``LIKE '%5414%'``, through
the pg_trgm index). At the default target (100) the planner has no better guess for such a pattern than 1% of the
rows: 100,000 at ten million guests, where four digits match about 7,000. With the match capped at 500 rows it then
expected a sequential scan to find them after 5,000 rows, and read 720,000 (180-220 ms; the slowest queries of the
benchmark mix). At 10,000 the histogram holds 10,000 numbers and the pattern is counted on them: about 6,000
estimated, and the trigram index's bitmap scan answers in 10-30 ms. ANALYZE then samples 3 million rows (18 s at
ten million guests, on 2 cores).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE guest_search_key ALTER COLUMN phone_digits SET STATISTICS 10000")
    op.execute("ANALYZE guest_search_key (phone_digits)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE guest_search_key ALTER COLUMN phone_digits SET STATISTICS -1")
