"""Frozen entry point of the desktop app."""

import sys

from ccodesk.ui.app import main

sys.exit(main())
