"""The formula parser: tokens to a syntax tree by precedence climbing.

Precedence, loosest first (all binary operators group left except `^`)::

    or
    and
    not                       (prefix)
    =  !=  <>  <  >  <=  >=
    &                         text concatenation
    +  -
    *  /  %
    -                         (prefix negation)
    ^                         power, groups right: 2^3^2 = 2^9; -2^2 = -(2^2)

Names are case-insensitive keywords (`and`, `True`, `Null` …) or function calls.
"""

from __future__ import annotations

import functools
from typing import cast

from trilith.formula import ast
from trilith.formula.errors import FormulaError
from trilith.formula.lexer import Token, TokenKind, tokenize

__all__ = ["MAX_DEPTH", "parse"]

# Deeper nesting than any real formula, shallow enough for every later recursive pass.
MAX_DEPTH = 64

# operator -> (left binding power, right binding power)
_BINARY: dict[str, tuple[int, int]] = {
    "or": (10, 11),
    "and": (20, 21),
    "=": (40, 41),
    "!=": (40, 41),
    "<>": (40, 41),
    "<": (40, 41),
    ">": (40, 41),
    "<=": (40, 41),
    ">=": (40, 41),
    "&": (50, 51),
    "+": (60, 61),
    "-": (60, 61),
    "*": (70, 71),
    "/": (70, 71),
    "%": (70, 71),
    "^": (90, 89),
}
_NOT_OPERAND = 30
_NEG_OPERAND = 80
_CANONICAL_OP = {"<>": "!="}
_KEYWORD_VALUES: dict[str, bool | None] = {"true": True, "false": False, "null": None}
_WORD_OPERATORS = {"and", "or", "not"}


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> ast.Node:
    """Parse a formula; raise `FormulaError` pointing at the first problem.

    Trees are cached by text (apps recompile the same formulas with new control values);
    nothing downstream modifies a tree.
    """
    parser = _Parser(text, tokenize(text))
    node = parser.expression(0)
    token = parser.peek()
    if token.kind is not TokenKind.EOF:
        raise parser.error(f"unexpected {_describe(token)} after a complete formula", token)
    return node


def _describe(token: Token) -> str:
    if token.kind is TokenKind.EOF:
        return "end of formula"
    return f"{token.kind.value} {token.text!r}" if token.kind is TokenKind.OP else repr(token.text)


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind is not TokenKind.EOF:
            self.index += 1
        return token

    def error(self, message: str, token: Token) -> FormulaError:
        return FormulaError(message, formula=self.text, offset=token.offset)

    def expect(self, kind: TokenKind, context: str) -> Token:
        token = self.peek()
        if token.kind is not kind:
            raise self.error(f"expected {kind.value} {context}, found {_describe(token)}", token)
        return self.advance()

    def expression(self, min_bp: int) -> ast.Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"formula nests more than {MAX_DEPTH} levels deep", self.peek())
        left = self.prefix()
        tokens = self.tokens
        while True:
            token = tokens[self.index]
            op = token.operator
            powers = _BINARY.get(op) if op is not None else None
            if op is None or powers is None or powers[0] < min_bp:
                break
            self.index += 1
            right = self.expression(powers[1])
            left = ast.Binary(token.offset, _CANONICAL_OP.get(op, op), left, right)
        self.depth -= 1
        return left

    def prefix(self) -> ast.Node:
        token = self.advance()
        kind = token.kind
        if kind is TokenKind.NUMBER or kind is TokenKind.STRING:
            return ast.Literal(token.offset, cast(int | float | str, token.value))
        if kind is TokenKind.REF:
            body, parts, field = cast(tuple[str, tuple[str, ...], str | None], token.value)
            return ast.Reference(token.offset, body, parts, field)
        if kind is TokenKind.LPAREN:
            inner = self.expression(0)
            self.expect(TokenKind.RPAREN, "to close the parenthesis")
            return inner
        if kind is TokenKind.OP and token.text == "-":
            return ast.Unary(token.offset, "neg", self.expression(_NEG_OPERAND))
        if kind is TokenKind.NAME:
            return self.name(token)
        if kind is TokenKind.EOF:
            raise self.error("formula ends where a value was expected", token)
        raise self.error(f"expected a value, found {_describe(token)}", token)

    def name(self, token: Token) -> ast.Node:
        lowered = token.text.lower()
        if lowered == "not":
            return ast.Unary(token.offset, "not", self.expression(_NOT_OPERAND))
        if self.peek().kind is TokenKind.LPAREN:
            return self.call(token)
        if lowered in _KEYWORD_VALUES:
            return ast.Literal(token.offset, _KEYWORD_VALUES[lowered])
        if lowered in _WORD_OPERATORS:
            raise self.error(f"expected a value before {token.text!r}", token)
        raise self.error(
            f"unknown name {token.text!r}: write a column or control reference in brackets, "
            f"[{token.text}], or call a function, {token.text}(…)",
            token,
        )

    def call(self, name: Token) -> ast.Call:
        self.advance()  # (
        args: list[ast.Node] = []
        if self.peek().kind is TokenKind.RPAREN:
            self.advance()
            return ast.Call(name.offset, name.text, ())
        while True:
            args.append(self.expression(0))
            token = self.peek()
            if token.kind is TokenKind.COMMA:
                self.advance()
                continue
            if token.kind is TokenKind.RPAREN:
                self.advance()
                return ast.Call(name.offset, name.text, tuple(args))
            raise self.error(
                f"expected ',' or ')' in the arguments of {name.text}, found {_describe(token)}",
                token,
            )
