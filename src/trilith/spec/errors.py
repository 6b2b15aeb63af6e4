"""Errors raised while loading and validating an app spec.

    SpecError                  one or more problems in one spec (``issues``)
      └─ carries SpecIssue     one problem: spec path, message, file:line:column

``SpecError`` is a ``trilith.errors.ValidationFailed``, so the API answers it with 422.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from trilith.errors import ValidationFailed

__all__ = ["SpecError", "SpecIssue"]


@dataclass(frozen=True, slots=True)
class SpecIssue:
    """One problem in an app spec.

    ``path`` names the offending node like ``pages[0].elements[2].children[1]`` (empty
    for the document itself); ``line`` and ``column`` are 1-based and ``None`` when the
    spec did not come from text.
    """

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    file: str | None = None

    @property
    def location(self) -> str:
        """``file:line:column`` with whatever parts are known (may be empty)."""
        parts = [self.file or ("<spec>" if self.line is not None else "")]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(part for part in parts if part)

    def __str__(self) -> str:
        head = ": ".join(part for part in (self.location, self.path) if part)
        return f"{head}: {self.message}" if head else self.message


class SpecError(ValidationFailed):
    """An app spec could not be loaded; ``issues`` lists every problem found.

    Over HTTP it is a 422 whose message is the first problem and whose details list them
    all with path, line and column.
    """

    def __init__(self, issues: Iterable[SpecIssue]) -> None:
        self.issues: list[SpecIssue] = sorted(issues, key=_issue_order)
        if not self.issues:
            raise ValueError("SpecError needs at least one issue")
        first, count = self.issues[0], len(self.issues)
        headline = str(first) if count == 1 else f"{first} (and {count - 1} more problems)"
        super().__init__(headline, details=[_issue_detail(issue) for issue in self.issues])

    def _summary(self) -> str:
        count = len(self.issues)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} in app spec:"]
        lines.extend(f"  {issue}" for issue in self.issues)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self._summary()

    def __reduce__(self) -> tuple[type[SpecError], tuple[list[SpecIssue]]]:
        # Rebuild from the issues (not the message) when pickled across processes.
        return type(self), (self.issues,)


def _issue_detail(issue: SpecIssue) -> dict[str, object]:
    return {
        "path": issue.path,
        "message": issue.message,
        "line": issue.line,
        "column": issue.column,
        "file": issue.file,
    }


def _issue_order(issue: SpecIssue) -> tuple[str, int, int, str, str]:
    return (
        issue.file or "",
        issue.line if issue.line is not None else 1 << 30,
        issue.column if issue.column is not None else 0,
        issue.path,
        issue.message,
    )
