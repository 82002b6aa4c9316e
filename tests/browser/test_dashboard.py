"""The manager dashboard in a real browser: five SVG charts at tablet and desktop sizes, their tables, the lists
they link to, a CSV export, the we-miss-you button, the role rule and the strict CSP (screenshots kept)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import ConsoleMessage, Locator, Page, expect
from sqlalchemy import func, select

from guestbook.admin.outlets import property_today
from guestbook.extensions import db
from guestbook.guests import visits
from guestbook.guests.schemas import VisitCreate
from guestbook.letters.models import Letter
from guestbook.segments import refresh, scoring
from guestbook.segments.models import GuestSegment

from ..factories import ACTOR, make_guest
from .conftest import TABLET_LANDSCAPE, TABLET_PORTRAIT, LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
SIZES = {"1024x768": TABLET_LANDSCAPE, "768x1024": TABLET_PORTRAIT, "1440x900": DESKTOP}
BANGKOK = ZoneInfo("Asia/Bangkok")
LETTER_GUEST = "Zoë Whitfield"

# Every console error, and every CSP violation the page reports to itself (an init script runs before the page's).
CSP_LISTENER_JS = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""

# The bounding boxes of a card, its chart and every drawn shape and text in the chart, in page pixels.
GEOMETRY_JS = """(card) => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const svg = card.querySelector('svg.chart-svg');
  return {card: box(card), svg: box(svg), visible: svg.checkVisibility(),
          parts: [...svg.querySelectorAll('rect, text, polyline')].map(el => ({tag: el.tagName, text: el.textContent,
                  box: box(el)}))};
}"""


@dataclass(frozen=True)
class Seeded:
    """What the seed made: the guests by key and the figures the refresh stored."""

    guests: dict[str, int]
    tiers: dict[str, int]
    stages: dict[str, int]
    cells: dict[tuple[int, int], int]
    total: int


def _at(day: date, hour: int = 19) -> datetime:
    return datetime.combine(day, time(hour, 30), BANGKOK).astimezone(UTC)


def _visit(guest_id: int, day: date, spend: int, party: int = 2, outlet: str = "terrace") -> None:
    visits.log_visit(
        guest_id,
        VisitCreate(outlet=outlet, visited_at=_at(day), table="T1", party_size=party, spend=f"{spend}.00"),
        ACTOR,
    )


def _every(guest_id: int, today: date, *, gap: int, count: int, since: int, spend: int, party: int = 2) -> None:
    """``count`` visits ``gap`` days apart, the newest ``since`` days ago."""
    for n in range(count):
        _visit(guest_id, today - timedelta(days=since + n * gap), spend + 37 * (n % 3), party)


def _seed_history(server: LiveServer) -> Seeded:
    """About forty guests with varied histories on top of the conftest's five, then the segments refresh."""

    def seed() -> Seeded:
        today = property_today()
        ids = dict(server.guests)
        # Weekly regulars (the conftest's 王小明 among them), spending well.
        regulars = [ids["wang"]] + [
            make_guest(given_name=given, family_name=family, language=lang).id
            for given, family, lang in (
                ("花子", "山田", "ja"),
                ("Priya", "Raman", "en"),
                ("Somchai", "Jaidee", "th"),
                ("Lucía", "Ferrer", "es"),
                ("Олег", "Смирнов", "ru"),
                ("Chen", "Wei", "en"),
            )
        ]
        for i, gid in enumerate(regulars):
            _every(gid, today, gap=7, count=26 + i, since=1 + i, spend=1800 + 300 * i, party=2 + i % 3)
        # Monthly guests.
        monthly = [
            make_guest(given_name=given, family_name=family).id
            for given, family in (("Ingrid", "Berg"), ("Tomás", "Ruiz"), ("민준", "김"), ("Aiko", "Tanaka"))
        ]
        for i, gid in enumerate(monthly):
            _every(gid, today, gap=30, count=10, since=3 + 4 * i, spend=900 + 100 * i)
        # One-timers over the last months, small spend.
        for i, (given, family) in enumerate(
            (
                ("Nok", "Srisai"),
                ("Ahmed", "Khan"),
                ("Mei", "Lin"),
                ("Pierre", "Dubois"),
                ("Sara", "Cohen"),
                ("Kofi", "Mensah"),
                ("Ana", "Sousa"),
                ("Jonas", "Weber"),
            )
        ):
            _visit(make_guest(given_name=given, family_name=family).id, today - timedelta(days=5 + 21 * i), 350)
        # Slipping away: came every week or two for months, stopped two to five months ago.
        slipping = {
            "zoe": make_guest(
                given_name="Zoë",
                family_name="Whitfield",
                language="en",
                marketing_consent=True,
                address={"line1": "12 Sukhumvit Soi 24", "city": "Bangkok", "postal_code": "10110", "country": "TH"},
            ).id,
            "dmitry": make_guest(given_name="Дмитрий", family_name="Иванов", language="ru").id,
            "kenji": make_guest(given_name="健二", family_name="佐藤", language="ja").id,
            "marta": make_guest(given_name="Marta", family_name="Nowak").id,
            "li": make_guest(given_name="娜", family_name="李", language="zh-Hans").id,
            "olu": make_guest(given_name="Olu", family_name="Adeyemi").id,
        }
        for i, gid in enumerate(slipping.values()):
            _every(gid, today, gap=7 + 3 * (i % 2), count=18, since=70 + 15 * i, spend=4200 - 300 * i, party=4)
        # Lapsed (over a year away) and lost (over two years away).
        for i, (given, family) in enumerate((("Hans", "Vogel"), ("Fatima", "Zahra"), ("Ravi", "Patel"))):
            _every(
                make_guest(given_name=given, family_name=family).id,
                today,
                gap=20,
                count=3,
                since=400 + 30 * i,
                spend=700,
            )
        for given, family in (("George", "Hill"), ("Yuki", "Mori")):
            _every(make_guest(given_name=given, family_name=family).id, today, gap=30, count=2, since=800, spend=500)
        # A birthday this month (a guest who has not come yet), and guests with no visits at all.
        make_guest(given_name="Sakura", family_name="山本", birthday=f"1985-{today.month:02d}-{min(today.day, 28):02d}")
        for given, family in (("Ольга", "Петрова"), ("Noah", "Smith"), ("ธนา", "ใจดี")):
            make_guest(given_name=given, family_name=family)

        refresh.refresh(ACTOR, today)
        rows = db.session.execute(select(GuestSegment.tier, GuestSegment.lifecycle, GuestSegment.r, GuestSegment.f))
        tiers = dict.fromkeys(scoring.TIERS, 0)
        stages = dict.fromkeys(scoring.LIFECYCLE_STAGES, 0)
        cells: dict[tuple[int, int], int] = {}
        total = 0
        for tier, stage, r, f in rows:
            total += 1
            tiers[tier] += 1
            if stage:
                stages[stage] += 1
            if r is not None and f is not None:
                cells[(r, f)] = cells.get((r, f), 0) + 1
        return Seeded({**ids, **slipping}, tiers, stages, cells, total)

    seeded: Seeded = server.read(seed)
    # The seed must reach every corner the charts draw: all three tiers and someone slipping away.
    assert all(seeded.tiers[t] > 0 for t in scoring.TIERS), seeded.tiers
    assert seeded.stages["at risk"] >= 2 and seeded.stages["regular"] >= 2, seeded.stages
    return seeded


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def _watch_console(page: Page) -> list[str]:
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(CSP_LISTENER_JS)
    return errors


