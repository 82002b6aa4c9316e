"""Form fields render through ``field_markup``: the HTML WTForms makes, untouched controls kept per worker."""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from guestbook import forms
from guestbook.choices import choices
from guestbook.forms import Form, field_markup


class _Table(Form):
    class Meta:
        csrf = False

    name = StringField("Name <b>", validators=[DataRequired(), Length(max=20)])
    seat = SelectField("Seat", choices=choices([("w", "Window"), ("b", "Bar")]))
    party = IntegerField("Party")


def _wtforms(field, fid=None):  # type: ignore[no-untyped-def]
    """What the template macro wrote before: WTForms' own label and control."""
    aria = {"aria-invalid": "true" if field.errors else "false"}
    if field.errors:
        aria["aria-describedby"] = f"{fid or field.id}-err"
    if fid:
        return str(field.label(for_=fid)), str(field(id=fid, **aria))
    return str(field.label()), str(field(**aria))


def test_untouched_fields_are_wtforms_own_html_and_come_from_the_cache(app: Flask) -> None:
    with app.test_request_context():
        forms._CONTROLS.clear()
        form = _Table(formdata=None, data={"seat": "b", "party": 4})
        for f in (form.name, form.seat, form.party):
            html = str(field_markup(f))
            label, control = _wtforms(f)
            assert label in html and control in html
            assert html.startswith('<div class="field ">') and "has-error" not in html
        assert 'selected value="b"' in str(field_markup(form.seat))
        assert 'value="4"' in str(field_markup(form.party))
        assert "Name &lt;b&gt;" in str(field_markup(form.name))  # the label is escaped
        assert len(forms._CONTROLS) == 3  # three controls, each kept once

        # Another form whose chosen option differs gets its own HTML, not the first one's.
        other = _Table(formdata=None, data={"seat": "w"})
        seat = str(field_markup(other.seat))
        assert 'selected value="w"' in seat and 'selected value="b"' not in seat


def test_own_id_hint_and_class(app: Flask) -> None:
    with app.test_request_context():
        form = _Table(formdata=None)
        html = str(field_markup(form.seat, "pref-seat", cls="wide"))
        label, control = _wtforms(form.seat, "pref-seat")
        assert label in html and control in html and 'for="pref-seat"' in html and 'id="pref-seat"' in html
        assert html.startswith('<div class="field wide">')
        assert '<small class="hint">Ask &lt;them&gt;</small>' in str(field_markup(form.party, hint="Ask <them>"))
        assert "hint" not in str(field_markup(form.party))


def test_errors_are_shown_escaped_and_never_cached(app: Flask) -> None:
    with app.test_request_context():
        forms._CONTROLS.clear()
        form = _Table(formdata=MultiDict({"name": "<script>x</script>" * 3, "seat": "b"}))
        assert not form.validate()
        html = str(field_markup(form.name))
        assert 'class="field  has-error"' in html
        assert 'aria-invalid="true"' in html and 'aria-describedby="name-err"' in html
        assert '<small class="error" id="name-err">' in html
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert not forms._CONTROLS  # neither the field with the error nor the posted seat


def test_no_typed_or_guest_text_is_kept(app: Flask) -> None:
    with app.test_request_context():
        forms._CONTROLS.clear()
        posted = _Table(formdata=MultiDict({"name": "Somchai Jaidee", "seat": "w", "party": "2"}))
        filled = _Table(formdata=None, data={"name": "Ms Yamada Hanako"})
        assert "Somchai Jaidee" in str(field_markup(posted.name))
        assert "Yamada Hanako" in str(field_markup(filled.name))
        field_markup(posted.seat)
        kept = repr(list(forms._CONTROLS)) + "".join(forms._CONTROLS.values())
        assert "Somchai" not in kept and "Yamada" not in kept
        assert not forms._CONTROLS  # posted fields and free text are rendered afresh every time


def test_each_language_gets_its_own_labels(app: Flask) -> None:
    from flask_babel import force_locale

    from guestbook.guests.table_forms import OccasionForm

    with app.test_request_context():
        seen = []
        for language in ("en", "th", "en"):
            with force_locale(language):
                form = OccasionForm(formdata=None)
                form.fill_choices()
                seen.append(str(field_markup(form.month, "birthday-month")))
        assert "January" in seen[0] and "มกราคม" in seen[1] and "January" not in seen[1]
        assert seen[2] == seen[0]


def test_the_card_renders_its_forms_through_it(app: Flask, client, auth) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_guest

    guest = make_guest(given_name="Kenji", family_name="Sato")
    auth.login("floor")
    forms._CONTROLS.clear()
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert 'id="pref-outlet"' in html and 'for="pref-outlet"' in html
    assert forms._CONTROLS  # the untouched controls were kept
    again = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    assert again.count('<div class="field') == html.count('<div class="field')


def test_the_load_benchmark_finds_the_cards_csrf_token(app: Flask, client, auth) -> None:  # type: ignore[no-untyped-def]
    """scripts/bench_load posts visits with the token it reads off the card's visit form, as a browser would."""
    import importlib.util
    import sys
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("bench_load", Path(__file__).parents[1] / "scripts" / "bench_load.py")
    assert spec is not None and spec.loader is not None
    bench_load = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_load", bench_load)  # its dataclasses look their module up
    spec.loader.exec_module(bench_load)
    from tests.factories import make_guest

    guest = make_guest(given_name="Mai", family_name="Chan")
    auth.login("floor")
    card = client.get(f"/guests/{guest.id}").get_data(as_text=True)
    form = card[card.index('id="log-h"') :]
    token = bench_load.CSRF_RE.search(form)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', card)
    assert token is not None and meta is not None and token.group(1) == meta.group(1)
