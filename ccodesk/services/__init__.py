"""Use cases over the store, free of Qt: the CLI and the desktop app are thin layers on these."""
