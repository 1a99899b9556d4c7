"""The command lines: `ccodesk-cli` (a borough's store, `borough.py`) and `ccodesk-central`
(the central unit, `central.py`), one module per command group.

Each entry point builds one `context.Context` (how to open its store, ask for a passphrase,
show progress) and passes it to every command it runs; the command groups never import one
another's helpers, and nothing outside this package imports it (docs/architecture.md).
"""
