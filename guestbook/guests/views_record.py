"""Guest pages for the record at a glance: a guest's tags, the photo (consent, upload, view) and the tag list.

Also the template helpers for pages that show guests: the tag colours' stylesheet and a guest's card (``card_url``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from guestbook.guests import photos, tags
from guestbook.guests import profiles as guest_service
from guestbook.guests.views import bp
from guestbook.i18n import gettext
from guestbook.security import role_required
from guestbook.staff.access import current_actor


def _photo_message(reason: str) -> str:
    """The screen's words for a refused photo (marked for translation one by one)."""
    if reason == "disabled":
        return gettext("Guest photos are turned off for this property.")
    if reason == "no_consent":
        return gettext("Record the guest's consent before taking a photo.")
    if reason == "too_large":
        return gettext("The photo is too large: at most 5 MB.")
    return gettext("Only JPEG, PNG or WebP photos can be used.")


def _to_card(guest_id: int, anchor: str = "record-h") -> Response:
    return redirect(url_for("guests.show", guest_id=guest_id) + "#" + anchor)


def _existing(guest_id: int) -> None:
    try:
        guest_service.get_guest(guest_id)
    except guest_service.GuestNotFound:
        abort(404)


_ANY_ID = 918_273_645  # stands for the id while the card's URL is built once per request


@bp.app_template_filter()
def card_url(guest_id: int) -> str:
    """``{{ guest.id|card_url }}``: ``url_for('guests.show', guest_id=…)`` for pages that link many guests.

    The URL is built through the URL map once per request, around a stand-in id, and each guest's id put in its
    place; a filter, not a global, as Jinja calls a filter directly. Building each of a result list's twenty links
    was a fortieth of a keystroke's CPU.
    """
    parts = getattr(request, "_card_url_parts", None)  # the request's, not ``g``: one app context may serve several
    if parts is None:
        before, found, after = url_for("guests.show", guest_id=_ANY_ID).partition(str(_ANY_ID))
        if not found:  # never for this route, whose URL holds the id as digits
            return url_for("guests.show", guest_id=guest_id)
        parts = request._card_url_parts = (before, after)  # type: ignore[attr-defined]
    return f"{parts[0]}{int(guest_id):d}{parts[1]}"


@bp.app_template_global()
def tag_styles_url() -> str:
    """The URL of the tag colours' stylesheet, versioned so a changed colour is fetched again."""
    return url_for("guests.tag_styles", v=tags.tag_stylesheet()[1])


@bp.route("/tags.css")
@role_required("floor")
def tag_styles() -> Response:
    """The tag colours as CSS classes (inline styles are refused by the pages' CSP)."""
    css, _version = tags.tag_stylesheet()
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/<int:guest_id>/tags", methods=["POST"])
@role_required("floor")
def set_tags(guest_id: int) -> Response:
    """Set a guest's tags from the defined ones (the card's tag form)."""
    _existing(guest_id)
    chosen = [name for name in request.form.getlist("tags") if name.strip()]
    try:
        tags.set_guest_tags(guest_id, chosen, current_actor())
    except tags.UnknownTags as exc:
        flash(gettext("Unknown tags: %(names)s", names=", ".join(exc.names)), "error")
    else:
        flash(gettext("Tags saved."), "success")
    return _to_card(guest_id)


@bp.route("/<int:guest_id>/photo/consent", methods=["POST"])
@role_required("floor")
def photo_consent(guest_id: int) -> Response:
    """Record (``give``) or withdraw (``withdraw``: the photo goes too) the guest's consent to a photo."""
    _existing(guest_id)
    try:
        if request.form.get("action") == "withdraw":
            photos.remove_consent(guest_id, current_actor())
            flash(gettext("Consent withdrawn; the photo is deleted."), "success")
        else:
            photos.record_consent(guest_id, current_actor())
            flash(gettext("Consent to a photo recorded."), "success")
    except photos.PhotoError as exc:
        flash(_photo_message(exc.reason), "error")
    return _to_card(guest_id)


@bp.route("/<int:guest_id>/photo", methods=["POST"])
@role_required("floor")
def upload_photo(guest_id: int) -> Response:
    """Take a photo from the card (multipart field ``photo``): resized to 400 px, EXIF stripped."""
    _existing(guest_id)
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        flash(gettext("Choose a photo first."), "error")
        return _to_card(guest_id)
    raw = upload.stream.read(photos.MAX_BYTES + 1)
    try:
        photos.save_photo(guest_id, raw, current_actor())
    except photos.PhotoError as exc:
        flash(_photo_message(exc.reason), "error")
    else:
        flash(gettext("Photo saved."), "success")
    return _to_card(guest_id)


@bp.route("/<int:guest_id>/photo/delete", methods=["POST"])
@role_required("floor")
def delete_photo(guest_id: int) -> Response:
    """Delete the photo (the consent stays on record)."""
    _existing(guest_id)
    photos.delete_photo(guest_id, current_actor())
    flash(gettext("Photo deleted."), "success")
    return _to_card(guest_id)


@bp.route("/<int:guest_id>/photo")
@role_required("floor")
def photo(guest_id: int) -> Response:
    """The guest's photo for the card (signed-in staff only; never cached by shared proxies)."""
    found = photos.photo_bytes(guest_id)
    if found is None:
        abort(404)
    data, mime = found
    response = Response(data, mimetype=mime)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/tags", methods=["GET", "POST"])
@role_required("manager")
def tag_list() -> Response | tuple[str, int]:
    """Define the team's tags (managers and admins): a name and a colour."""
    status = 200
    if request.method == "POST":
        try:
            tags.create_tag(request.form.get("name", ""), request.form.get("color", ""), current_actor())
        except tags.TagError as exc:
            if exc.field == "color":
                flash(gettext("Choose a colour as #rrggbb."), "error")
            elif "exists" in exc.message:
                flash(gettext("A tag with this name exists."), "error")
            else:
                flash(gettext("Give the tag a name of at most 40 characters."), "error")
            status = 422
        else:
            flash(gettext("Tag added."), "success")
            return redirect(url_for("guests.tag_list"))
    return render_template("guests/tags.html", tags=tags.list_tags()), status


@bp.route("/tags/<int:tag_id>/delete", methods=["POST"])
@role_required("manager")
def tag_delete(tag_id: int) -> Response:
    """Remove a tag from the list and from every guest carrying it."""
    try:
        tags.delete_tag(tag_id, current_actor())
    except LookupError:
        abort(404)
    flash(gettext("Tag removed."), "success")
    return redirect(url_for("guests.tag_list"))
