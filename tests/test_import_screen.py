"""The import screen: admins only; upload, dry run (counts, every error, error report), then commit."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from guestbook.data import imports
from guestbook.extensions import db
from guestbook.guests.models import Guest

from .conftest import AuthActions, csrf_from

GUESTS = "source_id,given_name,family_name\ng1,Niran,Smith\ng2,สมชาย,ศรีสุข\n".encode()


def guest_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Guest)) or 0


def upload(client: FlaskClient, content: bytes, source: str = "opera", kind: str = "guests") -> str:
    token = csrf_from(client.get("/data/import").get_data(as_text=True))
    response = client.post(
        "/data/import",
        data={"csrf_token": token, "kind": kind, "source": source, "file": (io.BytesIO(content), "export.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html) or re.search(
        rf'id="{name}" name="{name}" type="hidden" value="([^"]*)"', html
    )
    assert match, f"no hidden {name}"
    return match.group(1)


def test_only_admins_reach_the_import_screen(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("manager")
    assert client.get("/data/import").status_code == 403
    auth.login("admin")
    page = client.get("/data/import")
    assert page.status_code == 200
    assert "Import guests and visits" in page.get_data(as_text=True)


def test_dry_run_then_commit(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("admin")
    html = upload(client, GUESTS)
    assert guest_count() == 0
    assert "Dry run of export.csv" in html and "Import now" in html
    counts = re.search(r"<tbody><tr><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", html)
    assert counts and counts.groups() == ("2", "0", "0", "0", "0")
    response = client.post(
        "/data/import/commit",
        data={
            "csrf_token": csrf_from(html),
            "kind": "guests",
            "source": "opera",
            "token": hidden(html, "token"),
            "filename": "export.csv",
        },
    )
    assert response.status_code == 302
    assert guest_count() == 2
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported: 2 new, 0 changed, 0 unchanged, 0 skipped." in page
    assert "export.csv" in page  # the recent imports list
    # The upload was deleted with the commit: committing it again is a 404.
    again = client.post(
        "/data/import/commit",
        data={"csrf_token": csrf_from(page), "kind": "guests", "source": "opera", "token": hidden(html, "token")},
    )
    assert again.status_code == 404


def test_errors_are_listed_and_downloadable_and_nothing_is_written(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("admin")
    html = upload(client, b"source_id,given_name,birthday\ng1,Ann,1990-13-45\ng2,Bo,\n")
    assert "row 2, column birthday: value &#39;1990-13-45&#39;: not a date" in html
    assert "Import now" not in html and "Download error report (CSV)" in html
    response = client.post(
        "/data/import/errors.csv",
        data={"csrf_token": csrf_from(html), "kind": "guests", "source": "opera", "token": hidden(html, "token")},
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines() == [
        "row,column,value,problem",
        "2,birthday,1990-13-45,not a date",
    ]
    assert guest_count() == 0


def test_saving_a_source_mapping(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login("admin")
    page = client.get("/data/import?kind=guests&source=opera").get_data(as_text=True)
    headers = {f"headers-{i}": "" for i in range(len(imports.COLUMNS["guests"]))}
    headers["headers-0"] = "Guest No"
    response = client.post(
        "/data/import/settings",
        data={
            "csrf_token": csrf_from(page),
            "kind": "guests",
            "source": "opera",
            "encoding": "cp874",
            "date_order": "DMY",
            **headers,
        },
    )
    assert response.status_code == 302
    saved = imports.settings_for("guests", "opera")
    assert (saved.mapping, saved.encoding, saved.date_order) == ({"source_id": "Guest No"}, "cp874", "DMY")
    html = upload(client, "Guest No,given_name\nA1,สมชาย\n".encode("cp874"))
    assert "Import now" in html


def test_an_imported_guest_gets_the_might_be_the_same_hint(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    from .factories import make_guest

    known = make_guest(given_name="Niran", family_name="Smith", phone="+66 81 234 5678")
    auth.login("admin")
    html = upload(client, b"source_id,given_name,family_name,phone\nx1,Niran,Smith,081 234 5678\n")
    response = client.post(
        "/data/import/commit",
        data={
            "csrf_token": csrf_from(html),
            "kind": "guests",
            "source": "opera",
            "token": hidden(html, "token"),
            "filename": "export.csv",
        },
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Might be the same as Niran Smith" in page
    new_id = db.session.scalar(select(func.max(Guest.id)))
    assert f'href="/data/duplicates/{known.id}/{new_id}"' in page
