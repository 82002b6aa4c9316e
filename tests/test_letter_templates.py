"""Letter templates: a sandbox that renders merge fields and refuses everything else at save time."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from guestbook.letters import templates as lt
from guestbook.letters import wording
from guestbook.letters.defaults import DEFAULT_TEMPLATES, TemplateText
from guestbook.letters.models import LETTER_KINDS

from .factories import ACTOR

FIELDS = {name: "" for name in lt.MERGE_FIELDS} | {
    "preferred_name": "Mr Yu",
    "visit_count": 9,
    "years_since_last_visit": 3,
}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ guest.__class__ }}", "attribute access"),
        ("{{ preferred_name.__class__.__mro__ }}", "attribute access"),
        ("{{ config }}", "unknown field config"),
        ("{{ self }}", "unknown field self"),
        ("{% for i in range(10**10) %}x{% endfor %}", "loops"),
        ("{{ range(5) }}", "calls"),
        ("{{ preferred_name['x'] }}", "indexing"),
        ("{{ visit_count * 100000000 }}", "Mul"),
        ("{{ visit_count ** 99 }}", "Pow"),
        ("{% set x = 1 %}", "Assign"),
        ("{% macro m() %}{% endmacro %}", "Macro"),
        ("{% include 'base.html' %}", "Include"),
        ("{{ preferred_name | attr('upper') }}", "filter 'attr'"),
        ("{{ preferred_name | format('%s') }}", "filter 'format'"),
        ("{{ preferred_name ", "line 1"),
        ("{% if preferred_name %}unclosed", "line 1"),
    ],
)
def test_unsafe_or_broken_templates_are_refused_at_save_time(source: str, message: str) -> None:
    with pytest.raises(lt.TemplateError) as info:
        lt.check_source(source)
    assert message in str(info.value)


def test_save_refuses_with_the_part_named(app: Flask) -> None:
    with pytest.raises(lt.TemplateError, match="greeting: unknown field guest"):
        lt.save_template("birthday", "en", TemplateText("Hi", "Dear {{ guest }}", "Body", "Bye"), ACTOR)


def test_fields_if_and_safe_filters_render() -> None:
    out = lt.render_part(
        "{% if favourite_seat %}seat {{ favourite_seat }}{% else %}no seat{% endif %}, {{ preferred_name | upper }}, "
        "{{ visit_count }} visits{% if visit_count > 5 and years_since_last_visit >= 3 %}, long ago{% endif %}",
        FIELDS,
    )
    assert out == "no seat, MR YU, 9 visits, long ago"


def test_output_is_capped() -> None:
    with pytest.raises(lt.TemplateError, match="longer than"):
        lt.render_part("{{ preferred_name }}" * 2000, FIELDS)


def test_every_default_template_is_valid_and_renders_every_kind_and_language() -> None:
    assert {"en", "zh-Hans", "ja", "de"} <= set(DEFAULT_TEMPLATES)
    for language, kinds in DEFAULT_TEMPLATES.items():
        assert set(kinds) == set(LETTER_KINDS), language
        for kind, text in kinds.items():
            lt.check_template(text)
            rendered = lt.render(text, FIELDS)
            assert rendered.body, (language, kind)


def test_saved_versions_are_kept_and_the_newest_is_used(app: Flask) -> None:
    assert lt.current_template("birthday", "en").version == "builtin"
    lt.save_template("birthday", "en", TemplateText("A", "B", "C", "D"), ACTOR)
    lt.save_template("birthday", "en", TemplateText("A2", "B", "C", "D"), ACTOR)
    chosen = lt.current_template("birthday", "en")
    assert (chosen.version, chosen.text.subject) == ("2", "A2")
    assert [t.version for t in lt.template_history("birthday", "en")] == [2, 1]


def test_language_falls_back_to_the_base_language_then_the_property_default(app: Flask) -> None:
    assert lt.resolve_language("zh-Hans", "en") == "zh-Hans"
    assert lt.resolve_language("zh-CN", "en") == "zh-Hans"
    assert lt.resolve_language("de-AT", "en") == "de"
    assert lt.resolve_language("ko-KR", "en") == "ko"
    assert lt.resolve_language("th", "en") == "en"  # no Thai template (no Thai font either)
    assert lt.resolve_language("th", "de") == "de"


def test_dates_lists_and_time_are_written_for_the_guest_language() -> None:
    day = date(2027, 3, 5)
    assert wording.long_date(day, "en") == "5 March 2027"
    assert wording.long_date(day, "zh-Hans") == "2027年3月5日"
    assert wording.long_date(day, "de") == "5. März 2027"
    assert wording.day_month(day, "ja") == "3月5日"
    assert wording.join_list(["club sandwich", "coffee", "fried egg"], "en") == "club sandwich, coffee and fried egg"
    assert wording.time_since(36, "en") == "three years"
    assert wording.time_since(13, "en") == "a year"
    assert wording.time_since(36, "zh-Hans") == "三年"
    assert wording.time_since(40, "zh-Hans") == "三年多"
    assert wording.time_since(40, "de") == "drei Jahre"
    assert wording.polite_name("小明", "王", "Mr", "", "王小明", "zh-Hans") == "王先生"
    assert wording.polite_name("太郎", "山田", "Mr", "", "山田太郎", "ja") == "山田様"
    assert wording.polite_name("Hans", "Müller", "Mr", "", "Hans Müller", "de") == "Herr Müller"
    assert wording.polite_name("Wei", "Yu", "Mr", "", "Wei Yu", "en") == "Mr Yu"
