"""Documents (seed 004 §6.2): text out of a file, then optionally one AI analysis of it.

Plain text and PDF (its text layer, read by `pypdf`) are supported. Scanned pages and
images need OCR, which this build does not have: a PDF without a text layer and an image
are refused with a message that says so. The analysis runs through `AIEngine`, so it is
governed and counted as any other query.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trilith.ai.engine import AIEngine
from trilith.ai.model import AIParameters, AIQuery, AIResult
from trilith.auth import Actor
from trilith.errors import MissingDriver, UnsupportedMediaType, ValidationFailed

__all__ = ["ANALYSES", "Document", "analyse", "read_document"]

ANALYSES: dict[str, str] = {
    "summarization": "summarize",
    "classification": "classify",
    "sentiment": "sentiment",
    "entity_extraction": "extract",
}
# The prompt an analysis sees: enough for a summary, bounded for a model's context.
MAX_ANALYSED_CHARS = 20_000
_TEXT_SUFFIXES = (".txt", ".md", ".csv", ".json", ".log")


@dataclass
class Document:
    document_type: str
    text: str
    pages: int


def read_document(path: Path, filename: str | None) -> Document:
    with path.open("rb") as file:
        head = file.read(8)
    if head.startswith(b"%PDF"):
        return _pdf(path)
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        raise UnsupportedMediaType(
            "images need OCR, which this build does not have; send text or a PDF with a "
            "text layer, or use a warehouse's PARSE_DOCUMENT"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UnsupportedMediaType(
            f"{filename or 'the file'} is neither UTF-8 text nor a PDF "
            f"(text files: {', '.join(_TEXT_SUFFIXES)})"
        ) from None
    return Document("text", text, 1)


def _pdf(path: Path) -> Document:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:
        raise MissingDriver('reading PDFs needs pypdf: pip install "trilith[local-ai]"') from None
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ValidationFailed(f"the PDF cannot be read: {exc}") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text and pages:
        raise UnsupportedMediaType(
            "this PDF has no text layer (scanned pages need OCR, which this build does not have)"
        )
    return Document("pdf", text, len(pages))


def analyse(
    engine: AIEngine,
    document: Document,
    analysis: str,
    actor: Actor,
    *,
    parameters: AIParameters,
    app_id: str | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    started = time.perf_counter()
    result: AIResult | None = None
    if analysis != "none":
        function = ANALYSES.get(analysis)
        if function is None:
            raise ValidationFailed(
                f"unknown analysis {analysis!r}; known: none, {', '.join(ANALYSES)}",
                details=[{"field": "analysis"}],
            )
        if not document.text.strip():
            raise ValidationFailed("the document has no text to analyse")
        query = AIQuery.model_validate(
            {
                "function": function,
                "prompt": document.text[:MAX_ANALYSED_CHARS],
                "parameters": parameters,
            }
        )
        result = engine.execute(query, actor, app_id=app_id, request_id=request_id)
    return {
        "document_type": document.document_type,
        "pages": document.pages,
        "extracted_text": document.text,
        "analysis": result.model_dump() if result else None,
        "processing_ms": (time.perf_counter() - started) * 1000,
    }