def _assert_no_csp_violation(page: Page, errors: list[str]) -> None:
    csp = [e for e in errors if "Content Security Policy" in e or "Refused to" in e]
    assert csp == [], csp
    assert page.evaluate("window.__csp") == []


def _card(page: Page, name: str) -> Locator:
    return page.locator("section.card", has=page.locator("figcaption", has_text=name))


def _assert_inside(geometry: dict[str, Any], where: str) -> None:
    """The chart is drawn, inside its card, and no bar or label pokes out of the chart (it would be cut off)."""
    cl, ct, cr, cb = geometry["card"]
    sl, st, sr, sb = geometry["svg"]
    assert geometry["visible"] and sr - sl > 200 and sb - st > 80, (where, geometry["svg"])
    assert cl - 0.5 <= sl and sr <= cr + 0.5 and ct - 0.5 <= st and sb <= cb + 0.5, (
        where,
        geometry["card"],
        geometry["svg"],
    )
    for part in geometry["parts"]:
        left, top, right, bottom = part["box"]
        if right - left == 0 and bottom - top == 0:
            continue  # an empty bar (a week without visits) has no box
        assert sl - 1 <= left and right <= sr + 1 and st - 1 <= top and bottom <= sb + 1, (where, part, geometry["svg"])


def _table_rows(card: Locator) -> list[list[str]]:
    card.locator("details.chart-table summary").click()
    table = card.locator("details.chart-table table")
    expect(table).to_be_visible()
    return [
        [cell.strip() for cell in row]
        for row in table.locator("tbody tr").evaluate_all(
            "rows => rows.map(r => [...r.children].map(c => c.innerText))"
        )
    ]


