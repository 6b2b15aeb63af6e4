"""Input tables: editable tables written back to the warehouse."""
