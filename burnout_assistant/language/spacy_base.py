"""Build the Dutch spaCy base that Rasa's ``SpacyNLP`` loads by path.

``nl_core_news_sm`` cannot be downloaded on every machine, and its value for us is its lemmas
(it has no word vectors). The offline default is ``spacy.blank("nl")`` with the lookup
lemmatizer from ``spacy-lookups-data``. A practice that has ``nl_core_news_sm`` installed gets
that model instead (``SPACY_BASE=nl_core_news_sm`` forces it, ``SPACY_BASE=blank`` forces the
blank one). Either way the result is written to one fixed project-relative folder, because Rasa
does not pack it into the model file: a deployment needs it at the same path.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
from pathlib import Path

DEFAULT_TARGET = Path("build/spacy-nl")
SMALL_MODEL = "nl_core_news_sm"
MARKER = "base.json"


def small_model_available() -> bool:
    """True when the practice has the official small Dutch model installed."""
    return importlib.util.find_spec(SMALL_MODEL) is not None


def choose_source(requested: str | None = None) -> str:
    """Pick ``nl_core_news_sm`` when asked for or available, else the blank base."""
    requested = (requested or os.environ.get("SPACY_BASE") or "auto").strip()
    if requested == "blank":
        return "blank"
    if requested == SMALL_MODEL:
        if not small_model_available():
            raise SystemExit(
                f"SPACY_BASE={SMALL_MODEL} but that package is not installed; "
                "install it (pip install nl_core_news_sm-3.4.0) or unset SPACY_BASE."
            )
        return SMALL_MODEL
    if requested != "auto":
        raise SystemExit(
            f"SPACY_BASE must be 'auto', 'blank' or '{SMALL_MODEL}', not {requested!r}"
        )
    return SMALL_MODEL if small_model_available() else "blank"


def build_blank_dutch():
    """A blank Dutch pipeline with a lookup lemmatizer (no POS tagger is needed for lookups)."""
    import spacy

    nlp = spacy.blank("nl")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def build_base(target: Path = DEFAULT_TARGET, source: str | None = None) -> Path:
    """Write the chosen base to ``target``; skip the work when it is already there."""
    chosen = choose_source(source)
    marker = target / MARKER
    if marker.exists() and json.loads(marker.read_text()).get("source") == chosen:
        return target
    if chosen == SMALL_MODEL:
        import spacy

        nlp = spacy.load(SMALL_MODEL)
    else:
        nlp = build_blank_dutch()
    target.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(target)
    marker.write_text(json.dumps({"source": chosen}))
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=DEFAULT_TARGET)
    parser.add_argument("--source", choices=["auto", "blank", SMALL_MODEL], default=None)
    args = parser.parse_args()
    path = build_base(args.target, args.source)
    print(f"Dutch spaCy base ({json.loads((path / MARKER).read_text())['source']}) at {path}")


if __name__ == "__main__":
    main()
