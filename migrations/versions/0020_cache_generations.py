"""Cache generations: one number per topic, raised by triggers whenever the topic's tables change

Web workers keep the settings, the property's timezone, today's bookings, the tag colours and the signed-in
accounts between requests, and read ``cache_generation`` once per request to learn what changed
(``guestbook.db.cached``). Triggers raise a topic's number in the same transaction as any insert, update or
delete of its tables, whoever writes. SQLite: one trigger per table and change, for each row. PostgreSQL: one
statement-level trigger per table (TRUNCATE included) calling ``cache_generation_bump(topic)``. The numbers
start at random values so that two databases (a restored backup, a rebuilt one) do not share them.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# Frozen here (guestbook/models/cache.py holds the same list for the code).
TOPIC_TABLES = {
    "property": ("property", "outlet"),
    "reservation": ("reservation",),
    "setting": ("setting",),
    "staff": ("staff_user",),
    "tag": ("tag",),
}
CHANGES = ("insert", "update", "delete")


def upgrade():
    op.create_table(
        "cache_generation",
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("topic", name=op.f("pk_cache_generation")),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    start = "(random() * 1e15)::bigint" if postgres else "abs(random() % 1000000000000000)"
    for topic in TOPIC_TABLES:
        op.execute(f"INSERT INTO cache_generation (topic, n) VALUES ('{topic}', {start})")
    if postgres:
        op.execute(
            """
            CREATE FUNCTION cache_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE cache_generation SET n = n + 1 WHERE topic = TG_ARGV[0];
                RETURN NULL;
            END $$
            """
        )
    for topic, tables in TOPIC_TABLES.items():
        for table in tables:
            if postgres:
                op.execute(
                    f"CREATE TRIGGER cache_generation_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION cache_generation_bump('{topic}')"
                )
                continue
            for change in CHANGES:
                op.execute(
                    f"CREATE TRIGGER cache_generation_{table}_{change} AFTER {change.upper()} ON {table} "
                    f"BEGIN UPDATE cache_generation SET n = n + 1 WHERE topic = '{topic}'; END"
                )


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for tables in TOPIC_TABLES.values():
        for table in tables:
            if postgres:
                op.execute(f"DROP TRIGGER IF EXISTS cache_generation_{table} ON {table}")
            else:
                for change in CHANGES:
                    op.execute(f"DROP TRIGGER IF EXISTS cache_generation_{table}_{change}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS cache_generation_bump()")
    op.drop_table("cache_generation")
