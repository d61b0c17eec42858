"""The benchmark's pure parts: percentiles, the held-out split, config generation, scoring.

A wrong percentile, a split that changes between runs or leaks test utterances into training,
or a "default" config that is not what ``rasa init`` writes would make every benchmark
number meaningless without any error, so these are checked directly.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from bench import report
from bench.accuracy import Prediction, heldout_accuracy, prediction_from_parse
from bench.bench import BEGIN, END, write_results
from bench.configuration import (
    capped_epochs,
    completed,
    default_config_text,
    init_config_text,
    quick_config_text,
    recipe_defaults,
)
from bench.load import percentile, sender_for
from bench.split import split_examples, to_nlu_yaml, write_split_project
from burnout_assistant.config_files import load_yaml
from devtools.evaluation import Example, load_examples

ROOT = Path(__file__).resolve().parents[2]


def _examples() -> list[Example]:
    sizes = {"greet": 10, "faq/kosten": 5, "faq/magnesium": 12, "out_of_scope": 31, "solo": 1}
    return [Example(f"{label} voorbeeld {i}", label) for label, n in sizes.items()
            for i in range(n)]


# --- percentiles -------------------------------------------------------------------------


def test_percentile_interpolates_between_ranks() -> None:
    values = list(range(1, 101))  # 1..100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 100) == 100


def test_percentile_ignores_order_and_handles_tiny_inputs() -> None:
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 50) == 3.0
    assert percentile(list(reversed(values)), 95) == percentile(values, 95)
    assert percentile([7.0], 95) == 7.0
    assert math.isnan(percentile([], 95))


def test_every_ten_messages_come_from_a_new_visitor() -> None:
    senders = [sender_for(i, "t") for i in range(25)]
    assert len(set(senders[:10])) == 1
    assert senders[9] != senders[10]
    assert len(set(senders)) == 3


# --- held-out split ----------------------------------------------------------------------


def test_split_is_deterministic_and_independent_of_input_order() -> None:
    examples = _examples()
    shuffled = examples[:]
    random.Random(3).shuffle(shuffled)
    first, second = split_examples(examples, seed=11), split_examples(shuffled, seed=11)
    assert sorted(first.test, key=str) == sorted(second.test, key=str)
    other = split_examples(examples, seed=12)
    assert sorted(other.test, key=str) != sorted(first.test, key=str)


def test_split_is_stratified_disjoint_and_complete() -> None:
    split = split_examples(_examples(), test_fraction=0.2, seed=1)
    assert not set(split.train) & set(split.test)
    assert set(split.train) | set(split.test) == set(_examples())
    held = {label: sum(e.label == label for e in split.test) for label in
            ("greet", "faq/kosten", "faq/magnesium", "out_of_scope")}
    assert held == {"greet": 2, "faq/kosten": 1, "faq/magnesium": 2, "out_of_scope": 6}
    assert [e for e in split.test if e.label == "solo"] == []  # one example: training only


def test_duplicates_are_dropped_so_nothing_is_both_trained_and_tested() -> None:
    twice = [Example("ja", "affirm")] * 2 + [Example(f"ja {i}", "affirm") for i in range(8)]
    split = split_examples(twice, seed=5)
    assert len(split.train) + len(split.test) == 9
    assert not set(split.train) & set(split.test)


def test_split_project_round_trips_and_keeps_the_test_out_of_data(tmp_path: Path) -> None:
    source = tmp_path / "source"
    (source / "data" / "nlu").mkdir(parents=True)
    (source / "data" / "rules").mkdir()
    (source / "domain.yml").write_text("intents: [greet]\n")
    (source / "data" / "rules" / "r.yml").write_text("rules: []\n")
    examples = [*_examples(), Example("wat kost het? (incl. btw) - 'ja': #1", "faq/kosten")]
    (source / "data" / "nlu" / "all.yml").write_text(to_nlu_yaml(examples))
    split = split_examples(examples, seed=2)
    target = write_split_project(source, tmp_path / "target", split)
    assert sorted(load_examples(target / "data" / "nlu" / "train.yml"), key=str) == sorted(
        split.train, key=str)
    assert sorted(load_examples(target / "test.yml"), key=str) == sorted(split.test, key=str)
    assert (target / "data" / "rules" / "r.yml").exists()
    assert (target / "domain.yml").read_text() == "intents: [greet]\n"
    assert not list((target / "data").rglob("test.yml"))


# --- configuration generation ------------------------------------------------------------


def test_default_config_is_rasa_init_with_only_the_language_changed() -> None:
    init = init_config_text()
    generated = default_config_text(init)
    changed = [(a, b) for a, b in zip(init.splitlines(), generated.splitlines(), strict=True)
               if a != b]
    assert changed == [("language: en", "language: nl")]
    parsed = load_yaml(generated)
    assert parsed["pipeline"] is None and parsed["policies"] is None  # Rasa fills them in


def test_committed_default_config_matches_the_installed_rasa() -> None:
    committed = (ROOT / "bench" / "configs" / "rasa_default.yml").read_text()
    assert committed == default_config_text(init_config_text())


def test_default_config_text_refuses_a_file_without_a_language_line() -> None:
    with pytest.raises(ValueError):
        default_config_text("pipeline:\n")


def test_quick_config_makes_defaults_explicit_and_caps_every_trained_component() -> None:
    quick = load_yaml(quick_config_text(default_config_text(init_config_text()), cap=2))
    defaults = recipe_defaults()
    assert [c["name"] for c in quick["pipeline"]] == [c["name"] for c in defaults["pipeline"]]
    trained = [c for c in quick["pipeline"] + quick["policies"] if "epochs" in c]
    assert {c["name"] for c in trained} >= {"DIETClassifier", "ResponseSelector", "TEDPolicy"}
    assert all(c["epochs"] == 2 for c in trained)
    assert quick["language"] == "nl"


def test_capping_keeps_our_own_settings_and_lower_epochs() -> None:
    ours = load_yaml((ROOT / "config.yml").read_text())
    capped = capped_epochs(completed(ours, recipe_defaults()), cap=50)
    assert [c["name"] for c in capped["pipeline"]] == [c["name"] for c in ours["pipeline"]]
    by_name = {c["name"]: c for c in capped["pipeline"]}
    original = {c["name"]: c for c in ours["pipeline"]}
    assert by_name["DIETClassifier"]["epochs"] == min(50, original["DIETClassifier"]["epochs"])
    selector = "nlu_components.faq_selector.FaqOnlyResponseSelector"
    assert by_name[selector]["epochs"] == min(50, original[selector]["epochs"])
    assert capped["policies"] == ours["policies"]  # no epochs there: untouched


# --- accuracy ----------------------------------------------------------------------------


def test_faq_topics_count_as_one_intent_and_the_answer_needs_both_parts() -> None:
    gold = ["faq/kosten", "faq/magnesium", "faq/magnesium", "greet", "greet"]
    predicted = [
        Prediction("faq", "faq/kosten"),  # right answer
        Prediction("faq", "faq/kosten"),  # right intent, wrong topic
        Prediction("greet", "faq/magnesium"),  # topic right but the visitor gets a greeting
        Prediction("greet", None),
        Prediction("nlu_fallback", None),  # a fallback is a miss
    ]
    result = heldout_accuracy(gold, predicted)
    assert result.faq_utterances == 3
    assert result.faq_accuracy == pytest.approx(1 / 3)
    assert result.selector_accuracy == pytest.approx(2 / 3)
    # faq: P 2/2, R 2/3 -> 0.8 ; greet: P 1/2, R 1/2 -> 0.5
    assert result.intent_macro_f1 == pytest.approx((0.8 + 0.5) / 2)


def test_topic_is_read_from_our_selector_or_rasas_default_one() -> None:
    ours = {"intent": {"name": "faq"}, "response_selector": {
        "faq": {"response": {"intent_response_key": "faq/kosten"}}}}
    default = {"intent": {"name": "greet"}, "response_selector": {
        "all_retrieval_intents": ["faq"],
        "default": {"response": {"intent_response_key": "faq/magnesium"}}}}
    assert prediction_from_parse(ours) == Prediction("faq", "faq/kosten")
    assert prediction_from_parse(default) == Prediction("greet", "faq/magnesium")
    assert prediction_from_parse({"intent": None}) == Prediction("nlu_fallback", None)


# --- report ------------------------------------------------------------------------------

BASE = {"intent_f1": 0.90, "tput_10": 5.0, "tput_50": 4.0, "p95_1": 300.0, "rss_rasa": 1400.0,
        "train_s": 200.0}


def _results(checks: list[report.TargetCheck]) -> dict[str, bool]:
    return {c.target.split()[0]: c.passed for c in checks}


def test_targets_pass_exactly_at_their_limits() -> None:
    good = {"intent_f1": 0.90, "tput_10": 10.0, "tput_50": 8.0, "p95_1": 150.0,
            "rss_rasa": 1200.0, "train_s": 120.0}
    assert all(c.passed for c in report.check_targets(good, BASE, [10, 50]))


def test_each_target_fails_on_its_own() -> None:
    good = {"intent_f1": 0.91, "tput_10": 12.0, "tput_50": 9.0, "p95_1": 100.0,
            "rss_rasa": 1000.0, "train_s": 60.0}
    for key, bad, target in [("tput_50", 7.9, "throughput"), ("p95_1", 151.0, "p95"),
                             ("intent_f1", 0.899, "intent"), ("rss_rasa", 1201.0, "RSS"),
                             ("train_s", 121.0, "training")]:
        outcome = _results(report.check_targets({**good, key: bad}, BASE, [10, 50]))
        assert [t for t, passed in outcome.items() if not passed] == [target]


def test_a_missing_measurement_is_a_failure_not_a_pass() -> None:
    outcome = _results(report.check_targets({"intent_f1": math.nan}, BASE, [10, 50]))
    assert not any(outcome.values())


def test_side_by_side_table_has_ratios_against_the_baseline() -> None:
    lines = report.side_by_side(
        {"rasa_default": {"tput_10": 4.0}, "project": {"tput_10": 10.0}}, "rasa_default", [10])
    assert lines[0] == "| metric | rasa_default | project | project / rasa_default |"
    row = next(line for line in lines if line.startswith("| 10 users: throughput"))
    assert row.endswith("| 4.0 | 10.0 | 2.50x |")
    assert "n/a" in next(line for line in lines if "p95 latency" in line)


# --- result file -------------------------------------------------------------------------


def test_results_file_keeps_hand_written_text_around_the_generated_block(tmp_path) -> None:
    path = tmp_path / "RESULTS.md"
    write_results(path, ["first run"])
    assert BEGIN in path.read_text() and "first run" in path.read_text()
    path.write_text(path.read_text().replace("# Benchmark results", "# Results\nkeep me"))
    path.write_text(path.read_text() + "\nanalysis below\n")
    write_results(path, ["second run"])
    text = path.read_text()
    assert "keep me" in text and "analysis below" in text and END in text
    assert "second run" in text and "first run" not in text


# --- the model cache --------------------------------------------------


def test_model_cache_keeps_only_the_newest_models(tmp_path, monkeypatch) -> None:
    import os

    from bench import bench

    monkeypatch.setattr(bench, "MODEL_CACHE", tmp_path)
    for age, name in enumerate(["old", "mid", "new"]):
        for suffix in (".tar.gz", ".json", ".log"):
            path = tmp_path / f"{name}{suffix}"
            path.write_text(name)
            os.utime(path, (1000 + age, 1000 + age))
    bench.prune_cache(keep=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mid.json", "mid.log", "mid.tar.gz", "new.json", "new.log", "new.tar.gz"]
