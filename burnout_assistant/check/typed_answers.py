"""Read a typed check answer on its scale: frequency, duration or impact.

Visitors answer in a sentence ("niet zo vaak", "bijna elke nacht wel", "ik kan niet meer
werken", "sinds de zomervakantie"), so a synonym list is not enough: "niet" before "vaak"
lowers it, "bijna" before "elke nacht" keeps it high, and "ik ben altijd moe, dus nooit" means
nooit. This is a small rule grammar over spaCy's Dutch tokens:

1. tokens are normalised (accents, Flemish and chat spellings: "nie", "dikwils", "eig");
2. the answer is searched for the phrases of its scale, each with a level, and for modifiers
   that change a level (negation, "bijna", "heel");
3. the first phrase wins, except one after a concluding word ("dus", "kortom"), because that
   is where a visitor corrects the start of their own sentence.

It returns None when it finds nothing it can stand behind: the visitor is then asked again,
which is better than a wrong answer. The tables in ``tests/check_answers/`` are the spec.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from burnout_assistant.language.dutch_time import MONTHS

# Spellings mapped to one form before matching (Flemish, chat and common typos).
_SPELLING = {
    "nie": "niet", "ni": "niet", "nit": "niet", "niets": "niks", "nix": "niks",
    "altyd": "altijd", "altijt": "altijd", "altid": "altijd", "dikwils": "dikwijls",
    "dikwyls": "dikwijls", "constand": "constant", "konstant": "constant", "eig": "eigenlijk",
    "nauwlijks": "nauwelijks", "nauwelijk": "nauwelijks", "errug": "erg", "fliink": "flink",
    "bietje": "beetje", "beetie": "beetje", "ietske": "ietsje", "iets": "ietsje",
    "zeldn": "zelden", "noit": "nooit", "vaakk": "vaak", "idd": "inderdaad",
    "iedere": "elke", "elk": "elke", "maandjes": "maanden", "maandje": "maand",
    "jaartje": "jaar", "weekjes": "weken", "weekje": "week", "da": "dat", "gene": "geen",
    "neen": "nee", "nope": "nee", "no": "nee", "nah": "nee", "mn": "mijn", "m'n": "mijn",
    "'t": "het", "tis": "het is", "'s": "s", "geregeld": "regelmatig",
}

_NUMBERS = {
    "een": 1, "één": 1, "eén": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6,
    "zeven": 7, "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12, "dertien": 13,
    "veertien": 14, "vijftien": 15, "twintig": 20, "paar": 2.5, "enkele": 3, "anderhalf": 1.5,
    "anderhalve": 1.5, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "few": 3, "couple": 2,
}
_NUMBER = r"(?:\d+(?:[.,]\d+)?|" + "|".join(sorted(map(re.escape, _NUMBERS), key=len,
                                                    reverse=True)) + r")"
_UNITS = {
    "dag": 1 / 30, "dagen": 1 / 30, "day": 1 / 30, "days": 1 / 30,
    "week": 0.25, "weken": 0.25, "weeks": 0.25,
    "maand": 1, "maanden": 1, "month": 1, "months": 1,
    "jaar": 12, "jaren": 12, "year": 12, "years": 12,
}
_UNIT = r"(?:" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")"

_CONCLUDING = r"(?:dus|kortom|oftewel|so|eigenlijk dus)"


# --- tokens ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _tokenizer():
    """spaCy's rule-based Dutch tokenizer: no model, loads in a fraction of a second."""
    import spacy

    return spacy.blank("nl").tokenizer


