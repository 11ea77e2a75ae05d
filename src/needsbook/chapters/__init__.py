"""One module per book chapter: findings, tables, charts and text, built from snapshot data."""
