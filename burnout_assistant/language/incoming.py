"""What kind of message came in, before any model reads it.

Empty, emoji-only, enormous or non-Dutch messages each deserve their own friendly reply rather
than a guess by the intent classifier. Kept apart from Rasa so the rules are tested directly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Function words that are frequent in one language and rare in Dutch chat. Words Dutch shares
# ("in", "is", "we", "die", "je") are left out so Dutch with English loanwords stays Dutch.
_DUTCH = frozenset(
    "de het een ik jij je mijn ben heb hebt niet wat hoe waarom wanneer met voor dat dit er maar "
    "kan kun wil wel geen nog ook naar bij als dan zijn moet mag graag hallo hoi dag ja nee "
    "van en op te om over gaat heeft hoe lang mij me jullie u uw ge gij zo echt al".split()
)
_FOREIGN = frozenset(
    # English
    "the and are you what how my with for that this can want have do does not to of it be am "
    "your i'm i'd there their would could should about please hello hi thanks why when "
    # German
    "ich und der das nicht ist mein wie bin habe möchte können bitte danke warum "
    # French
    "suis le la les est et pas mon comment que pourquoi avec pour bonjour merci vous ne bien "
    "faire une des du au tout".split()
)


class MessageKind(str, Enum):
    OK = "ok"
    EMPTY = "empty"
    EMOJI_ONLY = "emoji_only"
    FOREIGN = "foreign"


@dataclass(frozen=True)
class Incoming:
    """The text the classifiers will read, what kind of message it was, and whether it was cut."""

    text: str
    kind: MessageKind
    truncated: bool


def _is_symbolic(text: str) -> bool:
    """True when the text has no letters or digits at all (emoji, punctuation, symbols)."""
    return not any(unicodedata.category(ch)[0] in "LN" for ch in text)


def looks_foreign(text: str) -> bool:
    """A message in another language: several foreign function words and hardly any Dutch."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 3:
        return False
    foreign = sum(w in _FOREIGN for w in words)
    dutch = sum(w in _DUTCH for w in words)
    return foreign >= 2 and foreign > 2 * dutch


def inspect_text(text: str | None, max_chars: int = 1000) -> Incoming:
    """Cap the text for the classifiers and say what kind of message it is."""
    stripped = (text or "").strip()
    if not stripped:
        return Incoming("", MessageKind.EMPTY, False)
    truncated = len(stripped) > max_chars
    capped = stripped[:max_chars]
    if _is_symbolic(capped):
        return Incoming(capped, MessageKind.EMOJI_ONLY, truncated)
    if looks_foreign(capped):
        return Incoming(capped, MessageKind.FOREIGN, truncated)
    return Incoming(capped, MessageKind.OK, truncated)


# English words a visitor in distress types; several of them with hardly any Dutch means the
# crisis answer should come in English ("i want to die", "im done with everything").
_ENGLISH = frozenset(
    "i i'm im me my myself you your the a an and to of it is am are be been was don't dont "
    "can't cant won't wont want wanna gonna going will would should anymore any more no not "
    "nobody everyone anyone life live die dying dead kill killing end ending hurt hurting cut "
    "cutting help please goodbye bye sorry tired done over with without better off alone "
    "tonight today tomorrow just so really think thinking thoughts pills jump bridge".split()
)


def looks_english(text: str) -> bool:
    """A message mostly in English, however short (unlike ``looks_foreign``, which waits for
    three words so that a Dutch message with one English word stays Dutch)."""
    words = [w.lower() for w in re.findall(r"[^\W\d_]+(?:'[a-z]+)?", text or "")]
    english = sum(w in _ENGLISH for w in words)
    dutch = sum(w in _DUTCH for w in words)
    return english >= 2 and english > 2 * dutch
