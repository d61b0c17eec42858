"""Insights: how far visitors get (weekly funnel), what they ask, what the assistant missed.

The chart is an SVG drawn on the server from numbers computed here: no JavaScript library,
nothing loaded from elsewhere, and it prints. The messages the assistant did not understand
can be downloaded as candidate training examples for whoever improves the NLU data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, render_template
from sqlalchemy.exc import SQLAlchemyError

from burnout_assistant.language.dutch_time import MONTHS_SHORT, local
from burnout_assistant.records.insights import WeekFunnel, candidate_examples_yaml

log = logging.getLogger(__name__)

bp = Blueprint("insights", __name__)

WEEKS = 8
STAGES = (
    ("conversations", "Gesprekken"),
    ("check_started", "Check begonnen"),
    ("check_done", "Check afgerond"),
    ("booking_started", "Inplannen begonnen"),
    ("booked", "Ingepland"),
)
UNAVAILABLE = "De gesprekken kunnen nu niet worden gelezen; probeer het later opnieuw."
NO_TRACKER = "Er is geen tracker store ingesteld waaruit de gesprekken gelezen kunnen worden."


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    stage: int  # index in STAGES: picks the colour
    title: str


@dataclass(frozen=True)
class Chart:
    """Geometry of the weekly bar chart in SVG user units (the SVG scales to the page)."""

    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, str]]  # (x centre, week label)
    ticks: list[tuple[float, int]]  # (y, value) of the horizontal grid lines
    plot_left: int
    plot_right: int


@dataclass(frozen=True)
class Step:
    label: str
    value: int
    share: int  # percentage of the conversations
    width: float  # bar width in percent units of the SVG


def period_start(now: datetime, tz: ZoneInfo) -> datetime:
    """Monday 00:00 of the first of the last WEEKS weeks: topics and misses cover the chart's
    weeks exactly."""
    today = local(now, tz).date()
    first = today - timedelta(days=today.weekday(), weeks=WEEKS - 1)
    return datetime.combine(first, time.min, tz)


def week_label(week_start: date) -> str:
    return f"{week_start.day} {MONTHS_SHORT[week_start.month - 1]}"


def axis(value: int) -> tuple[int, int]:
    """(maximum, tick step) of the value axis: 5, 10, 20, 50, 100 … at least ``value``."""
    magnitude = 1
    while True:
        for step, divisions in ((1, 5), (2, 4), (5, 5)):
            top = step * magnitude
            if top >= max(value, 5):
                return top, top // divisions
        magnitude *= 10


def funnel_chart(weeks: list[WeekFunnel], width: int = 720, height: int = 220) -> Chart:
    """Grouped bars: one group per week, one bar per funnel stage."""
    left, right, top, bottom = 40, width - 8, 12, height - 30
    top_value, tick = axis(max((getattr(w, k) for w in weeks for k, _ in STAGES), default=0))
    scale = (bottom - top) / top_value
    group = (right - left) / max(len(weeks), 1)
    bar_width = group * 0.8 / len(STAGES)
    bars, labels = [], []
    for index, week in enumerate(weeks):
        start = left + index * group + group * 0.1
        label = week_label(week.week_start)
        labels.append((left + index * group + group / 2, label))
        for stage, (key, name) in enumerate(STAGES):
            value = int(getattr(week, key))
            bar_height = value * scale
            bars.append(Bar(round(start + stage * bar_width, 1), round(bottom - bar_height, 1),
                            round(bar_width - 1, 1), round(bar_height, 1), value, stage,
                            f"week van {label}: {name.lower()} {value}"))
    ticks = [(round(bottom - v * scale, 1), v) for v in range(0, top_value + 1, tick)]
    return Chart(width, height, bars, labels, ticks, left, right)


def funnel_steps(weeks: list[WeekFunnel]) -> list[Step]:
    """The whole period as one funnel: each stage's total and its share of the conversations."""
    totals = [sum(int(getattr(w, key)) for w in weeks) for key, _ in STAGES]
    first = totals[0] or 1
    top = max(totals) or 1
    return [Step(name, total, round(100 * total / first), round(100 * total / top, 1))
            for (_, name), total in zip(STAGES, totals, strict=True)]


@bp.route("/inzichten")
def index() -> str:
    dashboard = current_app.extensions["dashboard"]
    conversations = dashboard.conversations
    now = dashboard.now()
    since = period_start(now, dashboard.settings.tz)
    context: dict[str, Any] = {"weeks": [], "topics": [], "misses": [], "problem": None,
                               "since": since, "stages": STAGES}
    if conversations is None:
        context["problem"] = NO_TRACKER
    else:
        try:
            context["weeks"] = conversations.weekly_funnel(WEEKS, now)
            context["topics"] = conversations.top_faq_topics(since, 10)
            context["misses"] = conversations.not_understood(since, 200)
        except (SQLAlchemyError, OSError) as exc:
            log.warning("tracker store unavailable: %s", type(exc).__name__)
            context["problem"] = UNAVAILABLE
    weeks = context["weeks"]
    context["chart"] = funnel_chart(weeks) if weeks else None
    context["steps"] = funnel_steps(weeks) if weeks else []
    context["top_topic"] = max((count for _, count in context["topics"]), default=1)
    return render_template("insights.html", **context)


@bp.route("/inzichten/voorbeelden.yml")
def examples() -> Response:
    dashboard = current_app.extensions["dashboard"]
    if dashboard.conversations is None:
        return Response(f"# {NO_TRACKER}\n", mimetype="text/plain", status=503)
    try:
        misses = dashboard.conversations.not_understood(
            period_start(dashboard.now(), dashboard.settings.tz), 200)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("tracker store unavailable: %s", type(exc).__name__)
        return Response(f"# {UNAVAILABLE}\n", mimetype="text/plain", status=503)
    today = local(dashboard.now(), dashboard.settings.tz).date().isoformat()
    return Response(
        candidate_examples_yaml(misses),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="voorbeelden-{today}.yml"'},
    )
