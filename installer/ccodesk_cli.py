"""Frozen entry point of the command line."""

import sys

from ccodesk.cli import main

sys.exit(main())
