"""Search index tables, kept up to date by ``guests.search`` on every guest write."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from guestbook.extensions import Base

# Tokens compare in code-point order on every database, so a prefix is one index range (see
# ``guests.search_sql.prefix_upper``): SQLite's default BINARY collation, "C" on PostgreSQL.
TOKEN_TYPE = String(120).with_variant(String(120, collation="C"), "postgresql")


class GuestToken(Base):
    """One normalised search token of a guest. The key orders a token's guests by recency of visit."""

    __tablename__ = "guest_token"
    __table_args__ = (Index("ix_guest_token_guest", "guest_id", "token"), {"sqlite_with_rowid": False})

    token: Mapped[str] = mapped_column(TOKEN_TYPE, primary_key=True)
    recency: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # minus the last-visit epoch: newest first
    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), primary_key=True)


class GuestSearchKey(Base):
    """A guest's normalised search forms: every token, and each full-name form for exact matches."""

    __tablename__ = "guest_search_key"

    guest_id: Mapped[int] = mapped_column(ForeignKey("guest.id", ondelete="CASCADE"), primary_key=True)
    tokens: Mapped[str] = mapped_column(Text)  # space-separated
    name_forms: Mapped[str] = mapped_column(Text)  # "|"-separated, each a sorted space-joined token list
    phone_digits: Mapped[str] = mapped_column(String(40), default="")


class SearchVocabVariant(Base):
    """A one-letter deletion of a known token, for typo-tolerant lookup (symmetric delete)."""

    __tablename__ = "search_vocab_variant"
    __table_args__ = {"sqlite_with_rowid": False}

    variant: Mapped[str] = mapped_column(String(120), primary_key=True)
    token: Mapped[str] = mapped_column(String(120), primary_key=True)


class SearchRateWindow(Base):
    """How many searches one principal (a staff account or an API key) made in one clock minute.

    Fixed one-minute windows in the database, so the limit holds across every web worker.
    """

    __tablename__ = "search_rate_window"

    principal: Mapped[str] = mapped_column(String(80), primary_key=True)  # "staff:12", "apikey:3"
    minute: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # minutes since the Unix epoch
    count: Mapped[int] = mapped_column(Integer, default=0)
