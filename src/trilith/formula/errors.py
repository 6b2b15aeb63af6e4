"""Formula errors: every problem is found before any SQL runs and points at its place.

A `FormulaError` is a `ValidationFailed` (HTTP 422). It carries the formula, the offset
of the offending text and, from those, its line and column; `caret()` draws the line
with a `^` under the place, as compilers do.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

from trilith.errors import ValidationFailed

__all__ = ["FormulaError", "Position", "suggest"]


@dataclass(frozen=True, slots=True)
class Position:
    """Where in a formula: a 0-based offset, 1-based line and column."""

    offset: int
    line: int
    column: int

    @classmethod
    def at(cls, text: str, offset: int) -> Position:
        offset = max(0, min(offset, len(text)))
        line = text.count("\n", 0, offset) + 1
        line_start = text.rfind("\n", 0, offset) + 1
        return cls(offset, line, offset - line_start + 1)


class FormulaError(ValidationFailed):
    error_type = "formula_error"

    def __init__(
        self,
        message: str,
        *,
        formula: str = "",
        offset: int | None = None,
        suggestions: Iterable[str] = (),
    ) -> None:
        self.formula = formula
        self.offset = offset
        self.position = Position.at(formula, offset) if offset is not None else None
        self.suggestions = list(suggestions)
        detail: dict[str, object] = {"field": "formula", "message": message}
        if self.position is not None:
            detail.update(
                offset=self.position.offset, line=self.position.line, column=self.position.column
            )
        if self.suggestions:
            detail["suggestions"] = self.suggestions
        super().__init__(message, details=[detail])

    def located(self, formula: str) -> FormulaError:
        """This error placed in `formula` (errors raised deep inside know only the offset)."""
        if self.formula:
            return self
        return FormulaError(
            self.message, formula=formula, offset=self.offset, suggestions=self.suggestions
        )

    def caret(self) -> str:
        """The formula line holding the error, a `^` under its column, and the message."""
        if self.position is None:
            return self.message
        line = self.formula.split("\n")[self.position.line - 1]
        pad = "".join("\t" if ch == "\t" else " " for ch in line[: self.position.column - 1])
        return f"{line}\n{pad}^ {self.message}"

    def __str__(self) -> str:
        if self.position is None:
            return self.message
        return f"{self.message} (line {self.position.line}, column {self.position.column})"


def suggest(name: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """The nearest names to `name`, compared case-insensitively."""
    by_folded: dict[str, str] = {c.casefold(): c for c in candidates}
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=limit, cutoff=0.6)
    return [by_folded[c] for c in close]
