"""A ReportLab canvas that writes "page X of Y" on every page once the page count is known."""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from guestbook.i18n import gettext
from guestbook.pdf import fonts
from guestbook.pdf.palette import MUTED


class NumberedCanvas(Canvas):  # type: ignore[misc]
    """Pages are kept until ``save``, then each gets "page X of Y" (in the current language) at its bottom right.

    Subclasses set the footer's ``margin`` (from the page edge), font ``size`` and ``color``.
    """

    margin: float = 13 * mm
    size: float = 8
    color: Any = MUTED

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initialFontName"] = kwargs.get("initialFontName") or fonts.SANS  # not a non-embedded Helvetica
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFillColor(self.color)
            label = gettext("page %(page)d of %(total)d", page=self._pageNumber, total=total)
            fonts.draw_string(
                self, self._pagesize[0] - self.margin, self.margin - 4 * mm, label, self.size, align="right"
            )
            super().showPage()
        super().save()
