"""The property's timezone comes from GUESTBOOK_TIMEZONE until an admin sets it.

The first migration created the default property in UTC while the configuration's default is
Asia/Bangkok, so screens, briefings and letters could disagree about what "today" is. A property
that nobody has configured yet (still "My Property" in UTC) takes the configured timezone.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

PROPERTY = sa.table("property", sa.column("name", sa.String), sa.column("timezone", sa.String))


def upgrade():
    configured = current_app.config.get("GUESTBOOK_TIMEZONE") or "UTC"
    op.execute(
        PROPERTY.update()
        .where(PROPERTY.c.name == "My Property", PROPERTY.c.timezone == "UTC")
        .values(timezone=configured)
    )


def downgrade():
    pass  # the timezone is a setting now; going back does not unset it
