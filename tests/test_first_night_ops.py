"""First night on a fresh install: runtime packages, the property's "today", demo data that fits its names."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from guestbook import demo
from guestbook.admin.outlets import default_property
from guestbook.extensions import db
from guestbook.guests import recognition
from guestbook.guests.models import Guest
from guestbook.guests.schemas import GuestCreate, parse_partial_date
from guestbook.reservations.models import Reservation

from .conftest import AuthActions
from .factories import add_visits, make_guest

ROOT = Path(__file__).resolve().parent.parent
# 20:00 UTC on 2 December is 03:00 on 3 December in Bangkok.
EVENING_UTC = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
BANGKOK_TODAY = date(2026, 12, 3)


# ----- 8.1: every third-party import of guestbook/ is provided by requirements.txt -----------------


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _required_distributions() -> set[str]:
    names: set[str] = set()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(_canonical(re.split(r"[\s\[=<>!~;]", line, maxsplit=1)[0]))
    return names


def _third_party_imports() -> dict[str, list[str]]:
    """Top-level module → where it is imported (any depth: function-level imports count too)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "guestbook").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top in sys.stdlib_module_names or top in ("guestbook", "__future__"):
                    continue
                found.setdefault(top, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_runtime_import_is_pinned_in_requirements_txt() -> None:
    required = _required_distributions()
    providers = importlib.metadata.packages_distributions()
    imports = _third_party_imports()
    assert "pypdf" in imports, "the scan finds guestbook/letters/render.py's pypdf import"
    missing = []
    for module, where in sorted(imports.items()):
        dists = {_canonical(d) for d in providers.get(module, [])}
        if not dists & required:
            missing.append(f"{module} (from {', '.join(sorted(dists)) or 'no installed distribution'}) at {where[0]}")
    assert not missing, "imported by guestbook/ but not in requirements.txt:\n  " + "\n  ".join(missing)


def test_pypdf_is_a_runtime_requirement() -> None:
    assert "pypdf" in _required_distributions()
    dev = (ROOT / "requirements-dev.txt").read_text()
    assert not re.search(r"^pypdf==", dev, re.M), "pinned once, in requirements.txt (dev includes it with -r)"


def test_smoke_script_builds_its_own_venv_and_ci_runs_it() -> None:
    smoke = (ROOT / "scripts" / "smoke").read_text()
    assert "-r requirements.txt" in smoke and "requirements-dev" not in smoke
    assert "smoke_pages.py" in smoke
    assert "scripts/smoke" in (ROOT / ".ci" / "run").read_text()
    assert ".venv-smoke/" in (ROOT / ".gitignore").read_text()


# ----- 8.8: "today" is the property's date ------------------------------------------------------


def _bangkok(app: Flask) -> None:
    prop = default_property()
    prop.timezone = "Asia/Bangkok"
    db.session.commit()


def test_demo_is_dated_by_the_property_day(app: Flask) -> None:
    with time_machine.travel(EVENING_UTC, tick=False):
        assert demo.load_demo(seed=7, guests=40) is True
    days = set(db.session.scalars(select(Reservation.arrival_date).distinct()))
    assert days == {BANGKOK_TODAY, BANGKOK_TODAY + timedelta(days=1)}
    # Mr Yu's story: his birthday is nine property days away.
    yu = db.session.scalar(select(Guest).where(Guest.preferred_name == "Mr Yu"))
    assert yu is not None and (yu.birthday_month, yu.birthday_day) == (12, 12)


def test_card_counts_calendar_days_at_the_property(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    _bangkok(app)
    guest = make_guest(given_name="Nida", family_name="Chai", birthday="--12-03")
    # 1 December, 23:00 in Bangkok: two property days before 3 December 03:00, though only 28 hours.
    add_visits(guest.id, "terrace", [("Table 1", ["tea"])], start=datetime(2026, 12, 1, 16, 0, tzinfo=UTC))
    with time_machine.travel(EVENING_UTC, tick=False):
        auth.login("floor")
        html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
        rec = recognition.recognise(guest)
    assert "last here 1 December 2026 (2 days ago)" in html
    assert rec.occasions == [("birthday", BANGKOK_TODAY)]
    assert re.search(r"Birthday\s*<strong>today</strong>", html)


def test_a_birthday_today_at_the_property_is_not_in_the_future(app: Flask) -> None:
    _bangkok(app)
    with time_machine.travel(EVENING_UTC, tick=False):
        assert parse_partial_date("1990-12-03").iso() == "1990-12-03"
        born_today = GuestCreate(given_name="New", birthday="2026-12-03")
        assert born_today.birthday == "2026-12-03"
        with pytest.raises(ValueError, match="between 1900 and today"):
            parse_partial_date("2026-12-04")


def test_import_error_report_is_named_by_the_property_day(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    _bangkok(app)
    with time_machine.travel(EVENING_UTC, tick=False):
        auth.login("manager")
        token = auth.token("/reservations/import")
        page = client.post(
            "/reservations/import",
            data={
                "csrf_token": token,
                "source": "pms",
                "file": (BytesIO(b"Booking ID,Date,Outlet\n,x,terrace\n"), "a.csv"),
            },
            content_type="multipart/form-data",
        )
        upload = re.search(r'name="token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
        assert upload
        report = client.post(
            "/reservations/import/errors.csv", data={"csrf_token": token, "source": "pms", "token": upload.group(1)}
        )
    assert 'filename="import-errors-2026-12-03.csv"' in report.headers["Content-Disposition"]


# ----- 12 (demo part): salutations that fit the names ------------------------------------------

MALE = {"小明", "伟", "强", "磊", "太郎", "一郎", "健", "민준", "지훈", "예준"}
FEMALE = {"娜", "静", "芳", "秀英", "花子", "さくら", "美咲", "서연"}


def test_demo_salutations_fit_the_given_names(app: Flask) -> None:
    assert demo.load_demo(seed=7, guests=300) is True
    rows = db.session.execute(select(Guest.given_name, Guest.family_name, Guest.salutation)).all()
    checked = 0
    for given, family, salutation in rows:
        if given in MALE:
            assert salutation == "Mr", (family + given, salutation)
            checked += 1
        elif given in FEMALE:
            assert salutation == "Ms", (family + given, salutation)
            checked += 1
        elif given == "수빈":
            assert salutation == "", "a name used by both: no guessed salutation"
    assert checked >= 40
    assert db.session.scalar(select(func.count()).where(Guest.given_name == "娜", Guest.salutation == "Mr")) == 0


def test_reading_the_property_never_writes(app: Flask) -> None:
    """default_property() only reads; without a stored row it answers an unsaved default."""
    from sqlalchemy import delete, func, select

    from guestbook.admin.models import Outlet, Property
    from guestbook.extensions import db

    db.session.execute(delete(Outlet))
    db.session.execute(delete(Property))
    db.session.commit()
    prop = default_property()
    assert prop.id is None and prop.name and prop.timezone == app.config["GUESTBOOK_TIMEZONE"]
    assert not db.session.new and db.session.scalar(select(func.count(Property.id))) == 0
