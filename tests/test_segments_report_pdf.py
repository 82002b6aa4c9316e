"""Issue 14, item 7: the monthly manager report as a PDF, from a hand-built dashboard (plain data, no refresh).

Read back with pypdf and poppler's ``pdftotext -layout`` and ``pdffonts``: two pages, the headings, the counts
(the heat map's cells row by row, R 5 at the top), guest names in seven scripts, every font embedded; the
dashboard's lists at their full length with long names still on two pages; month names in the report's language
whatever language the previous report was in; and the route, on a refreshed real history, for managers only.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from guestbook.admin.outlets import default_property, property_today
from guestbook.audit import AuditEvent
from guestbook.extensions import db
from guestbook.guests import visits
from guestbook.guests.schemas import VisitCreate
from guestbook.i18n import format_money, format_month, in_language
from guestbook.segments import dashboard
from guestbook.segments import refresh as segment_refresh
from guestbook.segments.figures import Dashboard, GuestLine, MonthPoint, Occasion, WeekPoint
from guestbook.segments.render import report_pdf

from .conftest import AuthActions
from .factories import ACTOR, make_guest

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")), reason="poppler-utils is not installed"
)

AS_OF = date(2026, 11, 3)
MONTH = date(2026, 11, 1)
NAMES = ["王小明", "山田太郎", "김민준", "Дмитрий Иванов", "Γιώργος Παπαδόπουλος", "Zoë Ñúñez", "สมชาย ใจดี"]
RFM = {(r, f): 100 * r + f for r in range(1, 6) for f in range(1, 6)}  # 501 … 505 in the top row


def _line(i: int, name: str, tier: str = "A", lifecycle: str = "regular") -> GuestLine:
    return GuestLine(
        guest_id=i,
        name=name,
        tier=tier,
        vip_level=0,
        influence=None,
        lifecycle=lifecycle,
        rfm_name="champions",
        visits=30 - i,
        visits_12m=20 - i,
        last_visit=datetime(2026, 7, 10 + i, 19, 30, tzinfo=UTC),
        spend_window=Decimal(100_000 - 1000 * i),
        yearly_value=Decimal(12_345 + i),
        p_active=0.4,
        phone=None,
    )


def _dashboard() -> Dashboard:
    first_monday = AS_OF - timedelta(days=AS_OF.weekday()) - timedelta(weeks=52)
    months = [date(2025 + (11 + k) // 12, (11 + k) % 12 + 1, 1) for k in range(12)]  # Dec 2025 … Nov 2026
    return Dashboard(
        as_of=AS_OF,
        computed_at=datetime(2026, 11, 3, 2, 0, tzinfo=UTC),
        today=AS_OF,
        currency="THB",
        window_months=24,
        tiers={"A": 37, "B": 112, "C": 1851},
        lifecycle={"new": 640, "returning": 410, "regular": 233, "at risk": 98, "lapsed": 377, "lost": 242},
        rfm=RFM,
        weeks=[WeekPoint(first_monday + timedelta(weeks=w), 200 + w, 500 + 3 * w) for w in range(53)],
        months=[MonthPoint(m, 300 + 10 * k, 90 + 7 * k) for k, m in enumerate(months)],  # Nov: 377 of 410
        occasions=[
            Occasion(1, NAMES[0], "birthday", date(2026, 11, 4), 40, "A", None),
            Occasion(5, NAMES[4], "anniversary", date(2026, 11, 18), None, "B", None),
            Occasion(7, NAMES[6], "birthday", date(2026, 11, 27), None, "C", None),
        ],
        top=[_line(i, name) for i, name in enumerate(NAMES[:5], start=1)] + [_line(8, "Hans Müller", "B")],
        slipping=[_line(i, name, "B", "at risk") for i, name in enumerate(NAMES[4:], start=5)],
    )


def _empty() -> Dashboard:
    return Dashboard(
        as_of=None, computed_at=None, today=AS_OF, currency="THB", window_months=24,
        tiers={"A": 0, "B": 0, "C": 0}, lifecycle={}, rfm={}, weeks=[], months=[], occasions=[], top=[], slipping=[],
    )  # fmt: skip


def _poppler(tool: str, data: bytes, tmp_path: Path, *args: str) -> str:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    return subprocess.run([tool, *args, str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def _fonts(data: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) of every font ``pdffonts`` lists."""
    pdf = tmp_path / "fonts.pdf"
    pdf.write_bytes(data)
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name, type (one or two words), encoding, emb, sub, uni, object, id: emb is the fifth field from the end
        rows.append((parts[0], parts[-5]))
    return rows


