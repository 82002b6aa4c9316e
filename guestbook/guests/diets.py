"""Diets are choices, not allergies: telling them apart for the card, the briefing and search.

An allergy is a safety matter (red, first, counted); a diet (vegetarian, halal, no pork…) is shown
on a neutral "Diet" line. New diets are stored as preferences of category ``diet``; older data may
hold them as allergies (the demo's "vegetarian", severity ``dietary``), so the display classifies
each allergy row by a known list of diet words. When in doubt it stays an allergy: a diet shown in
red is a nuisance, an allergy shown as a diet is a danger.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol, TypeVar

DIET_CATEGORY = "diet"

# Choices that are never a medical allergy, whatever severity they were entered with.
DIET_WORDS = frozenset(
    {
        "vegetarian",
        "veggie",
        "vegan",
        "plant based",
        "pescatarian",
        "pescetarian",
        "lacto vegetarian",
        "ovo vegetarian",
        "lacto ovo vegetarian",
        "halal",
        "kosher",
        "jain",
        "no pork",
        "pork free",
        "no beef",
        "beef free",
        "no meat",
        "no red meat",
        "no alcohol",
        "alcohol free",
        "teetotal",
        "teetotaller",
        "teetotaler",
        "มังสวิรัติ",  # Thai: vegetarian
        "อาหารเจ",  # Thai: vegan (jay)
        "ฮาลาล",  # Thai: halal
        "素食",  # Chinese: vegetarian
        "清真",  # Chinese: halal
    }
)
# "Free-from" choices that can also be medical (coeliac disease, lactose intolerance): a diet only
# when staff entered them with the severity ``dietary``, otherwise they stay allergies.
CHOICE_WHEN_DIETARY = frozenset(
    {
        "gluten free",
        "dairy free",
        "lactose free",
        "low carb",
        "keto",
        "low salt",
        "low sodium",
        "sugar free",
        "no sugar",
    }
)


class AllergyLike(Protocol):
    """Anything with an allergen and a severity (the Allergy model, briefing tuples wrapped)."""

    @property
    def allergen(self) -> str: ...

    @property
    def severity(self) -> str: ...


T = TypeVar("T", bound=AllergyLike)


def normalise(text: str) -> str:
    """Case, accents, hyphens and spacing aside: ``Gluten-Free`` → ``gluten free``."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[-_/.,;:()]+", " ", text)
    return " ".join(text.split())


def is_diet_word(text: str) -> bool:
    """Whether ``text`` names a diet that is never a medical allergy (vegetarian, halal, no pork…)."""
    return normalise(text) in DIET_WORDS


def is_diet(allergen: str, severity: str) -> bool:
    """Whether an allergy row really holds a dietary choice (shown on the Diet line, never as ⚠)."""
    word = normalise(allergen)
    return word in DIET_WORDS or (severity == "dietary" and word in CHOICE_WHEN_DIETARY)


def diet_label(allergen: str, note: str = "") -> str:
    """A diet stored as an allergy, as text for the Diet line."""
    return f"{allergen} ({note})" if note else allergen


def split_allergies(allergies: Iterable[T]) -> tuple[list[T], list[T]]:
    """(real allergies, diets stored as allergies), each in the order given."""
    real: list[T] = []
    diets: list[T] = []
    for allergy in allergies:
        (diets if is_diet(allergy.allergen, allergy.severity) else real).append(allergy)
    return real, diets


class GuestDiets(Protocol):
    """A guest with allergies and preferences (the Guest model)."""

    @property
    def allergies(self) -> Iterable[AllergyLike]: ...

    @property
    def preferences(self) -> Iterable[PreferenceLike]: ...


class PreferenceLike(Protocol):
    """A preference's category and value."""

    @property
    def category(self) -> str: ...

    @property
    def value(self) -> str: ...


def diets_of(guest: GuestDiets) -> list[str]:
    """A guest's diets for the Diet line: diet preferences, then diets stored as allergies."""
    found = [p.value for p in guest.preferences if p.category == DIET_CATEGORY]
    found += [diet_label(a.allergen, getattr(a, "note", "")) for a in split_allergies(guest.allergies)[1]]
    return found
