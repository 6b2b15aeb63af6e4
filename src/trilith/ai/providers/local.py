"""The local provider: AI functions inside DuckDB, as Python UDFs.

`prepare` registers `ai_sentiment` (VADER), `ai_complete`, `ai_classify`, `ai_summarize`
and `ai_fix_grammar` (SmolLM2, when the `local-ai` extra is installed) on the engine's
database, so queries,
elements and this provider all call them as SQL. The UDFs are vectorised (Arrow batches).
In the mock warehouse (Snowflake SQL read by DuckDB) the Cortex names resolve too:
`AI_SENTIMENT`, `AI_CLASSIFY(text, [..])` and `AI_COMPLETE(model, prompt)` are these very
functions (DuckDB names are case-insensitive), and `SNOWFLAKE.CORTEX.SENTIMENT /
SUMMARIZE / COMPLETE` are macros in an attached `snowflake` catalog, schema `cortex`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa
from duckdb import sqltypes
from duckdb.func import PythonUDFType
from sqlglot import exp

from trilith.ai.local_models import LocalLLM, llm_available, sentiment_scores
from trilith.ai.model import AIQuery
from trilith.ai.providers.base import (
    Builder,
    Call,
    SQLProvider,
    array_of,
    func,
    register_provider,
    required,
)
from trilith.engines.base import Engine
from trilith.errors import ConfigurationError

__all__ = ["LocalAI", "register_functions"]

_REGISTERED = "_trilith_ai_local"
_register_lock = threading.Lock()
LLM_FUNCTIONS = ("complete", "classify", "summarize", "fix_grammar")
SUMMARY_PROMPT = "Summarize the following text in one or two sentences:\n\n"
GRAMMAR_PROMPT = "Rewrite the following text with its grammar and spelling corrected:\n\n"


def _texts(array: pa.Array | pa.ChunkedArray) -> list[Any]:
    values: list[Any] = array.to_pylist()
    return values


def _sentiment(texts: pa.Array) -> pa.Array:
    return pa.array(sentiment_scores(_texts(texts)), type=pa.float64())


def _classify(texts: pa.Array, categories: pa.Array) -> pa.Array:
    llm = LocalLLM.shared()
    out = [
        None if t is None or not c else llm.classify(t, c)
        for t, c in zip(_texts(texts), _texts(categories), strict=True)
    ]
    return pa.array(out, type=pa.string())


def _generate(prefix: str) -> Callable[..., pa.Array]:
    def run(texts: pa.Array) -> pa.Array:
        llm = LocalLLM.shared()
        return pa.array(
            [None if t is None else llm.generate(prefix + t)[0] for t in _texts(texts)],
            type=pa.string(),
        )

    return run


def _complete(models: pa.Array, prompts: pa.Array) -> pa.Array:
    return _generate("")(prompts)


V = sqltypes.VARCHAR
_UDFS: dict[str, tuple[Callable[..., pa.Array], list[Any], Any]] = {
    "ai_sentiment": (_sentiment, [V], sqltypes.DOUBLE),
}
_LLM_UDFS: dict[str, tuple[Callable[..., pa.Array], list[Any], Any]] = {
    "ai_complete": (_complete, [V, V], V),
    "ai_classify": (_classify, [V, duckdb.list_type(V)], V),
    "ai_summarize": (_generate(SUMMARY_PROMPT), [V], V),
    "ai_fix_grammar": (_generate(GRAMMAR_PROMPT), [V], V),
}
_CORTEX_MACROS = {
    "sentiment": ("x", "ai_sentiment(x)"),
    "summarize": ("x", "ai_summarize(x)"),
    "complete": ("m, x", "ai_complete(m, x)"),
}


def register_functions(engine: Engine) -> list[str]:
    """Register the local AI functions on a DuckDB engine (once); return their names."""
    database = getattr(engine, "database", None)
    if not isinstance(database, duckdb.DuckDBPyConnection):
        raise ConfigurationError(
            f"the local AI provider runs inside DuckDB, not {engine.warehouse_type}; set "
            "TRILITH_AI_PROVIDER=warehouse on a warehouse with AI functions"
        )
    with _register_lock:
        done: list[str] | None = getattr(engine, _REGISTERED, None)
        if done is not None:
            return done
        # The model's functions are registered even without the model: a call then fails
        # with the install command rather than DuckDB's 'no such function'.
        udfs = _UDFS | _LLM_UDFS
        for name, (function, parameters, returns) in udfs.items():
            database.create_function(
                name,
                function,
                parameters,
                returns,
                type=PythonUDFType.ARROW,
                side_effects=False,
            )
        if engine.read_dialect == "snowflake":
            _cortex_namespace(database, udfs)
        names = sorted(udfs)
        setattr(engine, _REGISTERED, names)
        return names


def _cortex_namespace(database: duckdb.DuckDBPyConnection, udfs: dict[str, Any]) -> None:
    attached = {
        row[0]
        for row in database.execute("SELECT database_name FROM duckdb_databases()").fetchall()
    }
    if "snowflake" not in attached:
        database.execute("ATTACH ':memory:' AS snowflake")
    database.execute("CREATE SCHEMA IF NOT EXISTS snowflake.cortex")
    for name, (args, body) in _CORTEX_MACROS.items():
        if body.split("(", 1)[0] in udfs:
            database.execute(f"CREATE OR REPLACE MACRO snowflake.cortex.{name}({args}) AS {body}")


def _classify_call(query: AIQuery, call: Call) -> exp.Expr:
    categories = required(query.parameters.categories, "categories", query.function)
    return func(
        "ai_classify", call.bind("prompt", query.prompt), array_of(call.bind_list("c", categories))
    )


def _one(name: str) -> Callable[[AIQuery, Call], exp.Expr]:
    return lambda query, call: func(name, call.bind("prompt", query.prompt))


@register_provider
class LocalAI(SQLProvider):
    name = "local"
    dialect = "duckdb"
    DEFAULT_MODELS = {"complete": "smollm2-135m-instruct"}

    def functions(self) -> dict[str, Builder]:
        functions: dict[str, Builder] = {"sentiment": _one("ai_sentiment")}
        if llm_available():
            functions |= {
                "complete": lambda q, c: func(
                    "ai_complete", exp.Placeholder(this="model"), c.bind("prompt", q.prompt)
                ),
                "classify": _classify_call,
                "summarize": _one("ai_summarize"),
                "fix_grammar": _one("ai_fix_grammar"),
            }
        return functions

    def prepare(self, engine: Engine) -> None:
        register_functions(engine)
