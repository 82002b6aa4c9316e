"""No English of the interface left on the Thai pages: every page of every role, walked in English and in Thai.

The demo property is loaded (with a letters batch and an archived briefing, as ``scripts/smoke`` does),
every GET page is fetched by each demo role once with the account in English and once in Thai, and the
visible text of each Thai page (text nodes, the title, placeholders, ``title``/``aria-label``/``alt``
attributes, button values) is searched for Latin words. A Latin word is allowed only when it is data (it
occurs in some text column of the database: guest names, outlet names, menu items, letter templates,
staff e-mails…) or in ``ALLOWED`` (the product's name, acronyms that Thai staff use as they are, the
language menu's own names). Anything else is interface text that missed a translation call or the Thai
catalog, and the failure lists it page by page.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from guestbook import create_app
from guestbook.admin.settings import DEFAULTS
from guestbook.demo import DEMO_STAFF, load_demo
from guestbook.extensions import db
from guestbook.guests.address import needs_sayable, romanised
from guestbook.i18n import LANGUAGES

from .conftest import _config, close_app

ROOT = Path(__file__).resolve().parent.parent

# Latin words a Thai page may show: the product's name, acronyms Thai hotel staff write in Latin letters,
# and the language menu, where each language is named in its own script.
ALLOWED = {"guestbook", "vip", "pdf", "pin", "api", "csv", "xlsx", "json", "id", "english", "utc", "sha"}
# Formats staff type as shown (YYYY-MM-DD, HH:MM) and the stationery's own product codes (envelopes DL, C5,
# US #10; label sheets L7160 …) and the file encodings an import offers (utf-8-sig, cp874 …): codes, like the
# merge fields in <code>.
FORMATS = {"yyyy", "mm", "dd", "hh", "dl", "us", "utf", "sig", "cp"}
WORD = re.compile(r"[A-Za-z][A-Za-z’']*[A-Za-z]|[A-Za-z]{2,}")
THAI = re.compile(r"[\u0E00-\u0E7F]")
EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+")


def _smoke_pages() -> ModuleType:
    """``scripts/smoke_pages.py`` (URL filling and sign-in), loaded from its file."""
    spec = importlib.util.spec_from_file_location("smoke_pages", ROOT / "scripts" / "smoke_pages.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("smoke_pages", module)
    spec.loader.exec_module(module)
    return module


class VisibleText(HTMLParser):
    """The text a person sees on a page (and hears from a screen reader's labels)."""

    ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
    # Not read as prose: scripts and styles, and code (merge-field names such as given_name, formats).
    SKIPPED = ("script", "style", "template", "code", "kbd", "samp")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self._skip += 1
        values = dict(attrs)
        for name in self.ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def _in_context(word: str, text: str) -> str:
    """``word`` with a little of the text around its first occurrence, for the failure message."""
    found = re.search(rf"(?i)(?<![A-Za-z]){re.escape(word)}(?![A-Za-z])", text)
    if not found:
        return word
    return f"{word!r} in …{text[max(0, found.start() - 30) : found.end() + 30]}…"


def latin_words(text: str) -> set[str]:
    # E-mail addresses and URLs shown as data are data as a whole; leave them out before splitting.
    text = EMAIL_OR_URL.sub(" ", text)
    return {w.lower() for w in WORD.findall(text)}


def data_words(app: Flask) -> set[str]:
    """Every Latin word stored in any text or JSON column, or in a setting's default (the sensitive-word
    list an admin edits) or in the shipped letter templates (written in the guest's language, edited by the
    concierge): what the pages may show as data."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", json.dumps(DEFAULTS))}
    for letter in (ROOT / "guestbook" / "letters" / "default_templates").rglob("*.j2"):  # letters' own language
        words |= {w.lower() for w in re.findall(r"[A-Za-z]+", letter.read_text(encoding="utf-8"))}
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]
            if not columns:
                continue
            for row in db.session.execute(sa.select(*columns)):
                for value in row:
                    if value is None:
                        continue
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    text = EMAIL_OR_URL.sub(" ", text)  # as on the pages: an address is data only as a whole
                    if needs_sayable(text):  # the sayable form the briefing shows beside a name: data too
                        text += " " + romanised(text) + " " + romanised(text, "ja")
                    words |= {w.lower() for w in WORD.findall(text)}
                    words |= {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
    return words


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The demo property with a letters batch and tomorrow's archived briefing, in its own database."""
    from flask_migrate import upgrade

    folder = tmp_path_factory.mktemp("i18n-walk")
    app = create_app(_config(folder / "walk.sqlite3"), instance_path=str(folder))
    with app.app_context():
        upgrade()
        load_demo(guests=80)
    today = datetime.now(UTC).astimezone(ZoneInfo(app.config["GUESTBOOK_TIMEZONE"])).date()
    runner = app.test_cli_runner()
    batch = runner.invoke(args=["letters", "run", "--date", today.isoformat()])
    assert batch.exit_code == 0, batch.output
    approved = runner.invoke(args=["letters", "approve", "--batch", batch.output.strip().splitlines()[-1]])
    assert approved.exit_code == 0, approved.output
    yield app
    close_app(app)


def _pages(app: Flask) -> list[str]:
    smoke = _smoke_pages()
    targets, missing = smoke.urls(app, smoke.demo_values(app))
    assert not missing, missing
    return [u for u in targets if not u.startswith(("/api/", "/static/", "/fonts/")) and "pdf" not in u.split("?")[0]]


def _set_language(client: FlaskClient, language: str) -> None:
    page = client.get("/account/pin").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert token, "no CSRF token on the PIN page"
    response = client.post("/account/language", data={"language": language, "csrf_token": token.group(1)})
    assert response.status_code == 302


def _walk(app: Flask, client: FlaskClient, pages: list[str], language: str) -> dict[str, str]:
    _set_language(client, language)
    seen: dict[str, str] = {}
    for url in pages:
        if url.split("?")[0] in ("/login", "/unlock", "/"):
            continue
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            seen[url] = visible_text(response.get_data(as_text=True))
        response.close()
    return seen


@pytest.mark.parametrize("role", [role for _n, _e, role in DEMO_STAFF])
def test_thai_pages_show_no_english_interface_words(demo_app: Flask, role: str) -> None:
    smoke = _smoke_pages()
    email = next(e for _n, e, r in DEMO_STAFF if r == role)
    pages = _pages(demo_app)
    client = smoke.sign_in(demo_app, email)
    english = _walk(demo_app, client, pages, "en")
    thai = _walk(demo_app, client, pages, "th")
    _set_language(client, "en")
    assert english.keys() == thai.keys()
    assert len(thai) >= 8, f"{role} saw only {sorted(thai)}"
    data = data_words(demo_app) | ALLOWED | FORMATS | {name.lower() for name in LANGUAGES.values()}
    leftovers: dict[str, list[str]] = {}
    for url, text in thai.items():
        assert THAI.search(text), f"{role} {url}: no Thai on the Thai page"
        assert latin_words(english[url]), f"{role} {url}: the English page shows no words (walker broken?)"
        extra = sorted(latin_words(text) - data)
        if extra:
            leftovers[url] = [_in_context(word, text) for word in extra]
    assert not leftovers, "English interface words on Thai pages:\n" + "\n".join(
        f"  {url}: {'; '.join(words)}" for url, words in leftovers.items()
    )


def test_sign_in_page_in_thai_has_no_english(demo_app: Flask) -> None:
    client = demo_app.test_client()
    english = visible_text(client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True))
    thai = visible_text(client.get("/login", headers={"Accept-Language": "th-TH,th;q=0.9"}).get_data(as_text=True))
    assert THAI.search(thai)
    assert latin_words(english)
    assert not (latin_words(thai) - ALLOWED - {n.lower() for n in LANGUAGES.values()}), thai
