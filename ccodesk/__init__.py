"""ccodesk: the desktop tool of a London borough's Community Consultation Officer."""

__version__ = "0.1.0"
