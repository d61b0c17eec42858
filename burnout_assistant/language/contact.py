"""Check the contact details a visitor types while booking: phone, email and name.

The practice calls people back, so a phone number must be a real Dutch or Belgian number in
one canonical form (E.164) before it is stored; a typo found now saves a failed call later.
Visitors type on a phone and often answer in a sentence ("mijn naam is peter"), so each
check reads the useful part out of the answer and says None when there is none.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

ALLOWED_REGIONS = ("NL", "BE")
# Numbers a person can be called back on; premium, toll-free and pager numbers are not theirs.
_CALLABLE_TYPES = frozenset(
    {
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.VOIP,
        PhoneNumberType.PERSONAL_NUMBER,
        PhoneNumberType.UAN,
    }
)
# National mobile prefixes: a number starting so belongs to that country even when mistyped.
_MOBILE_PREFIX = {"NL": "06", "BE": "04"}
# A run of digits with the separators people type; letters next to it make it no number.
_PHONE_RUN = re.compile(r"(?<![\w+])\+?\(?\d[\d\s\-.()/]*\d(?![\w])")


def normalise_phone(text: str, default_region: str = "NL") -> str | None:
    """The number in ``text`` as E.164 ("+31612345678"), or None if it is no NL/BE number.

    A national number that is invalid in ``default_region`` is tried in the other allowed
    region, so a Belgian "0470 12 34 56" works on a Dutch practice's assistant.
    """
    runs = [run for run in _PHONE_RUN.findall(text) if sum(c.isdigit() for c in run) >= 6]
    if len(runs) != 1:
        return None
    run = runs[0].strip()
    regions = [default_region] + [r for r in ALLOWED_REGIONS if r != default_region]
    for region in regions:
        try:
            number = phonenumbers.parse(run, region)
        except NumberParseException:
            return None
        if _acceptable(number):
            return phonenumbers.format_number(number, PhoneNumberFormat.E164)
        if run.startswith(("+", "00")):  # the country is in the number: no second guess
            return None
        digits = re.sub(r"\D", "", run)
        if digits.startswith(_MOBILE_PREFIX.get(region, "+")):
            return None  # "06 1234567" is a Dutch mobile with a digit missing, not Belgian
    return None


def _acceptable(number: phonenumbers.PhoneNumber) -> bool:
    return (
        phonenumbers.is_valid_number(number)
        and phonenumbers.region_code_for_number(number) in ALLOWED_REGIONS
        and phonenumbers.number_type(number) in _CALLABLE_TYPES
    )


def format_phone_nl(e164: str) -> str:
    """How a Dutch message shows a stored number: "06 12345678" or "+32 470 12 34 56"."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == "NL":
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


# "mijn e-mail is …", "mail: …"; the word must be followed by a separator, so the address
# "mail@praktijk.nl" keeps its local part.
_EMAIL_PREFIX = re.compile(
    r"^(?:(?:dat|het)\s+is\s+|mijn\s+)?(?:e-?mail(?:adres)?|mailadres|mail)"
    r"(?:\s+is)?(?:\s*:\s*|\s+)",
    re.IGNORECASE,
)
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def normalise_email(text: str) -> str | None:
    """A plausible address with a lower-cased domain, or None.

    Only the shape is checked (one @, a dotted domain with a real top-level part, no spaces):
    whether the mailbox exists only the confirmation mail can tell.
    """
    candidate = _EMAIL_PREFIX.sub("", text.strip()).strip().strip("<>").rstrip(".")
    if candidate.lower().startswith("mailto:"):
        candidate = candidate[len("mailto:") :]
    if not candidate or any(c.isspace() for c in candidate) or candidate.count("@") != 1:
        return None
    local, domain = candidate.split("@")
    domain = domain.lower()
    if len(local) > 64 or len(candidate) > 254 or not _LOCAL_PART.fullmatch(local):
        return None
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        return None
    tld = labels[-1]
    if not (tld.isalpha() and len(tld) >= 2) and not tld.startswith("xn--"):
        return None
    return f"{local}@{domain}"


