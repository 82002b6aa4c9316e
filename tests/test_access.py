"""Every route has a role rule; the role × route matrix holds for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from guestbook.security import PUBLIC, ROLE_RANK, rule_for

from .conftest import ROLES, AuthActions
from .factories import make_guest

# endpoint -> (method, path template, least role or "public"/"authenticated")
MATRIX: dict[str, tuple[str, str, str]] = {
    "static": ("GET", "/static/css/app.css", "public"),
    "fonts.web_font": ("GET", "/fonts/cjk.ttf", "public"),
    "auth.index": ("GET", "/", "public"),
    "auth.login": ("GET", "/login", "public"),
    "auth.logout": ("POST", "/logout", "authenticated"),
    "auth.unlock": ("GET", "/unlock", "authenticated"),
    "auth.lock": ("POST", "/lock", "authenticated"),
    "auth.set_pin": ("GET", "/account/pin", "authenticated"),
    "auth.set_language": ("POST", "/account/language", "authenticated"),
    "guests.index": ("GET", "/guests/", "floor"),
    "guests.search_results": ("GET", "/guests/search?q=a", "floor"),
    "guests.new": ("GET", "/guests/new", "floor"),
    "guests.show": ("GET", "/guests/{gid}", "floor"),
    "guests.edit": ("GET", "/guests/{gid}/edit", "floor"),
    "guests.log_visit": ("POST", "/guests/{gid}/visits", "floor"),
    "guests.add_note": ("POST", "/guests/{gid}/notes", "floor"),
    "guests.add_preference": ("POST", "/guests/{gid}/preferences", "floor"),
    "guests.add_allergy": ("POST", "/guests/{gid}/allergies", "floor"),
    "guests.set_device": ("POST", "/guests/device", "floor"),
    "guests.set_tags": ("POST", "/guests/{gid}/tags", "floor"),
    "guests.photo_consent": ("POST", "/guests/{gid}/photo/consent", "floor"),
    "guests.upload_photo": ("POST", "/guests/{gid}/photo", "floor"),
    "guests.delete_photo": ("POST", "/guests/{gid}/photo/delete", "floor"),
    "guests.photo": ("GET", "/guests/{gid}/photo", "floor"),
    "guests.tag_list": ("GET", "/guests/tags", "manager"),
    "guests.tag_styles": ("GET", "/guests/tags.css", "floor"),
    "guests.tag_delete": ("POST", "/guests/tags/999/delete", "manager"),
    "guests.add_occasion": ("POST", "/guests/{gid}/occasions", "floor"),
    "guests.suggest_contact": ("POST", "/guests/{gid}/contact-suggestions", "floor"),
    "guests.contact_suggestions": ("GET", "/guests/contact-suggestions", "manager"),
    "guests.decide_contact_suggestion": ("POST", "/guests/contact-suggestions/999/accept", "manager"),
    "admin.staff": ("GET", "/admin/staff", "admin"),
    "admin.staff_new": ("GET", "/admin/staff/new", "admin"),
    "admin.staff_edit": ("GET", "/admin/staff/1", "admin"),
    "admin.api_keys": ("GET", "/admin/api-keys", "admin"),
    "admin.api_key_revoke": ("POST", "/admin/api-keys/999/revoke", "admin"),
    "admin.settings": ("GET", "/admin/settings", "admin"),
    "admin.outlet_create": ("POST", "/admin/outlets", "admin"),
    "admin.outlet_update": ("POST", "/admin/outlets/999", "admin"),
    "admin.sensitive_words": ("POST", "/admin/settings/sensitive-words", "admin"),
    "api.health": ("GET", "/api/v1/health", "public"),
    "api.openapi": ("GET", "/api/v1/openapi.json", "public"),
    "api.ready": ("GET", "/api/v1/health/ready", "public"),
    "api.metrics": ("GET", "/api/v1/metrics", "admin"),
    "metrics": ("GET", "/metrics", "admin"),
    "api.create_guest": ("POST", "/api/v1/guests", "floor"),
    "api.search_guests": ("GET", "/api/v1/guests?q=a", "floor"),
    "api.get_guest": ("GET", "/api/v1/guests/{gid}", "floor"),
    "api.patch_guest": ("PATCH", "/api/v1/guests/{gid}", "floor"),
    "api.log_visit": ("POST", "/api/v1/guests/{gid}/visits", "floor"),
    "api.list_tags": ("GET", "/api/v1/tags", "floor"),
    "api.create_tag": ("POST", "/api/v1/tags", "manager"),
    "api.put_guest_tags": ("PUT", "/api/v1/guests/{gid}/tags", "floor"),
    "api.put_guest_tier": ("PUT", "/api/v1/guests/{gid}/tier", "manager"),
    "data.index": ("GET", "/data/", "admin"),
    "segments.set_tier": ("POST", "/segments/guests/{gid}/tier", "manager"),
    "segments.index": ("GET", "/segments/", "manager"),
    "segments.guest_list": ("GET", "/segments/lists/slipping", "manager"),
    "segments.export_list": ("GET", "/segments/lists/top.csv", "manager"),
    "segments.about": ("GET", "/segments/about", "manager"),
    "segments.report_pdf": ("GET", "/segments/report.pdf", "manager"),
    "api.delete_guest_tier": ("DELETE", "/api/v1/guests/{gid}/tier", "manager"),
    "api.suggest_contact": ("POST", "/api/v1/guests/{gid}/contact-suggestions", "floor"),
    "api.list_contact_suggestions": ("GET", "/api/v1/contact-suggestions", "manager"),
    "api.accept_contact_suggestion": ("POST", "/api/v1/contact-suggestions/999/accept", "manager"),
    "api.reject_contact_suggestion": ("POST", "/api/v1/contact-suggestions/999/reject", "manager"),
    "api.guest_access_log": ("GET", "/api/v1/guests/{gid}/access-log", "manager"),
    "api.merge_guest": ("POST", "/api/v1/guests/{gid}/merge", "admin"),
    "api.undo_merge": ("POST", "/api/v1/merges/999/undo", "admin"),
    "api.list_merges": ("GET", "/api/v1/merges", "admin"),
    "data.merge_form": ("GET", "/data/merge/{gid}/999", "admin"),
    "data.merge_history": ("GET", "/data/merges", "admin"),
    "data.undo_merge": ("POST", "/data/merges/999/undo", "admin"),
    "api.guest_export": ("GET", "/api/v1/guests/{gid}/export", "admin"),
    "api.guest_export_pdf": ("GET", "/api/v1/guests/{gid}/export.pdf", "admin"),
    "api.guest_erase": ("POST", "/api/v1/guests/{gid}/erase", "admin"),
    "data.guest_privacy": ("GET", "/data/guests/{gid}/privacy", "admin"),
    "data.guest_export_json": ("GET", "/data/guests/{gid}/export.json", "admin"),
    "data.guest_export_pdf": ("GET", "/data/guests/{gid}/export.pdf", "admin"),
    "data.guest_erase": ("POST", "/data/guests/{gid}/erase", "admin"),
    "data.retention_rule": ("GET", "/data/retention", "admin"),
    "api.list_duplicates": ("GET", "/api/v1/duplicates", "admin"),
    "api.reject_duplicate": ("POST", "/api/v1/duplicates/reject", "admin"),
    "data.duplicates_list": ("GET", "/data/duplicates", "admin"),
    "data.duplicate_pair": ("GET", "/data/duplicates/{gid}/999", "admin"),
    "data.duplicate_reject": ("POST", "/data/duplicates/{gid}/999/reject", "admin"),
    "api.list_outlets": ("GET", "/api/v1/outlets", "floor"),
    "api.create_outlet": ("POST", "/api/v1/outlets", "admin"),
    "api.patch_outlet": ("PATCH", "/api/v1/outlets/999", "admin"),
    "reservations.new": ("GET", "/reservations/new", "floor"),
    "data.import_file": ("GET", "/data/import", "admin"),
    "data.import_commit": ("POST", "/data/import/commit", "admin"),
    "data.import_cancel": ("POST", "/data/import/cancel", "admin"),
    "data.import_errors": ("POST", "/data/import/errors.csv", "admin"),
    "data.import_settings": ("POST", "/data/import/settings", "admin"),
    "reservations.import_file": ("GET", "/reservations/import", "manager"),
    "reservations.import_commit": ("POST", "/reservations/import/commit", "manager"),
    "reservations.import_errors": ("POST", "/reservations/import/errors.csv", "manager"),
    "reservations.import_mapping": ("POST", "/reservations/import/mapping", "manager"),
    "reservations.import_values": ("POST", "/reservations/import/values", "manager"),
    "reservations.import_cancel": ("POST", "/reservations/import/cancel", "manager"),
    "reservations.matches": ("GET", "/reservations/matches", "manager"),
    "reservations.decide": ("POST", "/reservations/matches/999/link", "manager"),
    "briefing.index": ("GET", "/briefing/", "floor"),
    "briefing.pdf": ("GET", "/briefing/pdf", "manager"),
    "briefing.archive": ("GET", "/briefing/archive", "manager"),
    "briefing.download": ("GET", "/briefing/archive/999.pdf", "manager"),
    "briefing.regenerate": ("POST", "/briefing/archive/regenerate", "manager"),
    "briefing.subscription": ("POST", "/briefing/subscription", "manager"),
    "api.put_reservation": ("PUT", "/api/v1/reservations/pms/R1", "floor"),
    "api.get_briefing": ("GET", "/api/v1/briefings/2026-11-22", "floor"),
    "api.get_briefing_pdf": ("GET", "/api/v1/briefings/2026-11-22.pdf", "manager"),
    "letters.index": ("GET", "/letters/", "concierge"),
    "letters.run": ("POST", "/letters/run", "concierge"),
    "letters.batch": ("GET", "/letters/batches/999", "concierge"),
    "letters.approve_all": ("POST", "/letters/batches/999/approve", "concierge"),
    "letters.mark_batch": ("POST", "/letters/batches/999/mark", "concierge"),
    "letters.batch_pdf": ("GET", "/letters/batches/999/letters.pdf", "concierge"),
    "letters.batch_labels": ("GET", "/letters/batches/999/labels.pdf", "concierge"),
    "letters.batch_envelopes": ("GET", "/letters/batches/999/envelopes.pdf", "concierge"),
    "letters.batch_csv": ("GET", "/letters/batches/999/batch.csv", "concierge"),
    "letters.letter": ("GET", "/letters/999", "concierge"),
    "letters.letter_action": ("POST", "/letters/999/action", "concierge"),
    "letters.needs_address": ("GET", "/letters/needs-address", "concierge"),
    "letters.queue_we_miss_you": ("POST", "/letters/guests/{gid}/we-miss-you", "concierge"),
    "letters.templates": ("GET", "/letters/templates", "concierge"),
    "letters.template_edit": ("GET", "/letters/templates/birthday/en", "concierge"),
    "letters.settings": ("GET", "/letters/settings", "manager"),
    "api.get_letter_batch": ("GET", "/api/v1/letter-batches/999", "concierge"),
    "api.get_letter_batch_pdf": ("GET", "/api/v1/letter-batches/999.pdf", "concierge"),
    "api.create_guest_feedback": ("POST", "/api/v1/guests/{gid}/feedback", "floor"),
    "api.create_anonymous_feedback": ("POST", "/api/v1/feedback", "floor"),
    "api.list_feedback": ("GET", "/api/v1/feedback", "manager"),
    "api.get_feedback": ("GET", "/api/v1/feedback/999", "manager"),
    "api.acknowledge_feedback": ("POST", "/api/v1/feedback/999/acknowledge", "manager"),
    "api.resolve_feedback": ("POST", "/api/v1/feedback/999/resolve", "manager"),
    "api.follow_up_feedback": ("POST", "/api/v1/feedback/999/follow-up", "manager"),
    "api.close_feedback": ("POST", "/api/v1/feedback/999/close", "manager"),
    "api.link_feedback": ("POST", "/api/v1/feedback/999/link", "manager"),
    "api.add_feedback_note": ("POST", "/api/v1/feedback/999/notes", "manager"),
    "api.add_guest_relationship": ("POST", "/api/v1/guests/{gid}/relationships", "floor"),
    "api.delete_guest_relationship": ("DELETE", "/api/v1/guests/{gid}/relationships/999", "floor"),
    "relations.new_relationship": ("GET", "/relations/guests/{gid}/knows/new?q=a", "floor"),
    "relations.add_relationship": ("POST", "/relations/guests/{gid}/knows", "floor"),
    "relations.remove_relationship": ("POST", "/relations/guests/{gid}/knows/999/remove", "floor"),
    "relations.network": ("GET", "/relations/guests/{gid}/network", "floor"),
    "relations.new_feedback": ("GET", "/relations/guests/{gid}/feedback/new", "floor"),
    "relations.feedback_queue": ("GET", "/relations/feedback", "manager"),
    "relations.feedback_show": ("GET", "/relations/feedback/999", "manager"),
    "relations.feedback_acknowledge": ("POST", "/relations/feedback/999/acknowledge", "manager"),
    "relations.feedback_resolve": ("POST", "/relations/feedback/999/resolve", "manager"),
    "relations.feedback_follow_up": ("POST", "/relations/feedback/999/follow-up", "manager"),
    "relations.feedback_close": ("POST", "/relations/feedback/999/close", "manager"),
    "relations.feedback_link": ("POST", "/relations/feedback/999/link", "manager"),
    "relations.feedback_add_note": ("POST", "/relations/feedback/999/notes", "manager"),
    "relations.feedback_report": ("GET", "/relations/feedback/report", "manager"),
    "api.feedback_report": ("GET", "/api/v1/feedback/report", "manager"),
}


def test_every_route_declares_a_role_rule(app: Flask) -> None:
    missing = [rule.endpoint for rule in app.url_map.iter_rules() if rule_for(app, rule.endpoint) is None]
    assert missing == [], f"routes without a role rule: {missing}"


def test_matrix_covers_every_route_and_matches_declared_rules(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX), f"update MATRIX: {endpoints ^ set(MATRIX)}"
    for endpoint, (_method, _path, least) in MATRIX.items():
        assert rule_for(app, endpoint) == least, endpoint


def test_a_view_without_a_rule_is_refused(app: Flask) -> None:
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    response = app.test_client().get("/forgotten")
    assert response.status_code == 403
    assert b"secret" not in response.data


def _allowed(role: str, least: str) -> bool:
    if least in (PUBLIC, "authenticated"):
        return True
    return ROLE_RANK[role] >= ROLE_RANK[least]


@dataclass
class _Result:
    status_code: int
    is_json: bool
    location: str


def _call(client: FlaskClient, method: str, path: str, headers: dict[str, str] | None = None) -> _Result:
    """One request, closed at once (static files hold a file open until then)."""
    json_body = {} if path.startswith("/api/") and method != "GET" else None
    response = client.open(path, method=method, headers=headers or {}, json=json_body)
    result = _Result(response.status_code, response.is_json, response.headers.get("Location", ""))
    response.close()
    return result


@pytest.mark.parametrize("role", ROLES)
def test_web_role_matrix(app: Flask, client: FlaskClient, auth: AuthActions, role: str) -> None:
    gid = make_guest(family_name="Matrix").id
    auth.login(role)
    for endpoint, (method, template, least) in MATRIX.items():
        if template.startswith("/api/") or endpoint == "auth.logout":
            continue
        path = template.format(gid=gid)
        response = _call(client, method, path)
        if _allowed(role, least):
            assert response.status_code != 403, f"{role} should reach {endpoint}"
        else:
            assert response.status_code == 403, f"{role} must be refused {endpoint} (got {response.status_code})"


@pytest.mark.parametrize("role", ROLES)
def test_api_role_matrix(app: Flask, client: FlaskClient, api_key, role: str) -> None:  # type: ignore[no-untyped-def]
    gid = make_guest(family_name="Matrix").id
    headers = api_key(role)
    for _endpoint, (method, template, least) in MATRIX.items():
        if not template.startswith("/api/"):
            continue
        response = _call(client, method, template.format(gid=gid), headers)
        if _allowed(role, least):
            assert response.status_code != 403, f"{role} should reach {template}"
        else:
            assert response.status_code == 403, f"{role} must be refused {template}"
            assert response.is_json


def test_anonymous_is_sent_to_sign_in_or_refused(app: Flask, client: FlaskClient) -> None:
    gid = make_guest(family_name="Anon").id
    for endpoint, (method, template, least) in MATRIX.items():
        if least == PUBLIC:
            continue
        response = _call(client, method, template.format(gid=gid))
        if template.startswith("/api/"):
            assert response.status_code == 401, endpoint
        elif method == "GET":
            assert response.status_code == 302 and "/login" in response.location, endpoint
        else:
            assert response.status_code == 302 and "/login" in response.location, endpoint


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_scripts_in_pages(client: FlaskClient, auth: AuthActions, app: Flask) -> None:
    gid = make_guest(family_name="Inline").id
    auth.login("admin")
    for path in ("/guests/", f"/guests/{gid}", f"/guests/{gid}/edit", "/admin/staff", "/admin/settings"):
        html = client.get(path).get_data(as_text=True)
        for tag in html.split("<script")[1:]:
            assert tag.split(">")[0].strip().startswith("src="), f"inline script on {path}"
        assert " onclick=" not in html and " onload=" not in html
