"""Crisis detection that does not depend on the intent classifier.

The classifier alone catches only part of the crisis messages (67-89 % when first measured),
so every user message also goes through these patterns. A hit always wins; a classifier
"crisis" is accepted unless the message is an everyday use of the same words (exhaustion
idioms such as "ik ben doodmoe", news, games, a cut finger). The patterns err on the side of
safety.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path

from burnout_assistant.config_files import read_yaml
from burnout_assistant.names import CRISIS_ANSWER

CLASSIFIER_THRESHOLD = 0.5


class CrisisKind(str, Enum):
    """Who is in danger: decides which helplines the answer leads with."""

    NONE = "none"
    SELF = "self"  # suicide, self-harm, goodbyes: 113
    OTHER = "other"  # worry about someone else: 113 is for naasten too
    VIOLENCE = "violence"  # danger from someone else: 112, Veilig Thuis

# The helplines, in one place. The chat's answers (utter_crisis and utter_crisis_check in
# domain.yml, one variation per crisis_kind) and the mails say these; tests/unit/test_safety.py
# checks that every variation names the ones listed for it.
HELPLINES = ("113", "0800-0113", "113.nl", "112", "huisarts", "huisartsenpost", "1813",
             "zelfmoord1813.be")
VIOLENCE_HELPLINES = ("Veilig Thuis", "0800-2000", "1712")  # 1712: Belgium
ENGLISH_ANSWER = "en"  # crisis_kind value for a message in English
ANSWER_HELPLINES: dict[str, tuple[str, ...]] = {
    "self": HELPLINES,
    "other": HELPLINES,
    "violence": HELPLINES + VIOLENCE_HELPLINES,
    ENGLISH_ANSWER: HELPLINES,
}
CHECK_IN_HELPLINES: dict[str, tuple[str, ...]] = {
    "self": ("113", "0800-0113", "113.nl"),
    "other": ("113", "0800-0113", "113.nl"),
    "violence": ("112", "113", "0800-0113"),
    ENGLISH_ANSWER: ("113", "0800-0113", "113.nl"),
}
# The helplines text is written once, as the chat's Dutch crisis answer in domain.yml (read from
# the working directory, like practice.yml); the mails quote it from there (crisis_message).
DOMAIN_PATH = Path("domain.yml")
MAIL_CRISIS_OPENING = "Gaat het nu echt niet goed, of denk je aan zelfdoding?"


@cache
def crisis_message(domain_path: Path = DOMAIN_PATH) -> str:
    """The helplines for a mail: the Dutch ``utter_crisis`` (the variation without condition or
    channel) from its first sentence that names 113, after a question that fits a mail."""
    responses = read_yaml(domain_path, "domain", ValueError)["responses"][CRISIS_ANSWER]
    text = next(r["text"] for r in responses if not r.get("condition") and not r.get("channel"))
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    first = next(i for i, sentence in enumerate(sentences) if "113" in sentence)
    return " ".join([MAIL_CRISIS_OPENING, *sentences[first:]])

# Written on normalised text: lower case, no diacritics, repeated letters folded to two,
# Flemish/chat spellings ("nie", "ni", "k wil", "mn") mapped to the standard form.
# ``_OBJ`` stops a veiled phrase from firing when it is about a named thing ("ik zie het niet
# meer zitten met deze baan"), unless that thing is life itself.
_OBJ = r"(?!\s*(?:in|met|op|voor|bij|aan)\s+(?:deze|dit|die|dat|de|het|mijn|zo'n|een)\s+(?!leven))"
_SELF = r"(?:mezelf|mijzelf|mij|me)"


class _Ambiguous(str):
    """A pattern that also matches talk about the subject ("een werkstuk over zelfmoord", "me
    gesneden bij het koken"): it counts as certain only when the crisis classifier agrees."""

_SELF_PATTERNS: tuple[str, ...] = (
    # suicide named
    _Ambiguous(r"\bzelfmoord(?!preventie|lijn|cijfers)"),
    _Ambiguous(r"\bsuicid(?!epreventie)|\bsuicide\b(?!\s*prevention)|\bzelfdoding"),
    r"\b(kill|killen|end)\s+(myself|mezelf|mijzelf|my life)",
    r"\bwant(s)? to die\b|\bdon'?t want to (live|be here)|\bend it all\b|\bself[- ]?harm",
    # wanting to be dead or not to live
    r"\b(wil|wilt|wou|wilde|willen)\b[^.?!]{0,25}\bdood\b(?!\s*(moe|op|ziek|gaar|stil|van))",
    r"\bdood\s+(wil|willen|zijn|gaan)\b(?!\s+van)|\b(liever|beter)\s+dood\b",
    r"\b(was|ware)\s+ik\s+(maar|toch)\s+dood\b|\bwas\s+ik\s+er\s+maar\s+niet\b",
    r"\bals\s+ik\s+dood\s+(ben|was|zou\s+zijn)\b|\bdood\b[^.?!]{0,20}\b(enige\s+)?(uitweg|oplossing)\b",
    r"\bniet\s+meer\s+(verder\s+)?(willen\s+|te\s+)?(leven|bestaan)\b",
    r"\b(wil|wilt|wou)\b[^.?!]{0,20}\bniet\s+meer\s+(verder\s+)?(leven|bestaan|wakker)",
    r"\ber\s+(gewoon\s+|echt\s+)?niet\s+meer\s+(willen\s+|wil\s+)?(zijn|wezen|ben)\b",
    r"\bben\s+ik\s+er\s+(gewoon\s+|toch\s+)?niet\s+meer\b",
    r"\bben\s+er\s+(morgen|straks|binnenkort|vannacht|dan|toch|zo)\s+(toch\s+|ook\s+)?niet\s+meer\b",
    r"\bniet\s+meer\s+wakker\s+(te\s+)?(worden|word|wordt|wil)\b|\bnooit\s+meer\s+wakker",
    r"\bhet\s+hoeft\s+(voor\s+mij\s+)?(allemaal\s+)?niet\s+meer\s*($|[.,!?]|\b(hoor|echt|allemaal)\b)",
    r"\bleven\s+(heeft\s+)?(voor\s+mij\s+)?(geen\s+zin|is\s+zinloos|zinloos)",
    r"\b(geen|welke)\s+(zin|reden)\s+(meer\s+)?(in|om|voor)\s+(te\s+)?(leven|bestaan)",
    r"\bwat\s+heeft\s+het\s+(nog\s+)?(voor\s+)?zin\s+om\s+(te\s+|nog\s+te\s+)?leven",
    r"\bgeen\s+(uitweg|toekomst)\s+meer\b" + _OBJ,
    r"\bzie\s+geen\s+(andere\s+)?uitweg\b(?!\s+meer\b)" + _OBJ,
    _Ambiguous(r"\bzie\s+het\s+(echt\s+|helemaal\s+|gewoon\s+)?niet\s+meer\s+zitten\b" + _OBJ),
    r"\b(einde?|punt)\s+(aan|achter)\s+(mijn|het|dit)\s+leven",
    r"\bpunt\s+achter\b[^.?!]{0,30}\bleven\b|\bvan\s+het\s+leven\s+(te\s+)?beroven",
    r"\ber\s+(een\s+)?(einde?|punt)\s+aan\s+(wil\s+|wilt\s+|gaat\s+|ga\s+|te\s+)?maken\b|\b(einde?)\s+aan\s+alles\b",
    r"\beinde?\s+(te\s+)?maken\s+aan\s+(alles|mijn\s+leven|het\s+leven|het\s+allemaal)\b",
    # "ik maak er een eind aan" alone, not "...aan: geen mail meer na zes uur"
    r"\bmaak\s+(ik\s+)?er\s+(vandaag\s+|vanavond\s+|vannacht\s+)?een\s+einde?\s+aan\s*($|[.!,]|\b(vandaag|vanavond|vannacht)\b)",
    r"\ber\s+(uit|tussenuit)\s+(te\s+)?stappen\b|\bertussenuit\s+(stappen|knijpen)\b",
    r"\bbeter\s+(af\s+)?(is\s+|zijn\s+|zou\s+zijn\s+)?(zonder\s+mij|als\s+ik\s+(er\s+)?(niet\s+meer|dood|weg))",
    r"\bbeter\s+(is\s+)?als\s+ik\s+er\s+(gewoon\s+)?niet\s+meer\s+ben\b|\ber\s+beter\s+niet\s+(meer\s+)?(kan\s+|zou\s+)?zijn\b|\bzou\s+ik\s+er\s+(gewoon\s+)?niet\s+meer\s+zijn|\bzonder\s+mij\s+beter\b",
    r"\bniemand\s+(zal|gaat|zou)\s+" + _SELF + r"\s+missen",
    r"\bik\s+ben\s+(een|de)\s+last\s+voor\s+iedereen",
    # means and plans
    r"\b" + _SELF + r"\s+(van\s+kant|om\s+(te\s+)?brengen|ombrengen|doden|dood\s*maken)",
    r"\bvan\s+kant\s+(maken|te\s+maken)|\bplan\s+om\s+" + _SELF + r"\b",
    r"\b" + _SELF + r"\s+(op\s*(te\s+)?hangen|ophangen|opknopen|verhangen)",
    r"\b(" + _SELF + r"|zichzelf)\b[^.?!]{0,15}\b(iets|wat)\s+(ga\s+|gaan\s+|zal\s+|zou\s+|wil\s+)?aan\s*(te\s+)?(doe|doen)\b",
    _Ambiguous(r"\bvoorgoed\s+(verdwijnen|weg\s+zijn|weg)\b|\bverdwijnen,?\s+voorgoed\b"),
    r"\bik\s+sta\s+(nu\s+|hier\s+)?(boven\s+)?op\s+(het|de|een)\s+(dak|brug|rand|flat|balkon|perron|spoor|parkeergarage)\b",
    r"\b(brief|briefje|brieven)\s+geschreven\s+voor\s+(mijn|de)\s+(kinderen|ouders|partner|vrouw|man|familie|vrienden)",
    r"\bleven\s+(te\s+)?beeindigen|\bbeeindig\w*\s+(van\s+)?mijn\s+leven",
    r"\b(iets|wat)\s+aan\s*(te\s+)?doen\s+(bij\s+)?(mezelf|mijzelf)|\bniet\s+veilig\s+bij\s+mezelf",
    r"\b(trein|brug|dak|flat|balkon|parkeergarage|hoogte|raam|station|perron|spoor)\b[^.?!]{0,60}\bspringen\b",
    r"\bspringen\b[^.?!]{0,25}\b(trein|brug|dak|flat|balkon|parkeergarage)\b",
    r"\bvoor\s+(de|een)\s+trein\b|\b(overweg|spoor|rails)\b[^.?!]{0,40}\b(wachten|gaan\s+liggen|blijven\s+staan)",
    r"\btegen\s+een\s+(boom|muur|vrachtwagen|pijler)\b[^.?!]{0,20}\b(rij|rijden|sturen|stuur|aan)|\b(stuur|rij|rijd)\b[^.?!]{0,30}\btegen\s+een\s+(boom|vrachtwagen|pijler)",
    r"\b(pillen|medicijnen|medicatie|tabletten|slaappillen|paracetamol)\b[^.?!]{0,40}\b(gespaard|verzameld|sparen|liggen\s+(al\s+)?(voor\s+me\s+)?klaar|klaar\s*gelegd)",
    r"\b(alle|al\s+mijn|hele\s+strip|een\s+strip|een\s+doos|potje)\b[^.?!]{0,15}\b(pillen|medicijnen|medicatie|tabletten|slaappillen|paracetamol)\b[^.?!]{0,30}\b(in\s*(te\s+)?nemen|innemen|slikken|geslikt|ingenomen|genomen|gepakt|pakken|neem|nemen)",
    r"\b(pillen|medicijnen|medicatie|tabletten|slaappillen|paracetamol)\b[^.?!]{0,60}\ballemaal\s+(in\s*)?(te\s+)?(pakken|nemen|innemen|slikken)",
    r"\b(te\s+veel|teveel)\s+(pillen|medicijnen|tabletten|slaappillen|paracetamol)\s+(genomen|geslikt|ingenomen)",
    _Ambiguous(r"\boverdosis\b|\boverdose\b"),
    r"\b(strop|touw)\b[^.?!]{0,40}\b(klaar|gekocht|gelegd|zolder|ophangen|hangen)",
    r"\bafscheidsbrie(f|ven)|\bafscheid\s+(genomen|nemen)\b[^.?!]{0,40}\b(er\s+niet\s+meer|iedereen|het\s+leven)",
    r"\bdit\s+is\s+(mijn\s+laatste\s+bericht|vaarwel|een\s+afscheid)|\bvaarwel\s+(iedereen|allemaal|wereld)",
    r"\bspullen\s+weggegeven\b|\btestament\b[^.?!]{0,40}\bafscheid",
    # self-harm
    r"\b(snij|snijd|snijden|kras|krassen|krab|krabben|brand|branden|verwond|verwonden|beschadig|beschadigen|sla|slaan)\b\s+" + _SELF + r"\b",
    _Ambiguous(r"\b(mezelf|mijzelf)\b[^.?!]{0,25}\b(gesneden|gekrast|verwond|gebrand|pijn\s+gedaan|beschadigd|geslagen|snijden|krassen|verwonden|branden|beschadigen|pijn\s+(te\s+)?doen)\b"),
    r"\b(doe|deed|heb)\s+(mezelf|mijzelf)\s+(weer\s+)?pijn\b",
    _Ambiguous(r"\b(me|mij)\s+(\w+\s+){0,2}(gesneden|gekrast|gekerfd)\b"),
    r"\b(krab|krabben|kras|krassen|gekrast|gesneden|snij|snijd)\b[^.?!]{0,30}\b(bloed|bloedde|bloeden|bloedens)\b",
    r"\bin\s+mijn\s+(arm|armen|pols|polsen|been|benen)\s+(\w+\s+)?(gekrast|gesneden|snijden|krassen|gekerfd)",
    _Ambiguous(r"\bzelfbeschadig|\bautomutilat|\bscheermesje|\bmijn\s+polsen\b|\bcut(ting)?\s+myself"),
    r"\bhoofd\s+tegen\s+de\s+muur\b[^.?!]{0,40}\b(expres|pijn)",
)
# Someone else in danger of taking their own life.
_OTHER_PATTERNS: tuple[str, ...] = (
    r"\b(zichzelf|hij|zij)\b[^.?!]{0,15}\b(doodmaken|van\s+kant|ombrengen|doden|zelfmoord)",
)
# Acute danger to the visitor from someone else.
_VIOLENCE_PATTERNS: tuple[str, ...] = (
    r"\b(bedreigt|bedreigd|dreigt)\b[^.?!]{0,30}\b(me|mij|mes|wapen|pistool|vermoorden)\b",
    _Ambiguous(r"\b(me|mij)\s+(\w+\s+){0,2}(vermoorden|doodmaken|dood\s+te\s+maken|iets\s+aan\s+te\s+doen)\b"),
    r"\bheeft\s+(me|mij)\s+(net\s+|zojuist\s+|weer\s+)?(geslagen|gestoken|gewurgd|mishandeld|geschopt)",
    r"\b(hij|zij|ze|iemand|mijn\s+\w+)\s+(slaat|sloeg|mishandelt|wurgt|schopt)\s+(me|mij|mijn\s+\w+|ons)\b",
    r"\bslaat\s+(me|mij|mijn\s+\w+|ons)\s+(nu|net|weer)\b|\ber\s+wordt\s+(nu\s+|hier\s+)?geslagen\b|\bbang\s+voor\s+mijn\s+leven\b",
    r"\bik\s+ben\s+(hier\s+|thuis\s+)?niet\s+(meer\s+)?veilig\b|\bik\s+voel\s+me\s+(hier\s+|thuis\s+)?niet\s+veilig\b",
    _Ambiguous(r"\bin\s+(acuut\s+)?(levens)?gevaar\b|\bhuiselijk\s+geweld\b"),
)

# Everyday uses of the same words. They never raise the alarm on their own: they only veto a
# classifier-only "crisis" (a pattern hit above always wins). The classifier over-reacts to
# "dood", "einde" and "gesneden" in hyperbole, news, games and kitchen accidents.
_EVERYDAY_PATTERNS: tuple[str, ...] = (
    # exhaustion and other hyperbole
    r"\bdood\s*(moe|op|ziek)\b|\bdoodmoe|\bdoodop|\bdoodziek|\bdoodnerveus|\bdoodsbang",
    r"\b(ga|gaat|gaan)\s+dood\s+van\s+(de|het)?\s*\w+",
    r"\b\w+\s+(me|mij|mezelf)\s+(dood|kapot|rot|een\s+ongeluk|suf|gek)\b",  # verveel/lach/schaam me dood
    r"\blig\s+(hier\s+)?dood\b|\bdood\s*gaar|\bdoodgewoon|\bdoodnormaal|\bdoodstil",
    r"\bkapot\b|\bkilt?\s+me\b|\bkillt\b|\bkilling\b|\bmaakt\s+me\s+gek|\bvoor\s+mijn\s+kop\s+slaan",
    # talking about the subject, not about oneself
    r"preventie|\bdocumentaire|\bdocu\b|\bwerkstuk|\bscriptie|\bthesis|\bpaper\b|\bgip\b|\bcampagne",
    r"\bnieuws|\bkrant|\bpodcast|\bartikel|\barticle|\bjournalist|\bonderzoek|\bresearch|\bsurvey",
    r"\bworkshop|\btraining|\bvoorlichting|\bcijfers|\bstatistiek|\brates?\b|\bleerlingen|\bvoor\s+school\b",
    r"\bwat\s+doet\s+113|\bhoe\s+werkt\s+113|\bpersonage|\bhoofdpersoon|\baflevering|\btiktok|\bfilmpje",
    # games, films, books
    r"\bspeel|\bspel\b|\bgame|\beindbaas|\blevel\b|\bserie|\bfilm|\bboek|\bthriller|\bmoord-?mysterie",
    # things, not people: a dead phone, battery or plant
    r"\b(telefoon|gsm|mobiel|batterij|accu|laptop|computer|printer|wifi|internet|auto|plant|plantje)\b[^.?!]{0,20}\b(dood|doodgegaan|leeg|kapot)\b",
    # small accidents: a cut finger while cooking
    r"\b(vinger|duim|hand)\b[^.?!]{0,30}\b(gesneden|gebrand|snijden)|\b(gesneden|gebrand)\b[^.?!]{0,20}\b(vinger|duim|hand)\b",
    r"\b(gesneden|gebrand|cut)\b[^.?!]{0,12}\b(bij|aan|met|while)\s+(het|een|de|papier|glas|shaving)\b",
    r"\b(shaving|scheren|koken|kook|uien|groente|strijkijzer|oven|pan|mes\s+uitgeschoten)\b",
    # a threat that is a figure of speech ("mijn vrouw vermoordt me als ik het vergeet")
    r"\bvermoord(t|en)?\b[^.?!]{0,12}\bals\s+(ik|ze|hij|je)\b",
    # the old self, not life
    r"\bde\s+oude\s+(ik|mij)\b|\bmezelf\s+terug\b|\bmijn\s+oude\s+(leven|ik)\b",
    # ending a thing that is not life
    r"\beinde?\s+(te\s+)?maken\s+aan\s+(mijn|het|de|dit|die|deze|ons)\s+(?!leven)\w+",
    r"\beinde?\s+aan\s*:",
)

_CRISIS: tuple[tuple[re.Pattern[str], CrisisKind, bool], ...] = tuple(
    (re.compile(p), kind, not isinstance(p, _Ambiguous))
    for patterns, kind in ((_SELF_PATTERNS, CrisisKind.SELF), (_OTHER_PATTERNS, CrisisKind.OTHER),
                           (_VIOLENCE_PATTERNS, CrisisKind.VIOLENCE))
    for p in patterns
)
_EVERYDAY = tuple(re.compile(p) for p in _EVERYDAY_PATTERNS)


class Tier(str, Enum):
    """How sure the assistant is that a message is a crisis, and so what it does.

    CERTAIN answers with the helplines at once; UNSURE asks directly whether the visitor is
    thinking of suicide or of hurting themselves (asking does not raise the risk, and it is
    what 113 advises); NONE carries on.
    """

    NONE = "none"
    UNSURE = "unsure"
    CERTAIN = "certain"


@dataclass(frozen=True)
class CrisisScore:
    """The crisis classifier's view of a message: probability 0..1 and whose danger."""

    probability: float
    kind: CrisisKind


@dataclass(frozen=True)
class Thresholds:
    """Crisis-classifier probabilities for the two tiers, chosen on the training writers by
    leave-one-writer-out evaluation through the pipeline (tests/model/test_crisis_corpus.py;
    ``python -m devtools.crisis_evaluation`` prints the table). ``vote`` is what the
    classifier must say for a vote (the intent classifier's "crisis", an ambiguous pattern)
    to become certain; below it the vote asks the question."""

    unsure: float = 0.20
    certain: float = 0.90
    vote: float = 0.80


@dataclass(frozen=True)
class SafetyAssessment:
    """Outcome for one message; ``reason`` names the signal (never the text) for the logs."""

    tier: Tier
    kind: CrisisKind
    reason: str

    @property
    def is_crisis(self) -> bool:
        return self.tier is Tier.CERTAIN


def normalise(text: str) -> str:
    """Lower case, strip diacritics, fold runs of one letter ("doooood") and spacing."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("’", "'").replace("‘", "'")
    text = re.sub(r"(.)\1{2,}", r"\1\1", text)
    text = re.sub(r"\bk\s+(wil|wou|zie|ben|heb)\b", r"ik \1", text)  # "k wil", chat shorthand
    text = re.sub(r"\bmn\b|\bm'n\b", "mijn", text)
    text = re.sub(r"\bgwn\b", "gewoon", text)
    text = re.sub(r"\bni(e)?\b", "niet", text)
    text = re.sub(r"\ban\b", "aan", text)
    return re.sub(r"\s+", " ", text).strip()


def scan_window(text: str, limit: int = 20_000) -> str:
    """The part of a message the patterns read: all of it, or its head and tail when huge.

    A warning sign is often the last sentence of a long story, so the tail is never dropped.
    """
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}.\n{text[-half:]}"


def _first_pattern(text: str) -> tuple[re.Pattern[str], CrisisKind, bool] | None:
    """The first matching pattern, preferring an unambiguous one."""
    norm = normalise(scan_window(text or ""))
    hits = [hit for hit in _CRISIS if hit[0].search(norm)]
    return next((h for h in hits if h[2]), hits[0] if hits else None)


def crisis_signal(text: str) -> str | None:
    """The first crisis pattern that matches, or None."""
    hit = _first_pattern(text)
    return hit[0].pattern if hit else None


def is_everyday_use(text: str) -> bool:
    """True for hyperbole ("ik ben doodmoe"), news, games or small accidents."""
    norm = normalise(text)
    return any(p.search(norm) for p in _EVERYDAY)


def assess(
    text: str,
    intent: str | None = None,
    confidence: float = 0.0,
    score: CrisisScore | None = None,
    thresholds: Thresholds | None = None,
) -> SafetyAssessment:
    """Combine the patterns, the crisis classifier and the intent classifier into a tier.

    An unambiguous pattern is certain. The crisis classifier is certain above
    ``thresholds.certain`` and unsure above ``thresholds.unsure``. A vote (the intent
    classifier's "crisis" or an ambiguous pattern) is certain when the crisis classifier reaches
    ``thresholds.vote``, and a question otherwise. Everyday idioms ("ik ben doodmoe") never make
    anything but a pattern certain: at most they make it a question.
    """
    thresholds = thresholds or Thresholds()
    probability = score.probability if score else 0.0
    model_kind = score.kind if score and probability >= thresholds.unsure else None
    hit = _first_pattern(text)
    if hit and hit[2]:
        # The model knows better whose danger it is ("mijn dochter wil dood" hits a self
        # pattern); violence patterns are specific enough to keep their own kind.
        kind = hit[1] if hit[1] is CrisisKind.VIOLENCE else (model_kind or hit[1])
        return SafetyAssessment(Tier.CERTAIN, kind, "pattern")
    everyday = is_everyday_use(text)
    # An ambiguous pattern weighs like the intent classifier's "crisis": a vote, not a verdict.
    vote = "ambiguous_pattern" if hit else (
        "classifier" if intent == "crisis" and confidence >= CLASSIFIER_THRESHOLD else None)
    kind = model_kind or (hit[1] if hit else CrisisKind.SELF)
    if probability >= thresholds.certain and not everyday:
        return SafetyAssessment(Tier.CERTAIN, kind, "model")
    if vote and probability >= thresholds.vote and not everyday:
        return SafetyAssessment(Tier.CERTAIN, kind, vote)
    if probability >= thresholds.unsure:
        return SafetyAssessment(Tier.UNSURE, kind, "model_everyday" if everyday else "model")
    if vote and not everyday:
        return SafetyAssessment(Tier.UNSURE, kind, vote)
    return SafetyAssessment(Tier.NONE, CrisisKind.NONE,
                            "everyday_use_overrides_" + vote if vote else "none")
