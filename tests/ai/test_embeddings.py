"""Local embeddings: the WordLlama model the `wordllama` wheel ships, as a DuckDB function."""

from __future__ import annotations

import pytest

from tests.ai.conftest import EDITOR, ai_engine
from trilith.ai import AIQuery
from trilith.ai.embeddings import EMBEDDING_DIMENSIONS, EMBEDDING_MODEL, embedder_available
from trilith.ai.providers.local import register_functions
from trilith.engines import Engine
from trilith.errors import ValidationFailed

pytestmark = pytest.mark.skipif(
    not embedder_available(), reason="wordllama (the local-ai extra) is not installed"
)

SENTENCES = [
    (1, "The cat sat on the mat."),
    (2, "A kitten was sitting on the rug."),
    (3, "Quarterly revenue grew by ten percent."),
    (4, "Profits rose strongly this quarter."),
    (5, None),
]


def test_similar_sentences_are_closer_than_unrelated_ones(duck: Engine) -> None:
    register_functions(duck)
    duck.execute("CREATE TABLE notes (id INT, body VARCHAR)")
    duck.execute(
        "INSERT INTO notes SELECT * FROM (VALUES "
        + ", ".join(f"({i}, {'NULL' if t is None else repr(t)})" for i, t in SENTENCES)
        + ")"
    )
    duck.execute(
        f"CREATE TABLE vectors AS SELECT id, ai_embed('{EMBEDDING_MODEL}', body) AS v FROM notes"
    )
    assert (
        duck.fetch_scalar("SELECT typeof(v) FROM vectors LIMIT 1")
        == f"FLOAT[{EMBEDDING_DIMENSIONS}]"
    )
    similarity = {
        (a, b): s
        for a, b, s in duck.fetch_rows(
            "SELECT x.id, y.id, array_cosine_similarity(x.v, y.v) FROM vectors x, vectors y "
            "WHERE x.v IS NOT NULL AND y.v IS NOT NULL"
        )
    }
    assert similarity[(1, 1)] == pytest.approx(1.0, abs=1e-5)
    # cat ~ kitten and revenue ~ profits, both far closer than across the pairs
    for close in (similarity[(1, 2)], similarity[(3, 4)]):
        assert close > 0.3
        assert close > 2 * max(similarity[(1, 3)], similarity[(1, 4)], similarity[(2, 3)])
    assert duck.fetch_scalar("SELECT v IS NULL FROM vectors WHERE id = 5") is True


def test_embed_through_the_engine(duck: Engine) -> None:
    result = ai_engine(duck).execute(
        AIQuery(function="embed", prompt="warehouse native data apps"), EDITOR
    )
    assert result.model == EMBEDDING_MODEL
    assert result.provider == "local"
    assert len(result.result) == EMBEDDING_DIMENSIONS
    assert sum(x * x for x in result.result) == pytest.approx(1.0, abs=1e-4)
    with pytest.raises(ValidationFailed, match="embeds with wordllama-l2-supercat-256"):
        ai_engine(duck).execute(
            AIQuery(function="embed", model="snowflake-arctic-embed-m", prompt="x"), EDITOR
        )


def test_an_empty_text_is_the_zero_vector() -> None:
    from trilith.ai.embeddings import LocalEmbedder

    vectors = LocalEmbedder.shared().embed(["", "a word"])
    assert not vectors[0].any()
    assert float((vectors[1] ** 2).sum()) == pytest.approx(1.0, abs=1e-4)


def test_embedding_a_table_is_batched(duck: Engine) -> None:
    register_functions(duck)
    count = duck.fetch_scalar(
        f"SELECT count(*) FROM (SELECT ai_embed('{EMBEDDING_MODEL}', 'row ' || i::VARCHAR) AS v "
        "FROM range(5000) t(i)) WHERE len(v) = 256"
    )
    assert count == 5000


def test_mock_warehouse_embed_names(mock_warehouse: Engine) -> None:
    register_functions(mock_warehouse)
    same = mock_warehouse.fetch_scalar(
        "SELECT array_cosine_similarity(AI_EMBED('wordllama-l2-supercat-256', 'a red apple'), "
        "AI_EMBED('wordllama-l2-supercat-256', 'a red apple'))"
    )
    assert same == pytest.approx(1.0, abs=1e-5)
    padded = mock_warehouse.fetch_rows(
        "SELECT typeof(e), array_cosine_similarity(e, SNOWFLAKE.CORTEX.EMBED_TEXT_768('m', "
        "'a green pear')) FROM (SELECT SNOWFLAKE.CORTEX.EMBED_TEXT_768('m', 'a red apple') AS e)"
    )
    assert padded[0][0] == "FLOAT[768]"
    assert 0 < padded[0][1] < 1
