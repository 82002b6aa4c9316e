"""Guest photos: consent first, resized to 400 px, EXIF stripped, JPEG/PNG/WebP up to 5 MB, off by a setting."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import delete

from guestbook.admin.settings import set_setting
from guestbook.extensions import db
from guestbook.guests import photos
from guestbook.guests.models import Guest, GuestPhoto

from .conftest import AuthActions
from .factories import ACTOR, make_guest


def _jpeg_with_gps(size: tuple[int, int] = (1600, 1200)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (13.0, 45.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _png(size: tuple[int, int] = (300, 500)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 255, 128)).save(out, "PNG")
    return out.getvalue()


def _upload(client: FlaskClient, auth: AuthActions, gid: int, data: bytes, name: str = "me.jpg"):  # type: ignore[no-untyped-def]
    token = auth.token(f"/guests/{gid}")
    return client.post(
        f"/guests/{gid}/photo",
        data={"csrf_token": token, "photo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _consent(client: FlaskClient, auth: AuthActions, gid: int) -> None:
    token = auth.token(f"/guests/{gid}")
    assert client.post(f"/guests/{gid}/photo/consent", data={"csrf_token": token, "action": "give"}).status_code == 302


def test_no_photo_without_consent(client: FlaskClient, auth: AuthActions, app: Flask) -> None:
    gid = make_guest(given_name="Ana").id
    auth.login("floor")
    page = _upload(client, auth, gid, _jpeg_with_gps()).get_data(as_text=True)
    assert "Record the guest&#39;s consent before taking a photo." in page
    assert photos.photo_bytes(gid) is None
    assert client.get(f"/guests/{gid}/photo").status_code == 404


def test_upload_resizes_strips_exif_and_serves_to_staff_only(
    client: FlaskClient, auth: AuthActions, app: Flask, api_key
) -> None:  # type: ignore[no-untyped-def]
    gid = make_guest(given_name="Ana").id
    auth.login("floor")
    _consent(client, auth, gid)
    row = db.session.get(GuestPhoto, gid)
    assert row is not None and row.consent_by and row.consent_at is not None
    page = _upload(client, auth, gid, _jpeg_with_gps())
    assert "Photo saved." in page.get_data(as_text=True)
    served = client.get(f"/guests/{gid}/photo")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "no-store" in served.headers["Cache-Control"]
    image = Image.open(io.BytesIO(served.data))
    assert image.size == (400, 300)
    assert not image.getexif() and b"SecretCam" not in served.data
    assert f'src="/guests/{gid}/photo"' in client.get(f"/guests/{gid}").get_data(as_text=True)
    assert client.get(f"/api/v1/guests/{gid}", headers=api_key("floor")).get_json()["has_photo"] is True
    client.post("/logout", data={"csrf_token": auth.token()})
    assert client.get(f"/guests/{gid}/photo").status_code in (302, 401)


def test_png_and_webp_keep_their_format(app: Flask) -> None:
    gid = make_guest(given_name="Ana").id
    photos.record_consent(gid, ACTOR)
    photos.save_photo(gid, _png(), ACTOR)
    data, mime = photos.photo_bytes(gid) or (b"", "")
    assert mime == "image/png" and Image.open(io.BytesIO(data)).size == (240, 400)
    out = io.BytesIO()
    Image.new("RGB", (800, 800), "green").save(out, "WEBP")
    photos.save_photo(gid, out.getvalue(), ACTOR)
    data, mime = photos.photo_bytes(gid) or (b"", "")
    assert mime == "image/webp" and Image.open(io.BytesIO(data)).size == (400, 400)


def test_wrong_type_and_too_large_are_refused(client: FlaskClient, auth: AuthActions, app: Flask) -> None:
    gid = make_guest(given_name="Ana").id
    auth.login("floor")
    _consent(client, auth, gid)
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    page = _upload(client, auth, gid, gif.getvalue(), "a.gif").get_data(as_text=True)
    assert "Only JPEG, PNG or WebP photos can be used." in page
    page = _upload(client, auth, gid, b"%PDF-1.4 not an image", "a.jpg").get_data(as_text=True)
    assert "Only JPEG, PNG or WebP photos can be used." in page
    big = _jpeg_with_gps()[:100] + b"\0" * (5 * 1024 * 1024)
    page = _upload(client, auth, gid, big).get_data(as_text=True)
    assert "The photo is too large: at most 5 MB." in page
    assert photos.photo_bytes(gid) is None


def test_delete_withdraw_and_erasure_remove_the_photo(app: Flask) -> None:
    gid = make_guest(given_name="Ana").id
    photos.record_consent(gid, ACTOR)
    photos.save_photo(gid, _png(), ACTOR)
    assert photos.delete_photo(gid, ACTOR) and photos.photo_bytes(gid) is None
    assert photos.photo_state(gid).consent
    photos.save_photo(gid, _png(), ACTOR)
    photos.remove_consent(gid, ACTOR)
    assert db.session.get(GuestPhoto, gid) is None
    photos.record_consent(gid, ACTOR)
    photos.save_photo(gid, _png(), ACTOR)
    db.session.execute(delete(Guest).where(Guest.id == gid))  # erasing the guest's row
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(GuestPhoto, gid) is None


def test_setting_turns_photos_off(client: FlaskClient, auth: AuthActions, app: Flask, api_key) -> None:  # type: ignore[no-untyped-def]
    gid = make_guest(given_name="Ana").id
    photos.record_consent(gid, ACTOR)
    photos.save_photo(gid, _png(), ACTOR)
    set_setting("photos_enabled", False, ACTOR)
    auth.login("floor")
    card = client.get(f"/guests/{gid}").get_data(as_text=True)
    assert "/photo" not in card and "agrees to a photo" not in card
    assert client.get(f"/guests/{gid}/photo").status_code == 404
    assert client.get(f"/api/v1/guests/{gid}", headers=api_key("floor")).get_json()["has_photo"] is False
    page = _upload(client, auth, gid, _png(), "a.png").get_data(as_text=True)
    assert "Guest photos are turned off for this property." in page
