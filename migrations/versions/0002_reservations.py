"""reservations, possible matches, import mappings, briefing archive, reads and subscriptions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 08:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

import guestbook.models.base

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "briefing_archive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("briefing_date", sa.Date(), nullable=False),
        sa.Column("outlet_code", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("scheduled", sa.Boolean(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("arrivals_count", sa.Integer(), nullable=False),
        sa.Column("generated_at", guestbook.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("generated_by", sa.String(length=200), nullable=False),
        sa.Column("mailed_to", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_archive")),
        sa.UniqueConstraint(
            "briefing_date",
            "outlet_code",
            "scheduled",
            name=op.f("uq_briefing_archive_briefing_date_outlet_code_scheduled"),
        ),
        sa.UniqueConstraint(
            "briefing_date",
            "outlet_code",
            "version",
            name=op.f("uq_briefing_archive_briefing_date_outlet_code_version"),
        ),
    )
    op.create_table(
        "import_mapping",
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_at", guestbook.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_import_mapping")),
    )
    op.create_table(
        "briefing_read",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("briefing_date", sa.Date(), nullable=False),
        sa.Column("outlet_code", sa.String(length=32), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("first_opened_at", guestbook.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_opened_at", guestbook.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_briefing_read_staff_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_briefing_read")),
        sa.UniqueConstraint(
            "briefing_date",
            "outlet_code",
            "staff_user_id",
            name=op.f("uq_briefing_read_briefing_date_outlet_code_staff_user_id"),
        ),
    )
    with op.batch_alter_table("briefing_read", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_briefing_read_briefing_date"), ["briefing_date"], unique=False)

    op.create_table(
        "briefing_subscription",
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", guestbook.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_briefing_subscription_staff_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_user_id", name=op.f("pk_briefing_subscription")),
    )
    op.create_table(
        "reservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=120), nullable=False),
        sa.Column("guest_id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=False),
        sa.Column("arrival_time", sa.Time(), nullable=True),
        sa.Column("party_size", sa.Integer(), nullable=False),
        sa.Column("table", sa.String(length=40), nullable=False),
        sa.Column("nights", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("occasion", sa.String(length=120), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("match", sa.String(length=10), nullable=False),
        sa.Column("created_at", guestbook.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", guestbook.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["guest_id"], ["guest.id"], name=op.f("fk_reservation_guest_id_guest"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlet.id"], name=op.f("fk_reservation_outlet_id_outlet")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_reservation_source_external_id")),
    )
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.create_index("ix_reservation_day", ["arrival_date", "outlet_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reservation_guest_id"), ["guest_id"], unique=False)

    op.create_table(
        "possible_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.Integer(), nullable=False),
        sa.Column("new_guest_id", sa.Integer(), nullable=True),
        sa.Column("candidate_guest_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", guestbook.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", guestbook.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_guest_id"],
            ["guest.id"],
            name=op.f("fk_possible_match_candidate_guest_id_guest"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["new_guest_id"], ["guest.id"], name=op.f("fk_possible_match_new_guest_id_guest"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservation.id"],
            name=op.f("fk_possible_match_reservation_id_reservation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_possible_match")),
        sa.UniqueConstraint(
            "reservation_id", "candidate_guest_id", name=op.f("uq_possible_match_reservation_id_candidate_guest_id")
        ),
    )
    with op.batch_alter_table("possible_match", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_possible_match_reservation_id"), ["reservation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_possible_match_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("possible_match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_possible_match_status"))
        batch_op.drop_index(batch_op.f("ix_possible_match_reservation_id"))

    op.drop_table("possible_match")
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reservation_guest_id"))
        batch_op.drop_index("ix_reservation_day")

    op.drop_table("reservation")
    op.drop_table("briefing_subscription")
    with op.batch_alter_table("briefing_read", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_briefing_read_briefing_date"))

    op.drop_table("briefing_read")
    op.drop_table("import_mapping")
    op.drop_table("briefing_archive")
