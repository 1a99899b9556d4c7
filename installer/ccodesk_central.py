"""Frozen entry point of the central unit's command line."""

import sys

if __name__ == "__main__":
    from ccodesk.cli.central import main

    sys.exit(main())
