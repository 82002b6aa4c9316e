"""Search: a shared per-minute rate-limit window, and every guest re-tokenised for the new keys.

The tokeniser changed (issues 8.10 and 9.3): romaji readings of kanji names (pykakasi), pinyin and
romaji as one word, e-mail tokens behind an "@" prefix and the shown last four phone digits behind
"#" (so masked roles search only what they are shown). Existing guests are re-tokenised here with
plain SQL (``retokenise_all`` never uses the ORM models, so later model changes cannot break it).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_rate_window",
        sa.Column("principal", sa.String(length=80), nullable=False),
        sa.Column("minute", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("principal", "minute", name=op.f("pk_search_rate_window")),
    )
    from guestbook.guests.search_reindex import retokenise_all

    retokenise_all(op.get_bind())


def downgrade():
    # Search keys stay in the new form: the old code still finds names by them (not e-mails).
    op.drop_table("search_rate_window")