def _check_hbars(page: Page, caption: str, expected: dict[str, int], where: str) -> None:
    card = _card(page, caption)
    bars = card.locator("svg rect.chart-bar")
    expect(bars).to_have_count(len(expected))
    widths = [box["width"] for box in (bars.nth(i).bounding_box() or {"width": 0} for i in range(len(expected)))]
    values = [_number(v) for v in card.locator("svg text.chart-value").all_text_contents()]
    assert values == list(expected.values()), (where, caption, values, expected)
    # Drawn bars: every one has a width, and a longer bar means more guests (the same order as the counts).
    assert all(w > 0 for w in widths), (where, caption, widths)
    biggest = max(values)
    for width, value in zip(widths, values, strict=True):
        if value:
            assert width == pytest.approx(max(widths) * value / biggest, abs=1.5), (where, caption, widths, values)
    _assert_inside(card.evaluate(GEOMETRY_JS), f"{where} {caption}")
    rows = _table_rows(card)
    labels = card.locator("svg text.chart-label").all_text_contents()
    assert [(r[0], _number(r[1])) for r in rows] == list(zip(labels, values, strict=True)), (where, caption, rows)


def _check_charts(page: Page, seeded: Seeded, where: str) -> None:
    tier_labels = {f"Tier {t}": n for t, n in seeded.tiers.items()}
    _check_hbars(page, "Guests by tier", tier_labels, where)
    _check_hbars(page, "Guests by stage", seeded.stages, where)

    heat = _card(page, "Recency and frequency")
    cells = heat.locator("svg.heat a rect")
    expect(cells).to_have_count(25)
    drawn = [_number(t) for t in heat.locator("svg.heat text.heat-count").all_text_contents()]
    expected = [seeded.cells.get((r, f), 0) for r in range(5, 0, -1) for f in range(1, 6)]
    assert drawn == expected, (where, drawn, expected)
    _assert_inside(heat.evaluate(GEOMETRY_JS), f"{where} heat map")
    rows = _table_rows(heat)
    assert [_number(cell.split("\n")[0]) for row in rows for cell in row[1:]] == expected, (where, rows)

    weekly = _card(page, "Visits and covers per week")
    bars = weekly.locator("svg rect.chart-bar.visits")
    expect(bars).to_have_count(53)
    line = weekly.locator("svg polyline.covers-line")
    expect(line).to_have_count(1)
    assert len((line.get_attribute("points") or "").split()) == 53
    _assert_inside(weekly.evaluate(GEOMETRY_JS), f"{where} weekly")
    heights = [float(h) for h in bars.evaluate_all("bars => bars.map(b => b.getAttribute('height'))")]
    week_rows = _table_rows(weekly)[::-1]  # the table is newest first
    week_visits = [_number(r[1]) for r in week_rows]
    assert len(week_visits) == 53 and sum(week_visits) > 0
    tallest = max(week_visits)
    for height, count in zip(heights, week_visits, strict=True):
        assert height == pytest.approx(heights[week_visits.index(tallest)] * count / tallest, abs=0.2), where

    rate = _card(page, "Returning guests by month")
    expect(rate.locator("svg rect.chart-bar.rate")).to_have_count(12)
    _assert_inside(rate.evaluate(GEOMETRY_JS), f"{where} returning rate")
    drawn_rates = rate.locator("svg text.chart-value").all_text_contents()
    table_rates = [r[3] for r in _table_rows(rate)[::-1] if r[3] != "–"]
    assert drawn_rates == table_rates and len(drawn_rates) >= 10, (where, drawn_rates, table_rates)


def test_dashboard_charts_at_tablet_and_desktop_sizes(live_server: LiveServer, new_page: Callable[..., Page]) -> None:
    seeded = _seed_history(live_server)
    page = new_page(TABLET_LANDSCAPE)
    errors = _watch_console(page)
    sign_in(page, live_server, "manager@example.test")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")).to_be_visible()
    for name, size in SIZES.items():
        page.set_viewport_size({"width": size["width"], "height": size["height"]})
        response = page.goto(f"{live_server.url}/segments/")
        assert response is not None and response.status == 200
        assert "style-src 'self'" in (response.headers.get("content-security-policy") or "")
        expect(page.get_by_role("heading", name="Guests at a glance")).to_be_visible()
        expect(page.get_by_text(f"{seeded.total} guests.", exact=False)).to_be_visible()
        screenshot(page, f"dashboard-{name}")
        _check_charts(page, seeded, name)  # opens every "Show as a table"
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (name, width)
        if name == "1024x768":
            screenshot(page, f"dashboard-{name}-tables-open")
    _assert_no_csp_violation(page, errors)


