-- Sample warehouse data for the showcase app: the tables its elements and its linked
-- input table read. Portable SQL (run through sqlglot on every engine); re-running it
-- replaces the sample tables.
CREATE SCHEMA IF NOT EXISTS analytics;

DROP TABLE IF EXISTS analytics.regions;
CREATE TABLE analytics.regions (region TEXT NOT NULL, manager TEXT, PRIMARY KEY (region));
INSERT INTO analytics.regions VALUES
  ('North', 'Ines Duarte'), ('South', 'Kofi Mensah'), ('East', 'Mei Lin'), ('West', 'Sam Okafor');

DROP TABLE IF EXISTS analytics.deals;
CREATE TABLE analytics.deals (
  "Deal Id" TEXT NOT NULL,
  "Account" TEXT,
  "Region" TEXT,
  "Stage" TEXT,
  "Amount" DOUBLE,
  "Close Date" DATE,
  "Age Days" INTEGER,
  PRIMARY KEY ("Deal Id")
);
INSERT INTO analytics.deals VALUES
  ('D-1001', 'Acme Corp', 'North', 'Won', 48000, DATE '2026-01-14', 34),
  ('D-1002', 'Bolt Logistics', 'South', 'Open', 12500, DATE '2026-02-02', 12),
  ('D-1003', 'Cirrus Health', 'East', 'Won', 91000, DATE '2026-02-20', 58),
  ('D-1004', 'Dune Energy', 'West', 'Lost', 22000, DATE '2026-03-05', 71),
  ('D-1005', 'Evergreen Foods', 'North', 'Open', 36500, DATE '2026-03-18', 9),
  ('D-1006', 'Fjord Marine', 'East', 'Won', 15750, DATE '2026-04-01', 40),
  ('D-1007', 'Granite Labs', 'South', 'Open', 67000, DATE '2026-04-22', 21),
  ('D-1008', 'Harbor Retail', 'West', 'Won', 29900, DATE '2026-05-09', 63);
