"""Letter batches in the JSON API: the batch with its letters, and the approved letters as a PDF."""

from __future__ import annotations

import io

from flask import Response, jsonify, send_file

from guestbook.api.views import ApiError, bp
from guestbook.letters import batches as letter_batches
from guestbook.letters import exports as letter_exports
from guestbook.security import role_required
from guestbook.staff.access import current_actor


def _batch_or_404(batch_id: int) -> None:
    try:
        letter_batches.get_batch(batch_id)
    except letter_batches.LetterError:
        raise ApiError(404, {"error": f"no letter batch with id {batch_id}"}) from None


@bp.get("/letter-batches/<int:batch_id>")
@role_required("concierge")
def get_letter_batch(batch_id: int) -> Response:
    """A letter batch with every letter: guest, kind, status and, for skipped ones, the reason."""
    _batch_or_404(batch_id)
    return jsonify(letter_batches.batch_to_dict(letter_batches.get_batch(batch_id)))


@bp.get("/letter-batches/<int:batch_id>.pdf")
@role_required("concierge")
def get_letter_batch_pdf(batch_id: int) -> Response:
    """The batch's approved letters as one print-ready PDF."""
    _batch_or_404(batch_id)
    buffer = io.BytesIO()
    try:
        letter_exports.export_pdf(batch_id, current_actor(), buffer)
    except letter_exports.NothingToPrint as exc:
        raise ApiError(409, {"error": str(exc)}) from None
    buffer.seek(0)
    return send_file(buffer, mimetype="application/pdf", download_name=f"letters-batch-{batch_id}.pdf")
