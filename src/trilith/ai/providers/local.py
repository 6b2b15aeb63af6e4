"""The local provider: AI functions inside DuckDB, as Python UDFs.

`prepare` registers on the engine's database, so queries, elements and this provider all
call them as SQL (vectorised over Arrow batches):

- `ai_sentiment(text)`: VADER;
- `ai_embed(model, text)`: a `FLOAT[256]` WordLlama embedding (unit length);
- `ai_mask(text, [labels])`: rule-based entity masking (`trilith.ai.masking`);
- `ai_parse_document(content BLOB)`: text of a PDF, image (OCR) or text file, as
  Snowflake's JSON `{"content": …, "metadata": {"pageCount": n}}`;
- `ai_complete`, `ai_classify`, `ai_summarize`, `ai_fix_grammar`, `ai_extract(text,
  [fields])` (a JSON object): SmolLM2 through llama.cpp, when the `local-ai` extra is
  installed.

In the mock warehouse (Snowflake SQL read by DuckDB) the Cortex names resolve too:
`AI_SENTIMENT`, `AI_CLASSIFY(text, [..])`, `AI_COMPLETE(model, prompt)`, `AI_EMBED(model,
text)` and `AI_EXTRACT(text, [..])` are these very functions (DuckDB names are
case-insensitive), and `SNOWFLAKE.CORTEX.SENTIMENT / SUMMARIZE / COMPLETE /
EMBED_TEXT_768` are macros in an attached `snowflake` catalog, schema `cortex`.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from duckdb import sqltypes
from duckdb.func import PythonUDFType
from sqlglot import exp

from trilith.ai.documents import read_document
from trilith.ai.embeddings import (
    EMBEDDING_DIMENSIONS,
    EMBEDDING_MODEL,
    LocalEmbedder,
    embedder_available,
)
from trilith.ai.local_models import (
    LocalLLM,
    first_paragraph,
    llm_available,
    sentiment_scores,
)
from trilith.ai.masking import mask_text, validate_labels
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
from trilith.errors import ConfigurationError, ValidationFailed

__all__ = ["LocalAI", "register_functions"]

_REGISTERED = "_trilith_ai_local"
_register_lock = threading.Lock()
LLM_FUNCTIONS = ("complete", "classify", "summarize", "fix_grammar", "extract")
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


def _generate(
    prefix: str, read: Callable[[str], str] = str.strip, stop: list[str] | None = None
) -> Callable[..., pa.Array]:
    def run(texts: pa.Array) -> pa.Array:
        llm = LocalLLM.shared()
        return pa.array(
            [
                None if t is None else read(llm.generate(prefix + t, stop=stop)[0])
                for t in _texts(texts)
            ],
            type=pa.string(),
        )

    return run


def _complete(models: pa.Array, prompts: pa.Array) -> pa.Array:
    return _generate("")(prompts)


def _extract(texts: pa.Array, fields: pa.Array) -> pa.Array:
    llm = LocalLLM.shared()
    out = [
        None if t is None or not f else json.dumps(llm.extract(t, f))
        for t, f in zip(_texts(texts), _texts(fields), strict=True)
    ]
    return pa.array(out, type=pa.string())


def _embed(models: pa.Array, texts: pa.Array) -> pa.Array:
    values = _texts(texts)
    present = [i for i, t in enumerate(values) if t is not None]
    vectors = LocalEmbedder.shared().embed([values[i] for i in present])
    flat = np.zeros((len(values), EMBEDDING_DIMENSIONS), dtype=np.float32)
    flat[present] = vectors
    mask = np.array([t is None for t in values])
    return pa.FixedSizeListArray.from_arrays(
        pa.array(flat.ravel()), EMBEDDING_DIMENSIONS, mask=pa.array(mask)
    )


def _mask(texts: pa.Array, labels: pa.Array) -> pa.Array:
    out = [
        None if t is None else mask_text(t, list(lab or []))
        for t, lab in zip(_texts(texts), _texts(labels), strict=True)
    ]
    return pa.array(out, type=pa.string())


def _parse_document(contents: pa.Array) -> pa.Array:
    out: list[str | None] = []
    for content in _texts(contents):
        if content is None:
            out.append(None)
            continue
        document = read_document(bytes(content))
        out.append(
            json.dumps({"content": document.text, "metadata": {"pageCount": document.pages}})
        )
    return pa.array(out, type=pa.string())


V = sqltypes.VARCHAR
_UDFS: dict[str, tuple[Callable[..., pa.Array], list[Any], Any]] = {
    "ai_sentiment": (_sentiment, [V], sqltypes.DOUBLE),
    "ai_embed": (_embed, [V, V], duckdb.array_type(sqltypes.FLOAT, EMBEDDING_DIMENSIONS)),
    "ai_mask": (_mask, [V, duckdb.list_type(V)], V),
    "ai_parse_document": (_parse_document, [sqltypes.BLOB], V),
}
_LLM_UDFS: dict[str, tuple[Callable[..., pa.Array], list[Any], Any]] = {
    "ai_complete": (_complete, [V, V], V),
    "ai_classify": (_classify, [V, duckdb.list_type(V)], V),
    "ai_summarize": (_generate(SUMMARY_PROMPT), [V], V),
    # A rewrite is one paragraph; what a small model adds after a blank line is not.
    "ai_fix_grammar": (_generate(GRAMMAR_PROMPT, first_paragraph, ["\n\n"]), [V], V),
    "ai_extract": (_extract, [V, duckdb.list_type(V)], V),
}
_CORTEX_MACROS = {
    "sentiment": ("x", "ai_sentiment(x)"),
    "summarize": ("x", "ai_summarize(x)"),
    "complete": ("m, x", "ai_complete(m, x)"),
    # Cortex's vectors have 768 dimensions; WordLlama's 256, zero-padded: cosine
    # similarities are unchanged and VECTOR(FLOAT, 768) columns accept them.
    "embed_text_768": (
        "m, x",
        "CAST(list_concat(CAST(ai_embed(m, x) AS FLOAT[]), list_resize([0.0::FLOAT], 512, 0.0))"
        " AS FLOAT[768])",
    ),
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
            _cortex_namespace(database)
        names = sorted(udfs)
        setattr(engine, _REGISTERED, names)
        return names


def _cortex_namespace(database: duckdb.DuckDBPyConnection) -> None:
    attached = {
        row[0]
        for row in database.execute("SELECT database_name FROM duckdb_databases()").fetchall()
    }
    if "snowflake" not in attached:
        database.execute("ATTACH ':memory:' AS snowflake")
    database.execute("CREATE SCHEMA IF NOT EXISTS snowflake.cortex")
    for name, (args, body) in _CORTEX_MACROS.items():
        database.execute(f"CREATE OR REPLACE MACRO snowflake.cortex.{name}({args}) AS {body}")


def _classify_call(query: AIQuery, call: Call) -> exp.Expr:
    categories = required(query.parameters.categories, "categories", query.function)
    return func(
        "ai_classify", call.bind("prompt", query.prompt), array_of(call.bind_list("c", categories))
    )


def _embed_call(query: AIQuery, call: Call) -> exp.Expr:
    if query.model != EMBEDDING_MODEL:
        raise ValidationFailed(
            f"the local provider embeds with {EMBEDDING_MODEL}, not {query.model}",
            details=[{"field": "model", "value": query.model}],
        )
    return func("ai_embed", exp.Placeholder(this="model"), call.bind("prompt", query.prompt))


def _extract_call(query: AIQuery, call: Call) -> exp.Expr:
    fields = required(query.parameters.entities, "entities", query.function)
    return func(
        "ai_extract", call.bind("prompt", query.prompt), array_of(call.bind_list("e", fields))
    )


def _mask_call(query: AIQuery, call: Call) -> exp.Expr:
    labels = validate_labels(required(query.parameters.entities, "entities", query.function))
    return func("ai_mask", call.bind("prompt", query.prompt), array_of(call.bind_list("e", labels)))


def _parse_document_call(query: AIQuery, call: Call) -> exp.Expr:
    """The prompt is the file's content in base64 (as seed 004 sends it), optionally as
    a `data:` URL; the server's own files are not readable this way."""
    encoded = query.prompt.split(",", 1)[1] if query.prompt.startswith("data:") else query.prompt
    try:
        content = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            "parse_document on the local provider takes the file's content in base64 as the prompt",
            details=[{"field": "prompt"}],
        ) from None
    return func("ai_parse_document", call.bind("content", content))


def _one(name: str) -> Callable[[AIQuery, Call], exp.Expr]:
    return lambda query, call: func(name, call.bind("prompt", query.prompt))


@register_provider
class LocalAI(SQLProvider):
    name = "local"
    dialect = "duckdb"
    DEFAULT_MODELS = {"complete": "smollm2-135m-instruct", "embed": EMBEDDING_MODEL}

    def functions(self) -> dict[str, Builder]:
        functions: dict[str, Builder] = {
            "sentiment": _one("ai_sentiment"),
            "mask": _mask_call,
            "parse_document": _parse_document_call,
        }
        if embedder_available():
            functions["embed"] = _embed_call
        if llm_available():
            functions |= {
                "complete": lambda q, c: func(
                    "ai_complete", exp.Placeholder(this="model"), c.bind("prompt", q.prompt)
                ),
                "classify": _classify_call,
                "summarize": _one("ai_summarize"),
                "fix_grammar": _one("ai_fix_grammar"),
                "extract": _extract_call,
            }
        return functions

    def prepare(self, engine: Engine) -> None:
        register_functions(engine)
