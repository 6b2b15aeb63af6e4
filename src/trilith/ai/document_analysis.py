"""What `POST /api/ai/documents` does with a document's text (seed 004 §6.2), and the
warehouse row that keeps the outcome (`sigds.ai_documents`).

Analyses are a table from name to a function of the text; each runs its AI queries
through `AIEngine`, so they are governed and counted like any other query:

- `classification`: `classify` over invoice, contract, report, correspondence, form,
  legal, technical (or the request's `categories`);
- `summarization`: `summarize`;
- `entity_extraction`: `classify` over invoice, contract, report, correspondence, then
  `extract` of that type's entities (`ENTITY_TYPES`), each with a confidence;
- `extraction`: `extract` of the request's `entities` (default: names, dates, amounts,
  addresses) as structured data;
- `sentiment`: `sentiment`.

An entity's confidence is its grounding: the share of the value's words found in the
document. A value copied from the text scores 1; one the model made up scores near 0.
It measures copying, not correctness: a value copied from the wrong line still scores 1.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trilith.ai.documents import Document
from trilith.ai.engine import AIEngine
from trilith.ai.model import AIParameters, AIQuery, AIResult
from trilith.auth import Actor
from trilith.errors import ValidationFailed
from trilith.metadata.clock import utc_now
from trilith.sql.ddl import table
from trilith.sql.dml import insert_values

__all__ = [
    "ANALYSES",
    "DOCUMENT_CATEGORIES",
    "ENTITY_TYPES",
    "analyse",
    "grounding",
]

DOCUMENT_CATEGORIES = [
    "invoice",
    "contract",
    "report",
    "correspondence",
    "form",
    "legal",
    "technical",
]
ENTITY_TYPES: dict[str, list[str]] = {
    "invoice": [
        "company_name",
        "invoice_number",
        "date",
        "amount",
        "tax_amount",
        "due_date",
        "line_items",
    ],
    "contract": [
        "parties",
        "contract_date",
        "term",
        "value",
        "termination_clause",
        "payment_terms",
    ],
    "report": ["title", "author", "date", "key_metrics", "conclusions", "recommendations"],
    "correspondence": ["sender", "recipient", "date", "subject", "action_items", "priority"],
}
GENERIC_ENTITIES = ["names", "dates", "amounts", "addresses"]
# The prompt an analysis sees: enough for a summary, bounded for a model's context.
MAX_ANALYSED_CHARS = 20_000


@dataclass
class Analysis:
    """What one analysis found: its AI results and their reading."""

    results: list[AIResult] = field(default_factory=list)
    classification: str | None = None
    structured_data: dict[str, Any] | None = None
    entities: list[dict[str, Any]] | None = None

    def run(self, engine: AIEngine, query: dict[str, Any], context: Context) -> Any:
        result = engine.execute(
            AIQuery.model_validate(query),
            context.actor,
            app_id=context.app_id,
            request_id=context.request_id,
        )
        self.results.append(result)
        return result.result


@dataclass(frozen=True)
class Context:
    actor: Actor
    parameters: AIParameters
    app_id: str | None
    request_id: str | None


def _classify(categories: list[str]) -> Callable[[AIEngine, str, Context], Analysis]:
    def run(engine: AIEngine, text: str, context: Context) -> Analysis:
        out = Analysis()
        chosen = context.parameters.categories or categories
        label = out.run(
            engine,
            {"function": "classify", "prompt": text, "parameters": {"categories": chosen}},
            context,
        )
        out.classification = str(label)
        return out

    return run


def _one(function: str) -> Callable[[AIEngine, str, Context], Analysis]:
    def run(engine: AIEngine, text: str, context: Context) -> Analysis:
        out = Analysis()
        out.run(engine, {"function": function, "prompt": text}, context)
        return out

    return run


def _extract(
    engine: AIEngine, text: str, fields: list[str], context: Context, out: Analysis
) -> None:
    found = out.run(
        engine,
        {"function": "extract", "prompt": text, "parameters": {"entities": fields}},
        context,
    )
    if isinstance(found, dict) and isinstance(found.get("response"), dict):
        found = found["response"]  # Snowflake's AI_EXTRACT wraps its answer
    values = found if isinstance(found, dict) else {}
    out.structured_data = {name: values.get(name) for name in fields}
    out.entities = [
        {"type": name, "value": str(value), "confidence": grounding(str(value), text)}
        for name, value in out.structured_data.items()
        if value not in (None, "", [], {})
    ]


def _entity_extraction(engine: AIEngine, text: str, context: Context) -> Analysis:
    out = _classify(list(ENTITY_TYPES))(engine, text, context)
    fields = ENTITY_TYPES.get(out.classification or "", GENERIC_ENTITIES)
    _extract(engine, text, fields, context, out)
    return out


def _extraction(engine: AIEngine, text: str, context: Context) -> Analysis:
    out = Analysis()
    _extract(engine, text, context.parameters.entities or GENERIC_ENTITIES, context, out)
    return out


ANALYSES: dict[str, Callable[[AIEngine, str, Context], Analysis]] = {
    "extraction": _extraction,
    "classification": _classify(DOCUMENT_CATEGORIES),
    "summarization": _one("summarize"),
    "entity_extraction": _entity_extraction,
    "sentiment": _one("sentiment"),
}


def grounding(value: str, text: str) -> float:
    """How much of `value` is copied from `text`, in [0, 1]: 1 when the whole value
    occurs in it, else the share of its words (numbers, codes and dates kept whole, so
    `125.00` is not found in `1250.00`) that occur in it; case and spacing ignored."""
    value, text = " ".join(value.lower().split()), " ".join(text.lower().split())
    if value and value in text:
        return 1.0
    words = re.findall(r"\w(?:[\w.,:/@-]*\w)?", value)
    if not words:
        return 0.0
    return round(sum(word in text for word in words) / len(words), 3)


def analyse(
    engine: AIEngine,
    document: Document,
    analysis: str,
    actor: Actor,
    *,
    parameters: AIParameters,
    data: bytes = b"",
    filename: str | None = None,
    app_id: str | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """Run `analysis` (or `none`) on the document, store the outcome, and answer it."""
    started = time.perf_counter()
    outcome = Analysis()
    if analysis != "none":
        run = ANALYSES.get(analysis)
        if run is None:
            raise ValidationFailed(
                f"unknown analysis {analysis!r}; known: none, {', '.join(ANALYSES)}",
                details=[{"field": "analysis"}],
            )
        if not document.text.strip():
            raise ValidationFailed("the document has no text to analyse")
        context = Context(actor, parameters, app_id, request_id)
        outcome = run(engine, document.text[:MAX_ANALYSED_CHARS], context)
    last = outcome.results[-1] if outcome.results else None
    confidences = [e["confidence"] for e in outcome.entities or []]
    answer: dict[str, Any] = {
        "document_id": uuid.uuid4().hex,
        "document_type": document.document_type,
        "pages": document.pages,
        "ocr_pages": document.ocr_pages,
        "extracted_text": document.text,
        "classification": outcome.classification,
        "structured_data": outcome.structured_data,
        "entities": outcome.entities,
        "confidence": (
            sum(confidences) / len(confidences) if confidences else last and last.confidence
        ),
        "analysis": last.model_dump() if last else None,
        "processing_ms": (time.perf_counter() - started) * 1000,
    }
    _store(engine, answer, analysis, actor, data, filename, app_id)
    return answer


_COLUMNS = (
    "document_id",
    "at",
    "actor",
    "app_id",
    "filename",
    "document_type",
    "bytes",
    "sha256",
    "pages",
    "ocr_pages",
    "analysis",
    "classification",
    "result",
    "entities",
    "confidence",
    "extracted_text",
    "processing_ms",
)


def _store(
    engine: AIEngine,
    answer: dict[str, Any],
    analysis: str,
    actor: Actor,
    data: bytes,
    filename: str | None,
    app_id: str | None,
) -> None:
    result = answer["analysis"]["result"] if answer["analysis"] else None
    values = {
        "document_id": answer["document_id"],
        "at": utc_now(),
        "actor": actor.name,
        "app_id": app_id,
        "filename": filename,
        "document_type": answer["document_type"],
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "pages": answer["pages"],
        "ocr_pages": answer["ocr_pages"],
        "analysis": analysis,
        "classification": answer["classification"],
        "result": None if result is None else json.dumps(result, default=str),
        "entities": None if answer["entities"] is None else json.dumps(answer["entities"]),
        "confidence": answer["confidence"],
        "extracted_text": answer["extracted_text"],
        "processing_ms": answer["processing_ms"],
    }
    engine.engine.execute(insert_values(table(engine.schema, "ai_documents"), _COLUMNS), values)
