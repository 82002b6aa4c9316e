"""``card_url``: the card links of long lists (live results, briefing, segments) are url_for's own URLs."""

from __future__ import annotations

from flask import Flask, render_template_string, url_for

from .factories import make_guest


def test_card_url_is_url_for_for_any_id(app: Flask) -> None:
    with app.test_request_context("/guests/"):
        for guest_id in (1, 42, 918_273_645, 10**12):
            html = render_template_string("{{ guest_id|card_url }}", guest_id=guest_id)
            assert html == url_for("guests.show", guest_id=guest_id)


def test_card_url_follows_the_mount_point(app: Flask) -> None:
    """Behind a proxy that mounts the app under a prefix (SCRIPT_NAME), the links carry it, as url_for's do."""
    with app.test_request_context("/guests/", base_url="http://tablet.local/frontdesk/"):
        html = render_template_string("{{ 7|card_url }} {{ 8|card_url }}")
        assert html == "/frontdesk/guests/7 /frontdesk/guests/8"
        assert html.split()[0] == url_for("guests.show", guest_id=7)
    with app.test_request_context("/guests/"):  # a new request builds its own: no prefix kept from the last one
        assert render_template_string("{{ 7|card_url }}") == "/guests/7"


def test_the_live_results_link_each_guest_to_their_card(app: Flask, client, auth) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        first = make_guest(given_name="Cardlink", family_name="Aaronson").id
        second = make_guest(given_name="Cardlink", family_name="Baker").id
    auth.login("floor")
    page = client.get("/guests/search?q=cardlink").get_data(as_text=True)
    assert f'href="/guests/{first}"' in page and f'href="/guests/{second}"' in page
