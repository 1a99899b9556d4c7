"""Frozen entry point of the command line."""

import multiprocessing
import sys

if __name__ == "__main__":
    # a large calendar is read by spawned worker processes, which start as this program
    multiprocessing.freeze_support()
    from ccodesk.cli.borough import main

    sys.exit(main())
