"""OCR: text out of images, with Tesseract (Debian's `tesseract-ocr`, driven by
`pytesseract`; `make system-deps` installs the program, the `local-ai` extra the Python
side). Images are opened with Pillow, which also tells a corrupt image from a valid one.
"""

from __future__ import annotations

import io
import shutil
from typing import Any

from trilith.errors import MissingDriver, ValidationFailed

__all__ = ["ocr_available", "ocr_image"]

_INSTALL = (
    "OCR needs Tesseract and pytesseract: apt-get install tesseract-ocr (or make system-deps) "
    'and pip install "trilith[local-ai]"'
)
# Small images are enlarged first: Tesseract reads text of ~30 px line height best.
_MIN_HEIGHT = 1000


def ocr_available() -> bool:
    try:
        import PIL  # noqa: F401
        import pytesseract  # noqa: F401
    except ImportError:
        return False
    return shutil.which("tesseract") is not None


def _open(data: bytes) -> Any:
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise MissingDriver(_INSTALL) from None
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except UnidentifiedImageError:
        # The file starts as an image does (how it got here), yet is none.
        raise ValidationFailed("the image is corrupt: no image can be read from it") from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ValidationFailed(f"the image is corrupt: {exc}") from None
    return image


def ocr_image(data: bytes) -> str:
    """The text Tesseract reads in an image (PNG, JPEG, GIF, TIFF, BMP, WebP ...)."""
    if not ocr_available():
        raise MissingDriver(_INSTALL)
    import pytesseract

    image = _open(data)
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    if image.height < _MIN_HEIGHT // 2:
        scale = min(4.0, _MIN_HEIGHT / max(image.height, 1))
        image = image.resize((int(image.width * scale), int(image.height * scale)))
    text: str = pytesseract.image_to_string(image)
    return text.strip()
