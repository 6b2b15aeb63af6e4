"""`POST /api/ai/documents`: text and PDF (pypdf), with a governed analysis."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.ai.conftest import EDITOR, ai_engine
from tests.api.conftest import AUTH, client, make_client
from trilith.ai.documents import analyse, read_document
from trilith.ai.model import AIParameters
from trilith.engines import Engine
from trilith.errors import UnsupportedMediaType

__all__ = ["client", "make_client"]  # fixtures


def pdf_with_text(text: str) -> bytes:
    """A one-page PDF whose text layer is `text` (built by hand: offsets must be exact)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def test_pdf_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf_with_text("Quarterly revenue grew strongly"))
    document = read_document(path, "a.pdf")
    assert document.document_type == "pdf"
    assert document.pages == 1
    assert "Quarterly revenue grew strongly" in document.text


def test_images_are_refused_naming_ocr(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    with pytest.raises(UnsupportedMediaType, match="OCR"):
        read_document(path, "a.png")


def test_analysis_runs_through_the_governed_engine(duck: Engine, tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("The support team was wonderful and fast.")
    out = analyse(
        ai_engine(duck),
        read_document(path, "note.txt"),
        "sentiment",
        EDITOR,
        parameters=AIParameters(),
    )
    assert out["analysis"]["result"] > 0
    assert duck.fetch_scalar('SELECT count(*) FROM "sigds".ai_usage') == 1


def test_documents_route(client: TestClient) -> None:
    answer = client.post(
        "/api/ai/documents",
        files={
            "file": ("report.pdf", pdf_with_text("I love this great product"), "application/pdf")
        },
        data={"analysis": "sentiment"},
        headers=AUTH,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["document_type"] == "pdf"
    assert "great product" in body["extracted_text"]
    assert body["analysis"]["result"] > 0
    plain = client.post(
        "/api/ai/documents", files={"file": ("n.txt", b"just text", "text/plain")}, headers=AUTH
    )
    assert plain.json()["analysis"] is None
    assert plain.json()["extracted_text"] == "just text"
    unknown = client.post(
        "/api/ai/documents",
        files={"file": ("n.txt", b"x", "text/plain")},
        data={"analysis": "poetry"},
        headers=AUTH,
    )
    assert unknown.status_code == 422
    assert "unknown analysis 'poetry'" in unknown.text
