-- create_schema
CREATE SCHEMA IF NOT EXISTS "sigds";

-- create_table
CREATE TABLE IF NOT EXISTS "sigds"."items" ("id" VARCHAR(MAX) NOT NULL, "name" VARCHAR(MAX), "qty" BIGINT, "price" DOUBLE PRECISION, "active" BOOLEAN, "updated_at" TIMESTAMP, "attrs" VARCHAR(MAX), "version" BIGINT NOT NULL, PRIMARY KEY ("id"));

-- insert
-- params: ["a", "Anvil", 5, 9.5, true, "2026-01-02 03:04:05", 1]
INSERT INTO "sigds"."items" ("id", "name", "qty", "price", "active", "updated_at", "version") VALUES (?, ?, ?, ?, ?, ?, ?);

-- update_versioned
-- params: ["Anvil II", "2026-01-02 03:04:05", "a", 1]
UPDATE "sigds"."items" SET "name" = ?, "updated_at" = ?, "version" = "version" + 1 WHERE "id" = ? AND "version" = ?;

-- delete
-- params: ["d"]
DELETE FROM "sigds"."items" WHERE "id" = ?;

-- select_page
-- params: [true, 5]
SELECT "id", "name", "qty" FROM "sigds"."items" WHERE "active" = ? AND "qty" >= ? ORDER BY "qty" DESC NULLS LAST, "id" LIMIT 2 OFFSET 1;

-- count
-- params: [true]
SELECT COUNT(*) FROM "sigds"."items" WHERE "active" = ?;

-- merge_one_row
-- error: BadRequest: redshift MERGE takes a table as its source, not a subquery or VALUES: stage the rows in a (temporary) table and merge from it

-- merge_from_stage
MERGE INTO "sigds"."items" USING "sigds"."items_stage" AS "s" ON "items"."id" = "s"."id" WHEN MATCHED THEN UPDATE SET "name" = "s"."name", "qty" = "s"."qty", "version" = "items"."version" + 1 WHEN NOT MATCHED THEN INSERT ("id", "name", "qty", "active", "version") VALUES ("s"."id", "s"."name", "s"."qty", TRUE, 1);

-- select_all
SELECT "id", "name", "qty", "version" FROM "sigds"."items" ORDER BY "id";

-- delete_all
DELETE FROM "sigds"."items";
