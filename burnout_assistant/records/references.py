"""Booking references: six characters a visitor hears on the phone and types back in the chat."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L: a reference is read aloud over the phone and typed from a mail.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_reference(reference: str) -> str | None:
    """``" k7m 3qp "`` → ``"K7M3QP"``; None when it cannot be one of our references."""
    cleaned = re.sub(r"[\s\-]", "", reference or "").upper()
    if len(cleaned) != REFERENCE_LENGTH or any(c not in REFERENCE_ALPHABET for c in cleaned):
        return None
    return cleaned
