-- create_schema
CREATE SCHEMA IF NOT EXISTS "sigds";

-- create_table
CREATE TABLE IF NOT EXISTS "sigds"."items" ("id" VARCHAR NOT NULL, "name" VARCHAR, "qty" BIGINT, "price" DOUBLE, "active" BOOLEAN, "updated_at" TIMESTAMP, "attrs" VARIANT, "version" BIGINT NOT NULL, PRIMARY KEY ("id"));

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
-- params: ["b", "Bolt XL", 60]
MERGE INTO "sigds"."items" AS "t" USING (SELECT ? AS "id", ? AS "name", ? AS "qty") AS "s" ON "t"."id" = "s"."id" WHEN MATCHED THEN UPDATE SET "name" = "s"."name", "qty" = "s"."qty", "version" = "t"."version" + 1 WHEN NOT MATCHED THEN INSERT ("id", "name", "qty", "active", "version") VALUES ("s"."id", "s"."name", "s"."qty", TRUE, 1);

-- merge_from_stage
MERGE INTO "sigds"."items" AS "t" USING "sigds"."items_stage" AS "s" ON "t"."id" = "s"."id" WHEN MATCHED THEN UPDATE SET "name" = "s"."name", "qty" = "s"."qty", "version" = "t"."version" + 1 WHEN NOT MATCHED THEN INSERT ("id", "name", "qty", "active", "version") VALUES ("s"."id", "s"."name", "s"."qty", TRUE, 1);

-- select_all
SELECT "id", "name", "qty", "version" FROM "sigds"."items" ORDER BY "id";

-- delete_all
DELETE FROM "sigds"."items";