def test_the_report_has_two_pages_with_the_figures_names_and_headings(app: Flask, tmp_path: Path) -> None:
    data = report_pdf(_dashboard(), "Riverside Hotel", MONTH)
    assert data.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    page1 = _poppler("pdftotext", data, tmp_path, "-layout", "-f", "1", "-l", "1")
    page2 = _poppler("pdftotext", data, tmp_path, "-layout", "-f", "2", "-l", "2")
    for text in ("Riverside Hotel", "Manager report — November 2026", "figures as of 3 Nov 2026", "page 1 of 2"):
        assert text in page1
    assert "page 2 of 2" in page2
    # Key figures: guests scored (37 + 112 + 1,851), the tiers, November's returning rate 167 of 410 = 41%.
    assert "2,000" in page1 and "1,851" in page1 and "112" in page1 and "37" in page1
    reading = " ".join(_poppler("pdftotext", data, tmp_path, "-f", "1", "-l", "1").split())  # wrapped labels joined
    assert "Returning guests in November" in reading and "41%" in page1
    assert "Guests by tier" in page1 and "Guests by lifecycle stage" in page1
    for count in ("640", "410", "233", "98", "377", "242"):  # the lifecycle bars' labels
        assert re.search(rf"\b{count}\b", page1), count
    assert "Returning guests by month" in page1  # on page 1, so that page 2 has room for the lists
    for heading in ("Visits and covers per week", "Top guests", "Slipping away"):
        assert heading in page2
    assert "Birthdays and anniversaries this month" in page2
    compact2 = "".join(page2.split())
    for name in NAMES:
        assert "".join(name.split()) in compact2, name
    assert "Hans Müller" in page2
    assert format_money(Decimal(99_000), "THB") in page2  # the first top guest's spend over the window
    assert format_money(Decimal(12_350), "THB") in page2  # the slipping-away Zoë's yearly value at stake
    assert "Birthday (40)" in page2 and "Anniversary" in page2 and "4 Nov 2026" in page2
    # The weekly numbers under the chart: the first week's and the last week's visits and covers.
    assert "200" in page2 and "656" in page2 and "252" in page2
    # The monthly rate and its numbers: December 2025 had 90 returning of 300 guests.
    assert "30%" in page1 and "300" in page1 and "90" in page1


