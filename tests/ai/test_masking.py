"""The local `mask`: rule-based entity masking, as a function and as SQL."""

from __future__ import annotations

import pytest

from tests.ai.conftest import EDITOR, ai_engine
from trilith.ai import AIQuery
from trilith.ai.masking import MASK, mask_text
from trilith.ai.providers.local import register_functions
from trilith.engines import Engine
from trilith.errors import ValidationFailed

LETTER = (
    "Dear John Smith,\n"
    "Write to jane.doe@example.com or call +1 (415) 555-0132. Card 4111 1111 1111 1111 "
    "was charged on 2024-03-05; order 1234 5678 9012 3456 is not a card. SSN 078-05-1120, "
    "server 10.0.0.12, see https://example.com/a?b=1.\n"
    "Regards,\nMaria Garcia"
)


@pytest.mark.parametrize(
    ("label", "hidden"),
    [
        ("email", "jane.doe@example.com"),
        ("phone", "555-0132"),
        ("credit_card", "4111 1111 1111 1111"),
        ("ssn", "078-05-1120"),
        ("ip_address", "10.0.0.12"),
        ("url", "https://example.com"),
        ("date", "2024-03-05"),
        ("person", "John Smith"),
        ("person", "Maria Garcia"),
    ],
)
def test_each_label_hides_its_entities(label: str, hidden: str) -> None:
    masked = mask_text(LETTER, [label])
    assert hidden not in masked
    assert MASK in masked


def test_other_text_is_kept() -> None:
    masked = mask_text(LETTER, ["credit_card", "person", "email"])
    # a 16-digit number failing the Luhn check is no card; context words stay
    assert "1234 5678 9012 3456" in masked
    assert masked.startswith(f"Dear {MASK},")
    assert f"Regards,\n{MASK}" in masked
    assert "call +1 (415) 555-0132" in masked  # phones were not asked for


def test_aliases_and_unknown_labels() -> None:
    assert "example.com" not in mask_text("mail a@example.com", ["Emails"])
    with pytest.raises(ValidationFailed, match="cannot recognise 'religion'; it recognises: email"):
        mask_text("x", ["religion"])


def test_mask_through_the_engine_and_sql(duck: Engine) -> None:
    result = ai_engine(duck).execute(
        AIQuery(
            function="mask",
            prompt="Contact: Ann Lee, ann@lee.io",
            parameters={"entities": ["person", "email"]},
        ),
        EDITOR,
    )
    assert result.result == f"Contact: {MASK}, {MASK}"
    with pytest.raises(ValidationFailed, match="cannot recognise 'blood_type'"):
        ai_engine(duck).execute(
            AIQuery(function="mask", prompt="x", parameters={"entities": ["blood_type"]}), EDITOR
        )
    register_functions(duck)
    rows = duck.fetch_rows(
        "SELECT ai_mask(t, ['email']) FROM (VALUES ('to b@c.org now'), (NULL)) v(t)"
    )
    assert rows == [(f"to {MASK} now",), (None,)]
