"""Sync between offline workstations by package files (see FORMAT.md in this folder)."""
