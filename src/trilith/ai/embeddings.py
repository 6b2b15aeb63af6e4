"""Text embeddings from a model that ships inside a PyPI package: WordLlama.

The `wordllama` wheel carries its weights (`weights/l2_supercat_256.safetensors`, a
32,000 x 256 token-embedding table distilled from Llama 2 70B's) and its tokenizer
(`tokenizers/l2_supercat_tokenizer_config.json`). An embedding is the average of the text's
token vectors, normalised to unit length, so the dot product of two is their cosine
similarity. No PyTorch, no download: both files are read from the installed package (its
own loader would look for the tokenizer under a folder the wheel does not have and then
try to download it, so it is not used).
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

from trilith.errors import MissingDriver

__all__ = ["EMBEDDING_DIMENSIONS", "EMBEDDING_MODEL", "LocalEmbedder", "embedder_available"]

EMBEDDING_MODEL = "wordllama-l2-supercat-256"
EMBEDDING_DIMENSIONS = 256
_WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
_TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
_INSTALL = 'pip install "trilith[local-ai]"'


def _package_folder() -> Path | None:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        if (Path(folder) / _WEIGHTS).is_file() and (Path(folder) / _TOKENIZER).is_file():
            return Path(folder)
    return None


def embedder_available() -> bool:
    return _package_folder() is not None


class LocalEmbedder:
    """WordLlama's packaged model; `embed` is thread-safe (NumPy and a fast tokenizer)."""

    _instance: LocalEmbedder | None = None
    _instance_lock = threading.Lock()

    def __init__(self, folder: Path) -> None:
        from safetensors import safe_open
        from wordllama.inference import WordLlamaInference
        from wordllama.tokenizers import tokenizer_from_file

        with safe_open(str(folder / _WEIGHTS), framework="np") as weights:
            table = weights.get_tensor("embedding.weight")
        self._model: Any = WordLlamaInference(table, tokenizer_from_file(_TOKENIZER.name))

    @classmethod
    def shared(cls) -> LocalEmbedder:
        with cls._instance_lock:
            if cls._instance is None:
                folder = _package_folder()
                if folder is None:
                    raise MissingDriver(f"local embeddings need the wordllama package: {_INSTALL}")
                cls._instance = cls(folder)
            return cls._instance

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit-length float32 row of `EMBEDDING_DIMENSIONS` per text; a text without
        a token (empty) has the zero vector, not NaNs."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
        vectors: np.ndarray = self._model.embed(texts, norm=False, batch_size=256)
        vectors = vectors.astype(np.float32, copy=False)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: np.ndarray = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
        return unit
