"""Letter templates: a sandboxed Jinja language with a fixed set of merge fields, validated at save time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.meta import find_undeclared_variables
from jinja2.sandbox import ImmutableSandboxedEnvironment
from sqlalchemy import func, select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.db import write_transaction
from guestbook.extensions import db
from guestbook.letters.defaults import DEFAULT_TEMPLATES, TemplateText
from guestbook.letters.models import LETTER_KINDS, LetterTemplate
from guestbook.letters.wording import day_month, join_list, long_date, time_since

PARTS = ("subject", "greeting", "body", "sign_off")
MAX_OUTPUT = 8_000  # characters of a letter's body: a letter, not a novel (and no runaway output)
# What each rendered part may hold (the subject, greeting and sign-off columns are 300 characters).
PART_LIMITS = {"subject": 300, "greeting": 300, "body": MAX_OUTPUT, "sign_off": 300}
MAX_NESTING = 20  # brackets inside one {{ … }} or {% … %}: deeper is a mistake (and would exhaust the parser)
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_PARAGRAPHS = re.compile(r"\n{3,}")
PART_LABELS = {"subject": "Subject", "greeting": "Greeting", "body": "Letter", "sign_off": "Sign-off"}

MERGE_FIELDS: dict[str, str] = {
    "preferred_name": "how we address the guest (e.g. Mr Yu, 王先生, 山田様)",
    "salutation": "Mr, Ms, Dr … as recorded",
    "given_name": "given name",
    "family_name": "family name",
    "full_name": "full name in the order of its script",
    "last_visit_date": "date of the last visit, in the guest's language",
    "years_since_last_visit": "whole years since the last visit (a number)",
    "time_since_last_visit": "e.g. “three years”, in the guest's language",
    "favourite_seat": "the usual seat (e.g. Window 2), or empty",
    "usual_order": "the usual order as a list (e.g. club sandwich, coffee and fried egg), or empty",
    "visit_count": "number of visits (a number)",
    "first_visit_date": "date of the first visit",
    "birthday_date": "the coming birthday (day and month)",
    "anniversary_date": "the coming anniversary (day and month)",
    "letter_date": "the date printed on the letter",
    "property_name": "the hotel's name",
    "concierge_name": "who signs the letter",
}
ALLOWED_FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default"})
# Only these template constructs are accepted: text, fields, if/else, comparisons and a few filters.
ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Const,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Concat,
    nodes.Filter,
    nodes.Test,
)
ALLOWED_TESTS = frozenset({"defined", "none", "number", "string"})


class TemplateError(ValueError):
    """A template that cannot be saved, with a message staff can act on."""


@dataclass(frozen=True)
class ChosenTemplate:
    """The template used for a letter, and its version label (``builtin`` or the saved version number)."""

    kind: str
    language: str
    version: str
    text: TemplateText


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals.clear()  # no range, dict, lipsum, cycler, joiner or namespace
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS}
    env.tests = {name: env.tests[name] for name in ALLOWED_TESTS}
    return env


ENV = _environment()


class TemplateTooLong(TemplateError):
    """A template whose letter would not fit the length limit for some guest."""


def _nesting(source: str) -> int:
    """The deepest bracket nesting inside the template's tags (text outside tags does not count)."""
    deepest = depth = 0
    in_tag = False
    i = 0
    while i < len(source):
        pair = source[i : i + 2]
        if not in_tag and pair in ("{{", "{%", "{#"):
            in_tag, depth, i = True, 0, i + 2
            continue
        if in_tag and pair in ("}}", "%}", "#}") and depth <= 0:
            in_tag, i = False, i + 2
            continue
        if in_tag:
            ch = source[i]
            if ch in "([{":
                depth += 1
                deepest = max(deepest, depth)
            elif ch in ")]}":
                depth -= 1
        i += 1
    return deepest


def check_source(source: str, part: str = "body") -> None:
    """Refuse a template part with a syntax error, an unknown field, or anything beyond text, fields and if."""
    if _nesting(source) > MAX_NESTING:
        raise TemplateError(
            f"{part}: brackets are nested more than {MAX_NESTING} deep; a letter template needs only a few"
        )
    try:
        _check_tree(source, part)
    except RecursionError:  # a backstop for nesting the bracket count does not see (e.g. long not-chains)
        raise TemplateError(f"{part}: the template is nested too deeply") from None