def _open_list_from(page: Page, target: Locator, title: str, count: int) -> None:
    target.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text(f"{count} guest" + ("s" if count != 1 else ""), exact=False).first).to_be_visible()
    expect(page.locator("table.list tbody tr")).to_have_count(count)


def test_charts_open_their_lists_and_export_them(
    live_server: LiveServer, new_page: Callable[..., Page], tmp_path: Path
) -> None:
    seeded = _seed_history(live_server)
    page = new_page(TABLET_PORTRAIT)
    errors = _watch_console(page)
    sign_in(page, live_server, "manager@example.test")

    # The fullest heat-map cell opens its guests.
    page.goto(f"{live_server.url}/segments/")
    (r, f), count = max(seeded.cells.items(), key=lambda item: item[1])
    cell = page.locator(f'svg.heat a[href$="value={r},{f}"], svg.heat a[href$="value={r}%2C{f}"]')
    _open_list_from(page, cell.locator("rect"), f"Recency {r}, frequency {f}", count)

    # Tier A's bar opens the tier A guests, and their CSV has a line per guest.
    page.goto(f"{live_server.url}/segments/")
    _open_list_from(
        page, _card(page, "Guests by tier").locator("rect.chart-bar").first, "Tier A guests", seeded.tiers["A"]
    )
    names = page.locator("table.list tbody tr td:first-child a").all_inner_texts()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    saved = tmp_path / "tier-a.csv"
    download_info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert text.startswith("guest_id,name"), text[:80]
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert len(rows) == seeded.tiers["A"]
    assert sorted(row[1] for row in rows) == sorted(names)
    screenshot(page, "dashboard-list-tier-a-768x1024")
    _assert_no_csp_violation(page, errors)


def test_we_miss_you_button_queues_a_letter(live_server: LiveServer, new_page: Callable[..., Page]) -> None:
    seeded = _seed_history(live_server)
    zoe = seeded.guests["zoe"]
    page = new_page(TABLET_LANDSCAPE)
    errors = _watch_console(page)
    sign_in(page, live_server, "manager@example.test")
    page.goto(f"{live_server.url}/segments/")
    slipping = page.locator("section.card.slipping")
    entry = slipping.locator("li", has=page.get_by_role("link", name=LETTER_GUEST, exact=True))
    expect(entry).to_have_count(1)
    entry.get_by_role("button", name=re.compile("^We-miss-you letter")).click()
    expect(page.locator(".flash-success")).to_contain_text(f"A we-miss-you letter for {LETTER_GUEST} is in the batch")
    expect(page.get_by_role("heading", name="Guests at a glance")).to_be_visible()  # back on the dashboard

    def letters() -> list[tuple[str, str]]:
        found = db.session.execute(select(Letter.kind, Letter.status).where(Letter.guest_id == zoe))
        return [(kind, status) for kind, status in found]

    assert live_server.read(letters) == [("we_miss_you", "drafted")]
    assert live_server.read(lambda: db.session.scalar(select(func.count()).select_from(Letter))) == 1
    screenshot(page, "dashboard-letter-queued-1024x768", full_page=False)
    _assert_no_csp_violation(page, errors)


def test_only_managers_and_admins_see_the_dashboard(live_server: LiveServer, new_page: Callable[..., Page]) -> None:
    floor = new_page(TABLET_LANDSCAPE)
    sign_in(floor, live_server, "floor@example.test")
    expect(floor.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")).to_have_count(0)
    response = floor.goto(f"{live_server.url}/segments/")
    assert response is not None and response.status == 403
    expect(floor.get_by_role("heading", level=1)).to_have_text("403")
    expect(floor.get_by_text("Your role does not allow this.")).to_be_visible()
    for role in ("concierge", "admin"):
        page = new_page(TABLET_LANDSCAPE)
        sign_in(page, live_server, f"{role}@example.test")
        dashboard_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")
        expect(dashboard_link).to_have_count(1 if role == "admin" else 0)
