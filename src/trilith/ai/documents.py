"""Documents (seed 004 §6.2): the text of a file, read in this process.

- UTF-8 text as it is;
- PDF: each page's text layer (`pypdf`); a page without one (a scan) is read by OCR
  from the images the page is drawn from;
- images (PNG, JPEG, GIF, TIFF, BMP, WebP): OCR (`trilith.ai.ocr`, Tesseract).

Anything else is a 415 naming what is accepted, and a corrupt PDF or image a 422: never
a 500. What is done with the text (the analyses, the stored result) is
`trilith.ai.document_analysis`; the local provider's `parse_document` is this module too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from trilith.ai.ocr import ocr_image
from trilith.errors import MissingDriver, UnsupportedMediaType, ValidationFailed

__all__ = ["Document", "read_document"]

_TEXT_SUFFIXES = (".txt", ".md", ".csv", ".json", ".log")
_IMAGE_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
)
ACCEPTED = "UTF-8 text, PDF, or an image (PNG, JPEG, GIF, TIFF, BMP, WebP)"


@dataclass
class Document:
    document_type: str  # pdf, image or text
    text: str
    pages: int
    # Pages whose text came from OCR (an image counts as one page).
    ocr_pages: int = 0


def _is_image(head: bytes) -> bool:
    return head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def read_document(data: bytes, filename: str | None = None) -> Document:
    """The document's text; 415 for a kind of file not read here, 422 for a corrupt one."""
    if data.startswith(b"%PDF"):
        return _pdf(data)
    if _is_image(data[:12]):
        return Document("image", ocr_image(data), 1, ocr_pages=1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsupportedMediaType(
            f"{filename or 'the file'} is not {ACCEPTED} (text files: {', '.join(_TEXT_SUFFIXES)})"
        ) from None
    if "\x00" in text:
        raise UnsupportedMediaType(f"{filename or 'the file'} is binary, not {ACCEPTED}")
    return Document("text", text, 1)


def _pdf(data: bytes) -> Document:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError, PyPdfError
    except ImportError:
        raise MissingDriver('reading PDFs needs pypdf: pip install "trilith[local-ai]"') from None
    texts: list[str] = []
    ocr_pages = 0
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnsupportedMediaType("the PDF is encrypted; send it without a password")
        for page in reader.pages:
            text = (page.extract_text() or "").strip()
            if not text:
                text = _ocr_page(page)
                ocr_pages += 1 if text else 0
            texts.append(text)
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValidationFailed(f"the PDF cannot be read: {exc}") from None
    return Document("pdf", "\n\n".join(t for t in texts if t), len(texts), ocr_pages)


def _ocr_page(page: Any) -> str:
    """A scanned page's text: OCR of each image the page draws, in order."""
    found = []
    for image in page.images:
        text = ocr_image(image.data)
        if text:
            found.append(text)
    return "\n".join(found)
