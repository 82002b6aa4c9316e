"""The staff interface's languages: complete catalogs, who sees which language, locale formats, English machines."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from click.testing import Result
from flask import Flask, g
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from guestbook.admin.settings import set_setting
from guestbook.extensions import db
from guestbook.i18n import (
    LANGUAGES,
    best_language,
    day_formatter,
    format_day,
    format_money,
    format_time,
    format_weekday,
    gettext,
    in_language,
    ngettext,
    normalise_language,
)
from guestbook.staff.models import StaffUser

from .conftest import AuthActions
from .factories import ACTOR

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "guestbook" / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog(language: str) -> Catalog:
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def _fresh_template(tmp_path: Path) -> Catalog:
    """What ``scripts/i18n extract`` finds in the code today."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "i18n"), "extract"],
        check=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "PYBABEL": str(Path(sys.executable).parent / "pybabel"), "I18N_POT": str(pot)},
    )
    with open(pot, "rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_shipped_catalog_is_complete_and_current(language: str, tmp_path: Path) -> None:
    """Every message of the code is in the catalog, translated (every plural form), not fuzzy, same placeholders."""
    catalog = _catalog(language)
    template = _fresh_template(tmp_path)
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    present = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert not wanted - present, (
        f"{language}: not in the catalog (run scripts/i18n update): {sorted(wanted - present)[:20]}"
    )
    problems: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not strings or not all(s.strip() for s in strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        expected = set(PLACEHOLDER.findall(ids[-1])) | set(PLACEHOLDER.findall(ids[0]))
        for text in strings:
            found = set(PLACEHOLDER.findall(text))
            if not found <= expected:
                problems.append(f"unknown placeholder in {ids[0]!r}: {sorted(found - expected)}")
            if len(ids) == 1 and found != expected:
                problems.append(f"placeholders differ in {ids[0]!r}: {sorted(expected)} vs {sorted(found)}")
    assert not problems, f"{language}:\n" + "\n".join(problems[:40])
    assert len(present) > 300, "the catalog is suspiciously small"


def test_catalogs_compile_and_translate(app: Flask) -> None:
    with app.test_request_context("/"):
        for language, sample in (("th", "ภ"), ("ja", ""), ("zh_Hans", "")):
            with in_language(language):
                text = gettext("Guests")
                assert text != "Guests", f"{language}: no compiled catalog (scripts/i18n compile)"
                if sample:
                    assert sample in text or re.search(r"[\u0E00-\u0E7F]", text)


def test_plural_forms(app: Flask) -> None:
    with app.test_request_context("/"):
        with in_language("en"):
            assert ngettext("%(num)d visit", "%(num)d visits", 1) == "1 visit"
            assert ngettext("%(num)d visit", "%(num)d visits", 3) == "3 visits"
        for language in ("th", "ja", "zh_Hans"):
            with in_language(language):
                three = ngettext("%(num)d visit", "%(num)d visits", 3)
                assert "3" in three and "visit" not in three


def test_language_tags() -> None:
    assert normalise_language("zh-CN") == "zh_Hans"
    assert normalise_language("zh-Hans-CN") == "zh_Hans"
    assert normalise_language("zh-TW") is None
    assert normalise_language("th-TH") == "th"
    assert normalise_language("fr") is None
    assert best_language([("fr", 1.0), ("ja-JP", 0.8), ("th", 0.5)]) == "ja"
    assert best_language([("de", 1.0)]) is None


def test_dates_times_money_in_the_viewers_locale(app: Flask) -> None:
    day = date(2026, 12, 3)
    with app.test_request_context("/"):
        with in_language("en"):
            assert format_day(day) == "3 Dec 2026"
            assert format_day(day, width="long") == "3 December 2026"
            assert format_weekday(day) == "Thu 3 Dec"
        with in_language("th"):
            assert format_day(day) == "3 ธ.ค. 2569"  # the Buddhist year by default
            assert "2569" in format_day(day, width="long") and "ธันวาคม" in format_day(day, width="long")
        with in_language("ja"):
            assert format_weekday(day) == "12月3日(木)"
            assert format_day(day) == "2026年12月3日"
        with in_language("zh_Hans"):
            assert format_day(day) == "2026年12月3日"
    set_setting("thai_buddhist_year", False, ACTOR)  # read once per request: the next one sees it
    g.pop("_buddhist_year", None)  # the test's app context outlives its requests; a real request starts clean
    with app.test_request_context("/"):
        with in_language("th"):
            assert format_day(day) == "3 ธ.ค. 2026"
        for language in LANGUAGES:
            with in_language(language):
                assert format_time(time(19, 30)) == "19:30"
                assert format_time(datetime(2026, 12, 3, 7, 5)) == "07:05"
        with in_language("th"):
            assert format_money("1250", "THB") == "฿1,250.00"
        with in_language("en"):
            assert format_money("1250", "THB").replace("\xa0", " ").replace("THB ", "THB") == "THB1,250.00"


def test_a_lists_day_formatter_formats_as_format_day(app: Flask) -> None:
    """``day_formatter`` (a result list's dates) says what ``format_day`` says, the Thai era included, per language."""
    days = [date(2026, 12, 3), date(2025, 1, 31), date(2024, 2, 29)]
    for buddhist in (True, False):
        set_setting("thai_buddhist_year", buddhist, ACTOR)
        g.pop("_buddhist_year", None)
        with app.test_request_context("/"):
            for language in LANGUAGES:
                with in_language(language):
                    for width in ("medium", "long"):
                        formatted = day_formatter(width)
                        assert [formatted(d) for d in days] == [format_day(d, width=width) for d in days]
            with in_language("th"):
                assert ("2569" in day_formatter("long")(days[0])) is buddhist


def test_a_historys_datetime_formatter_formats_as_local_datetime(app: Flask) -> None:
    """``local_datetime_formatter`` (a card's history; the ``local_datetime`` filter is it for one value) says the
    property's day in full and the time, in the viewer's words, per language."""
    from datetime import UTC

    from guestbook.admin.outlets import property_tz
    from guestbook.guests.filters import local_datetime, local_datetime_formatter

    moments = [datetime(2026, 12, 3, 23, 59, tzinfo=UTC), datetime(2024, 2, 29, 6, 5, tzinfo=UTC)]
    with app.test_request_context("/"):
        for language in LANGUAGES:
            with in_language(language):
                expected = [
                    gettext("%(date)s, %(time)s", date=format_day(local.date(), width="long"), time=format_time(local))
                    for local in (m.astimezone(property_tz()) for m in moments)
                ]
                formatted = local_datetime_formatter()
                assert [formatted(m) for m in moments] == expected, language
                assert [local_datetime(m) for m in moments] == expected, language
        assert local_datetime(None) == ""
        with in_language("en"):
            assert local_datetime_formatter()(moments[0]).endswith(", 06:59")  # Bangkok, the demo property's zone


def test_template_gettext_says_what_jinjas_newstyle_gettext_says(app: Flask) -> None:
    """``_``, ``gettext`` and ``ngettext`` in templates are ours (one call each, not Jinja's three); every output equals
    Jinja's own newstyle functions over the same catalogue: escaping, ``%%``, plurals, ``num``, autoescape off."""
    from jinja2 import Environment

    from guestbook.i18n import _translations

    stock = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    stock.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
    )
    ours = app.jinja_env
    assert ours.globals["_"] is ours.globals["gettext"] and ours.globals["_"] is not stock.globals["gettext"]
    sources = [
        "{{ _('Guests') }}|{{ gettext('Guests') }}",
        "{{ _('No guest matches “%(query)s”.', query=q) }}",
        "{{ _('%(pct)s%% likely still a guest', pct=7) }}|{{ _('100%% sure') }}",
        "{{ ngettext('%(num)d visit', '%(num)d visits', n) }}|{{ ngettext('%(num)d visit', '%(num)d visits', 1) }}",
        "{{ ngettext('%(num)d visit', '%(num)d visits', n, num=5) }}",
        "{% trans %}Guests{% endtrans %}",
        "{% trans count=n %}{{ count }} visit{% pluralize %}{{ count }} visits{% endtrans %}",
        "{% autoescape false %}{{ _('No guest matches “%(query)s”.', query=q) }}{% endautoescape %}",
    ]
    values = {"q": "<b>Tom & Jerry</b>", "n": 3}
    with app.test_request_context("/"):
        for language in LANGUAGES:
            with in_language(language):
                for source in sources:
                    expected = stock.from_string(source).render(values)
                    assert ours.from_string(source).render(values) == expected, (language, source)
                    if "autoescape false" not in source:
                        assert "<b>" not in expected  # the stock functions escape: the comparison means something


def _login_page(client: FlaskClient, accept: str | None) -> str:
    headers = {"Accept-Language": accept} if accept else {}
    return client.get("/login", headers=headers).get_data(as_text=True)


def test_sign_in_page_follows_the_browser_then_the_property(app: Flask, client: FlaskClient) -> None:
    assert 'lang="th"' in _login_page(client, "th-TH,th;q=0.9,en;q=0.5")
    assert 'lang="zh-Hans"' in _login_page(client, "zh-CN,zh;q=0.9")
    assert 'lang="ja"' in _login_page(client, "fr-FR, ja;q=0.4")
    assert 'lang="en"' in _login_page(client, "fr-FR")
    set_setting("ui_default_language", "th", ACTOR)
    page = _login_page(client, "fr-FR")
    assert 'lang="th"' in page and re.search(r"[\u0E00-\u0E7F]", page)
    assert 'lang="th"' in _login_page(client, None)


def test_account_language_switches_every_screen_at_once(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("floor")
    assert 'lang="en"' in client.get("/guests/").get_data(as_text=True)
    response = client.post(
        "/account/language", data={"language": "th", "csrf_token": auth.token()}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 302
    page = client.get("/guests/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="th"' in page and re.search(r"[\u0E00-\u0E7F]", page)
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "floor@example.test"))
    assert user is not None and user.language == "th"
    assert client.post("/account/language", data={"language": "xx", "csrf_token": auth.token()}).status_code == 400
    assert client.post("/account/language", data={"language": "ja"}).status_code == 400  # no CSRF token


def test_api_and_its_errors_stay_english_for_a_thai_account(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("manager")
    client.post("/account/language", data={"language": "th", "csrf_token": auth.token()})
    assert 'lang="th"' in client.get("/guests/").get_data(as_text=True)
    response = client.get("/api/v1/guests/999999999")
    assert response.status_code == 404
    assert not re.search(r"[\u0E00-\u0E7F]", response.get_data(as_text=True))
    bad = client.get("/api/v1/guests?limit=abc")
    assert bad.status_code in (400, 422)
    assert not re.search(r"[\u0E00-\u0E7F]", bad.get_data(as_text=True))


def _create(runner: FlaskCliRunner, email: str, language: str) -> Result:
    return runner.invoke(
        args=[
            *("users", "create", "--email", email, "--name", "Somchai", "--role", "floor"),
            *("--password", "a-long-password", "--language", language),
        ]
    )


def test_users_create_with_a_language(runner: FlaskCliRunner) -> None:
    result = _create(runner, "som@example.com", "th")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == "som@example.com"))
    assert user is not None and user.language == "th"
    refused = _create(runner, "x@example.com", "fr")
    assert refused.exit_code != 0 and "fr" in refused.output


def test_form_errors_follow_the_reader_and_the_api_keeps_pydantics_english(app: Flask) -> None:
    from pydantic import BaseModel, Field, ValidationError

    from guestbook.text import Text
    from guestbook.validation import field_errors

    class Body(BaseModel):
        party: int = Field(ge=1)
        name: Annotated[str, Text(5)]
        when: date

    def errors() -> dict[str, str]:
        try:
            Body.model_validate({"party": 0, "name": "toolongname", "when": "soon"})
        except ValidationError as exc:
            return field_errors(exc)
        raise AssertionError("no error")

    with app.test_request_context("/"):
        with in_language("en"):
            english = errors()
        with in_language("th"):
            thai = errors()
    assert english["party"] == "Input should be greater than or equal to 1"  # pydantic's, for the API
    assert english["name"] == "at most 5 characters"
    for field in ("party", "name", "when"):
        assert re.search(r"[\u0E00-\u0E7F]", thai[field]), thai
    assert "1" in thai["party"] and "5" in thai["name"]
