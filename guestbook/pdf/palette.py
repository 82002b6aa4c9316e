"""The house colours every Guestbook PDF shares (the briefing, the segments report, page numbers)."""

from __future__ import annotations

from reportlab.lib import colors

INK = colors.HexColor("#1d232b")
MUTED = colors.HexColor("#5b6673")
LINE = colors.HexColor("#c9d0d8")
ACCENT = colors.HexColor("#0f5c4d")
