"""Entity masking by rules (the local provider's `mask`, Databricks `ai_mask`'s shape).

Each label is a recogniser: a regular expression, and for card numbers a Luhn check, so
a 16-digit order number is not taken for a card. Found spans are replaced with
`[MASKED]`, as `ai_mask` does. Names are the hard case for rules: a `person` is a run of
capitalised words after a title (Mr, Ms, Dr ...), a greeting or sign-off (Dear,
Regards,), or a label (`Name:`, `From:`, `To:`, `Contact:`) — a name standing alone in
running text is not found. This is pattern matching, not a model, and it says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from trilith.errors import ValidationFailed

__all__ = ["MASK", "RECOGNISERS", "mask_text", "validate_labels"]

MASK = "[MASKED]"
_NAME = r"[A-Z][a-z'\u2019-]+(?:\s+[A-Z]\.)?(?:[ \t]+[A-Z][a-z'\u2019-]+){0,2}"


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _card(match: re.Match[str]) -> bool:
    digits = re.sub(r"\D", "", match.group(0))
    return 13 <= len(digits) <= 19 and _luhn(digits)


# Dates and social security numbers have a phone number's shape; they are not one.
_NOT_PHONE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{3}-\d{2}-\d{4}|\d{1,2}[.]\d{1,2}[.]\d{2,4}")


@dataclass(frozen=True)
class Recogniser:
    pattern: re.Pattern[str]
    # Which group is the entity (0: the whole match); a context word stays unmasked.
    group: int = 0
    accept: Callable[[re.Match[str]], bool] = lambda match: True


RECOGNISERS: dict[str, Recogniser] = {
    "email": Recogniser(re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    "url": Recogniser(re.compile(r"\bhttps?://[^\s<>\"]+|\bwww\.[^\s<>\"]+")),
    "credit_card": Recogniser(re.compile(r"\b\d(?:[ -]?\d){12,18}\b"), accept=_card),
    "iban": Recogniser(re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")),
    "ssn": Recogniser(re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    "phone": Recogniser(
        re.compile(
            r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]\d{2,4}){1,4}\b"
        ),
        accept=lambda m: (
            7 <= len(re.sub(r"\D", "", m.group(0))) <= 15 and not _NOT_PHONE.fullmatch(m.group(0))
        ),
    ),
    "ip_address": Recogniser(
        re.compile(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b")
    ),
    "date": Recogniser(
        re.compile(
            r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|"
            r"\b\d{1,2}\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{4}\b|"
            r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}\b"
        )
    ),
    "person": Recogniser(
        re.compile(
            r"(?:\b(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+|\bDear\s+|\b(?:Regards|Sincerely|Thanks),?\s*\n?\s*|"
            r"\b(?:Name|From|To|Contact|Attn|Signed by)\s*:\s*)(" + _NAME + r")"
        ),
        group=1,
    ),
}
# Databricks ai_mask's labels, and other common spellings, for the same recognisers.
ALIASES = {
    "name": "person",
    "names": "person",
    "emails": "email",
    "phone_number": "phone",
    "card": "credit_card",
    "card_number": "credit_card",
    "credit_card_number": "credit_card",
    "ip": "ip_address",
    "address_ip": "ip_address",
}


def validate_labels(labels: list[str]) -> list[str]:
    """The recognisers' names for `labels`; an unknown label is a 422 naming the known."""
    known: list[str] = []
    for label in labels:
        key = ALIASES.get(label.strip().lower(), label.strip().lower())
        if key not in RECOGNISERS:
            raise ValidationFailed(
                f"mask cannot recognise {label!r}; it recognises: {', '.join(RECOGNISERS)}",
                details=[{"field": "parameters.entities", "value": label}],
            )
        known.append(key)
    return known


def _spans(text: str, labels: list[str]) -> Iterator[tuple[int, int]]:
    for label in labels:
        recogniser = RECOGNISERS[label]
        for match in recogniser.pattern.finditer(text):
            if recogniser.accept(match):
                yield match.span(recogniser.group)


def mask_text(text: str, labels: list[str]) -> str:
    """`text` with every entity of `labels` replaced by `[MASKED]` (overlaps merged)."""
    spans = sorted(_spans(text, validate_labels(labels)))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, last = [], 0
    for start, end in merged:
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return "".join(out)
