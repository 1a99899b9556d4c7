"""Signed, encrypted sync bundles and the merge engine (ARCHITECTURE.md; issue 4)."""
