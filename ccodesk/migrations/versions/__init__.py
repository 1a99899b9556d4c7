"""Alembic revisions, one per schema version (never edited once released)."""
