"""Insights: the weekly funnel chart, the most asked topics, what the assistant missed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from burnout_assistant.apps.dashboard.insights import funnel_chart, funnel_steps
from burnout_assistant.config_files import load_yaml
from tests.apps.dashboard.tracker import now

pytestmark = pytest.mark.timeout(120)


def visit(tracker, sender: str, reached: int, at) -> None:
    """A conversation that got ``reached`` stages into the funnel (0: just talked)."""
    tracker.user(sender, "hallo", at)
    steps = [
        lambda: tracker.loop(sender, "symptom_check_form", at),
        lambda: tracker.slot(sender, "check_band", "verhoogd", at),
        lambda: tracker.loop(sender, "booking_form", at),
        lambda: tracker.slot(sender, "booking_status", "booked", at),
    ]
    for step in steps[:reached]:
        step()


def test_funnel_topics_and_misses_on_the_page(logged_in, tracker) -> None:
    at = now() - timedelta(minutes=5)
    for n, reached in enumerate((0, 1, 2, 4)):
        visit(tracker, f"v{n}", reached, at)
    visit(tracker, "last-week", 4, at - timedelta(weeks=1))
    tracker.user("v0", "wat doet magnesium", at, intent="faq", faq="magnesium")
    tracker.user("v1", "en magnesium?", at, intent="faq", faq="magnesium")
    tracker.user("v2", "helpt sporten", at, intent="faq", faq="bewegen")
    tracker.user("v3", "wat kost een fiets", at, intent="out_of_scope", confidence=0.41)

    body = logged_in.get("/inzichten").get_data(as_text=True)
    funnel = body.split('class="funnel"')[1].split("</div>\n  \n")[0]
    values = re.findall(r'class="funnel-value"><strong>(\d+)</strong>', funnel)
    assert values == ["5", "4", "3", "2", "2"]
    assert "(40%)" in funnel  # 2 of 5 conversations booked
    chart = body.split('<svg class="chart"')[1].split("</svg>")[0]
    assert chart.count("<rect") == 8 * 5  # eight weeks, five stages each
    assert "Gesprekken, checks en afspraken per week" in chart
    topics = body.split('class="topics"')[1].split("</ol>")[0]
    assert topics.index("magnesium") < topics.index("bewegen")
    assert re.search(r"magnesium</span>.*?<span class=\"topic-count\">2</span>", topics, re.S)
    misses = body.split('data-testid="misses"')[1]
    assert "wat kost een fiets" in misses and "41%" in misses


def test_missed_messages_export_as_candidate_training_examples(logged_in, tracker) -> None:
    at = now() - timedelta(hours=1)
    tracker.user("v1", "hoeveel kost een bos bloemen", at, intent="nlu_fallback",
                 confidence=0.3)
    tracker.user("v1", "hallo", at)
    response = logged_in.get("/inzichten/voorbeelden.yml")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = load_yaml(response.get_data(as_text=True))
    examples = document["nlu"][0]["examples"]
    assert "hoeveel kost een bos bloemen" in examples and "hallo" not in examples


def test_empty_tracker_gives_an_empty_but_working_page(logged_in) -> None:
    body = logged_in.get("/inzichten").get_data(as_text=True)
    assert "Nog geen vragen over onderwerpen." in body and "Niets gemist" in body


def test_chart_geometry_stays_inside_the_plot() -> None:
    from burnout_assistant.records.insights import WeekFunnel

    start = now().date()
    weeks = [WeekFunnel(start - timedelta(weeks=7 - n), 10 * n, 5 * n, 3 * n, 2 * n, n)
             for n in range(8)]
    chart = funnel_chart(weeks)
    bottom = chart.height - 30
    tallest = max(chart.bars, key=lambda bar: bar.value)
    assert tallest.value == 70 and tallest.y >= 12 - 0.1
    for bar in chart.bars:
        assert chart.plot_left <= bar.x and bar.x + bar.width <= chart.plot_right
        assert abs(bar.y + bar.height - bottom) < 0.2
    assert [tick for _, tick in chart.ticks][-1] >= 70
    steps = funnel_steps(weeks)
    assert [s.value for s in steps] == [280, 140, 84, 56, 28] and steps[-1].share == 10


def test_without_a_sql_tracker_store_pages_say_so(settings, store, staff) -> None:
    from burnout_assistant.apps.dashboard import create_app
    from tests.apps.dashboard.conftest import SECRET, login
    from tests.apps.dashboard.leads import callback

    app = create_app(settings, store, None, SECRET)
    client = app.test_client()
    assert login(client).status_code == 302
    lead = callback(store)
    assert "geen tracker store" in client.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "geen tracker store" in client.get("/inzichten").get_data(as_text=True)
    assert client.get("/inzichten/voorbeelden.yml").status_code == 503
