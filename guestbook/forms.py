"""The base class of every web form: Flask-WTF with its messages in the viewer's language.

WTForms translates its own messages ("This field is required.") from catalogs it ships, which have no
Thai. Every Guestbook form derives from ``Form`` instead of ``FlaskForm``: its validators read
Guestbook's catalogs, which carry WTForms' messages (``WTFORMS_MESSAGES``) next to our own.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Flask
from flask_babel import get_translations
from flask_wtf import FlaskForm
from markupsafe import Markup


def mark(message: str) -> str:
    """Mark a message for extraction (``scripts/i18n extract``) without translating it here."""
    return message


def mark_plural(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction."""
    return singular, plural


# The WTForms and Flask-WTF messages our forms can show; WTForms fills the placeholders itself.
WTFORMS_MESSAGES = (
    mark("This field is required."),
    mark("Invalid email address."),
    mark("Invalid input."),
    mark("Not a valid choice."),
    mark("Not a valid integer value."),
    mark("Not a valid decimal value."),
    mark("Not a valid float value."),
    mark("Not a valid date value."),
    mark("Not a valid time value."),
    mark("Not a valid datetime value."),
    mark("Number must be at least %(min)s."),
    mark("Number must be at most %(max)s."),
    mark("Number must be between %(min)s and %(max)s."),
    mark("Field must be between %(min)d and %(max)d characters long."),
    mark("The CSRF token is missing."),
    mark("The CSRF token has expired."),
    mark("The CSRF token is invalid."),
    mark("The CSRF tokens do not match."),
    mark("The referrer header is missing."),
    mark("File does not have an approved extension."),
    mark_plural("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."),
    mark_plural("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."),
    mark_plural("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long."),
)


class _Translations:
    """WTForms' translations interface over Guestbook's catalogs (no formatting: WTForms formats)."""

    def gettext(self, string: str) -> str:
        return str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(get_translations().ungettext(singular, plural, n))


_TRANSLATIONS = _Translations()


F = TypeVar("F", bound="Form")


class Form(FlaskForm):
    """A CSRF-protected form whose built-in messages follow the viewer's language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> _Translations:
            return _TRANSLATIONS


def shown_form(form_class: type[F]) -> F:
    """A form only to show (nothing posted), without a CSRF field of its own.

    For pages that write the session's token into each form's hidden ``csrf_token`` input themselves (the card, a
    dozen forms): every post is still checked, by the form its view builds and by the app-wide check in
    ``staff/access.py``. The token field was a third of building such a form.
    """
    return form_class(formdata=None, meta={"csrf": False})


# --- Rendering a field -------------------------------------------------------------------------------------------
#
# A card shows eight forms, about thirty controls, most of them untouched (no posted value, no error) and the same
# for every guest. WTForms builds each one's HTML attribute by attribute; that was a quarter of a card's CPU. The
# whole markup of an untouched field (label, control, hint) is kept here once rendered, keyed by everything the HTML
# depends on: the form class and field name (which fix its type, widget, validators' flags and render_kw), the id,
# the label and option texts (so each language has its own) and the value. Only values that are not a guest's
# words are kept: nothing posted, no free text (a select's chosen option, a number or an empty field), so no
# guest data lingers in a worker's memory.

_SKIP = object()
_CONTROLS: dict[tuple[Any, ...], Markup] = {}  # (control key, hint, class) → the whole div.field
_CONTROLS_MAX = 4096  # a few hundred in practice (fields × languages × outlets chosen); emptied if ever reached


def field_markup(field: Any, fid: str | None = None, hint: str = "", cls: str = "") -> Markup:
    """A field as every form shows it: label, control, hint and errors in one ``div.field``.

    ``fid`` gives the control its own id where a page holds several forms with a field of the same name.
    """
    errors = field.errors
    control_key = None if errors else _control_key(field, fid)
    key = (control_key, hint, cls) if control_key is not None else None
    kept = _CONTROLS.get(key) if key is not None else None
    if kept is not None:
        return kept
    error_id = f"{fid or field.id}-err"
    markup = Markup('<div class="field {}{}">\n  {}\n{}{}</div>').format(
        cls,
        Markup(" has-error") if errors else "",
        _label_and_control(field, fid, errors),
        Markup('  <small class="hint">{}</small>\n').format(hint) if hint else "",
        Markup("").join(Markup('<small class="error" id="{}">{}</small>').format(error_id, e) for e in errors),
    )
    if key is not None:
        if len(_CONTROLS) >= _CONTROLS_MAX:
            _CONTROLS.clear()
        _CONTROLS[key] = markup
    return markup


def _label_and_control(field: Any, fid: str | None, errors: Any) -> Markup:
    aria = {
        "aria-invalid": "true" if errors else "false",
        "aria-describedby": f"{fid or field.id}-err" if errors else False,
    }
    if fid is None:
        return Markup("{}\n  {}").format(field.label(), field(**aria))
    return Markup("{}\n  {}").format(field.label(for_=fid), field(id=fid, **aria))


def _control_key(field: Any, fid: str | None) -> tuple[Any, ...] | None:
    """What an untouched field's HTML depends on, or None when it must be rendered afresh."""
    if field.raw_data:  # posted: the guest's or the user's own words
        return None
    value = _kept_value(field)
    if value is _SKIP:
        return None
    options = getattr(field, "choices", None)
    if options is not None:
        try:
            options = tuple(
                (c.value, str(c.label), tuple(c.render_kw.items()), c.optgroup) if hasattr(c, "optgroup") else c
                for c in options
            )
            hash(options)
        except (TypeError, AttributeError):
            return None
    return (type(field._form), field.name, fid or field.id, str(field.label.text), options, value)


def _kept_value(field: Any) -> Any:
    data = field.data
    if data is None or data == "" or data == [] or isinstance(data, int):  # a count, a level, a flag (bool is an int)
        return data
    if getattr(field, "choices", None) is not None:  # an option the view chose (an outlet code), never typed
        if isinstance(data, str):
            return data
        if isinstance(data, list | tuple) and all(isinstance(v, str) for v in data):
            return tuple(data)
    return _SKIP


def init_forms(app: Flask) -> None:
    """Templates render fields through ``field_markup`` (named ``field`` by ``_field.html``)."""
    app.add_template_global(field_markup, "field_markup")
