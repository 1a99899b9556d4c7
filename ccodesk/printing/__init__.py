"""Printed meeting packs and forms with reportlab (issue 5)."""
