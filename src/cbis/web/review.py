"""Examiner review from the viewer: the one route that changes the case (besides logging in and out).

`POST /review` sets a category, adds or removes a tag, or sets a note on one file or many (`file`, repeated), or
undoes this session's latest change (`kind=undo`). It takes a plain form, so every control works without
JavaScript; static/keys.js submits the same forms from the keyboard. Each post:

- is CSRF-checked (web/auth.py) and needs a logged-in examiner: in a case without accounts the viewer shows review
  read-only and says to add one (`cbis user add`), so every event names a person (the account's user name);
- is written through a writer of its own (`db.review.open_review_engine`), which can append review events and
  nothing else; the pages keep reading through the read-only request connection;
- carries `seen`, the review log's last event id when the page was made: each event is based on what the page
  showed (`db.review_changes.Seen`), so a change made on a stale page (another examiner changed the file since) is
  recorded as a conflict, never lost; origin `viewer`, session the web session's id (the SHA-256 of its token).

After the change the browser is sent on to `next` (a path on this viewer): the next image after a category is
set on the image page (the keyboard loop's auto-advance), or back to the page it came from.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, g, redirect, request
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import ServiceUnavailable

from cbis.db import review_changes as review
from cbis.db.access import UserRecord
from cbis.db.review import KINDS, open_review_engine
from cbis.errors import ReviewError
from cbis.web.auth import safe_next

ENGINE_KEY = "cbis.review"
MAX_FILES = 1000  # a gallery page shows at most 240 tiles
NO_ACCOUNT = "Review needs an examiner account: add one with `cbis user add`, then log in to review."
NOT_RECORDED = "The review could not be recorded, so nothing changed. Try again, or ask the case's administrator."

bp = Blueprint("review", __name__)


def init_app(app: Flask) -> None:
    app.extensions[ENGINE_KEY] = open_review_engine(Path(app.config["CASE_DIR"]))
    app.register_blueprint(bp)
    app.context_processor(lambda: {"can_review": g.get("cbis_examiner") is not None})


def _engine() -> Engine:
    return current_app.extensions[ENGINE_KEY]


def _seen() -> review.Seen:
    text = request.form.get("seen", "").strip()
    if not text:
        return review.Seen(None)
    if not text.isdigit():
        abort(400, description="This form is damaged (seen): reload the page and retry.")
    return review.Seen(int(text))


def _files() -> list[int]:
    given = request.form.getlist("file")
    if not given:
        abort(400, description="Choose at least one file (select tiles with a click, or shift-click for many).")
    if len(given) > MAX_FILES or not all(value.strip().isdigit() for value in given):
        abort(400, description="This form is damaged (file): reload the page and retry.")
    return sorted({int(value) for value in given})


@bp.post("/review")
def change() -> Response:
    examiner: UserRecord | None = g.get("cbis_examiner")
    session_id: str | None = g.get("cbis_session_id")
    if examiner is None or session_id is None:
        abort(403, description=NO_ACCOUNT)
    # A category button is `set=CODE` (so one form can hold category buttons and a tag field); else kind and value.
    kind = "category" if "set" in request.form else request.form.get("kind", "")
    if kind != "undo" and kind not in KINDS:
        abort(400, description=f"A review change is one of: {', '.join((*KINDS, 'undo'))}.")
    try:
        with _engine().begin() as connection:
            if kind == "undo":
                review.undo_last(connection, session_id, examiner=examiner.username)
            else:
                value = request.form.get("set") if kind == "category" and "set" in request.form else None
                value = value if value is not None else request.form.get("value")
                if kind in ("tag_add", "tag_remove") and not (value or "").strip():
                    abort(400, description="Give the tag's text.")
                review.change(
                    connection,
                    _files(),
                    kind,
                    value,
                    examiner=examiner.username,
                    origin="viewer",
                    session_id=session_id,
                    seen=_seen(),
                )
    except ReviewError as exc:
        abort(400, description=str(exc))
    except SQLAlchemyError as exc:
        current_app.logger.exception("cannot record a review change")
        raise ServiceUnavailable(NOT_RECORDED) from exc
    return redirect(safe_next(request.form.get("next")), 303)
