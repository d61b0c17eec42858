"""Contact details typed while booking: kept only in a form the practice can use."""

from __future__ import annotations

import pytest

from burnout_assistant.language.contact import (
    extract_name,
    format_phone_nl,
    is_opt_out,
    normalise_email,
    normalise_phone,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("06 12345678", "+31612345678"),
        ("06-1234 5678", "+31612345678"),
        ("0612345678", "+31612345678"),
        ("06.12.34.56.78", "+31612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("+31 (0)6 1234 5678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("mijn nummer is 06 12345678", "+31612345678"),
        ("tel: 06-12345678", "+31612345678"),
        ("020 123 4567", "+31201234567"),
        ("(020) 123 4567", "+31201234567"),
        ("010 123 4567", "+31101234567"),
        ("085 123 4567", "+31851234567"),
        ("+32 470 12 34 56", "+32470123456"),
        ("0032470123456", "+32470123456"),
        ("+32 (0)470 12 34 56", "+32470123456"),
        ("0470 12 34 56", "+32470123456"),  # Belgian mobile on a Dutch practice's assistant
        ("012 34 56 78", "+3212345678"),  # Belgian landline
    ],
)
def test_accepts_dutch_and_belgian_numbers(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "geen",
        "112",
        "06 1234567",  # a digit short: not read as a Belgian landline instead
        "061234567",
        "06 123456789",  # a digit too many
        "06 1234 5678 0",
        "06 12345abc",  # letters are not dialled
        "0612345678abc",
        "+49 30 1234567",  # Germany
        "+44 20 7946 0958",  # United Kingdom
        "0049301234567",
        "+31 6 1234567",
        "0900 1234567",  # premium rate: not the visitor's own number
        "0800 1234",  # toll free
        "06 12345678 of 020 1234567",  # two numbers: ask which
        "12-34-56",
    ],
)
def test_rejects_other_numbers(text: str) -> None:
    assert normalise_phone(text) is None


def test_default_region_decides_national_numbers() -> None:
    assert normalise_phone("0470 12 34 56", default_region="BE") == "+32470123456"
    assert normalise_phone("06 12345678", default_region="BE") == "+31612345678"
    assert normalise_phone("012 34 56 78", default_region="BE") == "+3212345678"


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+31612345678", "06 12345678"),
        ("+31201234567", "020 123 4567"),
        ("+32470123456", "+32 470 12 34 56"),
        ("not a number", "not a number"),
    ],
)
def test_formats_numbers_for_dutch_messages(e164: str, shown: str) -> None:
    assert format_phone_nl(e164) == shown


@pytest.mark.parametrize("text", ["06-1234 5678", "0032 470 123456", "020-1234567"])
def test_formatting_a_normalised_number_normalises_back(text: str) -> None:
    e164 = normalise_phone(text)
    assert e164 is not None
    assert normalise_phone(format_phone_nl(e164)) == e164


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jan.de.Vries+chat@Gmail.com", "Jan.de.Vries+chat@gmail.com"),
        ("sanne@example.nl", "sanne@example.nl"),
        ("  sanne@example.nl  ", "sanne@example.nl"),
        ("SANNE@EXAMPLE.NL", "SANNE@example.nl"),
        ("mail@praktijk.nl", "mail@praktijk.nl"),
        ("mijn e-mail is jan@x.nl", "jan@x.nl"),
        ("e-mail: Jan@X.NL", "Jan@x.nl"),
        ("mijn mailadres is: piet@ziggo.nl", "piet@ziggo.nl"),
        ("<jan@x.nl>", "jan@x.nl"),
        ("jan@x.nl.", "jan@x.nl"),
        ("a_b-c@sub.domein.be", "a_b-c@sub.domein.be"),
        ("jan@müller.de", "jan@müller.de"),
    ],
)
def test_accepts_plausible_addresses(text: str, expected: str) -> None:
    assert normalise_email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "jan@",
        "@gmail.com",
        "jan at gmail",
        "jan at gmail.com",
        "jan @gmail.com",
        "jan de vries@gmail.com",
        "jan@gmail",
        "jan@gmail.c",
        "jan@gmail.123",
        "jan@@gmail.com",
        "jan@x@y.nl",
        "jan..x@gmail.com",
        ".jan@gmail.com",
        "jan@gmail..com",
        "jan@-gmail.com",
        "jan@gmail_com.nl",
        "nee",
        "x" * 65 + "@gmail.com",
    ],
)
def test_rejects_implausible_addresses(text: str) -> None:
    assert normalise_email(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ik ben Sanne de Vries", "Sanne de Vries"),
        ("mijn naam is peter", "Peter"),
        ("Sanne", "Sanne"),
        ("dit is Anouk van Dijk", "Anouk van Dijk"),
        ("Ik heet sanne.", "Sanne"),
        ("hoi, ik ben Sanne!", "Sanne"),
        ("SANNE DE VRIES", "Sanne de Vries"),
        ("sanne De Vries", "Sanne de Vries"),
        ("anne-marie van den berg", "Anne-Marie van den Berg"),
        ("j. de vries", "J. de Vries"),
        ("van Dijk", "Van Dijk"),  # without a first name the tussenvoegsel is capitalised
        ("Jan op de Beek", "Jan op de Beek"),
        ("Joris van 't Hof", "Joris van 't Hof"),
        ("Ronald McDonald", "Ronald McDonald"),
        ("ik heet Fatima El Amrani", "Fatima El Amrani"),
        ("ik ben Ben", "Ben"),
        ("met Kees", "Kees"),
        ("Sanne hier", "Sanne"),
        ("Sanne 😊", "Sanne"),
        ("Zoë", "Zoë"),
    ],
)
def test_reads_names(text: str, expected: str) -> None:
    assert extract_name(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12345",
        "?!",
        "weet ik niet",
        "Weet ik niet.",
        "nee",
        "ja",
        "geen idee",
        "liever niet",
        "ik ben moe",  # not a name, however often heard here
        "ik ben op",
        "de",
        "Sanne 06 12345678",
        "sanne@example.nl",
        "ik weet eigenlijk niet zo goed wat je bedoelt",
        "een twee drie vier vijf zes zeven",
    ],
)
def test_rejects_answers_that_are_no_name(text: str) -> None:
    assert extract_name(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "nee",
        "Nee.",
        "nee hoor",
        "Nee, dank je",
        "neen",
        "geen",
        "liever niet",
        "sla over",
        "sla maar over",
        "overslaan",
        "hoeft niet",
        "dat hoeft niet",
        "niet nodig",
        "ik heb geen e-mail",
        "laat maar",
        "nvt",
    ],
)
def test_declining_the_email_question(text: str) -> None:
    assert is_opt_out(text) is True


@pytest.mark.parametrize(
    "text",
    ["ja", "ok", "prima", "jan@x.nl", "nee wacht: jan@x.nl", "geen probleem", "Sanne", ""],
)
def test_answers_that_do_not_decline(text: str) -> None:
    assert is_opt_out(text) is False
