"""Team tags ("wine lover", "prefers quiet", "press"): managers define them with a colour, staff set them on guests.

Names are unique whatever their case (``name_key``); a search word ``tag:press`` or ``tag:"wine lover"``
narrows a search to the guests carrying that tag (``split_tag_filters``, used by ``search``).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from typing import NamedTuple

from sqlalchemy import Select, bindparam, delete, select

from guestbook import audit
from guestbook.actor import Actor
from guestbook.db import cached, rows, write_transaction
from guestbook.db_rows import statement
from guestbook.extensions import db
from guestbook.guests.models import Guest, Tag, guest_tag
from guestbook.text import find_control_char

MAX_NAME = 40
MAX_TAGS_PER_GUEST = 20
COLOR_PATTERN = r"^#[0-9A-Fa-f]{6}$"
DEFAULT_COLOR = "#6b7280"
_TAG_WORD = re.compile(r'(?i)(?:^|(?<=\s))tag:(?:"([^"]+)"|(\S+))')


class TagError(ValueError):
    """A tag request that cannot be carried out; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class UnknownTags(LookupError):
    """Tags named that nobody has defined (``names``, as sent)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


def clean_name(raw: str) -> str:
    """A tag name with its spaces collapsed; TagError when empty, too long or holding control characters."""
    if find_control_char(raw) is not None:
        raise TagError("name", "control characters are not allowed")
    name = " ".join(raw.split())
    if not name:
        raise TagError("name", "required")
    if len(name) > MAX_NAME:
        raise TagError("name", f"at most {MAX_NAME} characters")
    return name


def name_key(name: str) -> str:
    """The form that makes ``Press`` and ``press`` the same tag."""
    return " ".join(name.split()).casefold()


def clean_color(raw: str) -> str:
    """``#rrggbb`` in lower case; TagError otherwise."""
    if not re.fullmatch(COLOR_PATTERN, raw.strip()):
        raise TagError("color", "a colour as #rrggbb")
    return raw.strip().lower()


TAGS_KEY = "guests.tags"
TAG_STYLES_KEY = "guests.tag_styles"
TAG_CHIPS_KEY = "guests.tag_chips"


def list_tags() -> list[Tag]:
    """Every defined tag, by name (read once per read transaction: the card's picker and the stylesheet)."""
    return list(
        cached(TAGS_KEY, lambda: list(db.session.scalars(select(Tag).order_by(Tag.name_key))), outside_writes=True)
    )


def tag_chips() -> list[TagChip]:
    """Every defined tag as plain chips, by name: what the card's tag form offers.

    Kept by the worker until a tag changes (the ``tag`` cache generation), as the tag stylesheet is.
    """
    return cached(
        TAG_CHIPS_KEY,
        lambda: [TagChip(*row) for row in rows(select(Tag.id, Tag.name, Tag.color).order_by(Tag.name_key))],
        outside_writes=True,
        topic="tag",
    )


def tag_by_name(name: str) -> Tag | None:
    """The tag with this name in any case, or None."""
    return db.session.scalar(select(Tag).where(Tag.name_key == name_key(name)))


def create_tag(raw_name: str, raw_color: str, actor: Actor) -> Tag:
    """Define a tag; TagError when the name is taken (in any case) or the colour is not ``#rrggbb``."""
    name, color = clean_name(raw_name), clean_color(raw_color or DEFAULT_COLOR)
    with write_transaction():
        if tag_by_name(name) is not None:
            raise TagError("name", f"a tag named {name!r} exists")
        tag = Tag(name=name, name_key=name_key(name), color=color)
        db.session.add(tag)
        db.session.flush()
        audit.record(actor, "tag_create", detail=f"{name} {color}")
    return tag


def delete_tag(tag_id: int, actor: Actor) -> None:
    """Remove a tag from the list and from every guest carrying it."""
    with write_transaction():
        tag = db.session.get(Tag, tag_id)
        if tag is None:
            raise LookupError(tag_id)
        db.session.execute(delete(guest_tag).where(guest_tag.c.tag_id == tag_id))
        db.session.delete(tag)
        audit.record(actor, "tag_delete", detail=tag.name)


