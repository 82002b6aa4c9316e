"""Registers every domain's blueprint, and each domain's routes on the shared API blueprint."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Flask

from guestbook.api.openapi import build_spec, register_document


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint (web pages and the JSON API)."""
    from guestbook.admin import api as _admin_api  # noqa: F401  (each domain adds its routes to the API blueprint)
    from guestbook.admin.views import bp as admin_bp
    from guestbook.api import bp as api_bp
    from guestbook.briefing import api as _briefing_api  # noqa: F401
    from guestbook.briefing.assembly import (
        register_care_provider,
        register_companion_provider,
        register_complaint_provider,
        register_standing_provider,
    )
    from guestbook.briefing.views import bp as briefing_bp
    from guestbook.data import api as _data_api  # noqa: F401
    from guestbook.data import duplicates_api as _data_duplicates_api  # noqa: F401
    from guestbook.data import merge_api as _data_merge_api  # noqa: F401
    from guestbook.data import privacy_api as _data_privacy_api  # noqa: F401
    from guestbook.data import views_duplicates as _data_views_duplicates  # noqa: F401  (duplicates pages on data_bp)
    from guestbook.data import views_import as _data_views_import  # noqa: F401  (the import screen on data_bp)
    from guestbook.data import views_privacy as _data_views_privacy  # noqa: F401  (adds the privacy page to data_bp)
    from guestbook.data.card_panel import register_card_panel
    from guestbook.data.duplicates import lookalikes
    from guestbook.data.views import bp as data_bp
    from guestbook.data.views_merge import register_merge_hooks  # also adds the merge pages to data_bp
    from guestbook.extensions import csrf
    from guestbook.guests import api as _guests_api  # noqa: F401
    from guestbook.guests import api_record as _guests_api_record  # noqa: F401
    from guestbook.guests import views_record as _guests_views_record  # noqa: F401  (tags and photo pages)
    from guestbook.guests import views_table as _guests_views_table  # noqa: F401  (what staff add at the table)
    from guestbook.guests.extras import register_guest_extra
    from guestbook.guests.filters import register_filters
    from guestbook.guests.lookalikes import register_lookalike_finder
    from guestbook.guests.search_readings import load_readings
    from guestbook.guests.views import bp as guests_bp
    from guestbook.letters import api as _letters_api  # noqa: F401
    from guestbook.letters import views_templates as _letters_views_templates  # noqa: F401  (template editor, settings)
    from guestbook.letters.views import bp as letters_bp
    from guestbook.observability import register_warm_up
    from guestbook.relations import api as _feedback_api  # noqa: F401
    from guestbook.relations import relationships_api as _relationships_api  # noqa: F401
    from guestbook.relations import report_api as _report_api  # noqa: F401
    from guestbook.relations import views_feedback as _relations_views_feedback  # noqa: F401  (feedback pages, badge)
    from guestbook.relations import views_feedback_steps as _relations_feedback_steps  # noqa: F401  (workflow posts)
    from guestbook.relations import views_report as _relations_views_report  # noqa: F401  (the recovery report)
    from guestbook.relations.care import briefing_complaints, care_by_guest, care_for
    from guestbook.relations.relationships import companions_on_sheet, relationships_json
    from guestbook.relations.views import bp as relations_bp
    from guestbook.reservations import api as _reservations_api  # noqa: F401
    from guestbook.reservations.attendance import register_attendance_with_guests
    from guestbook.reservations.bookings import register_with_guests
    from guestbook.reservations.views import bp as reservations_bp
    from guestbook.segments import api as _segments_api  # noqa: F401
    from guestbook.segments.card_panel import register_segment_card
    from guestbook.segments.overrides import segment_json, standing_of
    from guestbook.segments.rhythm import register_rhythm_rule
    from guestbook.segments.views import bp as segments_bp
    from guestbook.staff.fonts import bp as fonts_bp
    from guestbook.staff.views import bp as auth_bp

    register_filters(app)
    app.register_blueprint(auth_bp)
    app.register_blueprint(fonts_bp)
    app.register_blueprint(guests_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(letters_bp)
    app.register_blueprint(reservations_bp)
    app.register_blueprint(briefing_bp)
    app.register_blueprint(data_bp)
    app.register_blueprint(segments_bp)
    app.register_blueprint(relations_bp)
    register_with_guests(app)
    register_attendance_with_guests(app)
    register_guest_extra(app, "segment", segment_json)  # the guest JSON's tier, RFM, lifecycle (segments -> guests)
    register_rhythm_rule(app)  # the letters' "rhythm" lapse rule (segments -> letters)
    register_segment_card(app)  # the card's standing line (segments -> guests)
    register_standing_provider(app, standing_of)  # tier and influence on the briefing (segments -> briefing)
    register_card_panel(app)  # the card's "Who looked at this guest" panel (data -> guests)
    register_lookalike_finder(lookalikes)  # the "might be the same as…" hint on a new guest (data -> guests)
    register_merge_hooks(app)  # merged-away ids: the API's 404 merged_into and the card's redirect
    register_guest_extra(app, "relationships", relationships_json)  # who knows whom (relations -> guests)
    register_companion_provider(app, companions_on_sheet)  # related arrivals on one sheet (relations -> briefing)
    register_guest_extra(app, "care", care_for)  # "handle with care": banner, promises, compliments (every role)
    register_warm_up(app, load_readings)  # a worker's first Japanese name does not wait for the dictionaries
    register_complaint_provider(app, briefing_complaints)  # the briefing's complaint box (relations -> briefing)
    register_care_provider(app, care_by_guest)  # the briefing JSON arrivals' care (relations -> briefing)
    # The API checks CSRF itself for session callers (bearer-key callers carry no cookie).
    csrf.exempt(api_bp)
    register_document(app, api_document)
    app.register_blueprint(api_bp)


@cache
def api_document() -> dict[str, Any]:
    """The OpenAPI document: the shared part, then guests, outlets, letters, reservations and briefings."""
    from guestbook.admin.openapi import openapi_part as outlets_part
    from guestbook.data.openapi import openapi_part as data_part
    from guestbook.data.openapi_duplicates import openapi_part as duplicates_part
    from guestbook.data.openapi_merge import openapi_part as merge_part
    from guestbook.data.openapi_privacy import openapi_part as privacy_part
    from guestbook.guests.openapi import openapi_part as guests_part
    from guestbook.letters.openapi import openapi_part as letters_part
    from guestbook.relations.openapi import GUEST_PROPERTIES as feedback_properties
    from guestbook.relations.openapi import openapi_part as feedback_part
    from guestbook.relations.relationships_openapi import GUEST_PROPERTIES as relationships_properties
    from guestbook.relations.relationships_openapi import openapi_part as relationships_part
    from guestbook.relations.report_openapi import openapi_part as report_part
    from guestbook.reservations.openapi import openapi_part as reservations_part
    from guestbook.segments.openapi import openapi_part as segments_part

    spec = build_spec(
        [
            guests_part(),
            outlets_part(),
            letters_part(),
            reservations_part(),
            data_part(),
            duplicates_part(),
            merge_part(),
            privacy_part(),
            segments_part(),
            relationships_part(),
            feedback_part(),
            report_part(),
        ]
    )
    return _with_guest_properties(spec, {**relationships_properties, **feedback_properties})


def _with_guest_properties(spec: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """The document with the guest JSON's properties that higher domains add (``register_guest_extra``) in the
    Guest schemas (copies: the guests domain's own schema dicts stay as they are)."""
    schemas = spec["components"]["schemas"]
    for name in ("Guest", "GuestCreated"):
        schemas[name] = {**schemas[name], "properties": {**schemas[name]["properties"], **properties}}
    return spec
