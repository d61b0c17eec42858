"""The leads pages: the list with filters, one lead in full, status, notes, export, erase."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date
from math import ceil
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import MultiDict

from burnout_assistant.apps.dashboard.records import erase_conversation, leads_csv
from burnout_assistant.check.questionnaire import Questionnaire
from burnout_assistant.language.dutch_time import local
from burnout_assistant.records.conversations import Turn
from burnout_assistant.records.leads import LeadNotFound
from burnout_assistant.records.schema import STATUSES, Lead
from burnout_assistant.records.search import NO_BAND, LeadFilter

log = logging.getLogger(__name__)

bp = Blueprint("leads", __name__)

PAGE_SIZE = 50
MAX_EXPORT = 10_000
MAX_NOTE = 2000
FILTER_ARGS = ("status", "uitkomst", "kanaal", "van", "tot", "q")


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str


def _dashboard() -> Any:
    return current_app.extensions["dashboard"]


def _lead_or_404(lead_id: int) -> Lead:
    lead = _dashboard().store.get(lead_id)
    if lead is None:
        abort(404)
    return lead


def parse_filter(args: MultiDict, band_names: list[str], tz: Any) -> tuple[LeadFilter, list[str]]:
    """The list's filter from the query string; unknown values are ignored, bad dates named."""
    problems = []
    dates: dict[str, date | None] = {}
    for key, label in (("van", "vanaf"), ("tot", "tot en met")):
        raw = (args.get(key) or "").strip()
        dates[key] = None
        if raw:
            try:
                dates[key] = date.fromisoformat(raw)
            except ValueError:
                problems.append(f"De datum '{label}' is geen geldige datum (jjjj-mm-dd).")
    status = args.get("status") or None
    band = args.get("uitkomst") or None
    lead_filter = LeadFilter(
        status=status if status in STATUSES else None,
        band=band if band in [*band_names, NO_BAND] else None,
        channel=(args.get("kanaal") or "")[:32] or None,
        created_from=dates["van"],
        created_to=dates["tot"],
        query=(args.get("q") or "").strip()[:100],
        tz=tz,
    )
    return lead_filter, problems


def _filter_args() -> dict[str, str]:
    return {key: request.args[key] for key in FILTER_ARGS if request.args.get(key)}


@bp.route("/")
def index() -> str:
    dashboard = _dashboard()
    bands = [band.name for band in dashboard.questionnaire.scoring.bands]
    lead_filter, problems = parse_filter(request.args, bands, dashboard.settings.tz)
    total = dashboard.store.count(lead_filter)
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(max(1, request.args.get("pagina", 1, type=int) or 1), pages)
    leads = dashboard.store.search(
        replace(lead_filter, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    )
    return render_template(
        "leads.html",
        leads=leads,
        total=total,
        new_count=dashboard.store.count_new(),
        page=page,
        pages=pages,
        filters=_filter_args(),
        lead_filter=lead_filter,
        problems=problems,
        bands=bands,
        no_band=NO_BAND,
        channels=dashboard.store.channels(),
    )


@bp.route("/leads.csv")
def export() -> Response:
    dashboard = _dashboard()
    bands = [band.name for band in dashboard.questionnaire.scoring.bands]
    lead_filter, _ = parse_filter(request.args, bands, dashboard.settings.tz)
    leads = dashboard.store.search(replace(lead_filter, limit=MAX_EXPORT))
    dashboard.store.record_export([lead.id for lead in leads], g.staff.email)
    log.info("staff exported %d lead(s)", len(leads))
    today = local(dashboard.now(), dashboard.settings.tz).date()
    return Response(
        leads_csv(leads, dashboard.settings.tz),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="aanvragen-{today.isoformat()}.csv"'
        },
    )


@bp.route("/leads/<int:lead_id>")
def detail(lead_id: int) -> str:
    dashboard = _dashboard()
    lead = _lead_or_404(lead_id)
    transcript, transcript_problem = read_transcript(lead.sender_id)
    return render_template(
        "lead.html",
        safety=read_safety_moments(lead.sender_id),
        lead=lead,
        answers=check_answers(lead.check_answers, dashboard.questionnaire),
        events=dashboard.store.events(lead.id),
        transcript=transcript,
        transcript_problem=transcript_problem,
        other_leads=[o for o in dashboard.store.leads_of(lead.sender_id) if o.id != lead.id],
    )