def _check_tree(source: str, part: str) -> None:
    try:
        tree = ENV.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"{part}, line {exc.lineno}: {exc.message}") from None
    for node in tree.find_all(nodes.Node):
        if not isinstance(node, ALLOWED_NODES):
            what = type(node).__name__
            hint = {"Getattr": "attribute access (a dot)", "Getitem": "indexing", "For": "loops", "Call": "calls"}
            raise TemplateError(f"{part}: {hint.get(what, what)} is not allowed in letter templates")
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            raise TemplateError(
                f"{part}: the filter {node.name!r} is not allowed (use {', '.join(sorted(ALLOWED_FILTERS))})"
            )
        if isinstance(node, nodes.Test) and node.name not in ALLOWED_TESTS:
            raise TemplateError(f"{part}: the test {node.name!r} is not allowed")
        if isinstance(node, nodes.Name) and node.ctx != "load":
            raise TemplateError(f"{part}: assignments are not allowed")
    names = {node.name for node in tree.find_all(nodes.Name)}  # also ``self`` and ``loop``, which Jinja resolves itself
    unknown = (find_undeclared_variables(tree) | names) - set(MERGE_FIELDS)
    if unknown:
        raise TemplateError(
            f"{part}: unknown field{'s' if len(unknown) > 1 else ''} {', '.join(sorted(unknown))}; "
            f"use one of {', '.join(MERGE_FIELDS)}"
        )


def check_template(text: TemplateText) -> None:
    """Check all four parts of a template."""
    for part in PARTS:
        check_source(getattr(text, part), part)


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    """Check once, compile once: a batch renders the same few templates thousands of times."""
    check_source(source)
    try:
        return ENV.from_string(source)
    except RecursionError:
        raise TemplateError("the template is nested too deeply") from None


def render_part(source: str, fields: dict[str, Any], part: str = "body") -> str:
    """Render one checked template part with the merge fields (sandboxed, output capped per part)."""
    try:
        output = _compiled(source).render(**fields).strip()
    except TemplateError:
        raise
    except RecursionError:
        raise TemplateError(f"{part}: the template is nested too deeply") from None
    except Exception as exc:  # e.g. comparing a name with a number: the template's fault, never a crash
        raise TemplateError(f"{PART_LABELS.get(part, part)}: the template cannot be rendered ({exc})") from None
    # A sentence left out (no usual seat or order in the letter's language) leaves no blank paragraph behind.
    output = _BLANK_PARAGRAPHS.sub("\n\n", _TRAILING_SPACE.sub("\n", output))
    limit = PART_LIMITS.get(part, MAX_OUTPUT)
    if len(output) > limit:
        raise TemplateTooLong(
            f"{PART_LABELS.get(part, part)}: the text is {len(output):,} characters, longer than the limit of {limit:,}"
        )
    return output


def render(text: TemplateText, fields: dict[str, Any]) -> TemplateText:
    """Render the four parts of a template."""
    return TemplateText(*(render_part(getattr(text, part), fields, part) for part in PARTS))


def worst_case_samples(language: str) -> list[dict[str, Any]]:
    """Sample merge fields for the longest guest a letter may be written to, in the language's formats.

    Every name at its column's maximum, the usual seat as long as a seating preference may be, three
    usual items of the longest item length, the longest month and the longest "time since"; then the same
    guest with small numbers, and with every optional fact empty, so each branch of an ``if`` is measured.
    """
    name = "W" * 120
    longest_day = max((date(2026, month, 28) for month in range(1, 13)), key=lambda d: len(long_date(d, language)))
    full: dict[str, Any] = {
        "preferred_name": "W" * 161,  # salutation (40) + space + family name (120)
        "salutation": "W" * 40,
        "given_name": name,
        "family_name": name,
        "full_name": "W" * 241,
        "last_visit_date": long_date(longest_day, language),
        "years_since_last_visit": 99,
        "time_since_last_visit": max((time_since(m, language) for m in range(0, 1200)), key=len),
        "favourite_seat": "W" * 200,
        "usual_order": join_list(["W" * 120] * 3, language),
        "visit_count": 99_999,
        "first_visit_date": long_date(longest_day, language),
        "birthday_date": day_month(longest_day, language),
        "anniversary_date": day_month(longest_day, language),
        "letter_date": long_date(longest_day, language),
        "property_name": "W" * 200,
        "concierge_name": "W" * 120,
    }
    small = {**full, "years_since_last_visit": 0, "visit_count": 1}
    empty = {
        **small,
        **{key: "" for key in ("last_visit_date", "time_since_last_visit", "favourite_seat", "usual_order")},
        "first_visit_date": "",
        "visit_count": 0,
    }
    return [full, small, empty]