def resolve(names: list[str]) -> list[Tag]:
    """The tags named (any case, each once, in the order given); UnknownTags names those not defined."""
    keys = list(dict.fromkeys(name_key(n) for n in names))
    found = {t.name_key: t for t in db.session.scalars(select(Tag).where(Tag.name_key.in_(keys)))} if keys else {}
    unknown = [n for n in dict.fromkeys(names) if name_key(n) not in found]
    if unknown:
        raise UnknownTags(unknown)
    return [found[k] for k in keys]


def set_guest_tags(guest_id: int, names: list[str], actor: Actor) -> list[Tag]:
    """Replace a guest's tags with ``names`` (defined tags only: UnknownTags, nothing written)."""
    with write_transaction():
        guest = db.session.get(Guest, guest_id)
        if guest is None:
            raise LookupError(guest_id)
        tags = resolve(names)
        before = {t.name for t in guest.tags}
        guest.tags = tags
        after = {t.name for t in tags}
        if before != after:
            audit.record(actor, "guest_tags", guest_id, ", ".join(sorted(after)) or "-")
    return sorted(tags, key=lambda t: t.name_key)


class TagChip(NamedTuple):
    """A tag as a list shows it (a coloured chip): plain data, read without loading the model."""

    id: int
    name: str
    color: str


def tags_of_guests(guest_ids: list[int]) -> dict[int, list[TagChip]]:
    """Each guest's tags by name, for lists (search results, the briefing) in one query."""
    out: dict[int, list[TagChip]] = defaultdict(list)
    if not guest_ids:
        return out
    for gid, tag_id, name, color in rows(_tags_of_guests_stmt(), {"ids": list(guest_ids)}):
        out[gid].append(TagChip(tag_id, name, color))
    return out


@statement
def _tags_of_guests_stmt() -> Select[int, int, str, str]:
    """Built once: a list page asks this on every request (building a statement costs more than running it)."""
    return (
        select(guest_tag.c.guest_id, Tag.id, Tag.name, Tag.color)
        .join(Tag, Tag.id == guest_tag.c.tag_id)
        .where(guest_tag.c.guest_id.in_(bindparam("ids", expanding=True)))
        .order_by(Tag.name_key)
    )


def tag_to_dict(tag: Tag) -> dict[str, object]:
    """A tag as JSON."""
    return {"id": tag.id, "name": tag.name, "color": tag.color}


def tag_stylesheet() -> tuple[str, str]:
    """Each tag's colour as a CSS class (``.tag-7``), and a version that changes when a colour does.

    The pages' Content-Security-Policy forbids inline styles, so colours come from this stylesheet; the
    colours are validated ``#rrggbb`` values, so nothing else can reach the CSS. Every page links it: the
    worker keeps it until a tag changes.
    """
    return cached(TAG_STYLES_KEY, _stylesheet, outside_writes=True, topic="tag")


def _stylesheet() -> tuple[str, str]:
    rows = sorted((tag.id, tag.color) for tag in list_tags())
    css = "".join(f".tag-{tag_id} {{ --tag-color: {color}; }}\n" for tag_id, color in rows)
    version = hashlib.sha256(css.encode()).hexdigest()[:12]
    return css, version


def split_tag_filters(q: str) -> tuple[str, list[str]]:
    """``tag:press lee`` -> (``lee``, [``press``]); ``tag:"wine lover"`` keeps its space, ``tag:wine-lover`` too."""
    names = [(quoted or bare).strip() for quoted, bare in _TAG_WORD.findall(q)]
    rest = " ".join(_TAG_WORD.sub(" ", q).split())
    return rest, [n for n in names if n]


def tag_ids_for_search(names: list[str]) -> list[int] | None:
    """The ids of the tags a search names (``wine-lover`` also finds ``wine lover``); None when one is unknown."""
    ids: list[int] = []
    for name in names:
        tag = tag_by_name(name) or tag_by_name(name.replace("-", " ").replace("_", " "))
        if tag is None:
            return None
        ids.append(tag.id)
    return ids