@bp.route("/leads/<int:lead_id>/status", methods=["POST"])
def change_status(lead_id: int) -> Response:
    status = request.form.get("status", "")
    if status not in STATUSES:
        abort(400)
    note = request.form.get("note", "").strip()[:MAX_NOTE]
    try:
        before = _lead_or_404(lead_id).status
        _dashboard().store.set_status(lead_id, status, note=note or None, actor=g.staff.email)
    except LeadNotFound:
        abort(404)
    if before != status:
        flash(f"Status gewijzigd in “{status}”.")
    elif note:
        flash("Notitie opgeslagen.")
    else:
        flash("De status was al zo; er is niets veranderd.")
    return redirect(url_for("leads.detail", lead_id=lead_id) + "#geschiedenis")


@bp.route("/leads/<int:lead_id>/notitie", methods=["POST"])
def add_note(lead_id: int) -> Response:
    note = request.form.get("note", "").strip()[:MAX_NOTE]
    if not note:
        flash("Een lege notitie is niet opgeslagen.", "fout")
        return redirect(url_for("leads.detail", lead_id=lead_id))
    try:
        _dashboard().store.add_note(lead_id, note, g.staff.email)
    except LeadNotFound:
        abort(404)
    flash("Notitie opgeslagen.")
    return redirect(url_for("leads.detail", lead_id=lead_id) + "#geschiedenis")


@bp.route("/leads/<int:lead_id>/wissen", methods=["GET", "POST"])
def erase(lead_id: int) -> Response | str:
    dashboard = _dashboard()
    lead = _lead_or_404(lead_id)
    others = [o for o in dashboard.store.leads_of(lead.sender_id) if o.id != lead.id]
    if request.method == "GET":
        return render_template("erase.html", lead=lead, other_leads=others)
    problem = erase_conversation(lead, dashboard.store, dashboard.calendar,
                                 dashboard.conversations)
    if problem:
        flash(problem, "fout")
        return redirect(url_for("leads.detail", lead_id=lead_id))
    flash("De aanvraag en het gesprek zijn gewist.")
    return redirect(url_for("leads.index"))


def check_answers(answers: dict | None, questionnaire: Questionnaire) -> list[Answer]:
    """Question text → answer label, in the questionnaire's order.

    Answers to questions the current questionnaire no longer has are still shown, by id
    and value, so nothing a person answered is hidden after the instrument changed.
    """
    if not answers:
        return []
    shown = []
    for question in questionnaire.questions:
        if question.id not in answers:
            continue
        value = answers[question.id]
        label = next((o.label for o in questionnaire.options(question) if o.value == value),
                     str(value))
        shown.append(Answer(question.text, label))
    known = {q.id for q in questionnaire.questions}
    shown.extend(Answer(key, str(value)) for key, value in answers.items() if key not in known)
    return shown


def read_safety_moments(sender_id: str) -> tuple[int, int] | None:
    """(crisis answers, direct questions) in the conversation, or None if unreadable."""
    conversations = _dashboard().conversations
    if conversations is None:
        return None
    try:
        return conversations.safety_moments(sender_id)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("tracker store unavailable: %s", type(exc).__name__)
        return None


def read_transcript(sender_id: str) -> tuple[list[Turn], str | None]:
    """The conversation from the tracker store, or why it cannot be shown."""
    conversations = _dashboard().conversations
    if conversations is None:
        return [], "Er is geen tracker store ingesteld waaruit het gesprek gelezen kan worden."
    try:
        return conversations.transcript(sender_id), None
    except (SQLAlchemyError, OSError) as exc:
        log.warning("tracker store unavailable: %s", type(exc).__name__)
        return [], "Het gesprek kan nu niet worden gelezen; probeer het later opnieuw."
