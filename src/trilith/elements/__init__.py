"""Element data: tables, pivots, charts and KPIs queried in the warehouse."""