_NAME_PREFIX = re.compile(
    r"^(?:(?:hoi|hallo|hey|hi|dag|goedemorgen|goedemiddag|goedenavond|goeiedag)[\s,!.]+)?"
    r"(?:(?:ik\s+ben|ik\s+heet|mijn\s+naam\s+is|mn\s+naam\s+is|m'n\s+naam\s+is|naam\s*:|naam\s+is"
    r"|dit\s+is|je\s+spreekt\s+met|u\s+spreekt\s+met|met|noem\s+me(?:\s+maar)?"
    r"|zeg\s+maar|(?:mijn\s+)?voornaam\s+is|je\s+mag\s+me(?:\s+gewoon)?|u\s+mag\s+me"
    r"(?:\s+gewoon)?|gewoon)\s+)?",
    re.IGNORECASE,
)
# Politeness after the name: "Daan graag", "Wim hoor", "ik ben Hanneke, dank je".
_NAME_SUFFIX = re.compile(
    r"[\s,]+(?:hier|is\s+mijn\s+naam|noemen|graag|hoor|dank\s*je(?:\s+wel)?|dankjewel|"
    r"bedankt|alsjeblieft|aub)$",
    re.IGNORECASE,
)
# Dutch tussenvoegsels are written lower case after a first name ("Sanne de Vries").
TUSSENVOEGSELS = frozenset(
    {"van", "de", "der", "den", "het", "ten", "ter", "te", "'t", "in", "op", "uit", "la", "le",
     "du", "da", "di", "von", "vande", "vander", "d'", "'s"}
)  # fmt: skip
# Answers to "hoe heet je?" that are no name, and words that never occur in a name.
_NOT_NAMES = frozenset(
    {
        "ja", "nee", "neen", "ok", "oke", "okay", "prima", "goed", "hallo", "hoi", "hey",
        "doei", "bedankt", "dankjewel", "dank", "geen idee", "weet ik niet", "weet niet",
        "liever niet", "anoniem", "niemand", "hoezo", "waarom", "test", "sorry", "help",
        "hoor", "graag", "gewoon",
    }
)  # fmt: skip
_NON_NAME_WORDS = frozenset(
    {
        "ik", "je", "jij", "jullie", "u", "wij", "we", "mijn", "niet", "geen", "weet", "wil",
        "wel", "graag", "liever", "zeg", "zeggen", "ben", "heb", "is", "een", "maar", "dus",
        "waarom", "hoezo", "wat", "hoe", "idee", "moe", "uitgeput", "kapot", "ziek", "bang",
        "gestrest", "overspannen", "burnout", "burn-out", "somber", "benieuwd", "er",
        "hier", "nog", "zo", "heel", "erg", "afspraak", "bellen", "gesprek", "hulp", "naam",
        "nee", "ja", "anoniem", "sorry", "bedankt", "oke", "wie", "waar",
    }
)  # fmt: skip
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]*)*\.?|'[st]|d'[^\W\d_]+")


def extract_name(text: str) -> str | None:
    """The visitor's name from an answer such as "ik ben sanne de vries", written properly.

    None for answers that are no name ("weet ik niet", "nee"), for text without letters and
    for whole sentences (more than six words), so the assistant asks again instead of
    greeting someone as "Moe".
    """
    cleaned = " ".join(text.strip().strip('.,!?;:()"').split())
    if cleaned.lower() in _NOT_NAMES:
        return None
    name = _NAME_PREFIX.sub("", cleaned, count=1)
    for _ in range(2):  # "Anne-Marie, dank je" and "gewoon Eline graag"
        name = _NAME_SUFFIX.sub("", name)
    name = re.sub(r"^[^\w']+|[^\w'.]+$", "", name)  # emoji and punctuation around the name
    words = name.split()
    if not words or len(words) > 6 or name.lower() in _NOT_NAMES:
        return None
    if not all(_NAME_WORD.fullmatch(word) for word in words):
        return None
    lowered = [word.lower() for word in words]
    core = [word for word in lowered if word not in TUSSENVOEGSELS]
    if not core:
        return None
    if any(word in _NON_NAME_WORDS for word in core) and lowered not in (["ben"], ["wil"]):
        return None  # "Ben" and "Wil" are first names as well as verbs
    if sum(c.isalpha() for c in name) < 2:
        return None
    return " ".join(_capitalise(word, first=i == 0) for i, word in enumerate(words))


def _capitalise(word: str, *, first: bool) -> str:
    """Title-case a name part, keep tussenvoegsels lower case; "McDonald" is left alone."""
    lower = word.lower()
    if not first and lower in TUSSENVOEGSELS:
        return lower
    if word != lower and word != word.upper():
        return word  # the visitor chose this capitalisation
    return "-".join(part[:1].upper() + part[1:] for part in lower.split("-"))


_OPT_OUT = re.compile(
    r"\b(?:nee|neen|nope|no|nah)\b|\bgeen\b|\bliever\s+niet\b|\bsla\b.*\bover\b|\boverslaan\b"
    r"|\bskip\b|\bhoeft\b.*\bniet\b|\bniet\s+nodig\b|\blaat\s+(?:maar\s+)?(?:zitten|maar)\b"
    r"|\bnvt\b|\bn\.v\.t\.?|\bwil\s+ik\s+niet\b|\bniet\s+(?:geven|delen|doorgeven)\b"
    r"|\bheb\s+ik\s+niet\b",
    re.IGNORECASE,
)


_AGREEING = re.compile(r"\bgeen\s+(?:probleem|punt|bezwaar)\b", re.IGNORECASE)


def is_opt_out(text: str) -> bool:
    """Whether the answer to the optional email question declines it ("nee", "sla over").

    An answer holding an address never declines; "geen probleem" agrees.
    """
    if "@" in text:
        return False
    return bool(_OPT_OUT.search(_AGREEING.sub(" ", text.strip())))
