"""Import arrivals in a real browser: the dry run fits a 1024 px screen, outlet values map, then the dates imported."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import VIEWPORTS, LiveServer, screenshot, sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots/h1-ops")
# Long values on purpose: a wide export (every column mapped) must still fit the screen.
CSV = (
    "Booking ID,Date,Time,Outlet,First name,Last name,Email,Phone,Birthday,Covers,Table,Nights,Status,Occasion,Notes\n"
    "OT-2001,2026-12-03,19:30,Rooftop Sky Lounge,Maximilian-Alexander,Schwarzenberg-Hohenlohe,"
    "maximilian.alexander.schwarzenberg@example-corporate-travel.de,+49 89 1234 5678,1971-11-22,2,Window 2,,booked,"
    "Birthday,window please and a quiet corner away from the kitchen door thank you very much\n"
    "OT-2002,2026-12-04,20:00,terrace,Αλέξης,Παπαδόπουλος,alexis@example.gr,,,4,Table 12,,booked,,\n"
    "OT-2003,2026-12-04,12:30,terrace,小明,王,wang@example.cn,,,3,Table 5,,booked,,no coriander\n"
    "OT-2004,2026-11-22,,Rooftop Sky Lounge,美咲,伊藤,misaki@example.jp,,,2,Bar 5,,booked,Anniversary,\n"
)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(screenshot(page, name), SHOTS / f"{name}.png")


def _no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, view: window.innerWidth,"
        " body: document.body.scrollWidth})"
    )
    assert widths["scroll"] <= widths["view"] and widths["body"] <= widths["view"], widths


@pytest.mark.parametrize("size", ["1024x768", "768x1024"])
def test_dry_run_fits_maps_outlet_values_and_lands_on_the_dates(
    live_server: LiveServer, new_page: Callable[..., Page], tmp_path: Path, size: str
) -> None:
    export = tmp_path / "arrivals.csv"
    export.write_text(CSV, encoding="utf-8")
    page = new_page(VIEWPORTS[size])
    sign_in(page, live_server, "manager@example.test")
    page.goto(f"{live_server.url}/reservations/import")
    page.get_by_label("Source").fill("opentable")
    page.get_by_label("CSV or XLSX file").set_input_files(str(export))
    page.get_by_role("button", name="Check file (dry run)").click()
    dry_run = page.locator("#dry-run")
    expect(dry_run).to_contain_text("4 rows · 2 problems")
    expect(dry_run).to_contain_text("no outlet of ours matches 'Rooftop Sky Lounge'")
    expect(dry_run.locator(".import-warnings")).to_contain_text("22 Nov 2026 is before today")
    expect(page.locator(".import-preview")).to_contain_text("Schwarzenberg-Hohenlohe")
    _no_sideways_scroll(page)
    _shot(page, f"import-dry-run-{size}")

    page.get_by_label("Our outlet for Rooftop Sky Lounge").select_option("terrace")
    page.get_by_role("button", name="Save outlet values and check again").click()
    expect(dry_run).to_contain_text("0 problems")
    expect(dry_run).to_contain_text("saved for this source")
    _no_sideways_scroll(page)
    _shot(page, f"import-mapped-{size}")

    page.get_by_role("button", name="Import 4 reservations").click()
    page.wait_for_url("**/briefing/?date=*")
    assert page.url.split("date=")[1][:10] in ("2026-12-03", "2026-12-04", "2026-11-22")
    expect(page.locator(".flash").first).to_contain_text("Imported 4 new")
    _shot(page, f"import-landed-{size}")
