"""Sigma-style formulas compiled to sqlglot expressions.

    text --lexer--> tokens --parser--> ast --checker(scope)--> ir --compiler--> sqlglot
                                                                  \\--evaluator--> Python

`compile_formula` gives a tree and its bound parameters for one dialect; `evaluate`
computes a formula over controls, variables and selections without a warehouse. The
language is documented in docs/formulas.md; functions live in `FUNCTIONS`, by family.
"""

from __future__ import annotations

from trilith.formula.ast import Node
from trilith.formula.cli import formula_command
from trilith.formula.compiler import DIALECTS, CompiledFormula, compile_formula, to_sql
from trilith.formula.errors import FormulaError, Position
from trilith.formula.evaluator import evaluate
from trilith.formula.functions import FAMILIES, FUNCTIONS, Function
from trilith.formula.parser import parse
from trilith.formula.scope import ControlValue, Scope, Sort, UserContext

__all__ = [
    "DIALECTS",
    "FAMILIES",
    "FUNCTIONS",
    "CompiledFormula",
    "ControlValue",
    "FormulaError",
    "Function",
    "Node",
    "Position",
    "Scope",
    "Sort",
    "UserContext",
    "compile_formula",
    "evaluate",
    "formula_command",
    "parse",
    "to_sql",
]
