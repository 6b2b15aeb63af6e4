"""Any value a user types reaches the warehouse as a value: never as SQL."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from trilith.engines import Engine
from trilith.sql import param
from trilith.sql.ddl import ColumnSpec, create_schema, create_table, table

# PostgreSQL text cannot hold NUL; everything else is fair game, quotes and % included.
texts = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=60)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=texts, number=st.integers(min_value=-(2**62), max_value=2**62))
def test_values_round_trip_unchanged(
    engine: Engine, unique_schema: str, value: str, number: int
) -> None:
    target = table(unique_schema, "values_seen")
    engine.execute(create_schema(unique_schema))
    engine.execute(
        create_table(
            target, [ColumnSpec("t", "TEXT"), ColumnSpec("n", "BIGINT")], if_not_exists=True
        )
    )
    engine.execute(exp.delete(target))
    insert = exp.insert(exp.select(param("t"), param("n")), target, columns=["t", "n"])
    engine.execute(insert, {"t": value, "n": number})
    found = engine.fetch_rows(
        exp.select("t", "n").from_(target).where(exp.column("t").eq(param("t"))), {"t": value}
    )
    assert found == [(value, number)]
