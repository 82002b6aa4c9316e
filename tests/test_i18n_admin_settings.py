"""The admin settings page saves the property's language settings (issue 11)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from guestbook.admin import settings as settings_service
from guestbook.extensions import db

from .conftest import AuthActions, csrf_from


def _selected(html: str, name: str) -> str | None:
    """The value of the selected option of ``<select name=…>``."""
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no select named {name}"
    chosen = re.search(r"<option[^>]*\bselected\b[^>]*>", match.group(1))
    if chosen is None:
        return None
    value = re.search(r'value="([^"]*)"', chosen.group(0))
    return value.group(1) if value else None


def _checked(html: str, name: str) -> bool:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no input named {name}"
    return "checked" in match.group(0)


def _property_form(html: str, **fields: str) -> dict[str, str]:
    data = {
        "csrf_token": csrf_from(html),
        "p-name": "Hotel Test",
        "p-address": "1 Riverside",
        "p-timezone": "Asia/Bangkok",
        "p-currency": "THB",
        "p-ui_default_language": "en",
        "p-briefing_print_language": "",
        "p-thai_buddhist_year": "y",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def test_the_settings_page_shows_the_language_settings(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    assert "Default staff language (sign-in page)" in html
    assert "Thai dates in the Buddhist era (2569) rather than 2026" in html
    assert "Language of the nightly printed briefing" in html
    assert "(same as the default staff language)" in html
    assert _selected(html, "p-ui_default_language") == "en"
    assert _selected(html, "p-briefing_print_language") == ""
    assert _checked(html, "p-thai_buddhist_year")  # the default
    assert ">ไทย<" in html and ">日本語<" in html  # language names in their own script


def test_saving_the_language_settings(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    data = _property_form(page, **{"p-ui_default_language": "th", "p-briefing_print_language": "ja"})
    del data["p-thai_buddhist_year"]  # an unticked checkbox is not sent
    response = client.post("/admin/settings", data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Settings saved." in html

    db.session.rollback()
    assert settings_service.get_setting("ui_default_language") == "th"
    assert settings_service.get_setting("briefing_print_language") == "ja"
    assert settings_service.get_setting("thai_buddhist_year") is False

    # the admin's own screens stay in their account's language; the page shows the saved choices
    assert _selected(html, "p-ui_default_language") == "th"
    assert _selected(html, "p-briefing_print_language") == "ja"
    assert not _checked(html, "p-thai_buddhist_year")

    # back to the property's language for the briefing, Buddhist year on again
    again = _property_form(html, **{"p-ui_default_language": "zh_Hans"})
    html = client.post("/admin/settings", data=again, follow_redirects=True).get_data(as_text=True)
    db.session.rollback()
    assert settings_service.get_setting("ui_default_language") == "zh_Hans"
    assert settings_service.get_setting("briefing_print_language") == ""
    assert settings_service.get_setting("thai_buddhist_year") is True
    assert _selected(html, "p-ui_default_language") == "zh_Hans"
    assert _selected(html, "p-briefing_print_language") == ""
    assert _checked(html, "p-thai_buddhist_year")


def test_an_unknown_language_is_refused(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    html = client.post("/admin/settings", data=_property_form(page, **{"p-ui_default_language": "xx"})).get_data(
        as_text=True
    )
    assert "Not a valid choice." in html
    db.session.rollback()
    assert settings_service.get_setting("ui_default_language") == "en"


def test_the_default_language_serves_the_sign_in_page(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    client.post("/admin/settings", data=_property_form(page, **{"p-ui_default_language": "th"}))
    client.post("/logout", data={"csrf_token": auth.token("/admin/settings")})
    login = client.get("/login").get_data(as_text=True)  # no Accept-Language: the property's default
    assert '<html lang="th">' in login
