"""One arrival of the briefing PDF as one row: what each of its seven columns says.

``ArrivalRows.row`` turns a ``briefing.sheet.Arrival`` (plain data) into an ``ArrivalBlock`` (``render_block``,
which lays the columns out and draws them); ``render`` assembles the document.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PIL import Image
from reportlab.lib.utils import ImageReader

from guestbook.briefing.render_block import (
    ALLERGY,
    ALLERGY_BG,
    ALLERGY_INK,
    BODY,
    NAME,
    PHOTO_SIZE,
    SMALL,
    TIME,
    WARN_BG,
    WARN_LINE,
    ArrivalBlock,
    Box,
    Photo,
    Text,
    labelled,
    text,
)
from guestbook.guests.labels import attendance_parts, influence_label
from guestbook.i18n import format_day, gettext, ngettext
from guestbook.pdf.palette import ACCENT, INK
from guestbook.reservations.labels import severity_text, status_label

if TYPE_CHECKING:
    from guestbook.briefing.sheet import Arrival

# Of the width: Time, Party, Table/room, Guest, Their usual, Allergies, Tonight.
COLUMN_SHARE = (0.07, 0.053, 0.092, 0.175, 0.23, 0.17, 0.21)

PHOTO_PIXELS = 144  # the printed photo's longest side: 12 mm at about 300 dpi, so 500 photos stay small
USUAL_ITEMS = 3  # the sheet names the first three usual items; the screen and the card have them all
COMPANIONS = 3  # related guests on the same sheet named per arrival (a row must fit a page); the screen has all


def sheet_record_line(record: dict[str, Any]) -> str:
    """The record as the printed sheet's short line: ``12 mo: 8 visits · 1 no-show``, or "".

    Shorter than the card's (``history.history_line``) so a dense page stays dense: it says only what
    the "Their usual" column does not (that column has every visit and the last one). Visits in the last
    12 months are named when some are recent and some older, then no-shows and late cancellations.
    Never spend: the sheet is handed out at the pre-shift meeting, whoever printed it, and paper cannot
    keep a figure from the roles that may not see it (the screen and the JSON follow ``card_spend_roles``).
    """
    if not record:
        return ""
    visits, every_visit = record["visits_12m"], record["visits_total"]
    parts: list[str] = []
    # None in 12 months says nothing the column's "last 3 Mar 2025" does not.
    if visits != every_visit and visits > 0:
        # Translators: the printed briefing's short record; "12 mo" means "in the last 12 months": keep it short.
        parts.append(ngettext("12 mo: %(num)d visit", "12 mo: %(num)d visits", visits))
    return " · ".join([*parts, *attendance_parts(record)])


def _photo(data: bytes) -> Photo | None:
    """The photo made small for print (a 400 px original for a 12 mm square is wasted bytes); None when the
    bytes are not an image Pillow reads, so a damaged photo never stops the nightly sheet."""
    try:
        with Image.open(io.BytesIO(data)) as original:
            original.load()
            small = original.copy()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    small.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS), Image.Resampling.LANCZOS)
    if small.mode not in ("RGB", "RGBA", "L", "LA"):
        small = small.convert("RGBA" if "transparency" in small.info or small.mode == "P" else "RGB")
    return Photo(ImageReader(small), PHOTO_SIZE)


class ArrivalRows:
    """Column widths and formatting shared by the rows of one document: one row per arrival."""

    def __init__(self, width: float, tz: ZoneInfo) -> None:
        self.widths = [width * share for share in COLUMN_SHARE]
        self.tz = tz

    def row(self, a: Arrival) -> ArrivalBlock:
        """One arrival as one row: time, party, table/room, guest, their usual, allergies, tonight."""
        when: list[Text | Box | Photo] = [text(a.time_label, TIME)]
        party: list[Text | Box] = [text(str(a.party_size), TIME)]
        place: list[Text | Box] = [text(a.table, BODY, bold=True)] if a.table else []
        if a.nights:
            place.append(text(ngettext("%(num)d night", "%(num)d nights", a.nights), SMALL))
        # Translators: heads the rest of one arrival's row on the next page of the briefing sheet.
        continued = gettext("%(time)s %(name)s (continued)", time=a.time_label, name=a.name)
        return ArrivalBlock(
            [when, party, place, self._guest(a), self._usual(a), self._allergies(a), self._tonight(a)],
            self.widths,
            continued,
        )

    def _guest(self, a: Arrival) -> list[Text | Box | Photo]:
        greet = a.greeting
        parts: list[tuple[str, bool]] = [(a.name, True)]
        if a.vip_level:
            parts.append(("  " + gettext("VIP %(level)s", level=a.vip_level), True))
        if a.tier == "A":  # B and C are most guests: only the top of the pyramid is worth the ink
            parts.append(("  " + gettext("Tier %(tier)s", tier=a.tier), True))
        if a.influence:
            parts.append(("  " + influence_label(a.influence), True))
        if a.status != "booked":  # arrived, seated…: beside the name, the narrow time column cannot hold it
            parts.append(("  " + status_label(a.status).upper(), True))
        who: list[Text | Box | Photo] = [Text(tuple(parts), NAME.fontSize, NAME.leading, INK)]
        # Greeting and company share a line: one row per arrival stays short.
        company = [(" · " + a.company, False)] if a.company else []
        if greet and greet != a.name:
            who.append(Text(((greet, False), *company), SMALL.fontSize, SMALL.leading, INK))
        elif a.company:
            who.append(text(a.company, SMALL))
        if a.say:  # the pronunciation on file, else a romanisation of a greeting in a script staff may not read
            who.append(labelled(gettext("Say:"), a.say))
        if a.tags:  # short text: the colours are for the screen
            who.append(Text(((" · ".join(a.tag_names), True),), SMALL.fontSize, SMALL.leading, ACCENT))
        line = sheet_record_line(a.record)
        if line:
            who.append(text(line, SMALL))
        for companion in a.companions[:COMPANIONS]:  # who they come with: greet them together
            who.append(text(companion.line, BODY))
        if len(a.companions) > COMPANIONS:
            more = len(a.companions) - COMPANIONS
            # Translators: more related guests on the same sheet than the printed row names.
            more_line = ngettext(
                "and %(num)d more they know (see the screen)", "and %(num)d more they know (see the screen)", more
            )
            who.append(text(more_line, SMALL))
        photo = _photo(a.photo) if a.photo else None
        if photo is not None:  # the name keeps the cell's width; the photo floats beside what follows it
            who.insert(1, photo)
        return who

    def _usual(self, a: Arrival) -> list[Text | Box]:
        usual: list[Text | Box] = []
        if a.first_visit and a.possible_matches:
            # A blank profile made for a name-only booking: never "first visit" while it may be a regular.
            usual.append(text(gettext("New profile — may be a known guest"), BODY, bold=True))
        elif a.first_visit:
            usual.append(Text(((gettext("First visit — welcome them"), True),), BODY.fontSize, BODY.leading, ACCENT))
        else:
            last = format_day(a.last_visit_at.astimezone(self.tz)) if a.last_visit_at else "—"
            # No label and no outlet: the column says "their usual", the visits' outlets are on the card.
            visits = ngettext("%(num)d visit, last %(day)s", "%(num)d visits, last %(day)s", a.visit_count, day=last)
            usual.append(text(visits, BODY))
        habits: list[tuple[str, bool]] = []  # seat and order share a paragraph: one row stays short
        if a.usual_seat:
            habits += [(gettext("Seat:"), True), (" " + a.usual_seat, False)]
        if a.usual_order:
            habits += [("  " + gettext("Usual:") if habits else gettext("Usual:"), True)]
            habits += [(" " + ", ".join(a.usual_order[:USUAL_ITEMS]), False)]
        if a.seat_elsewhere:  # another outlet's habit, labelled with it (evidence on screen)
            habits += [("  " + gettext("Seat") if habits else gettext("Seat"), True)]
            habits += [(" " + a.seat_elsewhere.label, False)]
        if habits:
            usual.append(Text(tuple(habits), BODY.fontSize, BODY.leading, INK))
        return usual

    def _allergies(self, a: Arrival) -> list[Text | Box]:
        cell: list[Text | Box] = []
        if a.allergies:  # in a box: never cut, however long
            lines = tuple(
                text(
                    gettext(
                        "ALLERGY: %(allergen)s (%(severity)s) — %(note)s",
                        allergen=allergen,
                        severity=severity_text(severity),
                        note=note,
                    )
                    if note
                    else gettext(
                        "ALLERGY: %(allergen)s (%(severity)s)", allergen=allergen, severity=severity_text(severity)
                    ),
                    ALLERGY,
                )
                for allergen, severity, note in a.allergies
            )
            cell.append(Box(lines, ALLERGY_BG, ALLERGY_INK))
        if a.diets:  # a choice, not a danger: a plain line, never in the allergy box
            cell.append(labelled(gettext("Diet:"), " · ".join(a.diets)))
        return cell

    def _tonight(self, a: Arrival) -> list[Text | Box]:
        tonight: list[Text | Box] = []
        for candidate in a.possible_matches:  # safety first: who this may be, with their allergies
            line = text(candidate.line, ALLERGY if candidate.allergies else BODY, bold=True)
            tonight.append(
                Box((line,), ALLERGY_BG, ALLERGY_INK) if candidate.allergies else Box((line,), WARN_BG, WARN_LINE)
            )
        for occasion in a.occasions:
            tonight.append(labelled(gettext("Occasion:"), occasion))
        for complaint in a.complaints:
            summary = (
                gettext("%(summary)s — promised: %(promised)s", summary=complaint.summary, promised=complaint.promised)
                if complaint.promised
                else complaint.summary
            )
            tonight.append(Box((labelled(gettext("Last time:"), summary),), WARN_BG, WARN_LINE))
        if a.notes:
            tonight.append(labelled(gettext("Notes:"), a.notes))
        if a.last_said:
            tonight.append(labelled(gettext("Last time they said:"), a.last_said, SMALL))
        return tonight