def test_the_heat_map_prints_every_cell_with_r5_on_top_and_f1_on_the_left(app: Flask, tmp_path: Path) -> None:
    page1 = _poppler("pdftotext", report_pdf(_dashboard(), "Riverside Hotel", MONTH), tmp_path, "-layout", "-l", "1")
    rows = {}
    for number, line in enumerate(page1.splitlines()):
        found = [int(n) for n in re.findall(r"\b\d{3}\b", line) if int(n) in RFM.values()]
        if len(found) == 5:
            rows[found[0] // 100] = (number, found)
    assert sorted(rows) == [1, 2, 3, 4, 5], page1
    for r, (_line_no, counts) in rows.items():
        assert counts == [100 * r + f for f in range(1, 6)]  # F 1 to 5, left to right
    assert [rows[r][0] for r in (5, 4, 3, 2, 1)] == sorted(rows[r][0] for r in rows)  # R 5 at the top
    assert "Champions" in page1 and "Can't lose them" in page1 and "Hibernating" in page1


def test_every_font_is_embedded_and_each_script_has_its_font(app: Flask, tmp_path: Path) -> None:
    found = _fonts(report_pdf(_dashboard(), "Riverside Hotel", MONTH), tmp_path)
    assert found and all(emb == "yes" for _name, emb in found), found
    names = " ".join(name for name, _emb in found)
    for font in ("DejaVuSans", "DejaVuSans-Bold", "DroidSansFallback", "NanumGothic", "Loma"):
        assert font in names, names
    assert "Helvetica" not in names


def test_the_report_prints_in_the_viewers_language(app: Flask, tmp_path: Path) -> None:
    with in_language("ja"):
        data = report_pdf(_dashboard(), "リバーサイドホテル", MONTH)
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    text = "".join(_poppler("pdftotext", data, tmp_path, "-layout").split())
    assert "2026年11月" in text and "リバーサイドホテル" in text and "王小明" in text
    assert all(emb == "yes" for _name, emb in _fonts(data, tmp_path))


def test_before_the_first_refresh_the_report_is_one_page_saying_so(app: Flask, tmp_path: Path) -> None:
    data = report_pdf(_empty(), "Riverside Hotel", MONTH)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = _poppler("pdftotext", data, tmp_path, "-layout")
    assert "No figures yet." in text and "no figures yet" in text and "Riverside Hotel" in text
    assert all(emb == "yes" for _name, emb in _fonts(data, tmp_path))


def test_a_refresh_with_no_guests_renders_empty_charts_and_lists(app: Flask, tmp_path: Path) -> None:
    first_monday = AS_OF - timedelta(days=AS_OF.weekday()) - timedelta(weeks=52)
    quiet = Dashboard(
        as_of=AS_OF, computed_at=None, today=AS_OF, currency="THB", window_months=24,
        tiers={"A": 0, "B": 0, "C": 0}, lifecycle={}, rfm={},
        weeks=[WeekPoint(first_monday + timedelta(weeks=w), 0, 0) for w in range(53)],
        months=[MonthPoint(date(2026, m, 1), 0, 0) for m in range(1, 12)], occasions=[], top=[], slipping=[],
    )  # fmt: skip
    data = report_pdf(quiet, "Riverside Hotel", MONTH)
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    text = _poppler("pdftotext", data, tmp_path, "-layout")
    assert "No guests on this list yet." in text and "No birthdays or anniversaries this month." in text


# Long names in Thai, Chinese and Latin scripts, each wrapping in its column.
LONG_NAMES = [
    "สมชาย ใจดีมากมายเหลือเกิน ศรีสุขสวัสดิ์",
    "欧阳娜娜丽丽华华美美",
    "พรรณวดี วงศ์สวัสดิ์ศักดิ์ชัย",
    "司马相如长卿文君",
    "Maximilian von Hohenzollern-Sigmaringen",
    "ประเสริฐศักดิ์ เจริญรุ่งเรืองกิจการ",
    "诸葛孔明卧龙先生",
    "Γιώργος Παπαδόπουλος-Κωνσταντινίδης",
]


def _full_lists() -> Dashboard:
    """The dashboard's lists as long as it lets them be (8 top, 8 slipping away, 12 occasions), long names."""
    occasions = [
        Occasion(i, LONG_NAMES[i % 8], ("birthday", "anniversary")[i % 2], date(2026, 11, 1 + 2 * i), 30 + i, "A", None)
        for i in range(dashboard.OCCASIONS)
    ]
    return replace(
        _dashboard(),
        top=[_line(i, LONG_NAMES[i]) for i in range(dashboard.TOP)],
        slipping=[_line(i, LONG_NAMES[-1 - i], "B", "at risk") for i in range(dashboard.SLIPPING)],
        occasions=occasions,
    )


@pytest.mark.parametrize("language", ["th", "zh_Hans", "en"])
def test_full_lists_with_long_names_fit_on_two_pages(app: Flask, tmp_path: Path, language: str) -> None:
    with in_language(language):
        data = report_pdf(_full_lists(), "โรงแรมริมน้ำ Riverside 河畔酒店", MONTH)
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    page2 = "".join(_poppler("pdftotext", data, tmp_path, "-f", "2", "-l", "2").split())
    for name in LONG_NAMES:  # every list's names, the last occasion's included, are on page 2
        assert "".join(name.split()) in page2, name
    assert "41" in page2  # the twelfth occasion (years 30 + 11), however the language writes "(41)"


def test_a_thai_report_after_a_japanese_one_names_the_months_in_thai(app: Flask, tmp_path: Path) -> None:
    with in_language("ja"):
        japanese = report_pdf(_dashboard(), "H", MONTH)
        assert format_month(MONTH) == "11月"
    with in_language("th"):
        thai = report_pdf(_dashboard(), "H", MONTH)
        assert format_month(MONTH) == "พ.ย."  # the stand-alone pattern LLL Thai uses for the skeleton MMM
    assert "12月" in _poppler("pdftotext", japanese, tmp_path)
    text = _poppler("pdftotext", thai, tmp_path)
    assert "月" not in text
    for month in ("ธ.ค.", "ม.ค.", "พ.ย."):  # the months chart and the weeks chart, December to November
        assert month in text, month
    assert "พฤศจิกายน" in text  # "returning guests in November", the title's month


def _small_history() -> None:
    """Two guests who spent (the top guests are those with spend), refreshed as of today, the day the report
    reads: a regular who came every month for four months, a newcomer who came last week."""
    regular = make_guest(given_name="Anong", family_name="Srisuk")
    newcomer = make_guest(given_name="小明", family_name="王")
    last_week = datetime.now(UTC) - timedelta(days=7)
    for guest_id, months, spend in ((regular.id, 4, "3000.00"), (newcomer.id, 1, "500.00")):
        for month in range(months):
            visit = VisitCreate(
                outlet="terrace", visited_at=last_week - timedelta(days=30 * month), party_size=2, spend=spend
            )
            visits.log_visit(guest_id, visit, ACTOR)
    segment_refresh.refresh(ACTOR, property_today())


def test_the_report_route_serves_managers_the_pdf_and_audits_it(
    app: Flask, client: FlaskClient, auth: AuthActions, tmp_path: Path
) -> None:
    _small_history()
    auth.login("manager")
    response = client.get("/segments/report.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith('inline; filename="manager-report-')
    data = response.get_data()
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    text = "".join(_poppler("pdftotext", data, tmp_path).split())
    assert "".join(default_property().name.split()) in text
    assert "AnongSrisuk" in text and "王小明" in text  # the top guests
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "segments_report")).one()
    assert event.actor and event.detail == property_today().isoformat()


def test_the_report_route_is_for_managers_only(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    _small_history()
    auth.login("floor")
    assert client.get("/segments/report.pdf").status_code == 403
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "segments_report")).first() is None
