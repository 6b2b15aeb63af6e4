"""Golden SQL: one formula, its SQL for each of the seven dialects (sqlglot's habit).

Placeholders are sqlglot's named ones for the dialect (`$name`, `:name`, `%(name)s`,
`@name`); the engines swap them for their drivers' markers when they run.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.formula.cases import scope
from trilith.formula import DIALECTS, FormulaError, to_sql


def validate_all(
    formula: str,
    write: dict[str, str],
    params: dict[str, Any] | None = None,
    unsupported: tuple[str, ...] = (),
) -> None:
    """`write` states the SQL per dialect; `unsupported` the dialects that must refuse."""
    assert set(write) | set(unsupported) == set(DIALECTS), f"{formula}: state every dialect"
    for dialect in unsupported:
        with pytest.raises(FormulaError, match=f"not supported on {dialect}"):
            to_sql(formula, scope(), dialect)
    for dialect, expected in write.items():
        sql, bound = to_sql(formula, scope(), dialect)
        assert sql == expected, f"{formula} on {dialect}:\n  got      {sql}\n  expected {expected}"
        if params is not None:
            assert bound == params


def test_arithmetic() -> None:
    validate_all(
        "[Amount] * 2 + 1",
        write={
            "duckdb": '("Amount" * 2) + 1',
            "sqlite": '("Amount" * 2) + 1',
            "postgres": '("Amount" * 2) + 1',
            "snowflake": '("Amount" * 2) + 1',
            "databricks": "(`Amount` * 2) + 1",
            "bigquery": "(`Amount` * 2) + 1",
            "redshift": '("Amount" * 2) + 1',
        },
    )
    validate_all(
        "([Amount] + 1) * 2",
        write={
            "duckdb": '("Amount" + 1) * 2',
            "sqlite": '("Amount" + 1) * 2',
            "postgres": '("Amount" + 1) * 2',
            "snowflake": '("Amount" + 1) * 2',
            "databricks": "(`Amount` + 1) * 2",
            "bigquery": "(`Amount` + 1) * 2",
            "redshift": '("Amount" + 1) * 2',
        },
    )
    validate_all(
        "5 / 2",
        write={
            "duckdb": "5 / 2",
            "sqlite": "CAST(5 AS REAL) / 2",
            "postgres": "CAST(5 AS DOUBLE PRECISION) / 2",
            "snowflake": "5 / 2",
            "databricks": "5 / 2",
            "bigquery": "5 / 2",
            "redshift": "CAST(5 AS DOUBLE PRECISION) / 2",
        },
    )
    validate_all(
        "[Amount] / [Qty]",
        write={
            "duckdb": '"Amount" / NULLIF("Qty", 0)',
            "sqlite": 'CAST("Amount" AS REAL) / "Qty"',
            "postgres": 'CAST("Amount" AS DOUBLE PRECISION) / NULLIF("Qty", 0)',
            "snowflake": '"Amount" / NULLIF("Qty", 0)',
            "databricks": "`Amount` / NULLIF(`Qty`, 0)",
            "bigquery": "`Amount` / NULLIF(`Qty`, 0)",
            "redshift": 'CAST("Amount" AS DOUBLE PRECISION) / NULLIF("Qty", 0)',
        },
    )
    validate_all(
        "[Qty] % 3",
        write={
            "duckdb": '"Qty" % 3',
            "sqlite": '"Qty" % 3',
            "postgres": '"Qty" % 3',
            "snowflake": '"Qty" % 3',
            "databricks": "`Qty` % 3",
            "bigquery": "MOD(`Qty`, 3)",
            "redshift": '"Qty" % 3',
        },
    )
    validate_all(
        "[Amount] ^ 2",
        write={
            "duckdb": 'POWER("Amount", 2)',
            "sqlite": 'POWER("Amount", 2)',
            "postgres": 'POWER("Amount", 2)',
            "snowflake": 'POWER("Amount", 2)',
            "databricks": "POWER(`Amount`, 2)",
            "bigquery": "POWER(`Amount`, 2)",
            "redshift": 'POWER("Amount", 2)',
        },
    )
    validate_all(
        "[Amount] ^ [Qty]",
        write={
            "duckdb": 'CASE WHEN (("Amount" = 0) AND ("Qty" < 0)) OR (("Amount" < 0) AND ("Qty" <> FLOOR("Qty"))) THEN NULL ELSE POWER("Amount", "Qty") END',
            "sqlite": 'CASE WHEN (("Amount" = 0) AND ("Qty" < 0)) OR (("Amount" < 0) AND ("Qty" <> FLOOR("Qty"))) THEN NULL ELSE POWER("Amount", "Qty") END',
            "postgres": 'CASE WHEN (("Amount" = 0) AND ("Qty" < 0)) OR (("Amount" < 0) AND ("Qty" <> FLOOR("Qty"))) THEN NULL ELSE POWER("Amount", "Qty") END',
            "snowflake": 'CASE WHEN (("Amount" = 0) AND ("Qty" < 0)) OR (("Amount" < 0) AND ("Qty" <> FLOOR("Qty"))) THEN NULL ELSE POWER("Amount", "Qty") END',
            "databricks": "CASE WHEN ((`Amount` = 0) AND (`Qty` < 0)) OR ((`Amount` < 0) AND (`Qty` <> FLOOR(`Qty`))) THEN NULL ELSE POWER(`Amount`, `Qty`) END",
            "bigquery": "CASE WHEN ((`Amount` = 0) AND (`Qty` < 0)) OR ((`Amount` < 0) AND (`Qty` <> FLOOR(`Qty`))) THEN NULL ELSE POWER(`Amount`, `Qty`) END",
            "redshift": 'CASE WHEN (("Amount" = 0) AND ("Qty" < 0)) OR (("Amount" < 0) AND ("Qty" <> FLOOR("Qty"))) THEN NULL ELSE POWER("Amount", "Qty") END',
        },
    )
    validate_all(
        "-[Amount] - -1",
        write={
            "duckdb": '(-"Amount") - (-1)',
            "sqlite": '(-"Amount") - (-1)',
            "postgres": '(-"Amount") - (-1)',
            "snowflake": '(-"Amount") - (-1)',
            "databricks": "(-`Amount`) - (-1)",
            "bigquery": "(-`Amount`) - (-1)",
            "redshift": '(-"Amount") - (-1)',
        },
    )


def test_text_operators_and_logic() -> None:
    validate_all(
        '[Stage] & "-" & [Name]',
        write={
            "duckdb": "(COALESCE(\"Stage\", '') || '-') || COALESCE(\"Name\", '')",
            "sqlite": "(COALESCE(\"Stage\", '') || '-') || COALESCE(\"Name\", '')",
            "postgres": "(COALESCE(\"Stage\", '') || '-') || COALESCE(\"Name\", '')",
            "snowflake": "(COALESCE(\"Stage\", '') || '-') || COALESCE(\"Name\", '')",
            "databricks": "(COALESCE(`Stage`, '') || '-') || COALESCE(`Name`, '')",
            "bigquery": "(COALESCE(`Stage`, '') || '-') || COALESCE(`Name`, '')",
            "redshift": "(COALESCE(\"Stage\", '') || '-') || COALESCE(\"Name\", '')",
        },
    )
    validate_all(
        '"Qty: " & [Qty]',
        write={
            "duckdb": "'Qty: ' || COALESCE(CAST(\"Qty\" AS TEXT), '')",
            "sqlite": "'Qty: ' || COALESCE(CAST(\"Qty\" AS TEXT), '')",
            "postgres": "'Qty: ' || COALESCE(CAST(\"Qty\" AS TEXT), '')",
            "snowflake": "'Qty: ' || COALESCE(CAST(\"Qty\" AS VARCHAR), '')",
            "databricks": "'Qty: ' || COALESCE(CAST(`Qty` AS STRING), '')",
            "bigquery": "'Qty: ' || COALESCE(CAST(`Qty` AS STRING), '')",
            "redshift": "'Qty: ' || COALESCE(CAST(\"Qty\" AS VARCHAR(MAX)), '')",
        },
    )
    validate_all(
        "[Amount] > 100 and not [Flag] or IsNull([Stage])",
        write={
            "duckdb": '(("Amount" > 100) AND (NOT "Flag")) OR ("Stage" IS NULL)',
            "sqlite": '(("Amount" > 100) AND (NOT "Flag")) OR ("Stage" IS NULL)',
            "postgres": '(("Amount" > 100) AND (NOT "Flag")) OR ("Stage" IS NULL)',
            "snowflake": '(("Amount" > 100) AND (NOT "Flag")) OR ("Stage" IS NULL)',
            "databricks": "((`Amount` > 100) AND (NOT `Flag`)) OR (`Stage` IS NULL)",
            "bigquery": "((`Amount` > 100) AND (NOT `Flag`)) OR (`Stage` IS NULL)",
            "redshift": '(("Amount" > 100) AND (NOT "Flag")) OR ("Stage" IS NULL)',
        },
    )
    validate_all(
        '([Amount] > 100 or [Flag]) and [Stage] != "won"',
        write={
            "duckdb": '(("Amount" > 100) OR "Flag") AND ("Stage" <> \'won\')',
            "sqlite": '(("Amount" > 100) OR "Flag") AND ("Stage" <> \'won\')',
            "postgres": '(("Amount" > 100) OR "Flag") AND ("Stage" <> \'won\')',
            "snowflake": '(("Amount" > 100) OR "Flag") AND ("Stage" <> \'won\')',
            "databricks": "((`Amount` > 100) OR `Flag`) AND (`Stage` <> 'won')",
            "bigquery": "((`Amount` > 100) OR `Flag`) AND (`Stage` <> 'won')",
            "redshift": '(("Amount" > 100) OR "Flag") AND ("Stage" <> \'won\')',
        },
    )


def test_logical_functions() -> None:
    validate_all(
        'If([Amount] > 1000 and Contains([Stage], "won"), Round([Amount] * 1.1, 2), 0)',
        write={
            "duckdb": 'CASE WHEN ("Amount" > 1000) AND (STRPOS("Stage", \'won\') > 0) THEN ROUND("Amount" * 1.1, 2) ELSE 0 END',
            "sqlite": 'CASE WHEN ("Amount" > 1000) AND (INSTR("Stage", \'won\') > 0) THEN ROUND("Amount" * 1.1, 2) ELSE 0 END',
            "postgres": 'CASE WHEN ("Amount" > 1000) AND (POSITION(\'won\' IN "Stage") > 0) THEN ROUND(CAST("Amount" * 1.1 AS DECIMAL), 2) ELSE 0 END',
            "snowflake": 'CASE WHEN ("Amount" > 1000) AND (CHARINDEX(\'won\', "Stage") > 0) THEN ROUND("Amount" * 1.1, 2) ELSE 0 END',
            "databricks": "CASE WHEN (`Amount` > 1000) AND (LOCATE('won', `Stage`) > 0) THEN ROUND(`Amount` * 1.1, 2) ELSE 0 END",
            "bigquery": "CASE WHEN (`Amount` > 1000) AND (INSTR(`Stage`, 'won') > 0) THEN ROUND(`Amount` * 1.1, 2) ELSE 0 END",
            "redshift": 'CASE WHEN ("Amount" > 1000) AND (POSITION(\'won\' IN "Stage") > 0) THEN ROUND("Amount" * 1.1, 2) ELSE 0 END',
        },
    )
    validate_all(
        'If([Amount] > 100, "big", [Amount] > 10, "mid")',
        write={
            "duckdb": "CASE WHEN \"Amount\" > 100 THEN 'big' WHEN \"Amount\" > 10 THEN 'mid' END",
            "sqlite": "CASE WHEN \"Amount\" > 100 THEN 'big' WHEN \"Amount\" > 10 THEN 'mid' END",
            "postgres": "CASE WHEN \"Amount\" > 100 THEN 'big' WHEN \"Amount\" > 10 THEN 'mid' END",
            "snowflake": "CASE WHEN \"Amount\" > 100 THEN 'big' WHEN \"Amount\" > 10 THEN 'mid' END",
            "databricks": "CASE WHEN `Amount` > 100 THEN 'big' WHEN `Amount` > 10 THEN 'mid' END",
            "bigquery": "CASE WHEN `Amount` > 100 THEN 'big' WHEN `Amount` > 10 THEN 'mid' END",
            "redshift": "CASE WHEN \"Amount\" > 100 THEN 'big' WHEN \"Amount\" > 10 THEN 'mid' END",
        },
    )
    validate_all(
        'Switch([Stage], "won", 1, "lost", -1, 0)',
        write={
            "duckdb": "CASE \"Stage\" WHEN 'won' THEN 1 WHEN 'lost' THEN -1 ELSE 0 END",
            "sqlite": "CASE \"Stage\" WHEN 'won' THEN 1 WHEN 'lost' THEN -1 ELSE 0 END",
            "postgres": "CASE \"Stage\" WHEN 'won' THEN 1 WHEN 'lost' THEN -1 ELSE 0 END",
            "snowflake": "CASE \"Stage\" WHEN 'won' THEN 1 WHEN 'lost' THEN -1 ELSE 0 END",
            "databricks": "CASE `Stage` WHEN 'won' THEN 1 WHEN 'lost' THEN -1 ELSE 0 END",
            "bigquery": "CASE `Stage` WHEN 'won' THEN 1 WHEN 'lost' THEN -1 ELSE 0 END",
            "redshift": "CASE \"Stage\" WHEN 'won' THEN 1 WHEN 'lost' THEN -1 ELSE 0 END",
        },
    )
    validate_all(
        'In([Stage], "won", "lost")',
        write={
            "duckdb": "\"Stage\" IN ('won', 'lost')",
            "sqlite": "\"Stage\" IN ('won', 'lost')",
            "postgres": "\"Stage\" IN ('won', 'lost')",
            "snowflake": "\"Stage\" IN ('won', 'lost')",
            "databricks": "`Stage` IN ('won', 'lost')",
            "bigquery": "`Stage` IN ('won', 'lost')",
            "redshift": "\"Stage\" IN ('won', 'lost')",
        },
    )
    validate_all(
        'Between([Day], Date("2024-01-01"), Date("2024-12-31"))',
        write={
            "duckdb": "\"Day\" BETWEEN CAST('2024-01-01' AS DATE) AND CAST('2024-12-31' AS DATE)",
            "sqlite": "\"Day\" BETWEEN DATE('2024-01-01') AND DATE('2024-12-31')",
            "postgres": "\"Day\" BETWEEN CAST('2024-01-01' AS DATE) AND CAST('2024-12-31' AS DATE)",
            "snowflake": "\"Day\" BETWEEN CAST('2024-01-01' AS DATE) AND CAST('2024-12-31' AS DATE)",
            "databricks": "`Day` BETWEEN CAST('2024-01-01' AS DATE) AND CAST('2024-12-31' AS DATE)",
            "bigquery": "`Day` BETWEEN CAST('2024-01-01' AS DATE) AND CAST('2024-12-31' AS DATE)",
            "redshift": "\"Day\" BETWEEN CAST('2024-01-01' AS DATE) AND CAST('2024-12-31' AS DATE)",
        },
    )
    validate_all(
        'Coalesce([Name], [Stage], "none")',
        write={
            "duckdb": 'COALESCE("Name", "Stage", \'none\')',
            "sqlite": 'COALESCE("Name", "Stage", \'none\')',
            "postgres": 'COALESCE("Name", "Stage", \'none\')',
            "snowflake": 'COALESCE("Name", "Stage", \'none\')',
            "databricks": "COALESCE(`Name`, `Stage`, 'none')",
            "bigquery": "COALESCE(`Name`, `Stage`, 'none')",
            "redshift": 'COALESCE("Name", "Stage", \'none\')',
        },
    )
    validate_all(
        "Zn([Qty]) + 1",
        write={
            "duckdb": 'COALESCE("Qty", 0) + 1',
            "sqlite": 'COALESCE("Qty", 0) + 1',
            "postgres": 'COALESCE("Qty", 0) + 1',
            "snowflake": 'COALESCE("Qty", 0) + 1',
            "databricks": "COALESCE(`Qty`, 0) + 1",
            "bigquery": "COALESCE(`Qty`, 0) + 1",
            "redshift": 'COALESCE("Qty", 0) + 1',
        },
    )
    validate_all(
        "IsNotNull([Name])",
        write={
            "duckdb": 'NOT "Name" IS NULL',
            "sqlite": 'NOT "Name" IS NULL',
            "postgres": 'NOT "Name" IS NULL',
            "snowflake": 'NOT "Name" IS NULL',
            "databricks": "NOT `Name` IS NULL",
            "bigquery": "NOT `Name` IS NULL",
            "redshift": 'NOT "Name" IS NULL',
        },
    )


def test_text_functions() -> None:
    validate_all(
        'StartsWith([Name], "al")',
        write={
            "duckdb": "STARTS_WITH(\"Name\", 'al')",
            "sqlite": "SUBSTRING(\"Name\", 1, LENGTH('al')) = 'al'",
            "postgres": "STARTS_WITH(\"Name\", 'al')",
            "snowflake": "STARTSWITH(\"Name\", 'al')",
            "databricks": "STARTSWITH(`Name`, 'al')",
            "bigquery": "STARTS_WITH(`Name`, 'al')",
            "redshift": "SUBSTRING(\"Name\" FROM 1 FOR LENGTH('al')) = 'al'",
        },
    )
    validate_all(
        'EndsWith([Name], "th")',
        write={
            "duckdb": "ENDS_WITH(\"Name\", 'th')",
            "sqlite": "SUBSTRING(\"Name\", (LENGTH(\"Name\") - LENGTH('th')) + 1) = 'th'",
            "postgres": "RIGHT(\"Name\", LENGTH('th')) = 'th'",
            "snowflake": "ENDSWITH(\"Name\", 'th')",
            "databricks": "ENDSWITH(`Name`, 'th')",
            "bigquery": "ENDS_WITH(`Name`, 'th')",
            "redshift": "RIGHT(\"Name\", LENGTH('th')) = 'th'",
        },
    )
    validate_all(
        'Find([Name], " ")',
        write={
            "duckdb": "STRPOS(\"Name\", ' ')",
            "sqlite": "INSTR(\"Name\", ' ')",
            "postgres": "POSITION(' ' IN \"Name\")",
            "snowflake": "CHARINDEX(' ', \"Name\")",
            "databricks": "LOCATE(' ', `Name`)",
            "bigquery": "INSTR(`Name`, ' ')",
            "redshift": "POSITION(' ' IN \"Name\")",
        },
    )
    validate_all(
        "Left([Name], 3)",
        write={
            "duckdb": 'LEFT("Name", 3)',
            "sqlite": 'SUBSTRING("Name", 1, 3)',
            "postgres": 'LEFT("Name", 3)',
            "snowflake": 'LEFT("Name", 3)',
            "databricks": "LEFT(`Name`, 3)",
            "bigquery": "LEFT(`Name`, 3)",
            "redshift": 'LEFT("Name", 3)',
        },
    )
    validate_all(
        "Right([Name], [Qty])",
        write={
            "duckdb": 'RIGHT("Name", CASE WHEN "Qty" < 0 THEN 0 ELSE "Qty" END)',
            "sqlite": 'SUBSTRING("Name", MAX((LENGTH("Name") - CASE WHEN "Qty" < 0 THEN 0 ELSE "Qty" END) + 1, 1))',
            "postgres": 'RIGHT("Name", CASE WHEN "Qty" < 0 THEN 0 ELSE "Qty" END)',
            "snowflake": 'RIGHT("Name", CASE WHEN "Qty" < 0 THEN 0 ELSE "Qty" END)',
            "databricks": "RIGHT(`Name`, CASE WHEN `Qty` < 0 THEN 0 ELSE `Qty` END)",
            "bigquery": "RIGHT(`Name`, CASE WHEN `Qty` < 0 THEN 0 ELSE `Qty` END)",
            "redshift": 'RIGHT("Name", CASE WHEN "Qty" < 0 THEN 0 ELSE "Qty" END)',
        },
    )
    validate_all(
        "Mid([Name], 2, 3)",
        write={
            "duckdb": 'SUBSTRING("Name", 2, 3)',
            "sqlite": 'SUBSTRING("Name", 2, 3)',
            "postgres": 'SUBSTRING("Name" FROM 2 FOR 3)',
            "snowflake": 'SUBSTRING("Name", 2, 3)',
            "databricks": "SUBSTRING(`Name`, 2, 3)",
            "bigquery": "SUBSTRING(`Name`, 2, 3)",
            "redshift": 'SUBSTRING("Name" FROM 2 FOR 3)',
        },
    )
    validate_all(
        "Len(Trim([Name]))",
        write={
            "duckdb": 'LENGTH(TRIM("Name"))',
            "sqlite": 'LENGTH(TRIM("Name"))',
            "postgres": 'LENGTH(TRIM("Name"))',
            "snowflake": 'LENGTH(TRIM("Name"))',
            "databricks": "LENGTH(TRIM(`Name`))",
            "bigquery": "LENGTH(TRIM(`Name`))",
            "redshift": 'LENGTH(TRIM("Name"))',
        },
    )
    validate_all(
        'LPad(Text([Id]), 6, "0")',
        write={
            "duckdb": "LPAD(CAST(\"Id\" AS TEXT), 6, '0')",
            "postgres": "LPAD(CAST(\"Id\" AS TEXT), 6, '0')",
            "snowflake": "LPAD(CAST(\"Id\" AS VARCHAR), 6, '0')",
            "databricks": "LPAD(CAST(`Id` AS STRING), 6, '0')",
            "bigquery": "LPAD(CAST(`Id` AS STRING), 6, '0')",
            "redshift": "LPAD(CAST(\"Id\" AS VARCHAR(MAX)), 6, '0')",
        },
        unsupported=("sqlite",),
    )
    validate_all(
        'Replace(Upper([Name]), " ", "_")',
        write={
            "duckdb": "REPLACE(UPPER(\"Name\"), ' ', '_')",
            "sqlite": "REPLACE(UPPER(\"Name\"), ' ', '_')",
            "postgres": "REPLACE(UPPER(\"Name\"), ' ', '_')",
            "snowflake": "REPLACE(UPPER(\"Name\"), ' ', '_')",
            "databricks": "REPLACE(UPPER(`Name`), ' ', '_')",
            "bigquery": "REPLACE(UPPER(`Name`), ' ', '_')",
            "redshift": "REPLACE(UPPER(\"Name\"), ' ', '_')",
        },
    )
    validate_all(
        'RegexpMatch([Name], "^[a-z]+")',
        write={
            "duckdb": "REGEXP_MATCHES(\"Name\", '^[a-z]+')",
            "postgres": "\"Name\" ~ '^[a-z]+'",
            "snowflake": "REGEXP_INSTR(\"Name\", '^[a-z]+') > 0",
            "databricks": "REGEXP_LIKE(`Name`, '^[a-z]+')",
            "bigquery": "REGEXP_CONTAINS(`Name`, '^[a-z]+')",
            "redshift": "\"Name\" ~ '^[a-z]+'",
        },
        unsupported=("sqlite",),
    )
    validate_all(
        'RegexpExtract([Name], "([a-z]+) ")',
        write={
            "duckdb": "CASE WHEN REGEXP_MATCHES(\"Name\", '([a-z]+) ') THEN REGEXP_EXTRACT(\"Name\", '([a-z]+) ', 1) END",
            "postgres": "SUBSTRING(\"Name\", '([a-z]+) ')",
            "snowflake": "REGEXP_SUBSTR(\"Name\", '([a-z]+) ', 1, 1, 'e', 1)",
            "databricks": "CASE WHEN REGEXP_LIKE(`Name`, '([a-z]+) ') THEN REGEXP_EXTRACT(`Name`, '([a-z]+) ', 1) END",
            "bigquery": "REGEXP_EXTRACT(`Name`, '([a-z]+) ')",
            "redshift": "NULLIF(REGEXP_SUBSTR(\"Name\", '([a-z]+) ', 1, 1, 'e'), '')",
        },
        unsupported=("sqlite",),
    )
    validate_all(
        'RegexpReplace([Name], "[aeiou]", "")',
        write={
            "duckdb": "REGEXP_REPLACE(\"Name\", '[aeiou]', '', 'g')",
            "postgres": "REGEXP_REPLACE(\"Name\", '[aeiou]', '', 'g')",
            "snowflake": "REGEXP_REPLACE(\"Name\", '[aeiou]', '')",
            "databricks": "REGEXP_REPLACE(`Name`, '[aeiou]', '')",
            "bigquery": "REGEXP_REPLACE(`Name`, '[aeiou]', '')",
            "redshift": "REGEXP_REPLACE(\"Name\", '[aeiou]', '')",
        },
        unsupported=("sqlite",),
    )
    validate_all(
        'SplitPart([Name], " ", 2)',
        write={
            "duckdb": "SPLIT_PART(\"Name\", ' ', 2)",
            "postgres": "SPLIT_PART(\"Name\", ' ', 2)",
            "snowflake": "SPLIT_PART(\"Name\", ' ', 2)",
            "databricks": "SPLIT_PART(`Name`, ' ', 2)",
            "bigquery": "COALESCE(SPLIT(`Name`, ' ')[SAFE_ORDINAL(2)], '')",
            "redshift": "SPLIT_PART(\"Name\", ' ', 2)",
        },
        unsupported=("sqlite",),
    )
    validate_all(
        "MD5([Name])",
        write={
            "duckdb": 'MD5("Name")',
            "postgres": 'MD5("Name")',
            "snowflake": 'MD5("Name")',
            "databricks": "MD5(`Name`)",
            "bigquery": "TO_HEX(MD5(`Name`))",
            "redshift": 'MD5("Name")',
        },
        unsupported=("sqlite",),
    )
    validate_all(
        "SHA256([Name])",
        write={
            "duckdb": 'SHA256("Name")',
            "postgres": "ENCODE(SHA256(CONVERT_TO(\"Name\", 'UTF8')), 'hex')",
            "snowflake": 'SHA2("Name", 256)',
            "databricks": "SHA2(`Name`, 256)",
            "bigquery": "TO_HEX(SHA256(`Name`))",
            "redshift": 'SHA2("Name", 256)',
        },
        unsupported=("sqlite",),
    )
    validate_all(
        'Like([Name], "a%")',
        write={
            "duckdb": "\"Name\" LIKE 'a%' ESCAPE '\\'",
            "sqlite": "\"Name\" GLOB 'a*'",
            "postgres": "\"Name\" LIKE 'a%' ESCAPE '\\'",
            "snowflake": "\"Name\" LIKE 'a%' ESCAPE '\\\\'",
            "databricks": "`Name` LIKE 'a%' ESCAPE '\\\\'",
            "bigquery": "`Name` LIKE 'a%'",
            "redshift": "\"Name\" LIKE 'a%' ESCAPE '\\\\'",
        },
    )
    validate_all(
        'ILike([Name], "%SMITH")',
        write={
            "duckdb": "\"Name\" ILIKE '%SMITH' ESCAPE '\\'",
            "sqlite": "LOWER(\"Name\") LIKE LOWER('%SMITH') ESCAPE '\\'",
            "postgres": "\"Name\" ILIKE '%SMITH' ESCAPE '\\'",
            "snowflake": "\"Name\" ILIKE '%SMITH' ESCAPE '\\\\'",
            "databricks": "`Name` ILIKE '%SMITH' ESCAPE '\\\\'",
            "bigquery": "LOWER(`Name`) LIKE LOWER('%SMITH')",
            "redshift": "\"Name\" ILIKE '%SMITH' ESCAPE '\\\\'",
        },
    )


def test_math_functions() -> None:
    validate_all(
        "Round([Amount], 2)",
        write={
            "duckdb": 'ROUND("Amount", 2)',
            "sqlite": 'ROUND("Amount", 2)',
            "postgres": 'ROUND(CAST("Amount" AS DECIMAL), 2)',
            "snowflake": 'ROUND("Amount", 2)',
            "databricks": "ROUND(`Amount`, 2)",
            "bigquery": "ROUND(`Amount`, 2)",
            "redshift": 'ROUND("Amount", 2)',
        },
    )
    validate_all(
        "RoundUp([Amount], 1)",
        write={
            "duckdb": 'CEIL(ROUND("Amount" * POWER(10, 1), 9)) / POWER(10, 1)',
            "sqlite": 'CAST(CEIL(ROUND("Amount" * POWER(10, 1), 9)) AS REAL) / POWER(10, 1)',
            "postgres": 'CAST(CEIL(ROUND(CAST("Amount" * POWER(10, 1) AS DECIMAL), 9)) AS DOUBLE PRECISION) / POWER(10, 1)',
            "snowflake": 'CEIL(ROUND("Amount" * POWER(10, 1), 9)) / POWER(10, 1)',
            "databricks": "CEIL(ROUND(`Amount` * POWER(10, 1), 9)) / POWER(10, 1)",
            "bigquery": "CEIL(ROUND(`Amount` * POWER(10, 1), 9)) / POWER(10, 1)",
            "redshift": 'CAST(CEIL(ROUND("Amount" * POWER(10, 1), 9)) AS DOUBLE PRECISION) / POWER(10, 1)',
        },
    )
    validate_all(
        "Floor([Amount] / 3)",
        write={
            "duckdb": 'FLOOR("Amount" / 3)',
            "sqlite": 'FLOOR(CAST("Amount" AS REAL) / 3)',
            "postgres": 'FLOOR(CAST("Amount" AS DOUBLE PRECISION) / 3)',
            "snowflake": 'FLOOR("Amount" / 3)',
            "databricks": "FLOOR(`Amount` / 3)",
            "bigquery": "FLOOR(`Amount` / 3)",
            "redshift": 'FLOOR(CAST("Amount" AS DOUBLE PRECISION) / 3)',
        },
    )
    validate_all(
        "Log([Amount], 2)",
        write={
            "duckdb": 'CASE WHEN ("Amount" <= 0) OR ((2 <= 0) OR (2 = 1)) THEN NULL ELSE LN("Amount") / NULLIF(LN(2), 0) END',
            "sqlite": 'CASE WHEN ("Amount" <= 0) OR ((2 <= 0) OR (2 = 1)) THEN NULL ELSE CAST(LN("Amount") AS REAL) / LN(2) END',
            "postgres": 'CASE WHEN ("Amount" <= 0) OR ((2 <= 0) OR (2 = 1)) THEN NULL ELSE CAST(LN("Amount") AS DOUBLE PRECISION) / NULLIF(LN(2), 0) END',
            "snowflake": 'CASE WHEN ("Amount" <= 0) OR ((2 <= 0) OR (2 = 1)) THEN NULL ELSE LN("Amount") / NULLIF(LN(2), 0) END',
            "databricks": "CASE WHEN (`Amount` <= 0) OR ((2 <= 0) OR (2 = 1)) THEN NULL ELSE LN(`Amount`) / NULLIF(LN(2), 0) END",
            "bigquery": "CASE WHEN (`Amount` <= 0) OR ((2 <= 0) OR (2 = 1)) THEN NULL ELSE LN(`Amount`) / NULLIF(LN(2), 0) END",
            "redshift": 'CASE WHEN ("Amount" <= 0) OR ((2 <= 0) OR (2 = 1)) THEN NULL ELSE CAST(LN("Amount") AS DOUBLE PRECISION) / NULLIF(LN(2), 0) END',
        },
    )
    validate_all(
        "Sqrt([Amount])",
        write={
            "duckdb": 'CASE WHEN "Amount" < 0 THEN NULL ELSE SQRT("Amount") END',
            "sqlite": 'CASE WHEN "Amount" < 0 THEN NULL ELSE SQRT("Amount") END',
            "postgres": 'CASE WHEN "Amount" < 0 THEN NULL ELSE SQRT("Amount") END',
            "snowflake": 'CASE WHEN "Amount" < 0 THEN NULL ELSE SQRT("Amount") END',
            "databricks": "CASE WHEN `Amount` < 0 THEN NULL ELSE SQRT(`Amount`) END",
            "bigquery": "CASE WHEN `Amount` < 0 THEN NULL ELSE SQRT(`Amount`) END",
            "redshift": 'CASE WHEN "Amount" < 0 THEN NULL ELSE SQRT("Amount") END',
        },
    )
    validate_all(
        "Greatest([Amount], [Qty])",
        write={
            "duckdb": 'CASE WHEN ("Amount" IS NULL) OR ("Qty" IS NULL) THEN NULL ELSE GREATEST("Amount", "Qty") END',
            "sqlite": 'MAX("Amount", "Qty")',
            "postgres": 'CASE WHEN ("Amount" IS NULL) OR ("Qty" IS NULL) THEN NULL ELSE GREATEST("Amount", "Qty") END',
            "snowflake": 'GREATEST("Amount", "Qty")',
            "databricks": "CASE WHEN (`Amount` IS NULL) OR (`Qty` IS NULL) THEN NULL ELSE GREATEST(`Amount`, `Qty`) END",
            "bigquery": "GREATEST(`Amount`, `Qty`)",
            "redshift": 'CASE WHEN ("Amount" IS NULL) OR ("Qty" IS NULL) THEN NULL ELSE GREATEST("Amount", "Qty") END',
        },
    )
    validate_all(
        "Mod([Amount], 7)",
        write={
            "duckdb": '"Amount" % 7',
            "sqlite": 'MOD("Amount", 7)',
            "postgres": 'MOD(CAST("Amount" AS DECIMAL), NULLIF(CAST(7 AS DECIMAL), 0))',
            "snowflake": '"Amount" % 7',
            "databricks": "`Amount` % 7",
            "bigquery": "MOD(`Amount`, 7)",
            "redshift": '"Amount" % 7',
        },
    )


def test_dates() -> None:
    validate_all(
        'DateAdd("month", 1, [Day])',
        write={
            "duckdb": 'CAST("Day" + INTERVAL 1 MONTH AS DATE)',
            "sqlite": "DATE(DATE(\"Day\", 'start of month', 1 || ' months'), (MIN(CAST(STRFTIME('%d', \"Day\") AS INTEGER), CAST(STRFTIME('%d', DATE(DATE(\"Day\", 'start of month', 1 || ' months'), '+1 month', '-1 day')) AS INTEGER)) - 1) || ' days')",
            "postgres": "CAST(\"Day\" + (INTERVAL '1 month' * 1) AS DATE)",
            "snowflake": 'CAST(DATEADD(MONTH, 1, "Day") AS DATE)',
            "databricks": "CAST(TIMESTAMPADD(MONTH, 1, `Day`) AS DATE)",
            "bigquery": "DATE_ADD(`Day`, INTERVAL 1 MONTH)",
            "redshift": 'CAST(DATEADD(MONTH, 1, "Day") AS DATE)',
        },
    )
    validate_all(
        'DateAdd("hour", [Qty], [Ts])',
        write={
            "duckdb": '"Ts" + INTERVAL ("Qty") HOUR',
            "sqlite": 'DATETIME("Ts", "Qty" || \' hours\')',
            "postgres": '"Ts" + (INTERVAL \'1 hour\' * "Qty")',
            "snowflake": 'DATEADD(HOUR, "Qty", "Ts")',
            "databricks": "TIMESTAMPADD(HOUR, `Qty`, `Ts`)",
            "bigquery": "DATETIME_ADD(CAST(`Ts` AS DATETIME), INTERVAL `Qty` HOUR)",
            "redshift": 'DATEADD(HOUR, "Qty", "Ts")',
        },
    )
    validate_all(
        'DateDiff("day", [Day], [Ts])',
        write={
            "duckdb": 'DATE_DIFF(\'day\', "Day", "Ts")',
            "sqlite": "CAST((CAST(STRFTIME('%s', DATETIME(\"Ts\", 'start of day')) AS INTEGER) - CAST(STRFTIME('%s', DATE(\"Day\", 'start of day')) AS INTEGER)) / 86400 AS INTEGER)",
            "postgres": "CAST((EXTRACT(EPOCH FROM CAST(DATE_TRUNC('day', CAST(\"Ts\" AS TIMESTAMP)) AS TIMESTAMP)) - EXTRACT(EPOCH FROM CAST(CAST(DATE_TRUNC('day', CAST(\"Day\" AS TIMESTAMP)) AS DATE) AS TIMESTAMP))) / 86400 AS BIGINT)",
            "snowflake": 'DATEDIFF(DAY, "Day", "Ts")',
            "databricks": "CAST((UNIX_TIMESTAMP(CAST(DATE_TRUNC('DAY', `Ts`) AS TIMESTAMP)) - UNIX_TIMESTAMP(CAST(CAST(DATE_TRUNC('DAY', `Day`) AS DATE) AS TIMESTAMP))) / 86400 AS BIGINT)",
            "bigquery": "DATETIME_DIFF(CAST(`Ts` AS DATETIME), CAST(`Day` AS DATETIME), DAY)",
            "redshift": 'DATEDIFF(DAY, "Day", "Ts")',
        },
    )
    validate_all(
        'DateDiff("year", [Day], [Ts])',
        write={
            "duckdb": 'DATE_DIFF(\'year\', "Day", "Ts")',
            "sqlite": "CAST(STRFTIME('%Y', \"Ts\") AS INTEGER) - CAST(STRFTIME('%Y', \"Day\") AS INTEGER)",
            "postgres": 'CAST(EXTRACT(YEAR FROM "Ts") AS BIGINT) - CAST(EXTRACT(YEAR FROM "Day") AS BIGINT)',
            "snowflake": 'DATEDIFF(YEAR, "Day", "Ts")',
            "databricks": "CAST(EXTRACT(YEAR FROM `Ts`) AS BIGINT) - CAST(EXTRACT(YEAR FROM `Day`) AS BIGINT)",
            "bigquery": "DATETIME_DIFF(CAST(`Ts` AS DATETIME), CAST(`Day` AS DATETIME), YEAR)",
            "redshift": 'DATEDIFF(YEAR, "Day", "Ts")',
        },
    )
    validate_all(
        'DateTrunc("week", [Day])',
        write={
            "duckdb": "CAST(DATE_TRUNC('week', \"Day\") AS DATE)",
            "sqlite": "DATE(\"Day\", 'start of day', (-((CAST(STRFTIME('%w', \"Day\") AS INTEGER) + 6) % 7)) || ' days')",
            "postgres": "CAST(DATE_TRUNC('week', CAST(\"Day\" AS TIMESTAMP)) AS DATE)",
            "snowflake": "CAST(DATE_TRUNC('WEEK', \"Day\") AS DATE)",
            "databricks": "CAST(DATE_TRUNC('WEEK', `Day`) AS DATE)",
            "bigquery": "CAST(DATE_TRUNC(`Day`, ISOWEEK) AS DATE)",
            "redshift": "CAST(DATE_TRUNC('week', \"Day\") AS DATE)",
        },
    )
    validate_all(
        'DateTrunc("month", [Ts])',
        write={
            "duckdb": "DATE_TRUNC('month', \"Ts\")",
            "sqlite": "DATETIME(\"Ts\", 'start of month')",
            "postgres": "DATE_TRUNC('month', CAST(\"Ts\" AS TIMESTAMP))",
            "snowflake": "DATE_TRUNC('MONTH', \"Ts\")",
            "databricks": "DATE_TRUNC('MONTH', `Ts`)",
            "bigquery": "DATETIME_TRUNC(`Ts`, MONTH)",
            "redshift": "DATE_TRUNC('month', \"Ts\")",
        },
    )
    validate_all(
        "Weekday([Day])",
        write={
            "duckdb": 'DAYOFWEEK("Day") + 1',
            "sqlite": "CAST(STRFTIME('%w', \"Day\") AS INTEGER) + 1",
            "postgres": 'CAST(EXTRACT(DOW FROM "Day") AS BIGINT) + 1',
            "snowflake": '(DAYOFWEEKISO("Day") % 7) + 1',
            "databricks": "DAYOFWEEK(`Day`)",
            "bigquery": "EXTRACT(DAYOFWEEK FROM `Day`)",
            "redshift": 'CAST(EXTRACT(DOW FROM "Day") AS BIGINT) + 1',
        },
    )
    validate_all(
        "Week([Ts])",
        write={
            "duckdb": 'EXTRACT(WEEK FROM "Ts")',
            "sqlite": "((CAST(STRFTIME('%j', DATE(\"Ts\", '-3 days', 'weekday 4')) AS INTEGER) - 1) / 7) + 1",
            "postgres": 'CAST(EXTRACT(WEEK FROM "Ts") AS BIGINT)',
            "snowflake": 'DATE_PART(WEEKISO, "Ts")',
            "databricks": "CAST(EXTRACT(WEEK FROM `Ts`) AS BIGINT)",
            "bigquery": "EXTRACT(ISOWEEK FROM `Ts`)",
            "redshift": 'CAST(EXTRACT(WEEK FROM "Ts") AS BIGINT)',
        },
    )
    validate_all(
        "Hour([Ts])",
        write={
            "duckdb": 'EXTRACT(HOUR FROM "Ts")',
            "sqlite": "CAST(STRFTIME('%H', \"Ts\") AS INTEGER)",
            "postgres": 'CAST(EXTRACT(HOUR FROM "Ts") AS BIGINT)',
            "snowflake": 'DATE_PART(HOUR, "Ts")',
            "databricks": "CAST(EXTRACT(HOUR FROM `Ts`) AS BIGINT)",
            "bigquery": "EXTRACT(HOUR FROM `Ts`)",
            "redshift": 'CAST(EXTRACT(HOUR FROM "Ts") AS BIGINT)',
        },
    )
    validate_all(
        'DateFormat([Ts], "%Y-%m-%d %H:%M")',
        write={
            "duckdb": "STRFTIME(\"Ts\", '%Y-%m-%d %H:%M')",
            "sqlite": "STRFTIME('%Y-%m-%d %H:%M', \"Ts\")",
            "postgres": "TO_CHAR(\"Ts\", 'YYYY-MM-DD HH24:MI')",
            "snowflake": "TO_CHAR(\"Ts\", 'YYYY-MM-DD HH24:MI')",
            "databricks": "DATE_FORMAT(`Ts`, 'yyyy-MM-dd HH:mm')",
            "bigquery": "FORMAT_DATETIME('%Y-%m-%d %H:%M', `Ts`)",
            "redshift": "TO_CHAR(\"Ts\", 'YYYY-MM-DD HH24:MI')",
        },
    )
    validate_all(
        "MakeDate(Year([Day]), 1, 1)",
        write={
            "duckdb": 'TRY(MAKE_DATE(EXTRACT(YEAR FROM "Day"), 1, 1))',
            "sqlite": "CASE WHEN DATE(PRINTF('%04d-%02d-%02d', CAST(STRFTIME('%Y', \"Day\") AS INTEGER), 1, 1), '+0 days') = PRINTF('%04d-%02d-%02d', CAST(STRFTIME('%Y', \"Day\") AS INTEGER), 1, 1) THEN DATE(PRINTF('%04d-%02d-%02d', CAST(STRFTIME('%Y', \"Day\") AS INTEGER), 1, 1), '+0 days') END",
            "postgres": 'MAKE_DATE(CAST(CAST(EXTRACT(YEAR FROM "Day") AS BIGINT) AS INT), 1, 1)',
            "snowflake": 'DATE_FROM_PARTS(DATE_PART(YEAR, "Day"), 1, 1)',
            "databricks": "MAKE_DATE(CAST(CAST(EXTRACT(YEAR FROM `Day`) AS BIGINT) AS INT), 1, 1)",
            "bigquery": "DATE(EXTRACT(YEAR FROM `Day`), 1, 1)",
            "redshift": "TO_DATE(((CAST(CAST(EXTRACT(YEAR FROM \"Day\") AS BIGINT) AS VARCHAR(MAX)) || '-') || CAST(1 AS VARCHAR(MAX))) || ('-' || CAST(1 AS VARCHAR(MAX))), 'YYYY-MM-DD')",
        },
    )


def test_conversions() -> None:
    validate_all(
        "Number([Stage])",
        write={
            "duckdb": 'CASE WHEN REGEXP_MATCHES("Stage", \'^\\s*[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$\') THEN CAST(TRIM("Stage") AS DOUBLE) END',
            "sqlite": 'CASE WHEN JSON_VALID(TRIM("Stage")) THEN CASE WHEN JSON_TYPE(TRIM("Stage")) IN (\'integer\', \'real\') THEN CAST(TRIM("Stage") AS REAL) END END',
            "postgres": 'CASE WHEN "Stage" ~ \'^\\s*[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$\' THEN CAST(TRIM("Stage") AS DOUBLE PRECISION) END',
            "snowflake": 'CASE WHEN REGEXP_LIKE("Stage", \'^\\\\s*[-+]?([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)?\\\\s*$\') THEN CAST(TRIM("Stage") AS DOUBLE) END',
            "databricks": "CASE WHEN REGEXP_LIKE(`Stage`, '^\\\\s*[-+]?([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)?\\\\s*$') THEN CAST(TRIM(`Stage`) AS DOUBLE) END",
            "bigquery": "CASE WHEN REGEXP_CONTAINS(`Stage`, '^\\\\s*[-+]?([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)?\\\\s*$') THEN CAST(TRIM(`Stage`) AS FLOAT64) END",
            "redshift": 'CASE WHEN "Stage" ~ \'^\\\\s*[-+]?([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)?\\\\s*$\' THEN CAST(TRIM("Stage") AS DOUBLE PRECISION) END',
        },
    )
    validate_all(
        "Text([Flag])",
        write={
            "duckdb": "CASE WHEN \"Flag\" THEN 'true' WHEN NOT \"Flag\" THEN 'false' END",
            "sqlite": "CASE WHEN \"Flag\" THEN 'true' WHEN NOT \"Flag\" THEN 'false' END",
            "postgres": "CASE WHEN \"Flag\" THEN 'true' WHEN NOT \"Flag\" THEN 'false' END",
            "snowflake": "CASE WHEN \"Flag\" THEN 'true' WHEN NOT \"Flag\" THEN 'false' END",
            "databricks": "CASE WHEN `Flag` THEN 'true' WHEN NOT `Flag` THEN 'false' END",
            "bigquery": "CASE WHEN `Flag` THEN 'true' WHEN NOT `Flag` THEN 'false' END",
            "redshift": "CASE WHEN \"Flag\" THEN 'true' WHEN NOT \"Flag\" THEN 'false' END",
        },
    )
    validate_all(
        "Text([Ts])",
        write={
            "duckdb": "STRFTIME(\"Ts\", '%Y-%m-%d %H:%M:%S')",
            "sqlite": "STRFTIME('%Y-%m-%d %H:%M:%S', \"Ts\")",
            "postgres": "TO_CHAR(\"Ts\", 'YYYY-MM-DD HH24:MI:SS')",
            "snowflake": "TO_CHAR(\"Ts\", 'YYYY-MM-DD HH24:MI:SS')",
            "databricks": "DATE_FORMAT(`Ts`, 'yyyy-MM-dd HH:mm:ss')",
            "bigquery": "FORMAT_DATETIME('%Y-%m-%d %H:%M:%S', `Ts`)",
            "redshift": "TO_CHAR(\"Ts\", 'YYYY-MM-DD HH24:MI:SS')",
        },
    )
    validate_all(
        "Logical([Stage])",
        write={
            "duckdb": "CASE WHEN LOWER(TRIM(\"Stage\")) = 'true' THEN TRUE WHEN LOWER(TRIM(\"Stage\")) = 'false' THEN FALSE END",
            "sqlite": "CASE WHEN LOWER(TRIM(\"Stage\")) = 'true' THEN TRUE WHEN LOWER(TRIM(\"Stage\")) = 'false' THEN FALSE END",
            "postgres": "CASE WHEN LOWER(TRIM(\"Stage\")) = 'true' THEN TRUE WHEN LOWER(TRIM(\"Stage\")) = 'false' THEN FALSE END",
            "snowflake": "CASE WHEN LOWER(TRIM(\"Stage\")) = 'true' THEN TRUE WHEN LOWER(TRIM(\"Stage\")) = 'false' THEN FALSE END",
            "databricks": "CASE WHEN LOWER(TRIM(`Stage`)) = 'true' THEN TRUE WHEN LOWER(TRIM(`Stage`)) = 'false' THEN FALSE END",
            "bigquery": "CASE WHEN LOWER(TRIM(`Stage`)) = 'true' THEN TRUE WHEN LOWER(TRIM(`Stage`)) = 'false' THEN FALSE END",
            "redshift": "CASE WHEN LOWER(TRIM(\"Stage\")) = 'true' THEN TRUE WHEN LOWER(TRIM(\"Stage\")) = 'false' THEN FALSE END",
        },
    )
    validate_all(
        'Date("2024-01-31 10:30:00")',
        write={
            "duckdb": "CAST('2024-01-31 10:30:00' AS TIMESTAMP)",
            "sqlite": "DATETIME('2024-01-31 10:30:00')",
            "postgres": "CAST('2024-01-31 10:30:00' AS TIMESTAMP)",
            "snowflake": "CAST('2024-01-31 10:30:00' AS TIMESTAMP)",
            "databricks": "CAST('2024-01-31 10:30:00' AS TIMESTAMP)",
            "bigquery": "CAST('2024-01-31 10:30:00' AS DATETIME)",
            "redshift": "CAST('2024-01-31 10:30:00' AS TIMESTAMP)",
        },
    )


def test_aggregates() -> None:
    validate_all(
        "Sum([Amount])",
        write={
            "duckdb": 'SUM("Amount")',
            "sqlite": 'SUM("Amount")',
            "postgres": 'SUM("Amount")',
            "snowflake": 'SUM("Amount")',
            "databricks": "SUM(`Amount`)",
            "bigquery": "SUM(`Amount`)",
            "redshift": 'SUM("Amount")',
        },
    )
    validate_all(
        "Count()",
        write={
            "duckdb": "COUNT(*)",
            "sqlite": "COUNT(*)",
            "postgres": "COUNT(*)",
            "snowflake": "COUNT(*)",
            "databricks": "COUNT(*)",
            "bigquery": "COUNT(*)",
            "redshift": "COUNT(*)",
        },
    )
    validate_all(
        "CountDistinct([Stage])",
        write={
            "duckdb": 'COUNT(DISTINCT "Stage")',
            "sqlite": 'COUNT(DISTINCT "Stage")',
            "postgres": 'COUNT(DISTINCT "Stage")',
            "snowflake": 'COUNT(DISTINCT "Stage")',
            "databricks": "COUNT(DISTINCT `Stage`)",
            "bigquery": "COUNT(DISTINCT `Stage`)",
            "redshift": 'COUNT(DISTINCT "Stage")',
        },
    )
    validate_all(
        'CountIf([Stage] = "won")',
        write={
            "duckdb": "COUNT(CASE WHEN \"Stage\" = 'won' THEN 1 END)",
            "sqlite": "COUNT(CASE WHEN \"Stage\" = 'won' THEN 1 END)",
            "postgres": "COUNT(CASE WHEN \"Stage\" = 'won' THEN 1 END)",
            "snowflake": "COUNT(CASE WHEN \"Stage\" = 'won' THEN 1 END)",
            "databricks": "COUNT(CASE WHEN `Stage` = 'won' THEN 1 END)",
            "bigquery": "COUNT(CASE WHEN `Stage` = 'won' THEN 1 END)",
            "redshift": "COUNT(CASE WHEN \"Stage\" = 'won' THEN 1 END)",
        },
    )
    validate_all(
        "SumIf([Amount], [Flag])",
        write={
            "duckdb": 'SUM(CASE WHEN "Flag" THEN "Amount" END)',
            "sqlite": 'SUM(CASE WHEN "Flag" THEN "Amount" END)',
            "postgres": 'SUM(CASE WHEN "Flag" THEN "Amount" END)',
            "snowflake": 'SUM(CASE WHEN "Flag" THEN "Amount" END)',
            "databricks": "SUM(CASE WHEN `Flag` THEN `Amount` END)",
            "bigquery": "SUM(CASE WHEN `Flag` THEN `Amount` END)",
            "redshift": 'SUM(CASE WHEN "Flag" THEN "Amount" END)',
        },
    )
    validate_all(
        'ListAgg([Name], "; ")',
        write={
            "duckdb": "LISTAGG(\"Name\", '; ')",
            "sqlite": "GROUP_CONCAT(\"Name\", '; ')",
            "postgres": "STRING_AGG(\"Name\", '; ')",
            "snowflake": "LISTAGG(\"Name\", '; ')",
            "databricks": "LISTAGG(`Name`, '; ')",
            "bigquery": "STRING_AGG(`Name`, '; ')",
            "redshift": "LISTAGG(\"Name\", '; ')",
        },
    )
    validate_all(
        "ArrayAgg([Tag])",
        write={
            "duckdb": 'ARRAY_AGG("Tag") FILTER(WHERE NOT "Tag" IS NULL)',
            "postgres": 'ARRAY_AGG("Tag") FILTER(WHERE NOT "Tag" IS NULL)',
            "snowflake": 'ARRAY_AGG("Tag")',
            "databricks": "COLLECT_LIST(`Tag`)",
            "bigquery": "ARRAY_AGG(`Tag` IGNORE NULLS)",
        },
        unsupported=("sqlite", "redshift"),
    )
    validate_all(
        "PercentOfTotal(Sum([Amount]))",
        write={
            "duckdb": 'SUM("Amount") / NULLIF(SUM(SUM("Amount")) OVER (), 0)',
            "sqlite": 'CAST(SUM("Amount") AS REAL) / SUM(SUM("Amount")) OVER ()',
            "postgres": 'CAST(SUM("Amount") AS DOUBLE PRECISION) / NULLIF(SUM(SUM("Amount")) OVER (), 0)',
            "snowflake": 'SUM("Amount") / NULLIF(SUM(SUM("Amount")) OVER (), 0)',
            "databricks": "SUM(`Amount`) / NULLIF(SUM(SUM(`Amount`)) OVER (), 0)",
            "bigquery": "SUM(`Amount`) / NULLIF(SUM(SUM(`Amount`)) OVER (), 0)",
            "redshift": 'CAST(SUM("Amount") AS DOUBLE PRECISION) / NULLIF(SUM(SUM("Amount")) OVER (), 0)',
        },
    )


def test_windows() -> None:
    validate_all(
        "CumulativeSum([Amount])",
        write={
            "duckdb": 'SUM("Amount") OVER (ORDER BY "Id" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)',
            "sqlite": 'SUM("Amount") OVER (ORDER BY "Id" ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)',
            "postgres": 'SUM("Amount") OVER (ORDER BY "Id" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)',
            "snowflake": 'SUM("Amount") OVER (ORDER BY "Id" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)',
            "databricks": "SUM(`Amount`) OVER (ORDER BY `Id` ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
            "bigquery": "SUM(`Amount`) OVER (ORDER BY `Id` ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)",
            "redshift": 'SUM("Amount") OVER (ORDER BY "Id" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)',
        },
    )
    validate_all(
        "MovingAvg([Amount], 2)",
        write={
            "duckdb": 'AVG("Amount") OVER (ORDER BY "Id" ASC ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)',
            "sqlite": 'AVG("Amount") OVER (ORDER BY "Id" ASC NULLS LAST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)',
            "postgres": 'AVG("Amount") OVER (ORDER BY "Id" ASC ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)',
            "snowflake": 'AVG("Amount") OVER (ORDER BY "Id" ASC ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)',
            "databricks": "AVG(`Amount`) OVER (ORDER BY `Id` ASC NULLS LAST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)",
            "bigquery": "AVG(`Amount`) OVER (ORDER BY `Id` ASC ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)",
            "redshift": 'AVG("Amount") OVER (ORDER BY "Id" ASC ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)',
        },
    )
    validate_all(
        "Lag([Amount], 1, 0)",
        write={
            "duckdb": 'LAG("Amount", 1, 0) OVER (ORDER BY "Id" ASC)',
            "sqlite": 'LAG("Amount", 1, 0) OVER (ORDER BY "Id" ASC NULLS LAST)',
            "postgres": 'LAG("Amount", 1, 0) OVER (ORDER BY "Id" ASC)',
            "snowflake": 'LAG("Amount", 1, 0) OVER (ORDER BY "Id" ASC)',
            "databricks": "LAG(`Amount`, 1, 0) OVER (ORDER BY `Id` ASC NULLS LAST)",
            "bigquery": "LAG(`Amount`, 1, 0) OVER (ORDER BY `Id` ASC NULLS LAST)",
            "redshift": 'LAG("Amount", 1, 0) OVER (ORDER BY "Id" ASC)',
        },
    )
    validate_all(
        "First([Amount])",
        write={
            "duckdb": 'FIRST_VALUE("Amount") OVER (ORDER BY "Id" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)',
            "sqlite": 'FIRST_VALUE("Amount") OVER (ORDER BY "Id" ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)',
            "postgres": 'FIRST_VALUE("Amount") OVER (ORDER BY "Id" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)',
            "snowflake": 'FIRST_VALUE("Amount") OVER (ORDER BY "Id" ASC)',
            "databricks": "FIRST_VALUE(`Amount`) OVER (ORDER BY `Id` ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)",
            "bigquery": "FIRST_VALUE(`Amount`) OVER (ORDER BY `Id` ASC NULLS LAST ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)",
            "redshift": 'FIRST_VALUE("Amount") OVER (ORDER BY "Id" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)',
        },
    )
    validate_all(
        'Rank([Amount], "desc")',
        write={
            "duckdb": 'RANK() OVER (ORDER BY "Amount" DESC)',
            "sqlite": 'RANK() OVER (ORDER BY "Amount" DESC)',
            "postgres": 'RANK() OVER (ORDER BY "Amount" DESC NULLS LAST)',
            "snowflake": 'RANK() OVER (ORDER BY "Amount" DESC NULLS LAST)',
            "databricks": "RANK() OVER (ORDER BY `Amount` DESC)",
            "bigquery": "RANK() OVER (ORDER BY `Amount` DESC)",
            "redshift": 'RANK() OVER (ORDER BY "Amount" DESC NULLS LAST)',
        },
    )
    validate_all(
        "RowNumber()",
        write={
            "duckdb": 'ROW_NUMBER() OVER (ORDER BY "Id" ASC)',
            "sqlite": 'ROW_NUMBER() OVER (ORDER BY "Id" ASC NULLS LAST)',
            "postgres": 'ROW_NUMBER() OVER (ORDER BY "Id" ASC)',
            "snowflake": 'ROW_NUMBER() OVER (ORDER BY "Id" ASC)',
            "databricks": "ROW_NUMBER() OVER (ORDER BY `Id` ASC NULLS LAST)",
            "bigquery": "ROW_NUMBER() OVER (ORDER BY `Id` ASC NULLS LAST)",
            "redshift": 'ROW_NUMBER() OVER (ORDER BY "Id" ASC)',
        },
    )


def test_references_become_parameters() -> None:
    validate_all(
        '[Region] & ": " & [Stage]',
        write={
            "duckdb": "(COALESCE(CAST($control_region AS TEXT), '') || ': ') || COALESCE(\"Stage\", '')",
            "sqlite": "(COALESCE(CAST(:control_region AS TEXT), '') || ': ') || COALESCE(\"Stage\", '')",
            "postgres": "(COALESCE(CAST(%(control_region)s AS TEXT), '') || ': ') || COALESCE(\"Stage\", '')",
            "snowflake": "(COALESCE(CAST(:control_region AS VARCHAR), '') || ': ') || COALESCE(\"Stage\", '')",
            "databricks": "(COALESCE(CAST(:control_region AS STRING), '') || ': ') || COALESCE(`Stage`, '')",
            "bigquery": "(COALESCE(CAST(@control_region AS STRING), '') || ': ') || COALESCE(`Stage`, '')",
            "redshift": "(COALESCE(CAST(%(control_region)s AS VARCHAR(MAX)), '') || ': ') || COALESCE(\"Stage\", '')",
        },
        params={"control_region": "EU"},
    )
    validate_all(
        "[Amount] >= [Amounts].min and [Amount] <= [Amounts].max",
        write={
            "duckdb": '("Amount" >= CAST($control_amounts_min AS DOUBLE)) AND ("Amount" <= CAST($control_amounts_max AS DOUBLE))',
            "sqlite": '("Amount" >= CAST(:control_amounts_min AS REAL)) AND ("Amount" <= CAST(:control_amounts_max AS REAL))',
            "postgres": '("Amount" >= CAST(%(control_amounts_min)s AS DOUBLE PRECISION)) AND ("Amount" <= CAST(%(control_amounts_max)s AS DOUBLE PRECISION))',
            "snowflake": '("Amount" >= CAST(:control_amounts_min AS DOUBLE)) AND ("Amount" <= CAST(:control_amounts_max AS DOUBLE))',
            "databricks": "(`Amount` >= CAST(:control_amounts_min AS DOUBLE)) AND (`Amount` <= CAST(:control_amounts_max AS DOUBLE))",
            "bigquery": "(`Amount` >= CAST(@control_amounts_min AS FLOAT64)) AND (`Amount` <= CAST(@control_amounts_max AS FLOAT64))",
            "redshift": '("Amount" >= CAST(%(control_amounts_min)s AS DOUBLE PRECISION)) AND ("Amount" <= CAST(%(control_amounts_max)s AS DOUBLE PRECISION))',
        },
        params={"control_amounts_min": 10, "control_amounts_max": 200},
    )
    validate_all(
        "[Day] >= [Dates].start",
        write={
            "duckdb": '"Day" >= CAST($control_dates_start AS DATE)',
            "sqlite": '"Day" >= DATE(:control_dates_start)',
            "postgres": '"Day" >= CAST(%(control_dates_start)s AS DATE)',
            "snowflake": '"Day" >= CAST(:control_dates_start AS DATE)',
            "databricks": "`Day` >= CAST(:control_dates_start AS DATE)",
            "bigquery": "`Day` >= CAST(@control_dates_start AS DATE)",
            "redshift": '"Day" >= CAST(%(control_dates_start)s AS DATE)',
        },
        params={"control_dates_start": datetime.date(2024, 1, 1)},
    )
    validate_all(
        "[Amount] > [ActionVar/Threshold]",
        write={
            "duckdb": '"Amount" > CAST($var_threshold AS BIGINT)',
            "sqlite": '"Amount" > CAST(:var_threshold AS INTEGER)',
            "postgres": '"Amount" > CAST(%(var_threshold)s AS BIGINT)',
            "snowflake": '"Amount" > CAST(:var_threshold AS BIGINT)',
            "databricks": "`Amount` > CAST(:var_threshold AS BIGINT)",
            "bigquery": "`Amount` > CAST(@var_threshold AS INT64)",
            "redshift": '"Amount" > CAST(%(var_threshold)s AS BIGINT)',
        },
        params={"var_threshold": 100},
    )
    validate_all(
        "ArrayContains([Regions], [Stage])",
        write={
            "duckdb": '"Stage" IN (CAST($control_regions_0 AS TEXT), CAST($control_regions_1 AS TEXT))',
            "sqlite": '"Stage" IN (CAST(:control_regions_0 AS TEXT), CAST(:control_regions_1 AS TEXT))',
            "postgres": '"Stage" IN (CAST(%(control_regions_0)s AS TEXT), CAST(%(control_regions_1)s AS TEXT))',
            "snowflake": '"Stage" IN (CAST(:control_regions_0 AS VARCHAR), CAST(:control_regions_1 AS VARCHAR))',
            "databricks": "`Stage` IN (CAST(:control_regions_0 AS STRING), CAST(:control_regions_1 AS STRING))",
            "bigquery": "`Stage` IN (CAST(@control_regions_0 AS STRING), CAST(@control_regions_1 AS STRING))",
            "redshift": '"Stage" IN (CAST(%(control_regions_0)s AS VARCHAR(MAX)), CAST(%(control_regions_1)s AS VARCHAR(MAX)))',
        },
        params={"control_regions_0": "EU", "control_regions_1": "US"},
    )
    validate_all(
        "CurrentUserEmail() = [Name]",
        write={
            "duckdb": 'CAST($user_email AS TEXT) = "Name"',
            "sqlite": 'CAST(:user_email AS TEXT) = "Name"',
            "postgres": 'CAST(%(user_email)s AS TEXT) = "Name"',
            "snowflake": 'CAST(:user_email AS VARCHAR) = "Name"',
            "databricks": "CAST(:user_email AS STRING) = `Name`",
            "bigquery": "CAST(@user_email AS STRING) = `Name`",
            "redshift": 'CAST(%(user_email)s AS VARCHAR(MAX)) = "Name"',
        },
        params={"user_email": "ann@example.com"},
    )
    validate_all(
        'CurrentUserInTeam("Sales")',
        write={
            "duckdb": "CAST($user_in_team_sales AS BOOLEAN)",
            "sqlite": "CAST(:user_in_team_sales AS INTEGER)",
            "postgres": "CAST(%(user_in_team_sales)s AS BOOLEAN)",
            "snowflake": "CAST(:user_in_team_sales AS BOOLEAN)",
            "databricks": "CAST(:user_in_team_sales AS BOOLEAN)",
            "bigquery": "CAST(@user_in_team_sales AS BOOL)",
            "redshift": "CAST(%(user_in_team_sales)s AS BOOLEAN)",
        },
        params={"user_in_team_sales": True},
    )
    validate_all(
        'CallNumber("MY_UDF", [Amount], 2)',
        write={
            "duckdb": 'MY_UDF("Amount", 2)',
            "sqlite": 'MY_UDF("Amount", 2)',
            "postgres": 'MY_UDF("Amount", 2)',
            "snowflake": 'MY_UDF("Amount", 2)',
            "databricks": "MY_UDF(`Amount`, 2)",
            "bigquery": "MY_UDF(`Amount`, 2)",
            "redshift": 'MY_UDF("Amount", 2)',
        },
    )
