-- create_schema
CREATE SCHEMA IF NOT EXISTS `sigds`;

-- create_table
CREATE TABLE IF NOT EXISTS `sigds`.`items` (`id` STRING NOT NULL, `name` STRING, `qty` BIGINT, `price` DOUBLE, `active` BOOLEAN, `updated_at` TIMESTAMP, `attrs` STRING, `version` BIGINT NOT NULL);

-- insert
-- params: {"id": "a", "name": "Anvil", "qty": 5, "price": 9.5, "active": true, "updated_at": "2026-01-02 03:04:05", "version": 1}
INSERT INTO `sigds`.`items` (`id`, `name`, `qty`, `price`, `active`, `updated_at`, `version`) VALUES (:id, :name, :qty, :price, :active, :updated_at, :version);

-- update_versioned
-- params: {"name": "Anvil II", "updated_at": "2026-01-02 03:04:05", "id": "a", "version": 1}
UPDATE `sigds`.`items` SET `name` = :name, `updated_at` = :updated_at, `version` = `version` + 1 WHERE `id` = :id AND `version` = :version;

-- delete
-- params: {"id": "d"}
DELETE FROM `sigds`.`items` WHERE `id` = :id;

-- select_page
-- params: {"active": true, "min_qty": 5}
SELECT `id`, `name`, `qty` FROM `sigds`.`items` WHERE `active` = :active AND `qty` >= :min_qty ORDER BY `qty` DESC, `id` LIMIT 2 OFFSET 1;

-- count
-- params: {"active": true}
SELECT COUNT(*) FROM `sigds`.`items` WHERE `active` = :active;

-- merge_one_row
-- params: {"id": "b", "name": "Bolt XL", "qty": 60}
MERGE INTO `sigds`.`items` AS `t` USING (SELECT :id AS `id`, :name AS `name`, :qty AS `qty`) AS `s` ON `t`.`id` = `s`.`id` WHEN MATCHED THEN UPDATE SET `name` = `s`.`name`, `qty` = `s`.`qty`, `version` = `t`.`version` + 1 WHEN NOT MATCHED THEN INSERT (`id`, `name`, `qty`, `active`, `version`) VALUES (`s`.`id`, `s`.`name`, `s`.`qty`, TRUE, 1);

-- merge_from_stage
MERGE INTO `sigds`.`items` AS `t` USING `sigds`.`items_stage` AS `s` ON `t`.`id` = `s`.`id` WHEN MATCHED THEN UPDATE SET `name` = `s`.`name`, `qty` = `s`.`qty`, `version` = `t`.`version` + 1 WHEN NOT MATCHED THEN INSERT (`id`, `name`, `qty`, `active`, `version`) VALUES (`s`.`id`, `s`.`name`, `s`.`qty`, TRUE, 1);

-- select_all
SELECT `id`, `name`, `qty`, `version` FROM `sigds`.`items` ORDER BY `id`;

-- delete_all
DELETE FROM `sigds`.`items`;
