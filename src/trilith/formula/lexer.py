"""The formula lexer: text to tokens, each carrying the offset where it starts.

Tokens: numbers (`12`, `1.5`, `.5`, `2e3`), text in double or single quotes with
backslash escapes, references in brackets (`[Amount]`, `[Orders/Amount]`, `[Range].min`),
names (functions and the keywords `and or not True False Null`), operators and
punctuation. Whitespace (spaces, tabs, newlines) separates tokens and is otherwise ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from trilith.formula.errors import FormulaError

__all__ = ["Token", "TokenKind", "tokenize"]

INT64_MAX = 2**63 - 1


class TokenKind(Enum):
    NUMBER = "number"
    STRING = "text"
    REF = "reference"
    NAME = "name"
    OP = "operator"
    LPAREN = "("
    RPAREN = ")"
    COMMA = ","
    EOF = "end of formula"


@dataclass(slots=True)
class Token:
    kind: TokenKind
    text: str  # the source text of the token
    offset: int
    # NUMBER: int | float; STRING: the unescaped text; REF: (body, parts, field).
    value: object = None
    # The binary operator this token can be (`+`, `and` …), else None.
    operator: str | None = None


_NUMBER = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")
_FIELD = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)")
# One pattern for every well-formed token; malformed text falls to the slow paths, which
# explain what is wrong.
_SCANNER = re.compile(
    r"""
    \s*(?:
    (?P<number>(?>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)(?![A-Za-z_]))
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<text>"(?:[^"\\]|\\[ntr\\"'])*"|'(?:[^'\\]|\\[ntr\\"'])*')
    |(?P<ref>\[(?:[^\]\[\\\n]|\\[\[\]\\])+\](?:\.[A-Za-z_][A-Za-z0-9_]*)?)
    |(?P<op><=|>=|!=|<>|[-+*/%^&=<>])
    |(?P<punct>[(),])
    |(?P<end>$)
    )""",
    re.VERBOSE,
)
_PUNCTUATION = {"(": TokenKind.LPAREN, ")": TokenKind.RPAREN, ",": TokenKind.COMMA}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}
_ESCAPE = re.compile(r"\\(.)")
_REF_ESCAPE = re.compile(r"\\([\[\]\\])")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    append = tokens.append
    pos = 0
    end = len(text)
    scan = _SCANNER.match
    while pos < end:
        match = scan(text, pos)
        if match is None:
            while text[pos].isspace():
                pos += 1
            append(_malformed(text, pos))
            pos += len(tokens[-1].text)
            continue
        kind = match.lastgroup
        pos = match.start(kind)  # type: ignore[arg-type]
        source = match.group(kind)  # type: ignore[arg-type]
        if kind == "end":
            break
        if kind == "name":
            word = source.lower()
            operator = word if word in ("and", "or") else None
            append(Token(TokenKind.NAME, source, pos, None, operator))
        elif kind == "op":
            append(Token(TokenKind.OP, source, pos, None, source))
        elif kind == "punct":
            append(Token(_PUNCTUATION[source], source, pos))
        elif kind == "number":
            append(Token(TokenKind.NUMBER, source, pos, _number_value(source, text, pos)))
        elif kind == "text":
            body = source[1:-1]
            value = _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], body) if "\\" in body else body
            append(Token(TokenKind.STRING, source, pos, value))
        elif kind == "ref":
            append(_reference_token(source, text, pos))
        pos = match.end()
    tokens.append(Token(TokenKind.EOF, "", end))
    return tokens


def _malformed(text: str, pos: int) -> Token:
    """The token at `pos` that the scanner refused, or the error that explains why."""
    ch = text[pos]
    if ch in "0123456789" or (
        ch == "." and text[pos + 1 : pos + 2].isascii() and text[pos + 1 : pos + 2].isdigit()
    ):
        return _number(text, pos)
    if ch in "\"'":
        return _string(text, pos)
    if ch == "[":
        return _reference(text, pos)
    raise FormulaError(f"unexpected character {ch!r}", formula=text, offset=pos)


def _number(text: str, pos: int) -> Token:
    match = _NUMBER.match(text, pos)
    assert match is not None
    source = match.group()
    if match.end() < len(text) and (text[match.end()].isalpha() or text[match.end()] == "_"):
        raise FormulaError(
            f"unexpected {text[match.end()]!r} after the number {source}",
            formula=text,
            offset=match.end(),
        )
    return Token(TokenKind.NUMBER, source, pos, _number_value(source, text, pos))


def _number_value(source: str, text: str, pos: int) -> int | float:
    if "." in source or "e" in source or "E" in source:
        value = float(source)
        if value in (float("inf"), float("-inf")):
            raise FormulaError(f"the number {source} is too large", formula=text, offset=pos)
        return value
    number = int(source)
    if number > INT64_MAX:
        raise FormulaError(
            f"the integer {source} is too large (limit {INT64_MAX})", formula=text, offset=pos
        )
    return number


def _string(text: str, pos: int) -> Token:
    quote = text[pos]
    chars: list[str] = []
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if ch == quote:
            return Token(TokenKind.STRING, text[pos : i + 1], pos, "".join(chars))
        if ch == "\\":
            if i + 1 >= len(text):
                break
            escaped = _ESCAPES.get(text[i + 1])
            if escaped is None:
                raise FormulaError(
                    f"unknown escape \\{text[i + 1]} in text (use \\\\ for a backslash)",
                    formula=text,
                    offset=i,
                )
            chars.append(escaped)
            i += 2
            continue
        chars.append(ch)
        i += 1
    raise FormulaError(f"text starting here has no closing {quote}", formula=text, offset=pos)


def _reference_token(source: str, text: str, pos: int) -> Token:
    """A reference the scanner matched: `[body]` and perhaps `.field`."""
    close = source.rindex("]")
    body = source[1:close]
    if "\\" in body:
        body = _REF_ESCAPE.sub(r"\1", body)
    return _reference_value(source, body, source[close + 2 :] or None, text, pos)


def _reference_value(source: str, body: str, field: str | None, text: str, pos: int) -> Token:
    parts = tuple(part.strip() for part in body.split("/", 1))
    if not all(parts):
        raise FormulaError(f"empty name in reference [{body}]", formula=text, offset=pos)
    return Token(TokenKind.REF, source, pos, (body.strip(), parts, field))


def _reference(text: str, pos: int) -> Token:
    chars: list[str] = []
    i = pos + 1
    while i < len(text):
        ch = text[i]
        if ch == "]":
            break
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "[]\\":
            chars.append(text[i + 1])
            i += 2
            continue
        if ch in "[\n":
            i = len(text)
            break
        chars.append(ch)
        i += 1
    if i >= len(text):
        raise FormulaError("reference starting here has no closing ]", formula=text, offset=pos)
    field: str | None = None
    after = i + 1
    match = _FIELD.match(text, after)
    if match is not None:
        field = match.group(1)
        after = match.end()
    return _reference_value(text[pos:after], "".join(chars), field, text, pos)
