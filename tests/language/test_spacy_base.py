"""The Dutch spaCy base: blank + lookup lemmas offline, nl_core_news_sm when installed."""

from pathlib import Path

import pytest

from burnout_assistant.language import spacy_base


@pytest.fixture(scope="module")
def blank_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One offline build for the module (a few seconds: spaCy and its lookup tables)."""
    return spacy_base.build_base(tmp_path_factory.mktemp("spacy") / "nl", "blank")


def test_blank_base_lemmatises_dutch(blank_base: Path) -> None:
    import spacy

    target = blank_base
    nlp = spacy.load(target)
    assert nlp.lang == "nl"
    lemmas = {t.text: t.lemma_ for t in nlp("ik sliep slecht en liep vast")}
    assert lemmas["sliep"] == "slapen"
    assert lemmas["liep"] == "lopen"


def test_build_is_skipped_when_already_there(blank_base: Path) -> None:
    target = blank_base
    marker = target / spacy_base.MARKER
    before = marker.stat().st_mtime_ns
    spacy_base.build_base(target, "blank")
    assert marker.stat().st_mtime_ns == before


def test_auto_picks_the_small_model_only_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPACY_BASE", raising=False)
    monkeypatch.setattr(spacy_base, "small_model_available", lambda: True)
    assert spacy_base.choose_source() == spacy_base.SMALL_MODEL
    monkeypatch.setattr(spacy_base, "small_model_available", lambda: False)
    assert spacy_base.choose_source() == "blank"
    with pytest.raises(SystemExit, match="not installed"):
        spacy_base.choose_source(spacy_base.SMALL_MODEL)


@pytest.mark.skipif(not spacy_base.small_model_available(), reason="nl_core_news_sm not installed")
def test_small_model_path_builds_a_base_with_lemmas(tmp_path: Path) -> None:
    import spacy

    target = spacy_base.build_base(tmp_path / "sm", spacy_base.SMALL_MODEL)
    assert spacy.load(target)("afspraken")[0].lemma_ == "afspraak"
