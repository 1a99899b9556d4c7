"""ccodesk."""