def check_fits(text: TemplateText, language: str) -> None:
    """Refuse a template whose letter would not fit for the longest guest (raises TemplateTooLong)."""
    for fields in worst_case_samples(language):
        for part in PARTS:
            source = getattr(text, part)
            try:
                render_part(source, fields, part)
            except TemplateTooLong as exc:
                output = len(_compiled(source).render(**fields).strip())
                limit = PART_LIMITS[part]
                raise TemplateTooLong(
                    f"{PART_LABELS[part]}: for a guest with long names and a long usual order this part would be "
                    f"{output:,} characters, and a letter's {PART_LABELS[part].lower()} holds at most {limit:,}. "
                    f"Shorten it by at least {output - limit:,} characters."
                ) from exc


def available_languages() -> list[str]:
    """Languages with a default template, in menu order."""
    return list(DEFAULT_TEMPLATES)


def known_languages() -> frozenset[str]:
    """Languages with a built-in or a saved template."""
    return frozenset(DEFAULT_TEMPLATES) | frozenset(db.session.scalars(select(LetterTemplate.language).distinct()))


def resolve_language(language: str, default_language: str, known: frozenset[str] | None = None) -> str:
    """The template language for a guest: exact tag, then its base language, then the property default."""
    known = known if known is not None else known_languages()
    if language in known:
        return language
    base = language.split("-")[0]
    for tag in sorted(known):
        if tag.split("-")[0] == base and not (base == "zh" and language.lower() in ("zh-hant", "zh-tw", "zh-hk")):
            return tag
    return default_language if default_language in known else "en"


def current_template(kind: str, language: str) -> ChosenTemplate:
    """The newest saved template for a kind and language, or the built-in default."""
    row = db.session.scalar(
        select(LetterTemplate)
        .where(LetterTemplate.kind == kind, LetterTemplate.language == language)
        .order_by(LetterTemplate.version.desc())
        .limit(1)
    )
    if row is not None:
        return ChosenTemplate(
            kind, language, str(row.version), TemplateText(row.subject, row.greeting, row.body, row.sign_off)
        )
    defaults = DEFAULT_TEMPLATES.get(language) or DEFAULT_TEMPLATES["en"]
    return ChosenTemplate(kind, language, "builtin", defaults[kind])


def save_template(kind: str, language: str, text: TemplateText, actor: Actor) -> LetterTemplate:
    """Save a new version of a template after checking every part (raises TemplateError)."""
    if kind not in LETTER_KINDS:
        raise TemplateError(f"unknown letter kind {kind!r}")
    check_template(text)
    check_fits(text, language)
    with write_transaction():
        latest = db.session.scalar(
            select(func.max(LetterTemplate.version)).where(
                LetterTemplate.kind == kind, LetterTemplate.language == language
            )
        )
        row = LetterTemplate(
            kind=kind,
            language=language,
            version=(latest or 0) + 1,
            created_by=actor.label,
            subject=text.subject,
            greeting=text.greeting,
            body=text.body,
            sign_off=text.sign_off,
        )
        db.session.add(row)
        audit.record(actor, "letter_template_save", detail=f"{kind}/{language} v{row.version}")
    return row


def template_history(kind: str, language: str) -> list[LetterTemplate]:
    """Saved versions of a template, newest first."""
    stmt = (
        select(LetterTemplate)
        .where(LetterTemplate.kind == kind, LetterTemplate.language == language)
        .order_by(LetterTemplate.version.desc())
    )
    return list(db.session.scalars(stmt))