def normalise(text: str) -> str:
    """Lower-case tokens without accents, spelling variants mapped, joined by single spaces."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("’", "'").replace("1x", "1 keer").replace("2x", "2 keer")
    text = re.sub(r"(\d)x\b", r"\1 keer", text)
    text = re.sub(r"(\d+)u\b", r"\1 uur", text)
    words = []
    for token in _tokenizer()(text):
        word = token.text
        if token.is_punct and word not in {",", ".", "?", "!", ";"}:
            continue
        words.append(_SPELLING.get(word, word))
    return " ".join(words)


@dataclass(frozen=True)
class _Hit:
    start: int
    level: float


def _hits(said: str, lexicon: list[tuple[str, float]]) -> list[_Hit]:
    """Every phrase of the lexicon in the answer; where two overlap, the longer one counts."""
    found = [
        (match.start(), match.end(), level)
        for pattern, level in lexicon
        for match in re.finditer(rf"(?<![\w']){pattern}(?![\w'])", said)
        if match.end() > match.start()
    ]
    taken: list[tuple[int, int]] = []
    hits = []
    for start, end, level in sorted(found, key=lambda item: (item[0] - item[1], item[0])):
        if any(start < other_end and other_start < end for other_start, other_end in taken):
            continue
        taken.append((start, end))
        hits.append(_Hit(start, level))
    return sorted(hits, key=lambda hit: hit.start)


def _choose(said: str, hits: list[_Hit]) -> float | None:
    """The first level said, unless a later one follows a concluding "dus"."""
    if not hits:
        return None
    conclusion = re.search(rf"(?<!\w){_CONCLUDING}(?!\w)", said)
    if conclusion:
        after = [hit for hit in hits if hit.start > conclusion.start()]
        if after:
            return after[0].level
    return hits[0].level


# --- frequency: 0 nooit, 1 zelden, 2 soms, 3 vaak, 4 (bijna) altijd ----------------------------

_NOT = r"(?:niet|geen)(?: zo| echt| heel| erg| super| zo heel| al te)?"
_EVERY = (r"(?:bijna |haast |eigenlijk |zowat )?(?:elke|alle) (?:dag|dagen|nacht|nachten|"
          r"ochtend|ochtenden|avond|avonden|keer|week|moment)")
_FREQUENCY: list[tuple[str, float]] = [
    # negated high levels first: "niet zo vaak", "nie dikwijls", "niet altijd"
    (rf"{_NOT} (?:vaak|dikwijls|veel|regelmatig|vaak hoor)", 1),
    (rf"{_NOT} altijd", 2),
    (r"niet echt", 1),
    (r"niet dat ik weet|niet dat ik merk|nee dat heb ik niet", 0),
    (r"nooit niet|nooit meer|nooit|never|helemaal niet|not at all|totaal niet|geen last", 0),
    (r"(?:heel |erg |zeer )?zelden|bijna nooit|haast nooit|zo goed als nooit|amper|"
     r"nauwelijks|heel af en toe|een enkele keer|enkele keer|sporadisch|rarely|hardly ever|"
     r"hardly|hooguit een keer|af en toe eens een keer|eens in de (?:twee|paar|drie) weken|"
     r"(?:een|1) keer (?:per|in de) maand|eens per maand|keer of twee per maand|seldom", 1),
    (r"soms|af en toe|nu en dan|wel eens|weleens|van tijd tot tijd|sometimes|occasionally|"
     r"de helft van de|om de week|een paar keer per maand|sommige (?:dagen|nachten|ochtenden)|"
     r"hangt (?:er )?(?:echt |erg )?(?:van )?af|de ene week", 2),
    (r"(?:heel |erg |zeer |best |ja )?vaak|dikwijls|regelmatig|meestal|de meeste (?:dagen|"
     r"nachten|ochtenden|avonden|tijd|weken)|vaker wel dan niet|more often than not|often|"
     r"most days|most nights|mostly|een paar keer per week|paar keer per week|"
     r"meerdere keren per week|a few times a week|keer of (?:drie|vier|3|4) (?:in|per) de week|"
     r"(?:drie|vier|3|4) nachten", 3),
    (rf"{_EVERY}|altijd|always|steeds|constant|continu|voortdurend|de hele (?:tijd|dag|dag door"
     r"|nacht|week)|heel de (?:tijd|dag)|dagelijks|bijna dagelijks|elke keer weer|telkens|"
     r"dag en nacht|all the time|every (?:single )?(?:day|night|morning)|non stop|nonstop|"
     r"permanent|aldoor|geen dag dat .* niet|zonder uitzondering|continue", 4),
]


def _read_level(text: str, lexicon: list[tuple[str, float]]) -> int | None:
    said = normalise(text)
    level = _choose(said, _hits(said, lexicon))
    if level is None and re.match(r"nee\b", said):
        return 0  # "nee hoor, moe ben ik niet": no, on this question's own scale
    return None if level is None else int(level)


def read_frequency(text: str) -> int | None:
    """0 nooit … 4 (bijna) altijd, or None."""
    return _read_level(text, _FREQUENCY)


# --- impact: 0 nauwelijks, 1 een beetje, 2 flink, 3 heel erg ----------------------------------

_IMPACT: list[tuple[str, float]] = [
    (rf"{_NOT} (?:heel )?(?:erg|veel|zwaar)", 1),
    (r"niet echt|nauwelijks|amper|barely|bijna niks|bijna geen last|zo goed als niks|"
     r"(?:heel )?weinig(?: tot niks)?|geen last|niet noemenswaardig|helemaal niet|not at all|"
     r"no impact|valt (?:wel |goed |echt |best )?mee|merk (?:er )?(?:bijna |zo goed als )?"
     r"(?:niks|weinig)|niks van te merken|gaat (?:gewoon )?prima|gewoon door|"
     r"functioneer gewoon|doe alles nog|alles loopt nog|niet meer dan vroeger|nee hoor|nee joh",
     0),
    (r"(?:een |wel een |klein |een klein )?beetje|ietsje|tikkeltje|lichtjes|mild|a (?:little )?"
     r"bit|slightly|valt nog mee|het is te doen|wel wat|merkt? het (?:wel )?(?:een beetje)?"
     r"|wat (?:minder|trager|korter|sneller|vaker)|enigszins|gaat (?:nog )?wel|"
     r"mis wel eens|(?:kan|doe) (?:ik )?(?:alles|het allemaal) nog", 1),
    (r"flink|behoorlijk|(?:best|best wel|redelijk|tamelijk|vrij|nogal) veel|nogal|stevig|"
     r"quite a lot|pretty bad|a lot|red het nog net|hou (?:het|mijn werk) (?:nog )?vol|"
     r"kom (?:mijn dagen|de dag|de week) (?:nog )?door|lig (?:ik )?plat|sleep me door|"
     r"laat ik schieten|lijden er (?:echt )?onder|kost (?:me )?(?:steeds )?meer moeite|"
     r"(?<!heel )(?<!erg )veel|uren (?:terug|afbouwen|minderen)", 2),
    (r"heel erg(?: veel)?|heel veel|erg veel|(?<!niet )erg|enorm|extreem|totaal|volledig|"
     r"helemaal ziek|zwaar|ontzettend(?: veel)?|massively|very much|kan (?:ik )?(?:zelfs )?"
     r"(?:niet|niks|geen \w+) meer|kan niet eens|doe (?:ik )?(?:niks|geen \w+) meer|"
     r"functioneer (?:eigenlijk |gewoon )?niet meer|niet meer te doen|gaat niet meer|"
     r"ziek gemeld|ziek thuis|thuis (?:komen )?(?:te )?zitten|zit(?: \w+){0,4} thuis|"
     r"thuis gezet|uitgevallen|gestopt met (?:werken|mijn)|moeten stoppen|alles ligt stil|"
     r"bed (?:bijna )?niet meer uit|op instorten|ingestort|gecrasht|can't cope|cannot cope|"
     r"affecting everything|destroying|op zijn kop|op zn kop|doktersbriefje|"
     r"alles, echt alles|niks meer|kom niet meer", 3),
]


def read_impact(text: str) -> int | None:
    """0 nauwelijks … 3 heel erg, or None."""
    return _read_level(text, _IMPACT)


# --- duration: months, then the option whose upper bound holds it ------------------------------

_MONTHS = {
    **{name: number for number, name in enumerate(MONTHS, start=1)},
    "jan": 1, "feb": 2, "sept": 9, "january": 1, "february": 2, "march": 3, "june": 6,
    "july": 7, "august": 8, "october": 10,
}
# Named moments of the Dutch and Flemish year, as (month, day) of a typical start.
_MOMENTS = {
    r"(?:de )?kerst(?:mis|vakantie|periode|dagen)?|christmas": (12, 25),
    r"nieuwjaar|oud en nieuw|oudjaar": (1, 1),
    r"(?:de )?carnaval|krokus(?:vakantie)?": (2, 20),
    r"pasen|paasvakantie|easter": (4, 5),
    r"koningsdag": (4, 27),
    r"(?:het )?(?:afgelopen )?voorjaar|(?:de )?lente|spring": (4, 1),
    r"(?:de )?meivakantie": (5, 1),
    r"(?:het )?begin van de zomer": (6, 21),
    r"(?:de )?zomer(?:vakantie)?|(?:de )?bouwvak|summer|(?:de )?grote vakantie": (7, 15),
    r"(?:het )?(?:einde?|eind) van de zomer|na de zomer": (9, 1),
    r"(?:de )?herfstvakantie|(?:de )?klok (?:een uur )?terug": (10, 25),
    r"(?:het )?najaar|(?:de )?herfst|autumn|fall": (10, 1),
    r"sint maarten": (11, 11),
    r"sinterklaas": (12, 5),
}
_PART = {"begin": 1, "early": 1, "half": 15, "midden": 15, "mid": 15, "eind": 28, "einde": 28,
         "late": 28, "end": 28}


def _amount(said: str) -> float | None:
    """Months in an explicit amount: "3 weken", "een maand of vijf", "anderhalf jaar"."""
    reverse = re.search(rf"(?<!\w)(?:een |a )?(?P<unit>{_UNIT}) of (?P<n>{_NUMBER})(?!\w)", said)
    if reverse:
        return _number(reverse.group("n")) * _UNITS[reverse.group("unit")]
    half = re.search(rf"(?<!\w)(?:(?P<n>{_NUMBER}) en )?(?:een )?half (?:jaar|year)", said)
    if half:
        return 12 * ((_number(half.group("n")) if half.group("n") else 0) + 0.5)
    match = re.search(rf"(?<!\w)(?P<n>{_NUMBER}) (?:goed |ruim |dik |krap |klein )?"
                      rf"(?P<unit>{_UNIT})(?!\w)", said)
    if match:
        return _number(match.group("n")) * _UNITS[match.group("unit")]
    below = re.search(rf"(?<!\w)geen (?P<unit>{_UNIT})(?!\w)", said)  # "nog geen maand"
    if below:
        return _UNITS[below.group("unit")] - 0.01
    if re.search(r"(?<!\w)(?:jaren|years)(?!\w)", said):
        return 36
    return None


def _number(token: str) -> float:
    token = token.replace(",", ".")
    return float(token) if re.fullmatch(r"\d+(\.\d+)?", token) else _NUMBERS[token]


def _since(said: str, today: date) -> float | None:
    """Months since a date the visitor names: "sinds juli", "sinds half oktober", "sinds pasen"."""
    if re.search(r"vorige week|last week|afgelopen (?:maandag|dinsdag|woensdag|donderdag|"
                 r"vrijdag|zaterdag|zondag|week)|deze week|gisteren|eergisteren", said):
        return 0.25
    if re.search(r"vorige maand|last month", said):
        return 1.2
    last_year = bool(re.search(r"vorig jaar|vorige (?:zomer|winter|lente)|vorig (?:voorjaar|"
                               r"najaar)|last year|jaar terug", said))
    match = re.search(r"(?:(?P<part>begin|half|midden|mid|eind|einde|early|late|end) )?"
                      r"(?:(?P<day>\d{1,2}) )?(?P<month>" + "|".join(_MONTHS) + r")(?!\w)",
                      said)
    if match:
        day = int(match.group("day")) if match.group("day") else _PART.get(
            match.group("part") or "", 1)
        return _months_back(today, _MONTHS[match.group("month")], min(day, 28), last_year)
    for pattern, (month, day) in _MOMENTS.items():
        if re.search(rf"(?<!\w)(?:{pattern})(?!\w)", said):
            return _months_back(today, month, day, last_year)
    if re.search(r"corona|covid|lockdown", said):
        return 36
    if last_year:
        return 12  # "sinds mijn stage vorig jaar": at least a year ago, give or take
    return None


def _months_back(today: date, month: int, day: int, last_year: bool) -> float:
    year = today.year if (month, day) <= (today.month, today.day) else today.year - 1
    if last_year and year == today.year:
        year -= 1
    return (today - date(year, month, day)).days / 30.4


def read_months(text: str, today: date) -> float | None:
    """How many months the complaints have lasted, or None when the answer does not say."""
    said = normalise(text)
    if re.search(r"(?:al )?(?:heel |zo )?lang(?:er)? dan ik (?:me|mij) kan herinneren|"
                 r"al heel lang|al jaren|for years|years now|jaren al|since forever|altijd al",
                 said):
        return 36
    months = _amount(said)
    if months is None:
        months = _since(said, today)
    if months is None:
        if re.search(r"pas kort|sinds kort|net begonnen|niet lang|recent", said):
            return 0.5
        return None
    if re.search(r"(?:ruim|dik|meer dan|langer dan|more than|over|goed) (?:een |a |\d)", said):
        months += 0.2
    elif re.search(r"(?:bijna|nog geen|minder dan|korter dan|almost|less than|hooguit)"
                   r" (?:een |a |\d|\w+ )", said):
        months -= 0.2
    return months
